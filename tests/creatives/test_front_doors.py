"""`stylelab ads` and `stylelab.ad_creatives`: shots with sidecars in, creatives and a ZIP out, and a
creative re-rendered from its JSON to the same bytes."""
from __future__ import annotations

import json
import zipfile

import pytest

import stylelab
from stylelab.cli import main
from tests.creatives.conftest import synthetic_shot


@pytest.fixture
def shot_folder(tmp_path):
    folder = tmp_path / "shots"
    folder.mkdir()
    source = synthetic_shot((1200, 628), "dark", at=(0.75, 0.6), share=0.7, name="mug-seed1")
    source.image.save(folder / "mug-seed1.png")
    (folder / "mug-seed1.json").write_text(json.dumps(source.shot))
    return folder


def test_the_command_line_makes_the_grid_and_re_renders_a_creative_exactly(shot_folder, tmp_path, capsys):
    out = tmp_path / "ads"
    code = main(["ads", str(shot_folder), "--headline", "Made to last", "--headline", "新品上市",
                 "--layout", "side panel", "--format", "Link ad 1.91:1", "--badge", "New", "--cta", "立即购买",
                 "--out", str(out)])
    assert code == 0
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 2 and (out / "stylelab-creatives.zip").is_file()
    with zipfile.ZipFile(out / "stylelab-creatives.zip") as bundle:
        assert {"sources/" in name for name in bundle.namelist()} == {True, False}
    assert main(["ads", "--rerender", str(pngs[0].with_suffix(".json")), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / pngs[0].name).read_bytes() == pngs[0].read_bytes()
    assert main(["ads", str(shot_folder), "--headline", "x", "--format", "Marketplace main image",
                 "--out", str(out)]) == 2
    assert "allows no text" in capsys.readouterr().err


def test_the_python_api_takes_shot_files_and_writes_what_it_made(shot_folder, tmp_path):
    creatives = stylelab.ad_creatives([shot_folder / "mug-seed1.png"], ["Made to last"],
                                      layouts=["headline on top", "logo only"], format="Link ad 1.91:1",
                                      colours="#F4F1EA #E4572E", out=tmp_path / "ads")
    assert [c.record["layout"] for c in creatives] == ["headline on top", "logo only"]
    assert creatives[0].image.size == (1200, 628)
    again = stylelab.rerender_creative(tmp_path / "ads" / f"{creatives[0].name}.json")
    assert again.tobytes() == creatives[0].image.tobytes()
    with pytest.raises(stylelab.StyleLabError, match="Give at most 4 headlines"):
        stylelab.ad_creatives([shot_folder / "mug-seed1.png"], ["a", "b", "c", "d", "e"])
