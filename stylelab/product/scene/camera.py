"""A pinhole camera with a pitch (tilt down) and a shifted principal point, in numpy.

The principal point shift moves the product in the frame without turning the camera, the
way a shift lens keeps a product's verticals upright. The Blender camera is set from this
record (lens, shift), so where the product lands is worked out here, before rendering.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

LENS_MM = 90.0  # a short tele on a full-frame (36 mm) sensor, as product photographers use
SENSOR_MM = 36.0


@dataclass(frozen=True)
class Camera:
    position: tuple[float, float, float]
    pitch: float  # degrees below level
    focal: float  # in pixels
    size: tuple[int, int]  # width, height
    centre: tuple[float, float]  # principal point, pixels

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Right, up and forward unit vectors."""
        a = math.radians(self.pitch)
        forward = np.array([0.0, -math.sin(a), -math.cos(a)])
        up = np.array([0.0, math.cos(a), -math.sin(a)])
        return np.array([1.0, 0.0, 0.0]), up, forward

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World points [N, 3] to pixel coordinates [N, 2] and depth [N] along the view axis."""
        right, up, forward = self.basis()
        rel = np.asarray(points, dtype=np.float64) - np.array(self.position)
        depth = rel @ forward
        u = self.centre[0] + self.focal * (rel @ right) / depth
        v = self.centre[1] - self.focal * (rel @ up) / depth
        return np.stack([u, v], 1), depth

    @property
    def shift(self) -> tuple[float, float]:
        """Blender's lens shift (x, y) for this principal point, in units of the longer side."""
        width, height = self.size
        longer = max(width, height)
        return (width / 2 - self.centre[0]) / longer, (self.centre[1] - height / 2) / longer

    @property
    def lens_mm(self) -> float:
        return self.focal / max(self.size) * SENSOR_MM

    def describe(self) -> dict:
        record = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}
        return record | {"lens_mm": round(self.lens_mm, 2)}


def focal_pixels(frame: tuple[int, int]) -> float:
    return LENS_MM / SENSOR_MM * max(frame)


def aim_camera(frame: tuple[int, int], box: tuple[int, int, int, int], support: float, lift: float) -> Camera:
    """A camera that shows the 1-tall product standing at (0, support, 0) exactly in ``box``,
    its eye ``lift`` product heights over the product's base."""
    focal = focal_pixels(frame)
    distance = focal / (box[3] - box[1])
    eye = support + lift
    pitch = math.degrees(math.atan2(eye - (support + 0.5), distance))
    draft = Camera((0.0, eye, distance), pitch, focal, frame, (0.0, 0.0))
    (base,), _ = draft.project(np.array([[0.0, support, 0.0]]))
    centre = ((box[0] + box[2]) / 2 - float(base[0]), box[3] - float(base[1]))
    return Camera(draft.position, pitch, focal, frame, centre)


def lift_for_pitch(frame: tuple[int, int], box: tuple[int, int, int, int], pitch: float) -> float:
    """The eye height over the product's base (product heights) that looks at its middle from ``pitch``."""
    distance = focal_pixels(frame) / (box[3] - box[1])
    return 0.5 + distance * math.tan(math.radians(pitch))
