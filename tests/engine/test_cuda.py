"""The engine on a CUDA GPU (run by benchmarks/gpu_check.sh on a machine with one)."""
from __future__ import annotations

import pytest
import torch

from stylelab.engine import StyleEngine, StyleMix
from stylelab.errors import StyleLabError
from stylelab.imageio import to_tensor
from tests.conftest import make_studio_photo, sample_picture

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (benchmarks/gpu_check.sh)")


def psnr(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(10 * torch.log10(1 / (a - b).square().mean()))


@pytest.fixture(scope="module")
def photo() -> torch.Tensor:
    return to_tensor(make_studio_photo(seed=5, size=(640, 480))[0])


@pytest.fixture(scope="module")
def reference(photo) -> dict[str, torch.Tensor]:
    cpu = StyleEngine(device_request="cpu", precision_request="fp32")
    style = cpu.embed_styles([to_tensor(sample_picture("rocket", (256, 256)))])[0]
    mixes = {"builtin": StyleMix(builtin=((19, 1.0),)), "image": StyleMix(images=((style, 1.0),))}
    return {kind: (mix, cpu.restyle([photo], mix)[0]) for kind, mix in mixes.items()}


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
def test_gpu_results_match_the_cpu_in_every_precision(photo, reference, precision):
    if precision == "bf16" and not torch.cuda.is_bf16_supported():
        pytest.skip("this GPU has no bf16")
    engine = StyleEngine(device_request="cuda", precision_request=precision)
    assert engine.device_name.endswith(f", {precision}")
    for kind, (mix, expected) in reference.items():
        result = engine.restyle([photo], mix)[0]
        assert result.shape == photo.shape
        floor = 40 if precision == "fp32" else 28  # half precision keeps about 3 significant digits
        assert psnr(result, expected) >= floor, f"{kind}, {precision}: {psnr(result, expected):.1f} dB"


def test_auto_picks_half_precision_and_int8_is_refused_on_the_gpu():
    assert StyleEngine(device_request="cuda").precision in ("bf16", "fp16")
    with pytest.raises(StyleLabError, match="int8 runs on the CPU only"):
        StyleEngine(device_request="cuda", precision_request="int8")


def test_a_batch_of_eight_photos_comes_back_in_order(photo):
    engine = StyleEngine(device_request="cuda")
    photos = [photo.roll(i * 20, dims=-1) for i in range(8)]
    batch = engine.restyle(photos, StyleMix(builtin=((3, 1.0),)))
    alone = engine.restyle(photos[5:6], StyleMix(builtin=((3, 1.0),)))[0]
    assert psnr(batch[5], alone) >= 40
