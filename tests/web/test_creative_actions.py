"""The Ad creatives tab's actions: the brand kit saved per workspace, a grid from uploaded shots, ratings
in the admin dashboard, the winners' ZIP, and sentences for bad input."""
from __future__ import annotations

import json
import zipfile

import pytest
import skimage.data
from PIL import Image

from stylelab.errors import UserFacingError
from stylelab.settings import AppSettings
from stylelab.store.workspaces import user_workspace
from stylelab.studio import Studio
from stylelab.web.admin_actions import AdminActions
from stylelab.web.auth import AdminAuth
from stylelab.web.creative_actions import CreativeActions
from stylelab.web.workspace import current_workspace
from tests.creatives.conftest import synthetic_shot


@pytest.fixture(scope="module")
def studio(tmp_path_factory, engine) -> Studio:
    settings = AppSettings(data_dir=tmp_path_factory.mktemp("creatives") / "data", device="cpu", max_side=2000,
                           max_files=5, preview_side=64, concurrency=1, queue_size=4, max_upload_mb=10,
                           admin_password="pw")
    return Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))


@pytest.fixture
def workspace():
    token = current_workspace.set(user_workspace("carol"))
    yield
    current_workspace.reset(token)


def shot_files(folder, count=1):
    files = []
    for index in range(count):
        source = synthetic_shot((1080, 1350), "plain", at=(0.5, 0.7), share=0.4, name=f"shot{index}")
        source.image.save(folder / f"shot{index}.png")
        (folder / f"shot{index}.json").write_text(json.dumps(source.shot))
        files += [str(folder / f"shot{index}.png"), str(folder / f"shot{index}.json")]
    return files


def test_a_saved_kit_comes_back_for_its_workspace_and_an_admin_publishes_it_for_everyone(studio, tmp_path, workspace):
    actions = CreativeActions(studio)
    assert actions.brand_kit_fields()[-1] == "Using StyleLab's default kit."
    logo = tmp_path / "logo.png"
    Image.fromarray(skimage.data.logo()).save(logo)
    assert "Saved your brand kit" in actions.save_brand_kit("#2F4858 #E8D5C4", "Noto Serif", "Noto Sans", "Order",
                                                            str(logo))
    colours, heading, body, cta, kept_logo, note = actions.brand_kit_fields()
    assert (colours, heading, body, cta, note) == ("#2F4858, #E8D5C4", "Noto Serif", "Noto Sans", "Order",
                                                   "Using your brand kit.")
    assert kept_logo.size == (500, 500)
    admin = AdminActions(studio, AdminAuth("pw"))
    assert "house brand kit" in admin.publish_house_brand_kit("pw")
    other = current_workspace.set(user_workspace("dave"))
    try:
        assert actions.brand_kit_fields()[-1] == "Using the house brand kit."
    finally:
        current_workspace.reset(other)


def test_a_grid_from_uploaded_shots_is_rated_and_the_winner_zipped_with_what_it_re_renders_from(studio, tmp_path,
                                                                                             workspace):
    actions = CreativeActions(studio)
    gallery, rows, files, status, state = actions.make_creatives(
        None, [], 1, shot_files(tmp_path), "Made to last\n新品上市", "Glazed by hand", "New", "", 
        ["headline on top", "bottom band"], "Social 4:5", "PNG", "#1F2A44 #E4572E", "Noto Sans", "Noto Sans", None)
    assert len(gallery) == len(rows) == 4 and "Made 4 creative(s)" in status
    with zipfile.ZipFile(files[0]) as bundle:
        names = bundle.namelist()
    assert sum(name.endswith(".png") and "/" not in name for name in names) == 4
    assert sum(name.endswith(".json") for name in names) == 4 and any(n.startswith("sources/") for n in names)
    message, rows, state, winners = actions.rate(state, 2, "winner")
    assert "is winner" in message and rows[1][-1] == "winner"
    with zipfile.ZipFile(winners[0]) as bundle:
        assert sorted(n for n in bundle.namelist() if "/" not in n) == sorted(
            [state["records"][1]["file"], state["records"][1]["file"].replace(".png", ".json")])
    dashboard = AdminActions(studio, AdminAuth("pw")).creative_dashboard("pw")
    assert any(row[0] == state["records"][1]["layout"] and row[7] == 1 for row in dashboard)


@pytest.mark.parametrize("change, sentence", [
    (dict(headlines=""), "at least one headline"),
    (dict(colours="#12345G"), "not a colour"),
    (dict(heading_font="Wingdings"), "no font called 'Wingdings'"),
    (dict(layouts=["spiral"]), "no layout called 'spiral'"),
    (dict(format_name="Marketplace main image"), "allows no text"),
    (dict(logo="NOT_AN_IMAGE"), "logo"),
    (dict(shots=None), "Upload a product photo"),
])
def test_bad_input_gets_a_sentence(studio, tmp_path, workspace, change, sentence):
    arguments = dict(shots=shot_files(tmp_path), headlines="Made to last", colours="#1F2A44", heading_font="Noto Sans",
                     layouts=["headline on top"], format_name="Social 4:5", logo=None) | change
    if arguments["logo"] == "NOT_AN_IMAGE":
        (tmp_path / "logo.png").write_text("this is not a picture")
        arguments["logo"] = str(tmp_path / "logo.png")
    with pytest.raises(UserFacingError, match=sentence):
        CreativeActions(studio).make_creatives(None, [], 1, arguments["shots"], arguments["headlines"], "", "", "",
                                               arguments["layouts"], arguments["format_name"], "PNG",
                                               arguments["colours"], arguments["heading_font"], "Noto Sans",
                                               arguments["logo"])


def test_shots_made_here_put_the_product_where_the_layout_wants_it(studio, tmp_path, workspace):
    from tests.conftest import make_cutout

    photo = tmp_path / "mug.png"
    make_cutout((240, 180)).save(photo)
    _, _, _, status, state = CreativeActions(studio).make_creatives(
        str(photo), ["podium"], 2, None, "Made to last", "", "New", "", ["bottom band", "side panel"],
        "Link ad 1.91:1", "JPEG", "#1F2A44 #E4572E", "Noto Sans", "Noto Sans", None)
    assert "Made 2 creative(s)" in status
    boxes = {r["layout"]: r["product_box"] for r in state["records"]}
    assert (boxes["bottom band"][1] + boxes["bottom band"][3]) / 2 < 628 / 2  # high: the band goes below
    assert (boxes["side panel"][0] + boxes["side panel"][2]) / 2 > 1200 / 2  # right: the panel goes left
    assert all(r["file"].endswith(".jpg") and r["source"]["shot"]["scene"] == "podium" for r in state["records"])
