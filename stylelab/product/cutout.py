"""Cut-outs: the product alone, as RGBA with soft, rim-free edges.

``cutout(image, prompt)`` is the one call. Without a prompt an automatic proposal seeds
GrabCut and a confidence says whether to trust it; with a box and clicks GrabCut follows
the user. GrabCut runs on a small copy (its cost grows fast with pixels), the edge is then
matted at up to MATTE_PIXELS on a thin band, and carried up to full resolution, where the
old backdrop is taken out of the edge colours. An existing alpha channel is kept as it is.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from stylelab.product import grabcut as gc
from stylelab.product.boundary import backdrop_probability
from stylelab.product.defocus import out_of_focus
from stylelab.product.masks import ProductMask, automatic_mask
from stylelab.product.matting import decontaminate, matte, trimap_from_mask
from stylelab.product.prompts import CutoutPrompt
from stylelab.product.proposal import propose

# below this an automatic cut-out is more often wrong than right (calibrated in benchmarks/cutout.py)
LOW_CONFIDENCE = 0.7
STUDIO_TRUST = 0.6  # the studio backdrop model's own confidence above which its mask seeds GrabCut
SCENE_PROBABILITY = 0.95  # backdrop probability (boundary connectivity) above which a part belongs to the scene


@dataclass(frozen=True)
class Quality:
    grabcut_pixels: float  # GrabCut works on a copy of about this many pixels
    iterations: int
    matte_pixels: float  # 0: no matting, a feathered mask
    band: float  # trimap half-width as a share of the matting image's longer side


FULL = Quality(grabcut_pixels=0.25e6, iterations=6, matte_pixels=1.0e6, band=0.008)
# what the box tool and the mask editor show: close to the full cut-out (sharp scenes 0.75 IoU against 0.81;
# at 0.08 MP and 2 iterations it was 0.65 and could come back empty), within 0.8 s at 1 MP
PREVIEW = Quality(grabcut_pixels=0.12e6, iterations=4, matte_pixels=0, band=0.0)
PROPOSAL_PIXELS = 0.06e6
PEEL_ITERATIONS = 3  # GrabCut's second pass starts from the first one's mask: it settles fast


@dataclass(frozen=True)
class _Seeds:
    """The automatic proposal at GrabCut's size."""
    score: np.ndarray  # how product-like each pixel is, 0..1
    region: np.ndarray  # the proposed product
    backdrop: np.ndarray | None  # what lies out of focus behind a sharp product: surely backdrop
    scene: np.ndarray | None  # what the photo's border reaches through similar colours: a scene object, not the product


@dataclass(frozen=True)
class CutoutResult:
    rgba: Image.Image  # the product, decontaminated, on transparency; the photo's size
    mask: Image.Image  # "L": the alpha
    confidence: float  # 0..1; 1 for a prompt or an existing alpha
    source: str  # "alpha", "box", "clicks" or "automatic"

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def note(self) -> str:
        if self.source == "alpha":
            return "Using the cutout's transparency."
        if self.source != "automatic":
            return f"Cut out from your {self.source}."
        if self.low_confidence:
            return (f"The automatic cut-out is unsure ({self.confidence:.0%}): drag a box around the product "
                    "so it knows what to keep.")
        return f"Automatic cut-out, confidence {self.confidence:.0%}."


def cutout(image: Image.Image, prompt: CutoutPrompt | None = None, quality: Quality = FULL) -> CutoutResult:
    """The product cut out of ``image`` (see the module docstring). Raises StyleLabError for a bad prompt."""
    if image.mode == "RGBA" and np.asarray(image.getchannel("A")).min() < 255:
        return CutoutResult(image, image.getchannel("A"), 1.0, "alpha")
    rgb = np.asarray(image.convert("RGB"))
    prompt = prompt.checked(image.size) if prompt is not None and not prompt.empty else None
    small, scale = _resized(rgb, quality.grabcut_pixels)
    small_prompt = prompt.scaled(scale) if prompt else None
    if small_prompt is None:
        mask, confidence = _automatic(small, _proposal(rgb, small, with_scene=True), quality)
        source = "automatic"
    else:
        if small_prompt.box is not None:
            labels, source = gc.labels_from_prompt(small.shape[:2], small_prompt), "box"
        else:  # clicks alone: the proposal fills in what they do not say
            seeds = _proposal(rgb, small)
            labels, source = gc.labels_from_proposal(seeds.score, seeds.region, small_prompt, seeds.backdrop), "clicks"
        mask, confidence = gc.clean(gc.grabcut(small, labels, quality.iterations), small_prompt), 1.0
    alpha, colours = _edges(rgb, mask, quality)
    rgba = np.dstack([colours, np.round(alpha * 255).astype(np.uint8)])
    return CutoutResult(Image.fromarray(rgba, "RGBA"), Image.fromarray(rgba[..., 3], "L"), confidence, source)


def _automatic(small: np.ndarray, seeds: _Seeds, quality: Quality) -> tuple[np.ndarray, float]:
    """The automatic mask at GrabCut's size and how far to trust it. GrabCut from the proposal finds the
    product's extent on a quarter of the pixels; GrabCut in that extent's box draws it at full size."""
    labels = gc.labels_from_proposal(seeds.score, seeds.region, None, seeds.backdrop)
    with ThreadPoolExecutor(1) as pool:  # OpenCV releases the GIL: the second opinion runs on the other core
        second = pool.submit(_box_grabcut, small, seeds.region, seeds.backdrop)
        half, labels_half = _halved(small, cv2.INTER_AREA), _halved(labels, cv2.INTER_NEAREST)
        extent = gc.clean(gc.grabcut(half, labels_half, quality.iterations), None)
        extent = gc.peeled_from_frame(half, extent, labels_half, PEEL_ITERATIONS)
        extent = cv2.resize(extent.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST) > 0
        mask = gc.boxed_again(small, extent, seeds.backdrop, max(1, quality.iterations // 3), seeds.scene)
        return mask, automatic_confidence(seeds.region, mask, second.result())


def _halved(image: np.ndarray, interpolation: int) -> np.ndarray:
    return cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=interpolation)


def photo_mask(image: Image.Image, prompt: CutoutPrompt | None = None, quality: Quality = FULL) -> ProductMask:
    """The product mask of a photo: a cutout's alpha, else the cut-out from the prompt or automatic proposal."""
    result = cutout(image, prompt, quality)
    return ProductMask(result.mask, result.confidence, result.source, result.note)


def automatic_confidence(region: np.ndarray, mask: np.ndarray, from_box: np.ndarray) -> float:
    """How far to trust an automatic cut-out: the proposal, the final mask and GrabCut from the
    proposal's mere box agree (an unclear product makes them differ), the product is a plausible
    size and does not run along the photo's edges (calibrated in benchmarks/cutout.py)."""
    if not mask.any():
        return 0.0
    agreement = _iou(region, mask) * _iou(from_box, mask)
    share = float(mask.mean())
    size = float(np.clip(min(share / 0.03, (0.85 - share) / 0.15), 0, 1))
    edges = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]])
    on_border = float(edges.mean())
    return round(float(np.clip(agreement * size * (1 - on_border) ** 2, 0, 1)), 3)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


def _box_grabcut(small: np.ndarray, region: np.ndarray, backdrop: np.ndarray | None = None) -> np.ndarray:
    """GrabCut from the region's bounding box alone (and what is surely ``backdrop``), on a quarter of
    the pixels: a second opinion."""
    ys, xs = np.nonzero(region)
    if len(ys) == 0:
        return region
    half = _halved(small, cv2.INTER_AREA)
    box = (xs.min() / 2, ys.min() / 2, (xs.max() + 1) / 2, (ys.max() + 1) / 2)
    backdrop_half = None if backdrop is None else _halved(backdrop.astype(np.uint8), cv2.INTER_NEAREST) > 0
    found = gc.in_box(half, box, backdrop_half, 2)
    return cv2.resize(found.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST) > 0


def _proposal(rgb: np.ndarray, small: np.ndarray, with_scene: bool = False) -> _Seeds:
    """Score and region at GrabCut's size — the studio backdrop model when it is sure, else the cues —
    what lies out of focus behind a sharp product (None when nothing does), and, ``with_scene`` (only the
    automatic box step uses it), what the border reaches."""
    shape = small.shape[:2]
    tiny, _ = _resized(rgb, PROPOSAL_PIXELS)
    proposal = propose(tiny)
    score = cv2.resize(proposal.score, shape[::-1], interpolation=cv2.INTER_LINEAR)
    scene = None
    if with_scene:
        scene = cv2.resize(backdrop_probability(tiny), shape[::-1], interpolation=cv2.INTER_LINEAR) > SCENE_PROBABILITY
    studio = automatic_mask(Image.fromarray(tiny))
    if studio.confidence >= STUDIO_TRUST:
        region = np.asarray(studio.mask.resize(shape[::-1], Image.Resampling.BILINEAR)) >= 128
        score = np.maximum(score, region.astype(np.float32))
    else:
        region = cv2.resize(proposal.region.astype(np.uint8), shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    blurred = out_of_focus(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    if blurred is None or not (region & ~blurred).any():
        return _Seeds(score, region, None, scene)
    # a blurred person or bowl behind the product can be as unlike the backdrop as the product is
    return _Seeds(np.where(blurred, 0.0, score), gc.clean(region & ~blurred, None), blurred, scene)


def _resized(rgb: np.ndarray, pixels: float) -> tuple[np.ndarray, float]:
    height, width = rgb.shape[:2]
    scale = min(1.0, float(np.sqrt(pixels / (height * width))))
    if scale >= 1.0:
        return rgb, 1.0
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    step = int(1 / scale)
    if step >= 2:  # area averaging is fast by a whole factor and slow by a fraction: do the bulk first
        rgb = cv2.resize(rgb, (width // step, height // step), interpolation=cv2.INTER_AREA)
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if step < 2 else cv2.INTER_LINEAR), size[0] / width


def _sampled_at(values: np.ndarray, size: tuple[int, int], ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """``values`` (H, W, C) as if resized to ``size`` (width, height), read only at pixels (ys, xs):
    bilinear like cv2.resize, so the edge colours of a 12-MP photo cost as much as its outline."""
    factor_y, factor_x = values.shape[0] / size[1], values.shape[1] / size[0]
    # cv2.remap takes 2-D maps of at most 32767 a side: lay the points out in rows of ROW
    count, row = len(ys), 4096
    padded = -(-count // row) * row
    map_x = np.zeros(padded, np.float32)
    map_y = np.zeros(padded, np.float32)
    map_x[:count] = (xs + 0.5) * factor_x - 0.5
    map_y[:count] = (ys + 0.5) * factor_y - 0.5
    sampled = cv2.remap(values.astype(np.float32), map_x.reshape(-1, row), map_y.reshape(-1, row), cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_REPLICATE)
    return sampled.reshape(padded, -1)[:count]


def _edges(rgb: np.ndarray, mask: np.ndarray, quality: Quality) -> tuple[np.ndarray, np.ndarray]:
    """Full-resolution alpha (0..1) and decontaminated colours (uint8) from a small hard mask."""
    height, width = rgb.shape[:2]
    if quality.matte_pixels <= 0 or not mask.any() or mask.all():
        soft = cv2.resize(mask.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
        soft = cv2.GaussianBlur(soft, (0, 0), max(0.8, width / mask.shape[1] * 0.5))
        return np.clip(soft, 0, 1), rgb
    image_m, scale_m = _resized(rgb, quality.matte_pixels)
    shape_m = image_m.shape[:2]
    mask_m = cv2.resize(mask.astype(np.float32), shape_m[::-1], interpolation=cv2.INTER_LINEAR) > 0.5
    band = max(3, round(quality.band * max(shape_m)))
    trimap = trimap_from_mask(mask_m, band)
    alpha_m, fg_m, bg_m = matte(image_m.astype(np.float64) / 255.0, trimap)
    if scale_m >= 1.0:
        alpha = alpha_m.astype(np.float32)
        colours = decontaminate(rgb / 255.0, alpha_m, bg_m, fg_m)
        return alpha, np.round(colours * 255).astype(np.uint8)
    size = (width, height)
    alpha = cv2.resize(alpha_m.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    np.clip(alpha, 0, 1, out=alpha)
    colours = rgb.copy()
    ys, xs = np.nonzero((alpha > 0.002) & (alpha < 0.998))
    if len(ys):  # only edge pixels change: gather them, so the cost follows the outline, not the area
        clean = decontaminate(rgb[ys, xs].astype(np.float32) / 255.0, alpha[ys, xs], _sampled_at(bg_m, size, ys, xs),
                              _sampled_at(fg_m, size, ys, xs))
        colours[ys, xs] = np.round(clean * 255).astype(np.uint8)
    return alpha, colours
