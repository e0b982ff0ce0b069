"""The merchant's journeys, in headless Chromium against the real app."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import make_cutout, make_studio_photo, sample_picture
from tests.e2e.conftest import AppServer, screenshot


@pytest.fixture()
def server(shared_server):
    """The module's one app: each browser test opens its own context, so its own workspace."""
    return shared_server


def _photo(tmp_path: Path, name: str = "mug.jpg", size: tuple[int, int] = (600, 400)) -> Path:
    path = tmp_path / name
    sample_picture("coffee", size).save(path, quality=92)
    return path


def _pick_template(page, name: str) -> None:
    page.locator("#template-gallery").get_by_text(name, exact=True).first.click()
    page.wait_for_function(
        "name => document.querySelector('#template input').value === name", arg=name)


def test_restyle_a_photo_and_download_the_zip(server, page, tmp_path):
    photo = _photo(tmp_path)
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(photo))
    page.locator("#photo-strip img").first.wait_for()
    _pick_template(page, "Starry swirls")
    page.locator("#preview img").wait_for()
    page.locator("#restyle-button").click()
    page.locator("#result-slider img").first.wait_for()
    page.locator("#results-gallery img").first.wait_for()
    status = page.locator("#status").inner_text()
    assert "Restyled 1 photo(s) at full resolution" in status
    table = page.locator("#metrics-table").inner_text()
    assert "SSIM" in table and "PSNR" in table
    numbers = [float(x) for x in re.findall(r"\b\d+\.\d+\b", table)]
    assert any(0 < n < 1 for n in numbers), table  # the SSIM
    assert any(5 < n < 50 for n in numbers), table  # the PSNR in dB
    assert "600x400" in table
    page.locator("#rate-up").click()
    page.locator("#rating-status", has_text="Thanks — your thumbs up for mug").wait_for()
    screenshot(page, "restyle-results")
    assert requested_hosts == {f"127.0.0.1:{server.port}"}, "the page must make no outside calls"
    with page.expect_download() as download_info:
        page.locator('#downloads a[download="stylelab-results.zip"]').click()
    archive = tmp_path / "results.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.namelist() == ["mug.png"]
        with bundle.open("mug.png") as stream:
            result = Image.open(stream)
            assert result.size == (600, 400)
            assert not result.getexif()


def test_a_saved_template_survives_a_restart(page, tmp_path, data_dir):
    server = AppServer(data_dir).start()
    try:
        style = tmp_path / "moodboard.png"
        sample_picture("rocket", (400, 300)).save(style)
        page.goto(server.url)
        page.locator("#own-style").click()
        page.locator("#style-image input[type=file]").set_input_files(str(style))
        page.locator("#template-name textarea, #template-name input").first.fill("Rocket launch")
        page.locator("#save-template").click()
        page.locator("#save-status", has_text="Saved template").wait_for()
        page.locator("#template-gallery").get_by_text("Rocket launch", exact=True).wait_for()
        screenshot(page, "template-saved")
    finally:
        server.stop()
    restarted = AppServer(data_dir, port=server.port).start()  # same origin: the browser keeps its workspace
    try:
        page.goto(restarted.url)
        page.locator("#template-gallery").get_by_text("Rocket launch", exact=True).wait_for()
        page.get_by_role("tab", name="My templates").click()
        page.locator("#custom-gallery").get_by_text("Rocket launch", exact=True).wait_for()
    finally:
        restarted.stop()


def test_a_bad_file_gets_a_clear_sentence_and_the_app_keeps_serving(server, page, tmp_path):
    fake = tmp_path / "invoice.jpg"
    fake.write_text("this is not a photo")
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(fake))
    page.get_by_text("is not an image we can read").first.wait_for()
    assert "Traceback" not in page.content()
    page.locator("#restyle-button").click()
    page.get_by_text("is not an image we can read").first.wait_for()
    page.locator("#photo-upload input[type=file]").set_input_files(str(_photo(tmp_path)))
    page.locator("#photo-strip img").first.wait_for()


def test_generate_product_shots_in_the_browser(server, page, tmp_path):
    photo = tmp_path / "studio.png"
    make_studio_photo(3, (600, 450))[0].save(photo)
    page.goto(server.url)
    page.get_by_role("tab", name="Product shots").click()
    page.locator("#shot-photo input[type=file]").set_input_files(str(photo))
    page.locator("#shot-photo img").first.wait_for()
    _open(page, "#shot-box-panel", "#show-mask")
    page.locator("#shot-box-status", has_text="cut-out").wait_for()
    page.locator("#show-mask").click()
    page.locator("#mask-overlay img").wait_for()
    _choose(page, "#shot-scene", "painted backdrop")
    page.locator("#generate-button").click()
    page.locator("#shot-status", has_text="Made 4 Social 4:5 shot(s) with seeds 1–4").wait_for()
    assert page.locator("#shot-gallery img").count() == 5  # four shots and the whole photo restyled
    table = page.locator("#shot-table").inner_text()
    assert "1080x1350" in table and "whole photo restyled" in table
    screenshot(page, "product-shots")


def _open(page, panel: str, inside: str) -> None:
    """Unfold an accordion (unless it is open already) and wait for a component in it."""
    if not page.locator(inside).is_visible():
        page.locator(panel).click()
    page.locator(inside).wait_for()


def _choose(page, elem_id: str, option: str) -> None:
    page.locator(f"{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_podium_scene_then_the_light_moved_and_the_zip(server, page, tmp_path):
    cutout = tmp_path / "bottle.png"
    make_cutout((200, 300)).save(cutout)
    page.goto(server.url)
    page.get_by_role("tab", name="Product shots").click()
    page.locator("#shot-photo input[type=file]").set_input_files(str(cutout))
    page.locator("#shot-photo img").first.wait_for()
    assert page.locator("#shot-scene input").input_value() == "podium"
    _open(page, "#shot-placement-panel", "#shot-count")
    count = page.locator("#shot-count input[type=number]")
    count.fill("1")
    count.press("Enter")
    page.locator("#generate-button").click()
    page.locator("#shot-status", has_text="Made 1 Social 4:5 shot(s) with seeds 1–1 in a podium scene").wait_for()
    first = page.locator("#shot-gallery img").first.get_attribute("src")
    _open(page, "#shot-light-panel", "#shot-light")
    page.locator("#shot-light").get_by_label("right", exact=True).check()
    page.locator("#generate-button").click()
    page.wait_for_function("src => { const img = document.querySelector('#shot-gallery img');"
                           " return img && img.getAttribute('src') !== src; }", arg=first)
    assert page.locator("#shot-gallery img").count() == 1
    screenshot(page, "product-shots-podium")
    with page.expect_download() as download_info:
        page.locator('#shot-downloads a[download="stylelab-results.zip"]').click()
    archive = tmp_path / "shots.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == ["bottle-seed1.json", "bottle-seed1.png"]
        record = json.loads(bundle.read("bottle-seed1.json"))
        shot = Image.open(bundle.open("bottle-seed1.png"))
        assert shot.size == (1080, 1350)
    # the light comes from the right, as picked (each seed moves it a few degrees within that choice)
    assert record["scene"] == "podium" and abs(record["light"]["azimuth"] - 90.0) <= 8
    assert record["light"]["source"] == "chosen"
    assert "Traceback" not in page.content()


def test_a_brush_stroke_corrects_the_mask_where_it_was_painted_and_background_only_keeps_it(
        server, page, tmp_path):
    photo = tmp_path / "studio.png"
    make_studio_photo(4, (480, 360))[0].save(photo)
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(photo))
    page.locator("#photo-strip img").first.wait_for()
    page.locator("#mask-panel").click()
    page.locator("#restyle-box-status", has_text="cut-out").wait_for()
    canvas = page.locator("#restyle-mask-editor canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    # a green ("product") stroke across the tinted backdrop above the product, in the middle third
    row, left, right = 0.15, 0.35, 0.65  # shares of the canvas
    page.mouse.move(box["x"] + box["width"] * left, box["y"] + box["height"] * row)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * right, box["y"] + box["height"] * row, steps=12)
    page.mouse.up()
    page.locator("#use-mask").click()
    page.locator("#restyle-mask-status", has_text="Using your mask for").wait_for()
    # the editor redraws the corrected mask and drops the stroke (pure green: red 34)
    for _ in range(40):
        canvas.scroll_into_view_if_needed()
        pixels = np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB"), dtype=float)
        height, width = pixels.shape[:2]
        on_stroke = pixels[round(height * row), round(width * (left + right) / 2)]
        beside = pixels[round(height * row), round(width * (right + 0.1))]
        if on_stroke.min() > 200:
            break
        page.wait_for_timeout(250)
    screenshot(page, "mask-editor-stroke")
    assert on_stroke.min() > 200, f"where the stroke was, the light backdrop is now product, untinted: {on_stroke}"
    assert beside[1] < 200 < beside[0], f"the backdrop beside the stroke stays tinted pink: {beside}"
    page.locator("#mode label", has_text="background only").click()
    page.locator("#restyle-button").click()
    page.locator("#status", has_text="Restyled 1 photo(s)").wait_for()
    page.locator("#metrics-table", has_text="studio").wait_for()
    cells = [c.strip() for c in page.locator("#metrics-table").inner_text().split("\n") if c.strip()]
    figures = cells[cells.index("studio"):][:9]
    assert float(figures[6]) < 1.5, f"the product (and the painted band) stay photo-true: {figures}"
    screenshot(page, "background-only")


def test_admin_signs_in_fine_tunes_sees_progress_and_publishes(tmp_path, page):
    data_dir = tmp_path / "admin-data"
    data_dir.mkdir()
    server = AppServer(data_dir, extra_env={"STYLELAB_ADMIN_PASSWORD": "correct horse"}).start()
    try:
        style = tmp_path / "board.png"
        sample_picture("rocket", (320, 240)).save(style)
        page.goto(server.url)
        page.get_by_role("tab", name="Admin").click()
        page.locator("#admin-password input").fill("wrong")
        page.locator("#admin-sign-in").click()
        page.get_by_text("Admin sign-in required").first.wait_for()
        assert not page.locator("#ft-start").is_visible()
        page.locator("#admin-password input").fill("correct horse")
        page.locator("#admin-sign-in").click()
        page.locator("#ft-start").wait_for()
        page.locator("#ft-style-image input[type=file]").set_input_files(str(style))
        page.locator("#ft-name input, #ft-name textarea").first.fill("Rocket board")
        page.locator("#ft-steps input[type=number]").fill("10")
        page.locator("#ft-size input[type=number]").fill("128")
        page.locator("#ft-start").click()
        page.locator("#ft-job-status", has_text="step").wait_for()
        screenshot(page, "admin-progress")
        page.locator("#ft-job-status").filter(has_text=re.compile("finished|early stopping")).wait_for(
            timeout=240_000)
        page.locator("#ft-before-after img").wait_for()
        page.locator("#ft-publish").click()
        page.locator("#ft-publish-status", has_text="Published").wait_for()
        screenshot(page, "admin-published")
        page.locator("#jobs-panel").click()
        page.locator("#jobs-refresh").click()
        page.locator("#jobs-table", has_text="Rocket board").wait_for(timeout=30_000)
        assert re.search(r"finished|early stopping", page.locator("#jobs-table").inner_text())
    finally:
        server.stop()


XSS_FILE = "<img src=x onerror=window.__xss=1>.png"
XSS_TEMPLATE = "<img src=x onerror=window.__xss=2>"


def test_user_text_with_html_is_shown_as_text_and_never_injected(server, page, tmp_path):
    attack = tmp_path / XSS_FILE
    attack.write_text("not a picture")
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files([str(_photo(tmp_path, size=(120, 80))),
                                                                     str(attack)])
    page.locator("#photo-strip img").first.wait_for()
    page.get_by_text("is not an image we can read").first.wait_for(timeout=30_000)  # the warning pop-up
    page.locator("#restyle-button").click()
    page.locator("#status", has_text="Skipped: The photo file").wait_for(timeout=60_000)
    template = page.locator("#template input")
    template.fill(XSS_TEMPLATE)
    template.press("Enter")
    page.locator("#restyle-button").click()
    page.get_by_text(f"There is no template called '{XSS_TEMPLATE}'").first.wait_for(timeout=30_000)  # as text
    page.locator("#own-style").click()
    page.locator("#template-name input, #template-name textarea").first.fill(XSS_TEMPLATE[:40])
    page.locator("#save-template").click()
    page.get_by_text("Template names may use letters").first.wait_for(timeout=30_000)
    screenshot(page, "escaped-user-text")
    assert page.evaluate("window.__xss") is None, "no script from user text ran"
    assert page.locator('img[src="x"]').count() == 0, "no element was made from user text"


def _on_image(page, selector: str, x: float, y: float) -> tuple[float, float]:
    """Where the pixel (x, y) of a shown image is on the page, as Gradio maps clicks (object-fit: contain)."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.evaluate("""sel => { const img = document.querySelector(sel); const r = img.getBoundingClientRect();
        return [r.left, r.top, r.width, r.height, img.naturalWidth, img.naturalHeight]; }""", selector)
    left, top, width, height, natural_w, natural_h = box
    scale = max(natural_w / width, natural_h / height)
    left += (width - natural_w / scale) / 2
    top += (height - natural_h / scale) / 2
    return left + x / scale, top + y / scale


def _drag_on_image(page, selector: str, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Press at one pixel of a shown image, move in steps as a hand does, release at another."""
    page.mouse.move(*_on_image(page, selector, *start))
    page.mouse.down()
    page.mouse.move(*_on_image(page, selector, *end), steps=12)
    page.mouse.up()


def test_a_box_on_the_photo_gives_a_transparent_png_whose_alpha_matches(server, page, tmp_path):
    import numpy as np

    from tests.conftest import make_lifestyle_photo

    photo, truth = make_lifestyle_photo(1, (480, 360), blurred=False)
    photo.save(tmp_path / "bottle.png")
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(tmp_path / "bottle.png"))
    page.locator("#photo-strip img").first.wait_for()
    page.locator("#mask-panel").click()
    page.locator("#restyle-box-status", has_text="cut-out").wait_for()
    ys, xs = np.nonzero(truth >= 0.5)
    image = "#restyle-box-photo img"
    page.wait_for_function("() => !document.querySelector('#restyle-box-photo .progress-text')")
    _drag_on_image(page, image, (xs.min() - 10, ys.min() - 10), (xs.max() + 10, ys.max() + 10))
    page.locator("#restyle-box-status", has_text="Cut out from your box").wait_for()
    assert "opposite corner" not in page.locator("#restyle-box-status").inner_text(), "the drag set no corner"
    box = [float(v) for v in page.locator("#restyle-box input, #restyle-box textarea").first.input_value().split(",")]
    assert abs(box[0] - (xs.min() - 10)) <= 3 and abs(box[3] - (ys.max() + 10)) <= 3, box
    screenshot(page, "cutout-box")
    page.locator("#remove-background").click()
    page.locator("#status", has_text="Removed the background of 1 photo(s)").wait_for()
    with page.expect_download() as download_info:
        page.locator('#downloads a[download="bottle-cutout.png"]').click()
    path = tmp_path / "downloaded.png"
    download_info.value.save_as(path)
    cut = Image.open(path)
    assert cut.mode == "RGBA" and cut.size == (480, 360)
    alpha = np.asarray(cut.getchannel("A")) >= 128
    assert (alpha & (truth >= 0.5)).sum() / (alpha | (truth >= 0.5)).sum() > 0.95
    screenshot(page, "cutout-results")


def test_a_not_product_click_in_the_box_tool_takes_out_what_it_lands_on_and_nothing_else(server, page, tmp_path):
    # the lamp: after the box, a click says what to change, and the download follows it
    from tests.product.open_products import open_case

    case = open_case("lamp", "plain", (480, 360))
    case.image.save(tmp_path / "lamp.png")
    product = case.alpha >= 0.5
    rows = np.flatnonzero(product.any(axis=1))
    base_rows = product[rows[-1] - 6:rows[-1] - 2]  # the lamp's base: its lowest rows
    base = (float(np.median(np.nonzero(base_rows)[1])), float(rows[-1] - 4))
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(tmp_path / "lamp.png"))
    page.locator("#photo-strip img").first.wait_for()
    page.locator("#mask-panel").click()
    page.locator("#restyle-box-status", has_text="cut-out").wait_for()
    image = "#restyle-box-photo img"
    page.wait_for_function("() => !document.querySelector('#restyle-box-photo .progress-text')")
    _drag_on_image(page, image, case.box[:2], case.box[2:])
    page.locator("#restyle-box-status", has_text="from your box").wait_for()
    page.locator("#restyle-click-mode").get_by_text("Not product", exact=True).click()
    page.mouse.click(*_on_image(page, image, *base))
    page.wait_for_function("() => document.querySelector('#restyle-exclude textarea, #restyle-exclude input').value")
    page.wait_for_function("() => !document.querySelector('#restyle-box-photo .progress-text')")
    page.locator("#remove-background").click()
    page.locator("#status", has_text="Removed the background of 1 photo(s)").wait_for()
    with page.expect_download() as download_info:
        page.locator('#downloads a[download="lamp-cutout.png"]').click()
    download_info.value.save_as(tmp_path / "cut.png")
    alpha = np.asarray(Image.open(tmp_path / "cut.png").getchannel("A")) >= 128
    x, y = (round(v) for v in base)
    assert not alpha[y, x], "the base the click landed on is taken out"
    upper = product.copy()
    upper[rows[-1] - 40:] = False  # the shade and the arm, away from the base
    assert alpha[upper].mean() > 0.95, "the rest of the lamp stays"
    assert alpha[case.alpha < 0.02].mean() < 0.01, "the wall stays out"
