"""Scene geometry as plain data: the shapes a set is built from, in product heights.

World: y up, the floor at y = 0, the camera in front (+z) looking towards -z; the product is
1 tall, its base centred on the support it stands on. The Blender builder
(``blender/objects.py``) turns each shape into a bevelled mesh; nothing here renders.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sweep:
    """A studio sweep: floor (y = 0) curving up into a wall at z = back, along a cove of ``radius``."""
    back: float
    radius: float


@dataclass(frozen=True)
class Cylinder:
    """An upright cylinder standing on y = bottom, with a flat top at y = top."""
    x: float
    z: float
    radius: float
    bottom: float
    top: float


@dataclass(frozen=True)
class Box:
    """An axis-aligned box from ``low`` to ``high`` corners."""
    low: tuple[float, float, float]
    high: tuple[float, float, float]


@dataclass(frozen=True)
class Sphere:
    centre: tuple[float, float, float]
    radius: float


@dataclass(frozen=True)
class Arch:
    """A free-standing arch panel: a rectangle with a half-disc on top, ``thickness`` deep in z."""
    x: float
    half_width: float
    shoulder: float  # height where the round top begins
    z_back: float
    thickness: float


@dataclass(frozen=True)
class Shelf:
    """A plank fixed to the wall: ``depth`` deep from the wall, ``thickness`` thick, its top at ``top``."""
    half_width: float
    depth: float
    top: float
    thickness: float


Caster = Cylinder | Box | Sphere | Arch | Shelf


def bounds(shape: Caster) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The axis-aligned box (low, high corners) around a shape."""
    if isinstance(shape, Cylinder):
        return (shape.x - shape.radius, shape.bottom, shape.z - shape.radius), (
            shape.x + shape.radius, shape.top, shape.z + shape.radius)
    if isinstance(shape, Box):
        return shape.low, shape.high
    if isinstance(shape, Sphere):
        (x, y, z), r = shape.centre, shape.radius
        return (x - r, y - r, z - r), (x + r, y + r, z + r)
    if isinstance(shape, Arch):
        return (shape.x - shape.half_width, 0.0, shape.z_back - shape.thickness), (
            shape.x + shape.half_width, shape.shoulder + shape.half_width, shape.z_back)
    if isinstance(shape, Shelf):
        return (-shape.half_width, shape.top - shape.thickness, -shape.depth), (shape.half_width, shape.top, 0.0)
    raise TypeError(type(shape))
