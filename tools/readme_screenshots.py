"""Make the README screenshots: the app restyling scikit-image sample photos, on a
1366x768 desktop and a 390x844 phone viewport. Images shown are ones the project may ship.

    python tools/readme_screenshots.py   # writes docs/screenshot-desktop.png and docs/screenshot-phone.png
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import sample_picture  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, AppServer  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="stylelab-shots-"))
    (work / "data").mkdir()
    photos = []
    for name, size in (("coffee", (900, 600)), ("chelsea", (600, 400)), ("astronaut", (512, 512))):
        path = work / f"{name}.jpg"
        sample_picture(name, size).save(path, quality=92)
        photos.append(str(path))
    server = AppServer(work / "data").start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for name, viewport in (("desktop", (1366, 768)), ("phone", (390, 844))):
                page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
                page.set_default_timeout(180_000)
                page.goto(server.url)
                page.locator("#photo-upload input[type=file]").set_input_files(photos)
                page.locator("#photo-strip img").first.wait_for()
                page.locator("#template-gallery").get_by_text("Starry swirls", exact=True).first.click()
                page.locator("#preview img").wait_for()
                page.locator("#restyle-button").click()
                page.locator("#status", has_text="Restyled 3 photo(s)").wait_for()
                page.locator("#results-gallery").scroll_into_view_if_needed()  # its images load when seen
                page.wait_for_function(
                    "() => { const images = [...document.querySelectorAll('#results-gallery img')];"
                    " return images.length === 3 && images.every(i => i.complete && i.naturalWidth > 0); }")
                page.wait_for_timeout(1000)
                full = ROOT / "test-artifacts" / "screenshots" / f"readme-{name}-full.png"
                full.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(full), full_page=True)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(ROOT / "docs" / f"screenshot-{name}.png"))
                if name == "desktop":
                    page.evaluate("document.querySelector('#results').scrollIntoView({block: 'start'})")
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(ROOT / "docs" / "screenshot-results.png"))
                page.close()
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
