"""int8 on the CPU against fp32, on a scikit-image photo: the 35 dB gate for every built-in
style and five style images, tiles and blends, and parity with the original graph.

The convolutions the calibration keeps in float (weights/int8_calibration.json) are what
makes the gate: with every convolution in int8 this photo's worst style was 31.5 dB.
Measured here (AMD EPYC, 7-bit weights): worst style 38.3 dB, median 46.0, style images
42.6-48.7, tiles 49.6; VNNI emulated (8-bit weights): 38.9, 46.6, 45.1-52.5, 50.9.
"""
from __future__ import annotations

import pytest
import torch

from stylelab.engine import EngineLimits, RestyleSettings, StyleEngine, StyleMix
from stylelab.engine.precision import int8_supported
from stylelab.imageio import to_tensor
from stylelab.models import NUM_STYLES
from stylelab.models.layers import ReflectConv
from stylelab.models.quantized import Int8Conv
from stylelab.weights.calibration import load_float_layers, load_int8_network
from stylelab.weights.parity import arbitrary_parity
from stylelab.weights.store import load_network
from tests.conftest import sample_picture
from tests.weights.test_parity import PARITY_BAR

PSNR_GATE = 35.0
BUILTIN_MEDIAN = 42.0
STYLE_IMAGE_FLOOR = 40.0
TILED_FLOOR = 45.0
STYLE_IMAGES = ("rocket", "brick", "grass", "chelsea", "coffee")

pytestmark = pytest.mark.skipif(not int8_supported(), reason="int8 needs an x86-64 CPU with AVX2 (oneDNN)")


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(10 * torch.log10(1 / (a - b).square().mean()))


@pytest.fixture(scope="module")
def engines() -> dict[str, StyleEngine]:
    return {p: StyleEngine(device_request="cpu", precision_request=p) for p in ("fp32", "int8")}


@pytest.fixture(scope="module")
def photo() -> torch.Tensor:
    return to_tensor(sample_picture("chelsea", (200, 152)))


def test_int8_engine_keeps_only_the_calibrated_convolutions_in_float(engines):
    networks = engines["int8"].networks()
    weight_max = next(m for m in networks.multistyle.modules() if isinstance(m, Int8Conv)).weight_max
    for name, network in (("multistyle26", networks.multistyle), ("arbitrary_transformer", networks.transformer)):
        kept = set(load_float_layers(name, weight_max))
        int8 = {n for n, m in network.named_modules() if isinstance(m, Int8Conv)}
        floats = {n for n, m in network.named_modules() if isinstance(m, ReflectConv)}
        assert int8 and not int8 & kept
        assert floats == kept
    assert not any(isinstance(m, Int8Conv) for m in networks.predictor.modules())  # see StyleEngine._load
    assert engines["int8"].device_name.endswith(", int8") and engines["fp32"].device_name.endswith(", fp32")


def test_the_26_styles_in_int8_stay_close_to_fp32(engines, photo):
    figures = []
    for index in range(NUM_STYLES):
        mix = StyleMix(builtin=((index, 1.0),))
        figures.append(psnr(engines["fp32"].restyle([photo], mix)[0], engines["int8"].restyle([photo], mix)[0]))
    assert min(figures) >= PSNR_GATE, [round(f, 1) for f in figures]
    assert sorted(figures)[NUM_STYLES // 2] >= BUILTIN_MEDIAN, [round(f, 1) for f in figures]


def test_five_style_images_stay_close_to_fp32(engines, photo):
    for name in STYLE_IMAGES:
        embedding = engines["fp32"].embed_styles([to_tensor(sample_picture(name, (256, 256)))])[0]
        results = [e.restyle([photo], StyleMix(images=((embedding, 1.0),)))[0] for e in engines.values()]
        assert psnr(*results) >= STYLE_IMAGE_FLOOR, f"style image {name}: {psnr(*results):.1f} dB"


def test_tiles_strength_blends_and_keep_colours_work_the_same_in_int8(engines, photo):
    tiled = {p: StyleEngine(device_request="cpu", precision_request=p,
                            limits=EngineLimits(max_direct_pixels=96 * 96, tile=128, overlap=32, margin=8))
             for p in ("fp32", "int8")}
    style = engines["fp32"].embed_styles([to_tensor(sample_picture("rocket", (256, 256)))])[0]
    mix = StyleMix(builtin=((4, 0.5), (17, 0.5)), images=((style, 0.5),))
    settings = RestyleSettings(strength=0.6, keep_colours=True)
    results = [e.restyle([photo], mix, settings)[0] for e in (tiled["fp32"], tiled["int8"])]
    assert psnr(*results) >= TILED_FLOOR


def test_any_image_path_in_int8_keeps_parity_with_the_original_graph():
    from stylelab.models.quantized import NO_SATURATION_WEIGHT_MAX

    transformer = load_int8_network("arbitrary_transformer", NO_SATURATION_WEIGHT_MAX)
    for figure in arbitrary_parity(load_network("arbitrary_predictor"), transformer):
        assert figure.mean_abs_diff_float_reference <= PARITY_BAR, figure
