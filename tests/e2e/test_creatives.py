"""The Ad creatives tab in the browser: a 2 x 2 grid from an uploaded shot, a rating, the ZIP."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.creatives.conftest import synthetic_shot
from tests.e2e.conftest import download, screenshot


@pytest.fixture()
def server(shared_server):
    return shared_server


def _shot(tmp_path: Path) -> tuple[Path, Path]:
    source = synthetic_shot((1080, 1350), "plain", at=(0.5, 0.7), share=0.4, name="mug-podium")
    image, sidecar = tmp_path / "mug-podium.png", tmp_path / "mug-podium.json"
    source.image.save(image)
    sidecar.write_text(json.dumps(source.shot))
    return image, sidecar


def test_a_two_by_two_grid_is_rated_and_downloaded(server, page, tmp_path):
    page.goto(server.url)
    page.get_by_role("tab", name="Ad creatives").click()
    page.locator("#ad-kit-note", has_text="Using").wait_for()  # the workspace's kit is in the fields
    page.locator("#ad-shot-files input[type=file]").set_input_files([str(p) for p in _shot(tmp_path)])
    page.locator("#ad-shot-files").get_by_text("mug-podium.png").wait_for()
    page.locator("#ad-headlines textarea").fill("Made to last\n新品上市，限时八折！")
    page.locator("#ad-badge input").fill("New")
    page.locator("#ad-make").click()
    page.locator("#ad-status", has_text="Made 4 creative(s) in Social 4:5").wait_for()
    assert page.locator("#ad-gallery img").count() == 4
    page.locator("#ad-gallery .thumbnail-lg").nth(1).click()  # the second creative
    page.wait_for_function("() => document.querySelector('#ad-number input').value === '2'")
    page.locator("#ad-winner").click()
    page.locator("#ad-rating-status", has_text="is winner").wait_for()
    page.locator("#ad-table", has_text="winner").wait_for()
    screenshot(page, "ad-creatives-grid")
    archive = download(page, '#ad-downloads a[download="stylelab-creatives.zip"]', tmp_path / "creatives.zip")
    with zipfile.ZipFile(archive) as bundle:
        names = bundle.namelist()
        records = [json.loads(bundle.read(n)) for n in names if n.endswith(".json") and "/" not in n]
    assert len(records) == 4 and all(r["file"] in names and r["source"]["file"] in names for r in records)
    assert {r["layout"] for r in records} == {"headline on top", "bottom band"}
    assert {r["copy"]["headline"] for r in records} == {"Made to last", "新品上市，限时八折！"}
