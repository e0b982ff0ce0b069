"""The catalog generator in the browser and through the API: an admin trains one in the Admin tab;
Product shots → "From my catalog" samples, restyles and passes on its images."""
from __future__ import annotations

from pathlib import Path

import re

import pytest
from gradio_client import Client, handle_file
from PIL import Image

from tests.e2e.conftest import AppServer, screenshot
from tests.gan_fixtures import train_tiny


@pytest.fixture(scope="module")
def catalog_server(tmp_path_factory):
    """One app with a tiny trained generator for the module's two catalog journeys (each start costs seconds)."""
    data_dir = tmp_path_factory.mktemp("catalog") / "data"
    train_tiny(data_dir / "generators" / "00001-bottles", steps=2, eval_every=2)  # a tiny generator, 2 steps
    server = AppServer(data_dir).start()
    yield server
    server.stop()


def test_from_my_catalog_generate_pick_restyle_and_send_to_shots(catalog_server, page):
    page.goto(catalog_server.url)
    page.get_by_role("tab", name="Product shots").click()
    page.locator("#catalog-section").get_by_text("From my catalog").click()
    page.locator("#catalog-generator input").wait_for()
    assert page.locator("#catalog-generator input").input_value() == "00001-bottles"
    page.locator("#catalog-count input[type=number]").fill("4")
    page.locator("#catalog-count input[type=number]").press("Enter")
    page.locator("#catalog-generate").click()
    page.locator("#catalog-status", has_text="4 sample(s) from 00001-bottles").wait_for()
    assert page.locator("#catalog-gallery img").count() == 4
    page.locator("#catalog-gallery img").nth(2).click()
    page.locator("#catalog-generated img").wait_for()
    page.locator("#catalog-restyle").click()
    page.locator("#catalog-restyled img").wait_for()
    page.locator("#catalog-quality").get_by_text("Quality over training").click()
    page.locator("#catalog-figures", has_text="FD-MobileNet").wait_for()
    screenshot(page, "catalog-generator")
    page.locator("#catalog-send-shots").click()
    page.locator("#shot-photo img").wait_for()
    page.locator("#catalog-send-restyle").click()
    page.locator("#photo-strip img").first.wait_for()  # the Restyle tab now holds the generated image


def test_from_my_catalog_through_the_api(catalog_server, tmp_path):
    client = Client(catalog_server.url, verbose=False)
    gallery, status, generated, restyled, figures = client.predict(
        generator="00001-bottles", seed=11, truncation=0.5, count=2, api_name="/catalog_generate")
    assert "2 sample(s)" in status and len(gallery) == 2
    assert [item["caption"] for item in gallery] == ["seed 11", "seed 12"]
    again, *_ = client.predict(generator="00001-bottles", seed=11, truncation=0.5, count=1,
                               api_name="/catalog_generate")
    assert Image.open(again[0]["image"]).tobytes() == Image.open(gallery[0]["image"]).tobytes()
    assert [row[0] for row in figures["data"]] == [0, 2]
    original, styled = client.predict(image=handle_file(gallery[0]["image"]), template="Ink wash", strength=0.8,
                                      api_name="/catalog_restyle")
    assert Image.open(original).size == Image.open(styled).size == (256, 256)
    walk, *_ = client.predict(generator="00001-bottles", seed_a=1, seed_b=2, steps=3, truncation=1.0,
                              api_name="/catalog_interpolate")
    assert len(walk) == 3
    with pytest.raises(Exception, match="missing is not in the list of choices"):  # Gradio checks the dropdown
        client.predict(generator="missing", seed=1, truncation=1.0, count=1, api_name="/catalog_generate")
    assert Path(original).is_file()


def test_admin_trains_a_generator_and_it_appears_in_product_shots(tmp_path, page):
    data_dir = tmp_path / "admin-data"
    data_dir.mkdir()
    server = AppServer(data_dir, extra_env={"STYLELAB_ADMIN_PASSWORD": "correct horse"}).start()
    try:
        page.goto(server.url)
        page.get_by_role("tab", name="Admin").click()
        page.locator("#admin-password input").fill("correct horse")
        page.locator("#admin-sign-in").click()
        page.locator("#gan-start").wait_for()
        page.locator("#gan-name input, #gan-name textarea").first.fill("bottles")
        page.locator("#gan-network").get_by_text("FastGAN-lite (learns faster").click()
        page.locator("#gan-resolution input").click()
        page.get_by_role("option", name="32", exact=True).click()
        for slider, value in (("#gan-steps", "10"), ("#gan-batch", "2")):
            page.locator(f"{slider} input[type=number]").fill(value)
            page.locator(f"{slider} input[type=number]").press("Enter")
        page.locator("#gan-start").click()
        page.locator("#gan-job-status", has_text="FastGAN-lite generator from scratch on the built-in synthetic "
                                                 "bottles-and-mugs set at 32 px, 10 steps").wait_for()
        page.locator("#gan-job-status", has_text="step").wait_for(timeout=120_000)  # live progress
        page.locator("#gan-job-status", has_text="finished").wait_for(timeout=240_000)
        page.locator("#gan-samples img").wait_for()
        figures = page.locator("#gan-figures").inner_text()
        assert re.search(r"\b10\b", figures), figures  # an FD/KID row for the last step
        screenshot(page, "admin-generator-finished")

        page.get_by_role("tab", name="Product shots").click()
        page.locator("#catalog-section").get_by_text("From my catalog").click()
        page.locator("#catalog-refresh").click()
        page.wait_for_function(
            "() => document.querySelector('#catalog-generator input').value.endsWith('bottles')")
        page.locator("#catalog-count input[type=number]").fill("2")
        page.locator("#catalog-count input[type=number]").press("Enter")
        page.locator("#catalog-generate").click()
        page.locator("#catalog-status", has_text="2 sample(s)").wait_for()
        assert page.locator("#catalog-gallery img").count() == 2
    finally:
        server.stop()
