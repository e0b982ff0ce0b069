"""The key light as a user sets it: where it comes from, how high, how soft, its pattern.

Azimuth is where the light comes from, seen from above: 0 = from the camera, 90 = from
the right, 180 = from behind the scene, 270 = from the left. The gobo is real geometry
(blinds, window panes, leaves) the Blender builder puts between the light and the set.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from stylelab.errors import StyleLabError
from stylelab.product.scene.choices import COMPASS, GOBOS

AUTO = "auto"  # the light where the photo's own shading says it came from


def azimuth_from(value: str | float | int) -> float | str:
    """A compass word ("front-left"), degrees, or "auto", as degrees in 0..360 (or "auto")."""
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "-")
        if key == AUTO:
            return AUTO
        if key in COMPASS:
            return float(COMPASS[key])
        try:
            value = float(value)
        except ValueError:
            raise StyleLabError(f"Light direction must be auto, one of {', '.join(COMPASS)} or degrees 0-360; "
                                f"got '{value}'.") from None
    if not math.isfinite(float(value)):
        raise StyleLabError("Light direction must be a number of degrees from 0 to 360.")
    return float(value) % 360


@dataclass(frozen=True)
class KeyLight:
    azimuth: float | str = 315.0  # degrees, or "auto" until the photo has been looked at
    elevation: float = 40.0  # degrees above the horizon
    softness: float = 0.4  # 0 = hard sun, 1 = a large soft box
    gobo: str = "auto"
    temperature: float = 6500.0  # kelvin; 6500 is neutral (the palette's colours land as chosen)

    def __post_init__(self) -> None:
        if not 5 <= self.elevation <= 85:
            raise StyleLabError("Light elevation must be from 5 to 85 degrees.")
        if not 0 <= self.softness <= 1:
            raise StyleLabError("Shadow softness must be from 0 to 1.")
        if self.gobo not in GOBOS:
            raise StyleLabError(f"Choose a light pattern from: {', '.join(GOBOS)}.")
        if not 2000 <= self.temperature <= 12000:
            raise StyleLabError("Light colour temperature must be from 2000 to 12000 K.")

    @property
    def direction(self) -> np.ndarray:
        """Unit vector from a surface towards the light."""
        if self.azimuth == AUTO:
            raise ValueError("resolve the automatic light before asking for its direction")
        az, el = math.radians(float(self.azimuth)), math.radians(self.elevation)
        return np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])

    @property
    def spread(self) -> float:
        """tan of the light's angular radius, as seen from the product: its size is the softness."""
        return math.tan(math.radians(0.4 + 11.6 * self.softness))


def kelvin_to_rgb(kelvin: float) -> tuple[float, float, float]:
    """A light's colour at ``kelvin``, scaled so 6500 K is white (Tanner Helland's fit of the
    blackbody curve, good to a few percent from 2000 to 12000 K)."""
    def raw(k: float) -> np.ndarray:
        t = k / 100
        red = 255.0 if t <= 66 else 329.698727446 * (t - 60) ** -0.1332047592
        green = (99.4708025861 * math.log(t) - 161.1195681661) if t <= 66 else 288.1221695283 * (t - 60) ** -0.0755148492
        blue = 255.0 if t >= 66 else (0.0 if t <= 19 else 138.5177312231 * math.log(t - 10) - 305.0447927307)
        return np.clip(np.array([red, green, blue]), 0, 255) / 255
    colour = raw(kelvin) / raw(6500.0)
    return tuple(float(c) for c in colour / colour.max())  # type: ignore[return-value]
