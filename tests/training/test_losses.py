"""The colour term of the fine-tuning loss: the painting's palette, compared in Lab."""
from __future__ import annotations

import numpy as np
import skimage.color
import torch

from stylelab.imageio import to_tensor
from stylelab.training import losses
from tests.conftest import sample_picture


def test_lab_conversion_agrees_with_scikit_image():
    photo = to_tensor(sample_picture("astronaut", (64, 64)))
    expected = skimage.color.rgb2lab(photo.permute(1, 2, 0).numpy())
    ours = losses.srgb_to_lab(photo[None])[0].permute(1, 2, 0).numpy()
    assert np.abs(ours - expected).max() < 0.05


def test_palette_distance_sees_colours_in_their_proportions_not_their_arrangement():
    coffee = to_tensor(sample_picture("coffee", (96, 64)))
    target = losses.palette(coffee)
    shuffled = coffee.flatten(1)[:, torch.randperm(96 * 64, generator=torch.Generator().manual_seed(0))]
    same = float(losses.palette_distance(coffee[None], target))
    rearranged = float(losses.palette_distance(shuffled.reshape(3, 64, 96)[None], target))
    other = float(losses.palette_distance(to_tensor(sample_picture("astronaut", (96, 64)))[None], target))
    grey = float(losses.palette_distance(coffee.mean(0, keepdim=True).expand(3, -1, -1)[None], target))
    assert same < 1.5 and rearranged < 1.5, "the same colours, wherever they are, are (almost) no distance"
    assert other > 5 * same and grey > 5 * same, "other colours, or the same picture in grey, are far"


def test_the_colour_term_pulls_a_grey_picture_towards_the_paintings_palette():
    """Fails if the term does nothing: a few gradient steps on the pixels alone must take on the palette."""
    painting = torch.zeros(3, 64, 64)
    painting[0, :, :32] = 0.9  # half red, half blue: colours a grey ramp does not have
    painting[2, :, 32:] = 0.8
    target = losses.palette(painting)
    ramp = torch.linspace(0.2, 0.8, 48).expand(1, 3, 48, 48).clone()
    pixels = torch.logit(ramp).requires_grad_()
    optimizer = torch.optim.Adam([pixels], lr=0.1)
    start = float(losses.palette_distance(ramp, target))
    for _ in range(60):
        optimizer.zero_grad()
        losses.palette_distance(torch.sigmoid(pixels), target).sum().backward()
        optimizer.step()
    result = torch.sigmoid(pixels).detach()
    assert float(losses.palette_distance(result, target)) < 0.4 * start
    saturation = (result.max(dim=1).values - result.min(dim=1).values).mean()
    assert saturation > 0.4, "the grey ramp became coloured"


def test_the_embedding_pull_sees_what_the_style_predictor_sees(engine):
    """The training's embedding term continues the loss network's pass: the same numbers as the predictor's."""
    network = losses.LossNetwork(engine.networks().predictor)
    photos = torch.stack([to_tensor(sample_picture(name, (96, 96))) for name in ("coffee", "chelsea")])
    with torch.no_grad():
        continued = network.embed_from(network(photos))
        direct = network.predictor(photos)
    assert torch.allclose(continued, direct, atol=1e-4)
    assert (continued[0] - continued[1]).norm() > 0.5, "two different photos give different embeddings"
