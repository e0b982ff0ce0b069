"""Gobos as geometry: the flat pieces (window frame, blinds' slats, panes' bars, leaves) that
stand between the key light and the set, so their shadows fall where physics puts them —
on the floor, the wall, the podium and, when asked, the product.

Each piece is a polygon (a list of 3-D points, our coordinates) in a plane square to the
light, ``GOBO_DISTANCE`` from the product's middle towards the light.
"""
from __future__ import annotations

import math

import numpy as np

GOBO_DISTANCE = 1.4  # product heights from the product's middle: stripes stay crisp enough to read
WINDOW = (1.5, 2.1)  # half width and half height of the window opening, product heights
PANEL = 12.0  # half size of the wall the window is cut into: light only comes through the window
SLAT_PITCH, SLAT_OPEN = 0.3, 0.55  # blinds: a slat every 0.3 product heights, 55 % of each gap open
BAR = 0.07  # window panes: width of the bars
Polygon = list[tuple[float, float, float]]


def gobo_frame(direction: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gobo plane's origin and its across and up axes (unit vectors square to the light)."""
    across = np.cross([0.0, 1.0, 0.0], direction)
    if np.linalg.norm(across) < 1e-6:  # light straight overhead
        across = np.array([1.0, 0.0, 0.0])
    across = across / np.linalg.norm(across)
    up = np.cross(direction, across)
    return centre + direction * GOBO_DISTANCE, across, up / np.linalg.norm(up)


def _rectangle(origin: np.ndarray, across: np.ndarray, up: np.ndarray, u0: float, u1: float, v0: float,
               v1: float) -> Polygon:
    return [tuple(float(c) for c in origin + u * across + v * up) for u, v in ((u0, v0), (u1, v0), (u1, v1), (u0, v1))]


def _window_wall(origin, across, up) -> list[Polygon]:
    half_w, half_h = WINDOW
    return [_rectangle(origin, across, up, -PANEL, -half_w, -PANEL, PANEL),
            _rectangle(origin, across, up, half_w, PANEL, -PANEL, PANEL),
            _rectangle(origin, across, up, -half_w, half_w, half_h, PANEL),
            _rectangle(origin, across, up, -half_w, half_w, -PANEL, -half_h)]


def gobo_pieces(kind: str, direction: np.ndarray, centre: np.ndarray, rng: np.random.Generator) -> list[Polygon]:
    """The pieces of gobo ``kind`` ("none", "blinds", "window panes", "leaves") for a light from ``direction``."""
    if kind in ("none", "auto"):
        return []
    origin, across, up = gobo_frame(np.asarray(direction, float), np.asarray(centre, float))
    half_w, half_h = WINDOW
    if kind == "blinds":
        pieces = _window_wall(origin, across, up)
        closed = SLAT_PITCH * (1 - SLAT_OPEN)
        v = -half_h + rng.uniform(0, SLAT_PITCH)
        while v < half_h:
            pieces.append(_rectangle(origin, across, up, -half_w, half_w, v, min(v + closed, half_h)))
            v += SLAT_PITCH
        return pieces
    if kind == "window panes":
        pieces = _window_wall(origin, across, up)
        pieces.append(_rectangle(origin, across, up, -BAR / 2, BAR / 2, -half_h, half_h))
        for v in (-half_h / 3, half_h / 3):
            pieces.append(_rectangle(origin, across, up, -half_w, half_w, v - BAR / 2, v + BAR / 2))
        return pieces
    if kind == "leaves":
        return _leaves(origin, across, up, rng)
    raise ValueError(kind)


def _leaves(origin, across, up, rng: np.random.Generator, branches: int = 5, per_branch: int = 14) -> list[Polygon]:
    """Leaf shapes clustered along a few branches, so the shade is dappled, not evenly dotted."""
    pieces = []
    for _ in range(branches):
        start = rng.uniform(-1.6, 1.6, 2)
        heading = rng.uniform(0, 2 * math.pi)
        for step in range(per_branch):
            along = start + step * 0.16 * np.array([math.cos(heading), math.sin(heading)])
            centre = along + rng.normal(0, 0.12, 2)
            length, width, turn = rng.uniform(0.14, 0.3), rng.uniform(0.05, 0.11), rng.uniform(0, math.pi)
            points = []
            for k in range(12):  # a pointed leaf: an ellipse narrowed at both tips
                t = k / 12 * 2 * math.pi
                x, y = length * math.cos(t), width * math.sin(t) * abs(math.sin(t)) ** 0.3
                u = centre[0] + x * math.cos(turn) - y * math.sin(turn)
                v = centre[1] + x * math.sin(turn) + y * math.cos(turn)
                points.append(tuple(float(c) for c in origin + u * across + v * up))
            pieces.append(points)
    return pieces
