"""Scene kinds: the set each one builds around a product standing at the origin.

Units are product heights (the product is 1 tall and ``aspect`` wide). Every set is a
sweep or a floor-and-wall corner plus a few casters (podiums and props); the seed varies
proportions and props within what still looks composed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stylelab.product.scene.geometry import Arch, Box, Caster, Cylinder, Shelf, Sphere, Sweep

@dataclass(frozen=True)
class Part:
    shape: Caster
    surface: str  # which palette colour and material it takes: "podium" or "prop"


@dataclass(frozen=True)
class SceneSet:
    kind: str
    sweep: Sweep
    parts: tuple[Part, ...]
    support: float  # height of the surface the product stands on
    camera_lift: float = 0.0  # extra camera height, in product heights, for table-top views
    default_gobo: str = "none"
    floor_is_surface: bool = False  # the product stands on the floor itself (it takes the material)
    frame_below: float | None = None  # product heights of what it stands on the frame shows (None: all of it)


def build_set(kind: str, aspect: float, rng: np.random.Generator) -> SceneSet:
    """The geometry of ``kind`` around a product ``aspect`` wide (1 tall) standing at x = z = 0."""
    half = aspect / 2
    radius = max(0.55 * aspect + 0.12, 0.42) * rng.uniform(1.0, 1.15)
    height = rng.uniform(0.45, 0.7)
    side = 1.0 if rng.random() < 0.5 else -1.0  # which side props go to
    if kind == "podium":
        parts = [Part(Cylinder(0.0, 0.0, radius, 0.0, height), "podium")]
        if rng.random() < 0.7:
            ball = rng.uniform(0.18, 0.3)
            parts.append(Part(Sphere((side * (radius + ball + rng.uniform(0.15, 0.4)), ball, -0.3), ball), "prop"))
        return SceneSet(kind, Sweep(back=-(radius + rng.uniform(0.9, 1.4)), radius=1.6), tuple(parts), height)
    if kind == "stacked podium":
        base_r, base_h = radius * rng.uniform(1.6, 1.9), rng.uniform(0.16, 0.24)
        top_h = base_h + height * 0.8
        parts = [Part(Cylinder(0.0, 0.0, base_r, 0.0, base_h), "prop"),
                 Part(Cylinder(0.0, 0.0, radius, base_h, top_h), "podium")]
        small = radius * 0.45
        parts.append(Part(Cylinder(side * (base_r + small * 0.6), -0.5, small, 0.0, base_h + height * 0.35),
                          "podium"))
        return SceneSet(kind, Sweep(back=-(base_r + rng.uniform(0.7, 1.1)), radius=1.4), tuple(parts), top_h)
    if kind == "steps":
        width, depth = max(half + 0.3, 0.6), rng.uniform(0.55, 0.75)
        low_x = sorted((side * (width - 0.05), side * (width + 0.9)))
        tall_x = sorted((-side * (width - 0.05), -side * (width + 0.8)))
        parts = [Part(Box((-width, 0.0, -depth), (width, height, depth)), "podium"),
                 Part(Box((low_x[0], 0.0, -depth + 0.15), (low_x[1], height * 0.5, depth + 0.1)), "podium"),
                 Part(Box((tall_x[0], 0.0, -depth - 0.5), (tall_x[1], height + 0.5, depth - 0.4)), "prop")]
        return SceneSet(kind, Sweep(back=-(depth + rng.uniform(0.8, 1.2)), radius=1.2), tuple(parts), height)
    if kind == "arch":
        low = height * 0.7
        arch_w = max(half + 0.55, 0.85)
        z_back = -(radius + rng.uniform(0.25, 0.45))
        parts = [Part(Cylinder(0.0, 0.0, radius, 0.0, low), "podium"),
                 Part(Arch(0.0, arch_w, low + 0.9, z_back - 0.12, 0.12), "prop")]
        return SceneSet(kind, Sweep(back=z_back - rng.uniform(0.6, 0.9), radius=0.8), tuple(parts), low)
    if kind == "counter":
        return SceneSet(kind, Sweep(back=-rng.uniform(1.1, 1.5), radius=0.0), (), 0.0, camera_lift=0.45,
                        floor_is_surface=True)
    if kind == "window light":
        parts: list[Part] = []
        if rng.random() < 0.5:
            ball = rng.uniform(0.14, 0.22)
            parts.append(Part(Sphere((side * (half + ball + 0.35), ball, -0.15), ball), "prop"))
        return SceneSet(kind, Sweep(back=-rng.uniform(1.0, 1.4), radius=0.25), tuple(parts), 0.0,
                        camera_lift=0.15, default_gobo="blinds", floor_is_surface=True)
    if kind == "plinth":
        width = max(half + 0.22, 0.5) * rng.uniform(1.0, 1.15)
        tall = rng.uniform(0.9, 1.3)
        parts = [Part(Box((-width, 0.0, -width), (width, tall, width)), "podium")]
        return SceneSet(kind, Sweep(back=-(width + rng.uniform(0.9, 1.4)), radius=0.3), tuple(parts), tall,
                        default_gobo="leaves")
    if kind == "shelf":
        top, depth = rng.uniform(1.2, 1.6), max(0.55, 0.5 * aspect + 0.3)
        shelf = Shelf(half_width=rng.uniform(2.2, 3.0), depth=depth + 0.2, top=top, thickness=0.09)
        back = -(depth / 2 + 0.2)
        # the frame shows the shelf's edge and a little wall under it, not the floor far below
        return SceneSet(kind, Sweep(back=back, radius=0.0), (Part(shelf, "podium"),), top, camera_lift=0.05,
                        frame_below=0.35)
    raise ValueError(kind)
