"""Training the catalog generator on the CPU: finite losses, bit-exact checkpoints, deterministic
sampling, FreezeD keeps the frozen layers, and Cancel stops with a usable generator."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from stylelab.errors import StyleLabError
from stylelab.gan import checkpoints, sample
from stylelab.gan.library import GeneratorLibrary
from stylelab.gan.settings import GanSettings
from tests.gan_fixtures import tiny_images, train_tiny


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generators") / "00001-bottles"
    train_tiny(folder, steps=3, eval_every=2, images=tiny_images(96, kind="bottle"))
    return folder


def test_a_few_steps_at_32_px_give_finite_losses_figures_and_a_sample_grid(trained):
    evaluations = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    assert [e["step"] for e in evaluations] == [0, 2, 3]
    assert evaluations[0]["generator_loss"] is None  # nothing trained at step 0
    for e in evaluations[1:]:
        assert math.isfinite(e["generator_loss"]) and math.isfinite(e["discriminator_loss"])
    for e in evaluations:
        assert e["fd_mobilenet"] > 0 and math.isfinite(e["kid_mobilenet"])
    grid = Image.open(trained / "samples.png")
    assert grid.size == (8 * 32 * 2, 4 * 32 * 2)  # 32 px samples, shown twice as large
    assert np.asarray(grid).std() > 1  # not a blank picture
    assert (trained / "samples-000002.png").is_file()
    config = checkpoints.read_config(trained)
    assert config["steps"] == 3 and config["generator"]["resolution"] == 32


def test_checkpoint_round_trips_bit_exactly(trained, tmp_path):
    G, G_ema, D = checkpoints.load_networks(trained)
    copy_folder = tmp_path / "copy"
    checkpoints.save_networks(copy_folder, G, G_ema, D, {"steps": 3})
    assert (copy_folder / checkpoints.NETWORKS_FILE).read_bytes() == (trained / checkpoints.NETWORKS_FILE).read_bytes()
    assert (copy_folder / checkpoints.EMA_FILE).read_bytes() == (trained / checkpoints.EMA_FILE).read_bytes()
    sampler = checkpoints.load_generator(trained)
    for name, value in sampler.state_dict().items():
        assert torch.equal(value, G_ema.state_dict()[name]), name
    assert not list(trained.glob("*.partial"))  # atomic writes leave no temporary files


def test_sampling_with_a_seed_is_deterministic_and_seeds_differ(trained):
    first = checkpoints.load_generator(trained)
    second = checkpoints.load_generator(trained)  # a fresh load, as after a restart
    a = sample.generate(first, [7, 8], truncation=0.7)
    b = sample.generate(second, [7, 8], truncation=0.7)
    assert [i.tobytes() for i in a] == [i.tobytes() for i in b]
    assert a[0].tobytes() != a[1].tobytes()
    walk = sample.interpolate(first, 7, 8, 4, truncation=0.7)
    assert walk[0].tobytes() == a[0].tobytes() and walk[-1].tobytes() == a[1].tobytes()


def test_fine_tuning_keeps_the_frozen_discriminator_layers_and_tunes_the_rest(trained, tmp_path):
    tuned = tmp_path / "00002-mugs"
    result = train_tiny(tuned, steps=3, eval_every=3, freeze_d=2, start_from=trained,
                        images=tiny_images(96, kind="mug"))
    assert result.stopped == "finished"
    _, _, source = checkpoints.load_networks(trained)
    G, _, D = checkpoints.load_networks(tuned)
    source_G = checkpoints.load_networks(trained)[0]
    for name in ("from_rgb", "blocks.b32", "blocks.b16"):
        for key, value in D.state_dict().items():
            if key.startswith(name):
                assert torch.equal(value, source.state_dict()[key]), key
    assert not torch.equal(D.blocks["b8"].conv0.weight, source.blocks["b8"].conv0.weight)
    assert not torch.equal(D.out.weight, source.out.weight)
    assert not torch.equal(G.const, source_G.const)
    assert checkpoints.read_config(tuned)["fine_tuned_from"] == "00001-bottles"


def test_fine_tuning_refuses_another_image_size(trained, tmp_path):
    with pytest.raises(StyleLabError, match="32 px"):
        train_tiny(tmp_path / "x", resolution=64, start_from=trained,
                   images=torch.zeros(40, 3, 64, 64, dtype=torch.uint8))


def test_cancel_stops_training_and_leaves_a_usable_generator(tmp_path):
    calls = []

    def abort() -> bool:
        calls.append(1)
        return len(calls) > 2  # Cancel pressed during the third step

    folder = tmp_path / "00001-cancelled"
    result = train_tiny(folder, steps=50, eval_every=25, abort_fn=abort)
    assert result.stopped == "cancelled" and result.steps_run == 2
    assert checkpoints.read_config(folder)["steps"] == 2
    library = GeneratorLibrary(tmp_path)
    assert library.names() == ["00001-cancelled"]
    assert len(library.samples("00001-cancelled", 3, 1.0, 2)) == 2


def test_settings_and_library_refuse_bad_input_with_a_sentence(tmp_path):
    with pytest.raises(StyleLabError, match="image size must be one of"):
        GanSettings(resolution=48)
    with pytest.raises(StyleLabError, match="batch size"):
        GanSettings(batch_size=1)
    library = GeneratorLibrary(tmp_path)
    with pytest.raises(StyleLabError, match="Choose a trained generator"):
        library.folder(None)
    with pytest.raises(StyleLabError, match="no trained generator"):
        library.folder("../../etc")
