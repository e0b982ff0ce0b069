"""Int8 activation ranges: measured once on our own calibration images, kept in weights/.

The calibration images are scikit-image's sample photos and two generated product
shots (never the evaluation photos). ``python -m stylelab.weights calibrate`` rewrites
``weights/int8_calibration.json``; loading it takes milliseconds, so no start-up pays
for calibration.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import nn

from stylelab.errors import StyleLabError
from stylelab.models import NUM_STYLES, STYLE_IMAGE_SIZE
from stylelab.models.quantized import ActivationRange, calibrate, iterate_batches, quantize_network
from stylelab.weights.store import load_network, weights_dir

CALIBRATION_FILE = "int8_calibration.json"
SAMPLE_PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")
STYLE_SAMPLES = ("brick", "grass", "gravel", "rocket", "coffee", "astronaut")
CONTENT_SIZE = (192, 256)  # height, width: small, since instance norm makes the ranges hardly depend on size


def calibration_path(directory: Path | None = None) -> Path:
    return (directory or weights_dir()) / CALIBRATION_FILE


def _as_tensor(picture: Image.Image, size: tuple[int, int]) -> torch.Tensor:
    resized = picture.convert("RGB").resize((size[1], size[0]), Image.Resampling.LANCZOS)
    return torch.from_numpy(np.asarray(resized, dtype=np.float32) / 255.0).permute(2, 0, 1).contiguous()


def _generated_product_shot(seed: int) -> Image.Image:
    """A product-like object on a soft backdrop: the flat areas and hard edges of catalogue photos."""
    rng = np.random.default_rng(seed)
    height, width = 384, 512
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top, bottom = rng.uniform(0.55, 1.0, 3), rng.uniform(0.2, 0.8, 3)
    backdrop = (top * (1 - ramp) + bottom * ramp) * np.ones((1, width, 1), np.float32)
    picture = Image.fromarray((backdrop * 255).astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    for _ in range(3):
        x, y = int(rng.integers(60, 360)), int(rng.integers(60, 240))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        draw.rounded_rectangle((x, y, x + int(rng.integers(60, 140)), y + int(rng.integers(60, 140))), 18, fill=colour)
    return picture


def calibration_pictures() -> list[Image.Image]:
    import skimage.data

    return [Image.fromarray(getattr(skimage.data, n)()) for n in SAMPLE_PHOTOS] + [_generated_product_shot(s)
                                                                                     for s in (0, 1)]


def _style_pictures() -> list[Image.Image]:
    import skimage.data

    return [Image.fromarray(getattr(skimage.data, n)()) for n in STYLE_SAMPLES]


def measure_ranges() -> dict[str, dict[str, ActivationRange]]:
    """Activation ranges of every convolution input of the two stylization networks."""
    photos = [_as_tensor(p, CONTENT_SIZE)[None] for p in calibration_pictures()]
    styles = [_as_tensor(p, (STYLE_IMAGE_SIZE, STYLE_IMAGE_SIZE))[None] for p in _style_pictures()]
    multistyle = load_network("multistyle26")
    predictor = load_network("arbitrary_predictor")  # stays in float (see StyleEngine._load); it gives the embeddings
    transformer = load_network("arbitrary_transformer")
    one_hot = torch.eye(NUM_STYLES)
    # every style on every photo: the styles' norms scale activations differently
    style_runs = [(photo, one_hot[i : i + 1]) for i in range(NUM_STYLES) for photo in photos]
    ranges = {"multistyle26": calibrate(multistyle, iterate_batches(style_runs))}
    with torch.no_grad():
        targets = [predictor(s) for s in styles]
        own = [predictor(nn.functional.interpolate(p, size=(STYLE_IMAGE_SIZE,) * 2, mode="area")) for p in photos]
    # strength moves the embedding from the photo's own style towards the target, so both ends are sampled
    runs = [(photo, torch.lerp(mine, target, strength)) for photo, mine in zip(photos, own) for target in targets
            for strength in (0.5, 1.0)]
    ranges["arbitrary_transformer"] = calibrate(transformer, iterate_batches(runs))
    return ranges


def save_ranges(ranges: dict[str, dict[str, ActivationRange]], directory: Path | None = None) -> Path:
    path = calibration_path(directory)
    payload = {
        "about": "uint8 input scale and zero point of each convolution, from `python -m stylelab.weights calibrate`",
        "calibration_images": {"photos": [*SAMPLE_PHOTOS, "generated product shots 0, 1"], "styles": list(STYLE_SAMPLES),
                               "size": list(CONTENT_SIZE)},
        "networks": {network: {name: [r.scale, r.zero_point] for name, r in layers.items()}
                     for network, layers in ranges.items()},
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")
    return path


def load_ranges(network: str, directory: Path | None = None) -> dict[str, ActivationRange]:
    path = calibration_path(directory)
    try:
        layers = json.loads(path.read_text())["networks"][network]
    except (OSError, ValueError, KeyError):
        raise StyleLabError(f"The int8 calibration for {network} is missing from {path}. Run "
                            "`python -m stylelab.weights calibrate`, or choose --precision fp32.") from None
    return {name: ActivationRange(float(scale), int(zero_point)) for name, (scale, zero_point) in layers.items()}


def load_int8_network(network: str, weight_max: int, directory: Path | None = None) -> nn.Module:
    """The float network with int8 convolutions, using the calibrated ranges in weights/."""
    return quantize_network(load_network(network, directory), load_ranges(network, directory), weight_max)
