"""Fine-tuning: it learns, it freezes what it should, it can be cancelled, and publishing is safe."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import skimage.data
import torch
from PIL import Image

from stylelab import StyleLabError
from stylelab.engine import RestyleSettings
from stylelab.imageio import to_tensor
from stylelab.settings import AppSettings
from stylelab.studio import Photo, StyleChoice, Studio
from stylelab.training.finetune import FinetuneSettings, finetune
from stylelab.training.runs import new_run_dir, run_finetune_job
from tests.conftest import sample_picture

QUICK = dict(steps=12, validate_every=4, patience=10, image_size=128, batch_size=2)


@pytest.fixture(scope="module")
def training_data():
    style = to_tensor(sample_picture("rocket", (320, 240)))
    photos = [to_tensor(sample_picture(name, (200, 150))) for name in ("coffee", "chelsea", "astronaut", "coffee")]
    return style, photos


@pytest.mark.parametrize("trainable", ["embedding", "upper", "all"])
def test_a_short_cpu_run_lowers_validation_loss_and_changes_the_output(engine, training_data, trainable, tmp_path):
    style, photos = training_data
    networks = engine.networks()
    before = {k: v.clone() for k, v in engine.float_transformer().state_dict().items()}
    result = finetune(networks.predictor, engine.float_transformer(), style, photos,
                      FinetuneSettings(trainable=trainable, **QUICK), run_dir=tmp_path / "run")
    assert result.best_validation_loss < result.initial_validation_loss
    assert result.best_step > 0
    assert all(torch.equal(v, engine.float_transformer().state_dict()[k]) for k, v in before.items()), \
        "the engine's shared transformer is never modified"
    assert (tmp_path / "run" / "settings.json").is_file() and (tmp_path / "run" / "metrics.jsonl").is_file()
    assert (tmp_path / "run" / "checkpoint-best.safetensors").is_file()
    if trainable == "embedding":
        assert result.transformer_state is None
    else:
        state = result.transformer_state
        frozen = [k for k in before if k.startswith("contract.")]
        changed_frozen = [k for k in frozen if not torch.equal(state[k], before[k])]
        if trainable == "upper":
            assert frozen and changed_frozen == [], "contract layers stay bit-for-bit unchanged"
            assert any(not torch.equal(state[k], before[k]) for k in before if ".norm." in k), "the style norms train"
            convolutions = [k for k in before if k.startswith(("residual.", "expand.")) and ".norm." not in k]
            assert convolutions and all(torch.equal(state[k], before[k]) for k in convolutions), \
                "upper keeps the convolutions (trained, they blurred and drew halos around products)"
        else:
            assert changed_frozen, "'all' trains the contract layers too"


def test_cancel_stops_a_job_within_a_few_seconds(engine, training_data):
    style, photos = training_data
    networks = engine.networks()
    cancel = threading.Event()
    outcome = {}

    def job():
        outcome["result"] = finetune(networks.predictor, engine.float_transformer(), style, photos,
                                     FinetuneSettings(steps=5000, validate_every=1000, image_size=128),
                                     abort_fn=cancel.is_set)

    thread = threading.Thread(target=job)
    thread.start()
    time.sleep(3)
    cancelled_at = time.monotonic()
    cancel.set()
    thread.join(timeout=30)
    assert not thread.is_alive() and time.monotonic() - cancelled_at < 5
    assert outcome["result"].stopped == "cancelled" and outcome["result"].steps_run < 5000


def make_studio(tmp_path, engine) -> Studio:
    settings = AppSettings(data_dir=tmp_path / "data", device="cpu", max_side=800, max_files=5, preview_side=128,
                           concurrency=1, queue_size=4, max_upload_mb=10, admin_password=None)
    return Studio(engine, settings, sample_photo=Image.fromarray(skimage.data.coffee()))


def test_publish_then_roll_back_restores_the_previous_output_exactly(tmp_path, engine, training_data):
    style, photos = training_data
    studio = make_studio(tmp_path, engine)
    studio.save_template("Rocket", sample_picture("rocket", (320, 240)))
    photo = Photo("mug", sample_picture("coffee", (160, 120)))
    original = studio.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes()
    networks = engine.networks()
    result, figures = run_finetune_job(networks.predictor, engine.float_transformer(), style, photos,
                                       FinetuneSettings(trainable="upper", **QUICK),
                                       new_run_dir(tmp_path / "runs", "rocket"))
    assert (tmp_path / "runs" / "00001-rocket" / "before-after.png").is_file()
    version = studio.store.publish_version("Rocket", result.embedding, result.transformer_state, {"trainable": "upper"})
    assert version == "v001"
    tuned = studio.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes()
    assert tuned != original
    studio.store.activate("Rocket", "v0")
    assert studio.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes() == original
    assert [v["version"] for v in studio.store.versions("Rocket")] == ["v0", "v001"]


def test_a_crash_while_publishing_leaves_the_previous_version_active_and_loadable(tmp_path, engine, monkeypatch):
    studio = make_studio(tmp_path, engine)
    studio.save_template("Rocket", sample_picture("rocket", (320, 240)))
    first = studio.store.publish_version("Rocket", torch.zeros(100), None, {"note": "first"})
    photo = Photo("mug", sample_picture("coffee", (160, 120)))
    before = studio.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes()

    import stylelab.store.templates as templates

    real_save = templates.save_file

    def crash_half_way(tensors, path, *args, **kwargs):
        if path.endswith("transformer.safetensors"):
            with open(path, "wb") as partial:
                partial.write(b"half a file")
            raise KeyboardInterrupt("killed mid-save")
        return real_save(tensors, path, *args, **kwargs)

    monkeypatch.setattr(templates, "save_file", crash_half_way)
    state = {k: v.clone() for k, v in engine.float_transformer().state_dict().items()}
    with pytest.raises(KeyboardInterrupt):
        studio.store.publish_version("Rocket", torch.ones(100), state, {"note": "second"})
    monkeypatch.setattr(templates, "save_file", real_save)
    reopened = make_studio(tmp_path, engine)
    assert reopened.store.active_version(reopened.store.find("Rocket")) == first
    assert reopened.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes() == before
    assert not [p for p in (reopened.store.find("Rocket").folder / "versions").iterdir() if p.name.startswith(".")]


def test_builtin_styles_cannot_be_fine_tuned(tmp_path, engine):
    studio = make_studio(tmp_path, engine)
    with pytest.raises(StyleLabError, match="built-in"):
        studio.store.publish_version("Ink wash", torch.zeros(100), None, {})


def test_bad_finetune_settings_are_clear():
    with pytest.raises(StyleLabError, match="Choose what to train"):
        FinetuneSettings(trainable="vgg")
    with pytest.raises(StyleLabError, match="multiple of 4"):
        FinetuneSettings(image_size=250)


KILLED_PUBLISHER = """
import sys, time, torch
import stylelab.store.templates as templates
from stylelab.store.templates import TemplateStore
from pathlib import Path

real_save = templates.save_file
def slow_save(tensors, path, *args, **kwargs):
    real_save(tensors, path, *args, **kwargs)
    if path.endswith("transformer.safetensors"):
        Path(sys.argv[2]).write_text("half-way")
        time.sleep(60)  # the parent kills us here, mid-publish
templates.save_file = slow_save
store = TemplateStore(Path(sys.argv[1]))
store.publish_version("Rocket", torch.ones(100), {"w": torch.zeros(3)}, {"note": "never finished"})
"""


def test_a_publisher_killed_with_sigkill_leaves_the_previous_version_active(tmp_path, engine):
    import os
    import signal
    import subprocess
    import sys

    studio = make_studio(tmp_path, engine)
    studio.save_template("Rocket", sample_picture("rocket", (320, 240)))
    first = studio.store.publish_version("Rocket", torch.zeros(100), None, {"note": "first"})
    photo = Photo("mug", sample_picture("coffee", (160, 120)))
    before = studio.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes()
    marker = tmp_path / "half-way"
    child = subprocess.Popen([sys.executable, "-c", KILLED_PUBLISHER, str(tmp_path / "data"), str(marker)])
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the middle of its save"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    reopened = make_studio(tmp_path, engine)
    assert reopened.store.active_version(reopened.store.find("Rocket")) == first
    assert reopened.restyle([photo], StyleChoice(template="Rocket"), RestyleSettings())[0].result.tobytes() == before
    assert [v["version"] for v in reopened.store.versions("Rocket")] == ["v0", first]
    second = reopened.store.publish_version("Rocket", torch.ones(100), None, {"note": "after the crash"})
    assert second == "v002" and reopened.store.active_version(reopened.store.find("Rocket")) == "v002"


def test_cutouts_train_and_show_on_white_not_on_a_painted_ground(engine, training_data, tmp_path):
    """A transparent cut-out's ground is no content: the held-out sheet shows the restyled product on white,
    as the merchant gets it, in the before and the after columns alike."""
    from stylelab.training.data import read_training_photos
    from tests.conftest import make_cutout

    style, _ = training_data
    files = []
    for index, size in enumerate([(200, 150), (180, 180), (160, 200), (210, 140)]):
        files.append(tmp_path / f"cutout{index}.png")
        make_cutout(size).save(files[-1])
    photos = read_training_photos(files)
    assert all(photo.shape[0] == 4 for photo in photos), "cut-outs carry their alpha into training"
    assert torch.all(photos[0][:3, 0, 0] == 1.0), "the transparent ground is white, not the pixels under it"

    run_dir = tmp_path / "run"
    networks = engine.networks()
    settings = FinetuneSettings(trainable="embedding", steps=4, validate_every=2, image_size=96, batch_size=2,
                                validation_fraction=0.5)
    run_finetune_job(networks.predictor, engine.float_transformer(), style, photos, settings, run_dir)
    sheet = np.asarray(Image.open(run_dir / "before-after.png").convert("RGB")).astype(float)
    size = settings.image_size
    for column in range(3):  # original | before | after, one row per held-out cut-out
        corner = sheet[:6, column * size: column * size + 6]
        assert corner.min() >= 250, f"column {column}: the transparent corner is white, not painted"
        centre = sheet[size // 2 - 8: size // 2 + 8, column * size + size // 2 - 8: column * size + size // 2 + 8]
        assert centre.mean() < 240, f"column {column}: the product itself is there"
