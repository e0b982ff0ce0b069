"""The catalog generator as the app offers it: the admin job (queue, progress, cancel) and sampling."""
from __future__ import annotations

import re
import time
import zipfile
from dataclasses import replace

import pytest
import skimage.data
from PIL import Image

from stylelab.store.jobs import JobManager
from stylelab.web.auth import AdminAuth
from stylelab.errors import StyleLabError, UserFacingError
from stylelab.gan.dataset import catalog_images
from stylelab.store.safezip import zip_photos
from tests.bad_inputs import BAD_ZIPS
from stylelab.gan import checkpoints
from stylelab.gan.synthetic import render_product
from stylelab.web.gan_actions import CatalogActions
from stylelab.settings import AppSettings
from stylelab.studio import Studio


@pytest.fixture()
def catalog(engine, tmp_path) -> CatalogActions:
    settings = replace(AppSettings.from_environment(), data_dir=tmp_path / "data", preview_side=256)
    studio = Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))
    return CatalogActions(studio, AdminAuth("pw"), JobManager())


def _wait(catalog: CatalogActions, job_id: int, until, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = catalog.training_status("pw", job_id)
        if until(status, catalog.jobs.get(job_id)):
            return status
        time.sleep(0.1)
    raise AssertionError(f"timed out: {status[0]}")


def _photo_zip(tmp_path) -> str:
    bundle = tmp_path / "mugs.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for i in range(40):
            path = tmp_path / f"mug{i}.png"
            render_product(i, 80, kind="mug")[0].save(path)
            archive.write(path, path.name)
    return str(bundle)


def test_admin_trains_from_a_zip_watches_progress_then_samples_and_restyles(catalog, tmp_path):
    with pytest.raises(UserFacingError, match="sign-in required"):
        catalog.start_training("wrong", "scratch", None, "mugs", None, 32, 3, 4)
    photos = _photo_zip(tmp_path)
    job_id, message = catalog.start_training("pw", "scratch", [photos], "mugs", None, 32, 3, 4, 2, True, True, 2, 16)
    assert "training a StyleGAN-style generator from scratch on 1 upload(s) at 32 px" in message
    status, history, grid, figures = _wait(catalog, job_id, lambda s, job: job.done)
    assert "**finished**" in status and "FD-MobileNet" in status
    assert [h["step"] for h in history if h["fd_mobilenet"] is not None] == [0, 2, 3]
    assert Image.open(grid).size == (512, 256)
    assert [row[0] for row in figures] == [0, 2, 3]
    (name,) = catalog.generator_names()
    assert name == "00001-mugs"
    assert checkpoints.read_config(catalog.library.folder(name))["settings"]["freeze_d"] == 0  # only when fine-tuning

    items, note = catalog.sample(name, 5, 0.7, 3)
    assert [caption for _, caption in items] == ["seed 5", "seed 6", "seed 7"] and "truncation 0.70" in note
    assert Image.open(items[0][0]).size == (256, 256)
    again, _ = catalog.sample(name, 5, 0.7, 1)
    assert Image.open(again[0][0]).tobytes() == Image.open(items[0][0]).tobytes()
    walk = catalog.interpolate(name, 1, 2, 4, 1.0)
    assert len(walk) == 4 and walk[-1][1] == "100% of the way to seed 2"
    generated, restyled = catalog.restyle_generated(items[0][0], "Ink wash", 0.8)
    assert generated.size == restyled.size == (256, 256)
    assert generated.tobytes() != restyled.tobytes()

    tune_id, message = catalog.start_training("pw", "finetune", [photos], "cups", name, 64, 2, 4, 1, True, False, 2, 16)
    assert f"fine-tuning **{name}** (discriminator's lower 1 blocks frozen)" in message and "32 px" in message
    _wait(catalog, tune_id, lambda s, job: job.done)
    config = checkpoints.read_config(catalog.library.folder("00002-cups"))
    assert config["fine_tuned_from"] == name and config["settings"]["freeze_d"] == 1


def test_admin_trains_a_fastgan_lite_generator_which_cannot_then_be_fine_tuned(catalog, tmp_path):
    job_id, message = catalog.start_training("pw", "scratch", [_photo_zip(tmp_path)], "mugs", None, 32, 3, 4, None,
                                             True, True, 3, 16, architecture="fastgan")
    assert "training a FastGAN-lite generator from scratch" in message
    status, *_ = _wait(catalog, job_id, lambda s, job: job.done)
    assert "**finished**" in status
    (name,) = catalog.generator_names()
    config = checkpoints.read_config(catalog.library.folder(name))
    assert config["generator"]["architecture"] == "fastgan"
    assert config["settings"]["learning_rate"] == 0.0002  # FastGAN's own rate, not StyleGAN's 0.002
    items, _ = catalog.sample(name, 0, 0.7, 2)
    assert len(items) == 2
    with pytest.raises(UserFacingError, match="FastGAN-lite generator; fine-tuning is for StyleGAN"):
        catalog.start_training("pw", "finetune", None, "again", name, 32, 3, 4)
    with pytest.raises(UserFacingError, match="Choose the network"):
        catalog.start_training("pw", "scratch", None, "x", None, 32, 3, 4, architecture="biggan")


def test_cancel_stops_a_running_training_job(catalog, tmp_path):
    job_id, _ = catalog.start_training("pw", "scratch", [_photo_zip(tmp_path)], "long", None, 32, 5000, 4, None,
                                       True, False, 1000, 16)
    _wait(catalog, job_id, lambda s, job: job.history and job.history[-1]["step"] >= 2)
    assert "Cancelling" in catalog.cancel_training("pw", job_id)
    status, history, grid, figures = _wait(catalog, job_id, lambda s, job: job.done)
    assert "**cancelled**" in status
    assert history[-1]["step"] < 100 and grid is not None  # stopped early, and what it learnt was kept
    assert catalog.generator_names() == ["00001-long"]


def test_sampling_refuses_bad_input_with_a_sentence(catalog):
    with pytest.raises(UserFacingError, match="Choose a trained generator"):
        catalog.sample(None, 0, 0.7, 4)
    with pytest.raises(UserFacingError, match="no trained generator"):
        catalog.sample("nope", 0, 0.7, 4)
    with pytest.raises(UserFacingError, match="Generate samples and click one first"):
        catalog.restyle_generated(None, "Ink wash", 0.8)


@pytest.mark.parametrize("case", [case for case in BAD_ZIPS if case != "too many files in a ZIP"])
def test_a_bad_catalog_zip_gets_the_same_refusal_as_a_fine_tuning_one(catalog, tmp_path, case):
    """Issue #34, point 6: generator training read ../ and absolute paths as photos and a zip bomb whole
    into memory, ending in "The job failed; the error was logged". Now the one ZIP reader refuses it,
    with fine-tuning's sentence, before any job is queued."""
    path = BAD_ZIPS[case].make(tmp_path)
    with pytest.raises(UserFacingError) as refused:
        catalog.start_training("pw", "scratch", [str(path)], "zipped", None, 32, 3, 4, None, True, False, 3, 16)
    assert BAD_ZIPS[case].sentence in str(refused.value)
    assert catalog.jobs.jobs() == [] and catalog.generator_names() == []
    with pytest.raises(StyleLabError, match=re.escape(BAD_ZIPS[case].sentence)):
        list(catalog_images([path]))  # the reader itself, as the job would use it


def test_a_zip_that_lies_about_its_sizes_is_refused_without_filling_memory(tmp_path):
    """A header may declare a small entry while the data unpacks to far more: it is read no further."""
    path = tmp_path / "liar.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("photo.png", bytes(3_000_000))
    data = bytearray(path.read_bytes())
    small = (1000).to_bytes(4, "little")
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size: local and central
        at = data.find(signature)
        data[at + offset:at + offset + 4] = small
    path.write_bytes(bytes(data))
    with pytest.raises(StyleLabError, match="zip bomb|damaged"):
        list(zip_photos(path, 10))
