"""What a user notices about restyled images: size, strength, colours, tiles, repeatability."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image
from skimage.metrics import structural_similarity

from stylelab.engine import OUT_OF_MEMORY_NOTICE, EngineLimits, RestyleSettings, StyleEngine, StyleMix
from stylelab.imageio import to_image, to_tensor
from stylelab.product.region_metrics import seen_colour_difference
from tests.conftest import make_red_mug_and_black_lamp, sample_picture

INK_WASH = StyleMix(builtin=((2, 1.0),))
STARRY = StyleMix(builtin=((19, 1.0),))
COLOURED_PENCIL = StyleMix(builtin=((8, 1.0),))


def ssim(a: torch.Tensor, b: torch.Tensor) -> float:
    return structural_similarity(a.permute(1, 2, 0).numpy(), b.permute(1, 2, 0).numpy(), channel_axis=2, data_range=1.0)


@pytest.fixture(scope="module")
def rocket_mix(engine, rocket_style):
    return StyleMix(images=((engine.embed_styles([to_tensor(rocket_style)])[0], 1.0),))


@pytest.mark.parametrize("size", [(301, 203), (203, 301), (128, 77)])
def test_output_has_the_input_size_for_non_square_photos(engine, rocket_mix, size):
    photo = to_tensor(sample_picture("astronaut", size))
    for mix in (STARRY, rocket_mix):
        (result,) = engine.restyle([photo], mix)
        assert result.shape == photo.shape


def test_a_1000x667_photo_comes_back_1000x667(engine):
    photo = to_tensor(sample_picture("chelsea", (1000, 667)))
    (result,) = engine.restyle([photo], INK_WASH, RestyleSettings(stroke_scale=2.0))
    assert tuple(result.shape) == (3, 667, 1000)


@pytest.mark.parametrize("mix_name", ["builtin", "style image"])
def test_similarity_to_the_photo_falls_as_strength_rises(engine, coffee_tensor, rocket_mix, mix_name):
    mix = STARRY if mix_name == "builtin" else rocket_mix
    scores = [ssim(engine.restyle([coffee_tensor], mix, RestyleSettings(strength=s))[0], coffee_tensor)
              for s in (0.0, 0.5, 1.0)]
    assert scores[0] > scores[1] > scores[2], scores
    assert scores[0] - scores[2] > 0.1, f"strength should make a visible difference: {scores}"


def test_strength_zero_with_a_builtin_style_returns_the_photo(engine, coffee_tensor):
    (result,) = engine.restyle([coffee_tensor], STARRY, RestyleSettings(strength=0.0))
    assert torch.allclose(result, coffee_tensor, atol=1e-6)


@pytest.mark.parametrize("mix", [COLOURED_PENCIL, STARRY], ids=["coloured pencil", "starry swirls"])
def test_keep_colours_keeps_the_red_mug_red_at_any_strength_and_the_brushwork_shows(engine, mix):
    photo_image, products = make_red_mug_and_black_lamp()
    photo, mask = to_tensor(photo_image), Image.fromarray(products)
    seen = lambda settings: seen_colour_difference(  # noqa: E731
        photo_image, to_image(engine.restyle([photo], mix, settings)[0]), mask)
    assert seen(RestyleSettings(strength=1.0)) > 8, "without the switch the style moves the colour"
    for strength in (0.3, 0.7, 1.0):
        assert seen(RestyleSettings(strength=strength, keep_colours=True)) <= 3, strength
    (kept,) = engine.restyle([photo], mix, RestyleSettings(keep_colours=True))
    assert ssim(kept, photo) < 0.85, "the brushwork still shows"


def test_tiled_and_untiled_outputs_agree_away_from_seams(coffee_tensor):
    photo = to_tensor(sample_picture("astronaut", (520, 400)))
    # both in fp32: tiles run the eager modules, so a bf16 whole-photo run would differ by its rounding too
    untiled = StyleEngine("cpu", EngineLimits(max_direct_pixels=10**8, tile=1024, stats_side=1024), "fp32")
    tiled = StyleEngine("cpu", EngineLimits(max_direct_pixels=1, tile=256, overlap=128, margin=32, stats_side=1024),
                        "fp32")
    for mix in (STARRY, StyleMix(images=((untiled.embed_styles([coffee_tensor])[0], 1.0),))):
        (whole,) = untiled.restyle([photo], mix)
        (pieced,) = tiled.restyle([photo], mix)
        difference = (whole - pieced).abs()
        assert difference.mean() < 2e-3, float(difference.mean())
        assert difference.max() < 0.05, float(difference.max())


def test_two_cpu_runs_give_identical_bytes(engine, coffee, rocket_mix):
    photo = to_tensor(coffee)
    for mix in (STARRY, rocket_mix):
        settings = RestyleSettings(strength=0.7, keep_colours=True)
        first = to_image(engine.restyle([photo], mix, settings)[0]).tobytes()
        second = to_image(StyleEngine("cpu").restyle([photo], mix, settings)[0]).tobytes()
        assert first == second


def test_blending_two_styles_lands_between_them(engine, coffee_tensor):
    ink = engine.restyle([coffee_tensor], INK_WASH)[0]
    starry = engine.restyle([coffee_tensor], STARRY)[0]
    blend = engine.restyle([coffee_tensor], StyleMix(builtin=((2, 1.0), (19, 1.0))))[0]
    to_ink, to_starry, apart = (blend - ink).abs().mean(), (blend - starry).abs().mean(), (ink - starry).abs().mean()
    assert to_ink < apart and to_starry < apart
    assert to_ink > 0.02 and to_starry > 0.02


def test_mixing_a_builtin_and_a_style_image(engine, coffee_tensor, rocket_mix):
    mixed = StyleMix(builtin=((19, 0.5),), images=((rocket_mix.images[0][0], 0.5),))
    (result,) = engine.restyle([coffee_tensor], mixed)
    assert result.shape == coffee_tensor.shape
    assert (result - engine.restyle([coffee_tensor], STARRY)[0]).abs().mean() > 0.02


def test_stroke_scale_changes_the_brushwork_not_the_size(engine, coffee_tensor):
    fine = engine.restyle([coffee_tensor], STARRY, RestyleSettings(stroke_scale=1.0))[0]
    coarse = engine.restyle([coffee_tensor], STARRY, RestyleSettings(stroke_scale=2.0))[0]
    assert coarse.shape == fine.shape
    assert (coarse - fine).abs().mean() > 0.03


def test_a_batch_of_mixed_sizes_returns_results_in_order(coffee_tensor):
    engine = StyleEngine("cpu", EngineLimits(max_direct_pixels=10**8, tile=1024, batch_size=3))
    photos = [coffee_tensor, coffee_tensor[:, :100, :150], coffee_tensor.flip(-1), coffee_tensor[:, :64, :64]]
    results = engine.restyle(photos, STARRY)
    assert [r.shape for r in results] == [p.shape for p in photos]
    alone = engine.restyle([photos[2]], STARRY)[0]
    # batched matrix products round differently; 1e-4 is 1/40 of one 8-bit grey level
    assert torch.allclose(results[2], alone, atol=1e-4)


def test_out_of_gpu_memory_falls_back_to_tiles(monkeypatch, coffee_tensor):
    # a batch of two runs out of memory, one photo fits: the batch must be split
    engine = StyleEngine("cpu", EngineLimits(max_direct_pixels=10**8, tile=1024, stats_side=1024, batch_size=2))
    real_forward = engine._forward
    calls = []

    def forward_that_runs_out_of_memory_on_big_inputs(network, images, condition, stats):
        calls.append(tuple(images.shape))
        if images.shape[-1] * images.shape[-2] * len(images) > 300 * 200 and stats is None:
            raise torch.cuda.OutOfMemoryError("simulated")
        return real_forward(network, images, condition, stats)

    monkeypatch.setattr(engine, "_forward", forward_that_runs_out_of_memory_on_big_inputs)
    photos = [coffee_tensor, coffee_tensor.flip(-1)]
    notices: list[str] = []
    results = engine.restyle(photos, STARRY, notices=notices)
    assert [r.shape for r in results] == [p.shape for p in photos]
    assert any(shape[0] == 1 for shape in calls), "the batch should have been split"
    assert notices == [OUT_OF_MEMORY_NOTICE], "the user is told, once"


def test_concurrent_requests_share_one_lazily_loaded_engine(coffee_tensor, rocket_mix):
    from concurrent.futures import ThreadPoolExecutor

    engine = StyleEngine("cpu")
    mixes = [STARRY, INK_WASH, rocket_mix, STARRY, INK_WASH, rocket_mix]
    with ThreadPoolExecutor(max_workers=6) as pool:  # the first calls race to load the networks
        together = list(pool.map(lambda mix: engine.restyle([coffee_tensor], mix)[0], mixes))
    networks = engine.networks()
    assert engine.networks() is networks, "networks are loaded once"
    for mix, result in zip(mixes, together):
        assert torch.equal(result, engine.restyle([coffee_tensor], mix)[0])
