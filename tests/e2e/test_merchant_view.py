"""What a merchant sees on a desktop (1440x1000) and a phone (390x844): starting values that agree,
one status line and one figure, sentences where the user looks, tables and galleries that fit,
hints that follow the choice, downloads named after the photo and the template."""
from __future__ import annotations

import re

import pytest

from stylelab.product.scene.choices import GOBO_DESCRIPTIONS, MATERIAL_DESCRIPTIONS, SCENE_DESCRIPTIONS
from tests.conftest import make_cutout, sample_picture
from tests.e2e.conftest import screenshot
from tests.e2e.test_browser import _choose, _open

DESKTOP, PHONE = {"width": 1440, "height": 1000}, {"width": 390, "height": 844}

# every picture in the element lies inside each scrolling or clipping box around it
UNCLIPPED = """root => [...root.querySelectorAll('img')].every(img => {
  const r = img.getBoundingClientRect();
  for (let box = img.parentElement; box && box !== root.parentElement; box = box.parentElement) {
    const style = getComputedStyle(box);
    if (style.overflowY === 'visible' && style.overflowX === 'visible') continue;
    const c = box.getBoundingClientRect();
    if (r.bottom > c.bottom + 1 || r.top < c.top - 1 || r.right > c.right + 1 || r.left < c.left - 1) return false;
  }
  return true;
})"""
# no text in the elements is cut off (ellipsis or hidden overflow)
UNCUT = "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"


@pytest.fixture()
def server(shared_server):
    return shared_server


def _open_tab(page, name: str) -> None:
    """Click a tab; on a phone Gradio folds the tabs that do not fit into its overflow menu."""
    page.wait_for_function(
        """name => [...document.querySelectorAll('button')].some(b => b.textContent.trim() === name)""", arg=name)
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(".overflow-menu button").first.click()
    page.locator(".overflow-dropdown button", has_text=name).first.click()


def _page(browser, viewport):
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    return context, page


def _rows(page, table: str) -> list[list[str]]:
    """The table's rows as the user reads them (the cells that take up room)."""
    return page.locator(f"{table} [role=row].virtual-row").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('[role=gridcell]')].map(cell => cell.innerText.trim()))")


def _compare(page, photo) -> None:
    """Compare the default four templates on ``photo`` and wait for all four pictures."""
    page.locator("#compare-photo input[type=file]").set_input_files(str(photo))
    page.locator("#compare-photo img").first.wait_for()
    page.locator("#compare-button").click()
    page.locator("#compare-status", has_text="Compared 4 template(s)").wait_for()
    page.wait_for_function("() => document.querySelectorAll('#compare-gallery img').length === 4")


def _fold(page, panel: str) -> None:
    page.locator(f"{panel} button.label-wrap").first.click()


def _label_above_picture(page, elem_id: str) -> None:
    label = page.locator(f"{elem_id} label").first.bounding_box()
    picture = page.locator(f"{elem_id} img").first.bounding_box()
    assert label["y"] + label["height"] <= picture["y"] + 1, f"{elem_id}: its label covers the picture"


def test_compare_starts_like_restyle_and_its_gallery_and_table_fit(server, browser, tmp_path):
    photo = tmp_path / "hero.jpg"
    sample_picture("coffee", (480, 320)).save(photo, quality=92)
    context, page = _page(browser, DESKTOP)
    page.goto(server.url)
    restyle_start = (page.locator("#strength input[type=number]").input_value(),
                     page.locator("#keep-colours input").is_checked())
    page.get_by_role("tab", name="Compare").click()
    assert (page.locator("#compare-strength input[type=number]").input_value(),
            page.locator("#compare-keep-colours input").is_checked()) == restyle_start == ("0.8", True)
    _compare(page, photo)
    page.locator("#compare-table", has_text="Bold primaries").wait_for()
    screenshot(page, "compare-desktop")
    gallery = page.locator("#compare-gallery")
    assert gallery.evaluate(UNCLIPPED), "all four pictures of the 2x2 gallery are visible, none clipped"
    tops = sorted({round(box["y"]) for box in (img.bounding_box() for img in gallery.locator("img").all())})
    assert len(tops) == 2, f"two rows of two: {tops}"
    assert page.locator("#compare-gallery .caption-label").evaluate_all(UNCUT) == [], "captions are not cut"
    _label_above_picture(page, "#compare-photo")
    headers = page.locator("#compare-table thead th")
    assert min(h.bounding_box()["width"] for h in headers.all() if h.is_visible()) > 70, "headers stay words"
    table_box = page.locator("#compare-table").bounding_box()
    device = page.locator("#compare-table thead th", has_text="Device").bounding_box()
    assert device["x"] + device["width"] <= table_box["x"] + table_box["width"] + 1, "the device column shows"
    rows = _rows(page, "#compare-table")
    badge = page.locator("#device-badge b").inner_text()
    assert [row[0] for row in rows] == ["Ink wash", "Starry swirls", "Coloured pencil", "Bold primaries"], rows
    for row in rows:
        assert row[-1] == badge, f"one name for the device: {row[-1]} vs {badge}"
        assert row[4] != "—" and (re.fullmatch(r"[\d.]+", row[4]) or row[4].startswith("no product mask")), row
    src = gallery.locator("img").first.get_attribute("src")
    assert "hero-ink-wash" in src, f"a picture downloads under the photo's and the template's name: {src}"
    context.close()
    context, page = _page(browser, PHONE)
    page.goto(server.url)
    page.get_by_role("tab", name="Compare").click()
    _compare(page, photo)
    assert page.locator("#compare-gallery").evaluate(UNCLIPPED)
    screenshot(page, "compare-phone")
    context.close()


def test_restyle_says_one_thing_at_a_time_where_the_user_looks(server, browser, tmp_path):
    photo = tmp_path / "astronaut.jpg"  # a portrait: the automatic cut-out is unsure of it
    sample_picture("astronaut", (480, 320)).save(photo, quality=92)
    context, page = _page(browser, DESKTOP)
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(photo))
    page.locator("#photo-strip img").first.wait_for()
    page.locator("#restyle-box-status", has_text="unsure").wait_for()  # the panel opened by itself
    panel = page.locator("#mask-panel").inner_text()
    assert len(re.findall(r"\d+\s?%", page.locator("#restyle-box-status").inner_text())) == 1
    assert "onfidence" not in page.locator("#restyle-mask-status").inner_text(), "one status line"
    assert panel.count("unsure") == 1, panel
    _label_above_picture(page, "#restyle-box-photo")
    screenshot(page, "restyle-mask-panel")
    page.locator("#mode label", has_text="background only").click()
    page.locator("#restyle-button").click()
    page.locator("#status", has_text="The automatic cut-out of 'astronaut' is unsure").wait_for()
    assert "Error" not in page.locator("#status").inner_text()
    status = page.locator("#status").bounding_box()
    button = page.locator("#restyle-button").bounding_box()
    assert 0 <= status["y"] - (button["y"] + button["height"]) < 200, "the sentence is right under the button"
    page.locator("#mode label", has_text="whole photo").click()
    page.locator("#restyle-button").click()
    page.locator("#status", has_text="Restyled 1 photo(s)").wait_for()
    (row,) = _rows(page, "#metrics-table")
    assert row[4] == "no product mask: unsure cut-out" and row[-1] == page.locator("#device-badge b").inner_text()
    assert page.locator("#results-gallery .caption-label").evaluate_all(UNCUT) == [], "captions are not cut"
    with page.expect_download() as download:
        page.locator("#result-slider a.download-link").click()
    assert download.value.suggested_filename == "astronaut-ink-wash.png"
    screenshot(page, "restyle-results-desktop")
    page.locator("#remove-background").click()
    page.locator("#status", has_text="Removed the background").wait_for()
    page.locator("#metrics-table", has_text="Confidence").wait_for()
    (row,) = _rows(page, "#metrics-table")
    assert row[0] == "astronaut" and row[-1] != "cpu" and row[-1] in page.locator("#device-badge b").inner_text()
    context.close()


def test_product_shots_results_sit_beside_the_controls_and_hints_follow_the_choice(server, browser, tmp_path):
    cutout = tmp_path / "bottle.png"
    make_cutout((200, 300)).save(cutout)
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        context, page = _page(browser, viewport)
        posts: list[str] = []
        page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
        page.goto(server.url)
        _open_tab(page, "Product shots")
        page.locator("#shot-photo input[type=file]").set_input_files(str(cutout))
        page.locator("#shot-photo img").first.wait_for()
        if name == "desktop":
            for elem_id, option, descriptions in (("#shot-scene", "painted backdrop", SCENE_DESCRIPTIONS),
                                                  ("#shot-material", "terrazzo", MATERIAL_DESCRIPTIONS)):
                _choose(page, elem_id, option)
                page.locator(elem_id, has_text=descriptions[option]).wait_for()
            _choose(page, "#shot-scene", "podium")
            page.locator("#shot-scene", has_text=SCENE_DESCRIPTIONS["podium"]).wait_for()
            assert SCENE_DESCRIPTIONS["painted backdrop"] not in page.locator("#shot-scene").inner_text()
            _open(page, "#shot-light-panel", "#shot-gobo")
            _choose(page, "#shot-gobo", "blinds")
            page.locator("#shot-gobo", has_text=GOBO_DESCRIPTIONS["blinds"]).wait_for()
            settled = len(posts)
            page.wait_for_timeout(2000)
            assert len(posts) == settled, "a hint's update sets off no further events"
            _fold(page, "#shot-light-panel")
        _open(page, "#shot-placement-panel", "#shot-count")
        count = page.locator("#shot-count input[type=number]")
        count.fill("1")
        count.press("Enter")
        _fold(page, "#shot-placement-panel")
        page.locator("#generate-button").click()
        page.locator("#shot-status", has_text="Made 1").wait_for()
        page.locator("#shot-gallery img").first.wait_for()
        screenshot(page, f"product-shots-{name}")
        height = page.evaluate("document.documentElement.scrollHeight")
        gallery = page.locator("#shot-gallery").bounding_box()
        if name == "desktop":
            assert height < 1600, f"the page is {height} px tall"
            assert gallery["y"] < 400, f"the shots start {gallery['y']:.0f} px down, beside the controls"
        else:
            button = page.locator("#generate-button").bounding_box()
            assert gallery["y"] - (button["y"] + button["height"]) < 300, "the shots follow the button"
        assert page.locator("#shot-gallery .caption-label").evaluate_all(UNCUT) == [], "captions are not cut"
        _label_above_picture(page, "#shot-photo")
        context.close()


def test_phone_restyle_tab_stacks_without_overlaps(server, browser, tmp_path):
    photo = tmp_path / "mug.jpg"
    sample_picture("coffee", (600, 400)).save(photo, quality=92)
    context, page = _page(browser, PHONE)
    page.goto(server.url)
    page.locator("#photo-upload input[type=file]").set_input_files(str(photo))
    page.locator("#photo-strip img").first.wait_for()
    page.locator("#restyle-button").click()
    page.locator("#status", has_text="Restyled 1 photo(s)").wait_for()
    page.locator("#result-slider img").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "nothing runs off the side"
    screenshot(page, "restyle-phone")
    context.close()
