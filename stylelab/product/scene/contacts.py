"""Where the product touches the ground: every foot, wheel or base rim, placed on the surface.

A cut-out is flat, but its outline says where it stands: the lowest opaque pixel of each column
traces its underside, and the parts of that trace that sag lowest in their neighbourhood (a
bottle's base, each visible wheel, a chair's feet) are the parts resting on the surface. Seen from
above, a part further back sits higher in the picture, so each contact is placed where the camera
ray through its pixel meets the support plane — under the part, at its depth — and gets a small
footprint there for a tight contact shadow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy.ndimage import maximum_filter1d

from stylelab.product.scene.camera import Camera

CLOSE = 0.03  # share of the product's height a column may sit above its neighbourhood's lowest and still touch
NEIGHBOURHOOD = 0.12  # share of the product's width a foot is compared with
MAX_CONTACTS = 6
REACH_UP = 0.25  # a foot sits at most this share of the product's height above its lowest one (seen from above)


@dataclass(frozen=True)
class Contact:
    """A footprint on the support plane (our coordinates, product heights)."""
    x: float
    z: float
    half_width: float
    half_depth: float

    def describe(self) -> dict:
        return {"x": round(self.x, 3), "z": round(self.z, 3), "width": round(2 * self.half_width, 3)}


def underside(alpha: np.ndarray) -> np.ndarray:
    """Row of the lowest opaque pixel of each column (-1 where a column is empty)."""
    opaque = alpha > 128
    rows = np.where(opaque.any(0), alpha.shape[0] - 1 - np.argmax(opaque[::-1], axis=0), -1)
    return rows


def touching_runs(alpha: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs of columns (first, last, their lowest row) whose underside sags lowest in its neighbourhood."""
    bottom = underside(alpha)
    height, width = alpha.shape
    reach = max(1, round(NEIGHBOURHOOD * width))
    lowest_near = maximum_filter1d(np.where(bottom < 0, -10 ** 6, bottom), 2 * reach + 1, mode="constant",
                                   cval=-10 ** 6)
    touches = (bottom >= 0) & (bottom >= lowest_near - CLOSE * height)
    runs, start = [], None
    for column in range(width + 1):
        inside = column < width and touches[column]
        if inside and start is None:
            start = column
        elif not inside and start is not None:
            runs.append((start, column - 1, int(bottom[start:column].max())))
            start = None
    runs.sort(key=lambda run: -run[2])  # the front-most (lowest in the picture) first
    return runs[:MAX_CONTACTS]


def ground_point(camera: Camera, pixel: tuple[float, float], support: float) -> tuple[float, float] | None:
    """Where the camera ray through ``pixel`` meets the plane y = support: (x, z), or None above the horizon."""
    right, up, forward = camera.basis()
    u, v = pixel
    direction = forward + (u - camera.centre[0]) / camera.focal * right - (v - camera.centre[1]) / camera.focal * up
    if direction[1] >= -1e-6:
        return None
    t = (support - camera.position[1]) / direction[1]
    point = np.array(camera.position) + t * direction
    return float(point[0]), float(point[2])


def find_contacts(cutout: Image.Image, box: tuple[int, int, int, int], camera: Camera, support: float,
                  depth_share: float = 0.7) -> list[Contact]:
    """The footprints of the parts of ``cutout`` (pasted into ``box``) that rest on the surface."""
    alpha = np.asarray(cutout.getchannel("A"))
    scale = (box[3] - box[1]) / alpha.shape[0]  # pixels of the shot per pixel of the cut-out
    contacts = []
    runs = touching_runs(alpha)
    lowest = max((row for _, _, row in runs), default=0)
    for first, last, row in runs:
        if row < lowest - REACH_UP * alpha.shape[0]:  # a handle or a spout sagging in mid-air, not a foot
            continue
        u = box[0] + (first + last + 1) / 2 * scale
        v = box[1] + (row + 1) * scale
        found = ground_point(camera, (u, v), support)
        if found is None:
            continue
        x, z = found
        half_width = max((last - first + 1) / alpha.shape[0] / 2, 0.01)
        half_depth = half_width * depth_share
        # the outline is the part's front edge: its footprint lies behind, hidden under the product
        contacts.append(Contact(x, min(z, 0.0) - half_depth, half_width, half_depth))
    return contacts
