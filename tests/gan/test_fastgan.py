"""FastGAN-lite: image sizes, skip-layer excitation, the discriminator's reconstruction loss in
its update, training through the shared loop, deterministic seeded samples, and checkpoints
that round-trip bit-exactly and load in the generator library like StyleGAN ones."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from stylelab.errors import StyleLabError
from stylelab.gan import checkpoints, sample
from stylelab.gan.fastgan import FastGanConfig, FastGanDiscriminator, FastGanGenerator
from stylelab.gan.fastgan_train import FastGanSteps
from stylelab.gan.library import GeneratorLibrary
from stylelab.gan.settings import GanSettings
from tests.gan_fixtures import tiny_images, tiny_settings, train_tiny

SMALL = dict(z_dim=32, channel_base=256, channel_max=32)


@pytest.mark.parametrize("resolution", [32, 64])
def test_generator_and_discriminator_shapes_at_32_and_64_px(resolution):
    config = FastGanConfig(resolution=resolution, **SMALL)
    generator, discriminator = FastGanGenerator(config), FastGanDiscriminator(config)
    images = generator(torch.randn(4, 32))
    assert images.shape == (4, 3, resolution, resolution) and images.abs().max() <= 1
    logits, rebuilt = discriminator(images, reconstruct=True)
    assert logits.shape == (4,)
    side = min(resolution, 32)
    assert rebuilt.whole.shape == rebuilt.whole_target.shape == (4, 3, side, side)
    assert rebuilt.part.shape == rebuilt.part_target.shape == (4, 3, resolution // 2, resolution // 2)
    # every map from 16 px up is gated by the map a quarter its size
    assert sorted(generator.excitations) == [f"sle{r}" for r in sorted([16, 32, 64][: 2 + (resolution == 64)])]


def test_skip_layer_excitation_gates_the_higher_resolution_maps():
    generator = FastGanGenerator(FastGanConfig(resolution=32, **SMALL)).train()  # batch statistics: z shows
    z = torch.randn(8, 32)
    with torch.no_grad():
        before = generator(z)
        for excitation in generator.excitations.values():
            excitation.gate[-2].bias.fill_(-50.0)  # sigmoid ~ 0: the 16 and 32 px maps are shut off
        after = generator(z)
    assert (before - after).abs().max() > 0.05
    assert (after - after[0]).abs().max() < 1e-4  # nothing of z reaches the image past closed gates


def test_the_reconstruction_loss_goes_into_the_discriminator_update():
    settings = tiny_settings(architecture="fastgan", learning_rate=0.0002)
    torch.manual_seed(0)
    steps = FastGanSteps(settings, None, torch.device("cpu"))
    decoder = steps.D.decode_whole.to_rgb.parametrizations.weight.original
    before = decoder.detach().clone()
    real = tiny_images(8)[:4].float() / 127.5 - 1
    g_loss, d_loss = steps(real, 1)
    assert math.isfinite(g_loss) and math.isfinite(d_loss) and steps.last_reconstruction_loss > 0
    # the decoders exist only for this loss: if it were left out of D's loss they would never move
    assert not torch.equal(decoder, before)


def test_a_few_training_steps_give_finite_losses_figures_and_a_fastgan_config(tmp_path):
    folder = tmp_path / "00001-fast"
    result = train_tiny(folder, architecture="fastgan", learning_rate=0.0002, steps=3, eval_every=2)
    assert result.stopped == "finished" and [e["step"] for e in result.evaluations] == [0, 2, 3]
    for entry in result.evaluations[1:]:
        assert math.isfinite(entry["generator_loss"]) and math.isfinite(entry["discriminator_loss"])
        assert entry["fd_mobilenet"] > 0 and math.isfinite(entry["kid_mobilenet"])
    config = checkpoints.read_config(folder)
    assert config["generator"]["architecture"] == "fastgan" and config["settings"]["architecture"] == "fastgan"
    assert json.loads((folder / "settings.json").read_text())["settings"]["architecture"] == "fastgan"


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generators") / "00001-fast"
    # a dozen steps: batch-norm running statistics need a few updates before eval-mode samples differ
    train_tiny(folder, architecture="fastgan", learning_rate=0.0002, steps=12, eval_every=12)
    return folder


def test_seeded_samples_are_deterministic_and_the_library_serves_them(trained):
    first, second = checkpoints.load_generator(trained), checkpoints.load_generator(trained)
    assert isinstance(first, FastGanGenerator) and not first.training
    a, b = sample.generate(first, [5, 6], truncation=0.8), sample.generate(second, [5, 6], truncation=0.8)
    assert [i.tobytes() for i in a] == [i.tobytes() for i in b]
    assert a[0].tobytes() != a[1].tobytes()
    library = GeneratorLibrary(trained.parent)
    assert [seed for seed, _ in library.samples(trained.name, 5, 0.8, 2)] == [5, 6]
    assert library.samples(trained.name, 5, 0.8, 1)[0][1].tobytes() == a[0].tobytes()
    walk = library.interpolation(trained.name, 5, 6, 3, 0.8)
    assert walk[0].tobytes() == a[0].tobytes() and walk[-1].tobytes() == a[1].tobytes()


def test_checkpoint_round_trips_bit_exactly(trained, tmp_path):
    G, G_ema, D = checkpoints.load_networks(trained)
    assert isinstance(D, FastGanDiscriminator)
    copy_folder = tmp_path / "copy"
    checkpoints.save_networks(copy_folder, G, G_ema, D, {"steps": 12})
    for name in (checkpoints.NETWORKS_FILE, checkpoints.EMA_FILE):
        assert (copy_folder / name).read_bytes() == (trained / name).read_bytes()
    assert not list(trained.glob("*.pt*")) and not list(trained.glob("*.partial"))


def test_fastgan_refuses_fine_tuning_with_a_sentence(trained, tmp_path):
    with pytest.raises(StyleLabError, match="StyleGAN generators only"):
        GanSettings(architecture="fastgan", freeze_d=2)
    with pytest.raises(StyleLabError, match="architecture must be one of"):
        GanSettings(architecture="biggan")
    with pytest.raises(StyleLabError, match="StyleGAN generators only"):
        train_tiny(tmp_path / "x", start_from=trained)  # a StyleGAN run cannot start from FastGAN weights


def test_the_command_line_trains_and_samples_a_fastgan_generator(tmp_path):
    from tests.gan.test_cli import NETWORK, RUN, run_gan

    data = tmp_path / "data"
    trained = run_gan(data, "train", "--architecture", "fastgan", "--synthetic", "48", "--name", "fast",
                      *NETWORK, *RUN)
    assert trained.returncode == 0, trained.stderr
    config = json.loads((data / "generators" / "00001-fast" / "config.json").read_text())
    assert config["generator"]["architecture"] == "fastgan" and config["settings"]["learning_rate"] == 0.0002
    sampled = run_gan(data, "sample", "--generator", "00001-fast", "--seeds", "1-2", "--grid", "--out",
                      str(tmp_path / "out"))
    assert sampled.returncode == 0, sampled.stderr
    refused = run_gan(data, "finetune", "--from", "00001-fast", "--synthetic", "48", *RUN)
    assert refused.returncode != 0 and "fine-tuning is for StyleGAN" in refused.stderr
    assert "Traceback" not in refused.stderr
