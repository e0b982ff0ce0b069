"""Where a product photo's light came from, and how far down the camera looked, read from the cut-out.

Light. Each row of the cut-out is taken as the cross-section of a vertical cylinder between the
row's left and right mask edges, so the surface normal at normalised position u in [-1, 1] points
at azimuth phi = asin(u) (0 = at the camera, +90 = to the right). A key light at azimuth theta
shades that row as ``I = a * max(0, cos(phi - theta)) + b`` in linear light, whatever its elevation
(the elevation and the ambient only change a and b). Each row gets its own a >= 0 and b, which
absorbs labels, stripes and other albedo changes from row to row; theta is the one value shared by
all rows, found by a grid search over the front half-circle (light from behind leaves too little
on the visible side to tell it apart). Rows with strong texture count less, and pixels far brighter
than the diffuse fit (specular highlights, a shiny logo) are left out of a second pass. The
brightest such blob is a second cue: a highlight sits where the normal bisects the light and the
view, so its u gives the light's side too; it is blended in with a smaller weight.

View. A round base seen from a pitch p above eye level appears as an ellipse whose half-height is
``b = a * sin(p)`` for half-width a, so the lower outline of the mask sags in the middle; a box at
eye level has a flat lower edge (b = 0). The lower outline is traced with sub-pixel accuracy from the
alpha, the arc around its lowest point is fitted with a half-ellipse of the arc's half-width, and
``p = asin(b / a)``. When the base reads poorly (a cup widening upwards hides its base's ends
behind its sides) the upper outline, a rim's ellipse, is read the same way with less trust. An
outline that no half-ellipse fits (an irregular product) gives low confidence, and the pitch falls
back towards 10 degrees.

Both use numpy and PIL only; ``describe()`` gives the JSON-able record for a shot's sidecar.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from stylelab.product.scene.palette import srgb_to_linear

DEFAULT_AZIMUTH = 315.0  # front-left: the studio default when the shading says nothing
DEFAULT_PITCH = 10.0  # a typical product photo looks slightly down
_LIGHT_SIZE = 128  # the shading is smooth; this is plenty and keeps the grid search cheap
_VIEW_SIZE = 512  # the outline wants more pixels than the shading
_OPAQUE = 200  # alpha above this is product, not a soft edge mixed with the old background
_ASSUMED_ELEVATION = 35.0  # for reading a highlight's position, whose meaning depends on it a little
_THETAS = np.radians(np.arange(-90.0, 90.0 + 1e-9, 2.0))
_MIN_ROW = 6  # opaque pixels a row needs to say anything about shading


@dataclass(frozen=True)
class LightEstimate:
    azimuth: float  # degrees seen from above: 0 = from the camera, 90 = from the right, 270 = from the left
    confidence: float  # 0..1: how clearly the shading says it

    def describe(self) -> dict:
        return {"azimuth": round(float(self.azimuth), 1), "confidence": round(float(self.confidence), 2),
                "source": "photo shading"}


@dataclass(frozen=True)
class ViewEstimate:
    pitch: float  # degrees the photo looked down at the product: 0 = eye level, 0..60
    confidence: float  # 0..1

    def describe(self) -> dict:
        return {"pitch": round(float(self.pitch), 1), "confidence": round(float(self.confidence), 2),
                "source": "photo outline"}


def _rgba(cutout: Image.Image, max_side: int) -> np.ndarray:
    image = cutout.convert("RGBA")
    scale = max_side / max(image.size)
    if scale < 1:
        # BOX averages; Pillow resizes RGBA premultiplied, so the background colour does not bleed in
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.BOX)
    return np.asarray(image, dtype=np.float64) / 255.0


def _linear_luminance(rgb: np.ndarray) -> np.ndarray:
    # Lambert's law holds in linear light, not in the photo's sRGB values
    return srgb_to_linear(rgb) @ np.array([0.2126, 0.7152, 0.0722])


def _circular_mean(angles_deg: list[float], weights: list[float]) -> float:
    rad = np.radians(angles_deg)
    w = np.asarray(weights, dtype=np.float64)
    return float(np.degrees(math.atan2(float((w * np.sin(rad)).sum()), float((w * np.cos(rad)).sum()))))


def _row_samples(lum: np.ndarray, mask: np.ndarray):
    """Per usable row: the pixels' normal azimuths phi, luminances, u, and the row's texture weight."""
    phis, lums, us, ys, rows, texture = [], [], [], [], [], []
    for y in range(mask.shape[0]):
        xs = np.flatnonzero(mask[y])
        if xs.size < _MIN_ROW:
            continue
        left, right = xs[0], xs[-1]
        if xs.size < 0.85 * (right - left + 1):
            continue  # holes or a handle: not one convex cross-section
        half = (right - left + 1) / 2.0
        u = (xs + 0.5 - (left + half)) / half
        values = lum[y, xs]
        var = values.var()
        if var < 1e-6:  # std under 0.1 % of white: nothing to read in this row
            continue
        # second differences of neighbouring pixels see texture and noise, hardly the smooth shading
        adjacent = (np.diff(xs)[:-1] == 1) & (np.diff(xs)[1:] == 1)
        d2 = (values[:-2] - 2 * values[1:-1] + values[2:])[adjacent]
        hf = float((d2 ** 2).mean() / 6.0) if d2.size else 0.0
        texture.append(float(np.clip(1.0 - hf / var, 0.0, 1.0)) ** 2)
        phis.append(np.arcsin(np.clip(u, -1, 1)))
        lums.append(values)
        us.append(u)
        ys.append(np.full(xs.size, y, dtype=np.float64))
        rows.append(xs.size)
    return phis, lums, us, ys, np.asarray(rows), np.asarray(texture)


def _fit(phi: np.ndarray, lum: np.ndarray, wp: np.ndarray, starts: np.ndarray, thetas: np.ndarray):
    """Per theta and row, the least-squares a >= 0, b of ``lum ~ a * max(0, cos(phi - theta)) + b``.

    Returns (sse, sst, a, b, mean) with sse, a, b of shape (T, R) and sst, mean of shape (R,).
    """
    g = np.maximum(0.0, np.cos(phi[None, :] - thetas[:, None]))
    sw = np.maximum(np.add.reduceat(wp, starts), 1e-12)
    mg = np.add.reduceat(wp * g, starts, axis=1) / sw
    mi = np.add.reduceat(wp * lum, starts) / sw
    var_g = np.add.reduceat(wp * g * g, starts, axis=1) / sw - mg ** 2
    cov = np.add.reduceat(wp * g * lum, starts, axis=1) / sw - mg * mi
    var_i = np.maximum(np.add.reduceat(wp * lum * lum, starts) / sw - mi ** 2, 1e-12)
    a = np.where(var_g > 1e-9, cov / np.maximum(var_g, 1e-9), 0.0)
    a = np.maximum(a, 0.0)  # a negative a would be a light from the opposite side
    sse = np.maximum(var_i - 2 * a * cov + a * a * var_g, 0.0)
    return sse, var_i, a, mi - a * mg, mi


def _refine(thetas: np.ndarray, score: np.ndarray) -> float:
    k = int(np.argmin(score))
    if 0 < k < len(score) - 1:  # parabola through the minimum and its neighbours
        s0, s1, s2 = score[k - 1], score[k], score[k + 1]
        denom = s0 - 2 * s1 + s2
        if denom > 1e-12:
            return float(thetas[k] + 0.5 * (s0 - s2) / denom * (thetas[1] - thetas[0]))
    return float(thetas[k])


def estimate_light(cutout: Image.Image) -> LightEstimate:
    """Where the photo's key light came from, from the cut-out's own shading and highlights."""
    rgba = _rgba(cutout, _LIGHT_SIZE)
    mask = rgba[..., 3] > _OPAQUE / 255.0
    if mask.sum() < 4 * _MIN_ROW:
        return LightEstimate(DEFAULT_AZIMUTH, 0.0)
    lum = _linear_luminance(rgba[..., :3])
    phis, lums, us, ys, sizes, texture = _row_samples(lum, mask)
    if len(phis) < 3:
        return LightEstimate(DEFAULT_AZIMUTH, 0.0)
    phi, values, u, yy = (np.concatenate(p) for p in (phis, lums, us, ys))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    row_of = np.repeat(np.arange(len(sizes)), sizes)
    row_weight = sizes * texture
    if row_weight.sum() <= 0:
        return LightEstimate(DEFAULT_AZIMUTH, 0.0)

    def search(wp: np.ndarray):
        sse, sst, a, b, mean = _fit(phi, values, wp, starts, _THETAS)
        score = (row_weight * sse / sst).sum(axis=1) / row_weight.sum()
        return score, a, b, mean

    # pass 1 on all pixels; pass 2 without the ones far above the fit (highlights) or far off it
    wp = np.ones_like(values)
    score, a, b, mean = search(wp)
    k = int(np.argmin(score))
    model = a[k][row_of] * np.maximum(0.0, np.cos(phi - _THETAS[k])) + b[k][row_of]
    residual = values - model
    sigma = 1.4826 * float(np.median(np.abs(residual - np.median(residual)))) + 1e-4
    bright = residual > 3.5 * sigma
    wp = np.where(bright | (np.abs(residual) > 5 * sigma), 0.0, 1.0)
    if np.add.reduceat(wp, starts).min() >= 3:
        score, a, b, mean = search(wp)
    theta = _refine(_THETAS, score)
    k = int(np.argmin(score))

    # confidence: the share of row variance the lit cylinder explains, times how strong the shading is
    r2 = float(np.clip(1.0 - score[k], 0.0, 1.0))
    contrast_rows = a[k] / np.maximum(mean, 1e-6)
    order = np.argsort(contrast_rows)
    cum = np.cumsum(row_weight[order])
    contrast = float(contrast_rows[order][np.searchsorted(cum, cum[-1] / 2)])  # weighted median
    coverage = min(1.0, len(sizes) / 8.0)
    diffuse_conf = r2 * float(np.clip(contrast / 0.25, 0.0, 1.0)) * coverage

    azimuth, confidence = math.degrees(theta), diffuse_conf
    highlight = _highlight_azimuth(u, yy, values, residual, bright, a[k][row_of], mask.shape)
    if highlight is not None:
        h_azimuth, h_strength = highlight
        agree = max(0.0, math.cos(math.radians(h_azimuth - azimuth)))
        # a second opinion: it leans on an assumed elevation, and a bright logo must not outvote the shading
        h_weight = 0.5 * h_strength * (0.3 + 0.7 * agree) * (1.0 - 0.6 * diffuse_conf)
        azimuth = _circular_mean([azimuth, h_azimuth], [max(diffuse_conf, 0.05), h_weight])
        confidence = min(1.0, diffuse_conf + 0.3 * h_strength * agree * (1.0 - diffuse_conf))
    if confidence < 0.05:
        return LightEstimate(DEFAULT_AZIMUTH, round(confidence, 3))
    return LightEstimate(float(np.clip(azimuth, -90, 90)) % 360, float(np.clip(confidence, 0.0, 1.0)))


def _highlight_azimuth(u: np.ndarray, y: np.ndarray, values: np.ndarray, residual: np.ndarray,
                       bright: np.ndarray, amplitude: np.ndarray, shape: tuple[int, int]):
    """The light azimuth a specular blob implies, and how strong the blob is (0..1); None if none."""
    if bright.sum() < 2:
        return None
    if bright.mean() > 0.15:
        return None  # a large bright area is albedo, not a highlight
    peak = int(np.argmax(np.where(bright, values, -np.inf)))
    if values[peak] < np.percentile(values, 99):
        return None  # a highlight is among the brightest pixels
    # the blob: bright pixels near the brightest one (no labelling library needed)
    near = bright & (np.abs(y - y[peak]) <= 0.08 * max(shape)) & (np.abs(u - u[peak]) <= 0.35)
    excess = np.where(near, residual, 0.0)
    u_h = float((excess * u).sum() / max(excess.sum(), 1e-12))
    strength = float(np.clip(residual[peak] / max(float(np.median(amplitude)), 1e-3), 0.0, 1.0))
    # the highlight's normal azimuth phi bisects view and light: c sin(theta - phi) = sin(phi), c = cos(elev)
    c = math.cos(math.radians(_ASSUMED_ELEVATION))
    phi_h = math.asin(float(np.clip(u_h, -1, 1)))
    theta_h = phi_h + math.asin(float(np.clip(math.sin(phi_h) / c, -1, 1)))
    return float(np.clip(math.degrees(theta_h), -90, 90)), strength


def _lower_outline(alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x (column centres) and the sub-pixel y of the mask's lower edge, for the columns with product."""
    inside = alpha >= 0.5
    has = inside.any(axis=0)
    cols = np.flatnonzero(has)
    h = alpha.shape[0]
    last = h - 1 - np.argmax(inside[::-1, cols], axis=0)
    below = np.where(last + 1 < h, alpha[np.minimum(last + 1, h - 1), cols], 0.0)
    # a partly covered last pixel ends at its coverage; a full one hands over to the next pixel's
    edge = last + np.where(alpha[last, cols] < 0.999, alpha[last, cols], 1.0 + below)
    return cols + 0.5, edge


def _span(profile: np.ndarray) -> tuple[float, float]:
    """Sub-pixel start and end of the covered run in a row of alpha (pixel i spans [i, i + 1])."""
    inside = np.flatnonzero(profile >= 0.5)
    first, last = int(inside[0]), int(inside[-1])
    before = profile[first - 1] if first > 0 else 0.0
    after = profile[last + 1] if last + 1 < profile.size else 0.0
    start = first + 1 - (profile[first] if profile[first] < 0.999 else 1.0 + before)
    end = last + (profile[last] if profile[last] < 0.999 else 1.0 + after)
    return float(start), float(end)


def _outline_pitch(alpha: np.ndarray) -> tuple[float, float]:
    """(pitch, confidence) from the half-ellipse that the mask's lower outline makes."""
    x, edge = _lower_outline(alpha)
    if x.size < 8:
        return DEFAULT_PITCH, 0.0
    # the arc: contiguous columns around the lowest point, rising (edge y falling) outwards
    lowest = float(edge.max())
    candidates = np.flatnonzero(edge >= lowest - 0.5)
    k0 = int(candidates[len(candidates) // 2])
    tol = 0.6
    lo = k0
    while lo > 0 and x[lo - 1] == x[lo] - 1 and edge[lo - 1] <= edge[lo] + tol:
        lo -= 1
    hi = k0
    while hi < x.size - 1 and x[hi + 1] == x[hi] + 1 and edge[hi + 1] <= edge[hi] + tol:
        hi += 1
    ax, ay = x[lo:hi + 1], edge[lo:hi + 1]
    # sub-pixel ends of the base from the rows just above the arc, where the sides meet the ellipse
    top = int(np.floor(ay.min()))
    band = alpha[max(0, top - 3):max(1, top)]
    spans = [_span(row) for row in band if (row >= 0.5).any()]
    if spans:
        left = float(np.median([sp[0] for sp in spans]))
        right = float(np.median([sp[1] for sp in spans]))
    else:
        left, right = ax[0] - 0.5, ax[-1] + 0.5
    a = (right - left) / 2.0
    cx = (right + left) / 2.0
    if a < 4:
        return DEFAULT_PITCH, 0.0
    t = (ax - cx) / a
    keep = np.abs(t) <= 1.0 - 1.0 / a  # the outermost column's edge is where the ellipse is steepest
    if keep.sum() < 5:
        return DEFAULT_PITCH, 0.0
    s = np.sqrt(np.clip(1.0 - t[keep] ** 2, 0.0, 1.0))
    design = np.stack([np.ones_like(s), s], axis=1)
    (y0, b), *_ = np.linalg.lstsq(design, ay[keep], rcond=None)
    b = max(0.0, float(b))
    rms = float(np.sqrt(np.mean((ay[keep] - (y0 + b * s)) ** 2)))
    pitch = math.degrees(math.asin(min(1.0, b / a)))

    # confidence: the half-ellipse fits, and the arc is the product's base, not a corner of it
    fit = math.exp(-(rms / (0.5 + 0.02 * a)) ** 2)
    arc_width = float(ax[-1] - ax[0] + 1)
    covers_base = float(np.clip((arc_width / (right - left) - 0.5) / 0.4, 0.0, 1.0))
    span = min(1.0, arc_width / max(float(x[-1] - x[0] + 1), 1.0) / 0.6)
    size = min(1.0, a / 15.0)
    confidence = float(np.clip(fit * covers_base * span * size, 0.0, 1.0))
    if pitch > 62:
        confidence *= 0.5  # steeper than product photos go: more likely a shape than a view
    return min(pitch, 60.0), confidence


def estimate_view(cutout: Image.Image) -> ViewEstimate:
    """How far the photo looked down at the product, from the ellipse of its base (or else its rim)."""
    alpha = _rgba(cutout, _VIEW_SIZE)[..., 3]
    pitch, confidence = _outline_pitch(alpha)
    if confidence < 0.3:
        # a cup or pot that widens upwards hides its base's ends behind its sides; its rim, the upper
        # outline, is then the clearer ellipse. Less trusted: a domed lid also makes the top round.
        top_pitch, top_confidence = _outline_pitch(alpha[::-1])
        if 0.7 * top_confidence > confidence:
            pitch, confidence = top_pitch, 0.7 * top_confidence
    # an uncertain reading leans on the usual slight look down
    trust = float(np.clip((confidence - 0.1) / 0.4, 0.0, 1.0))
    pitch = DEFAULT_PITCH + (pitch - DEFAULT_PITCH) * trust
    return ViewEstimate(float(np.clip(pitch, 0.0, 60.0)), float(confidence))
