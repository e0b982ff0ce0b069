"""Cut-outs: the product alone, as RGBA with soft, rim-free edges.

``cutout(image, prompt)`` is the one call. Without a prompt an automatic proposal seeds
GrabCut; with a box GrabCut runs on the box and a ring around it, with the backdrop seen
through the product (matching what lies outside the box) as probable backdrop; the region of
every click is surely on its side, before GrabCut and after matting. Either way a confidence
says whether to trust the result. GrabCut runs on a small copy (its cost grows fast with
pixels), the edge is then matted at up to MATTE_PIXELS on a thin band, and carried up to full
resolution, where the old backdrop is taken out of the edge colours. An existing alpha channel
is kept as it is.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from stylelab.product import grabcut as gc
from stylelab.product.backdrop import RING, THIN, SeenThrough, attached, beneath, lab_of, large_regions, seen_through, thin
from stylelab.product.boundary import backdrop_probability
from stylelab.product.confidence import automatic_confidence, prompt_confidence
from stylelab.product.defocus import out_of_focus
from stylelab.product.masks import ProductMask, automatic_mask
from stylelab.product.matting import decontaminate, guided_upsample, matte, trimap_from_mask
from stylelab.product.prompts import CutoutPrompt
from stylelab.product.proposal import propose
from stylelab.product.regions import ClickRegions, regions_of_photo

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
# GrabCut with a box runs on the box and this share of its longer side around it: GrabCut learns the
# backdrop's colours there (at 0.12 the backdrop model missed scene colours and a white bowl lost 0.11 IoU)
CROP_MARGIN = 1.0
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
    confidence: float  # 0..1, measured for every cut-out; 1 for an existing alpha
    source: str  # "alpha", "box", "clicks" or "automatic"

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def note(self) -> str:
        if self.source == "alpha":
            return "Using the cutout's transparency."
        if self.source != "automatic":
            if self.low_confidence:
                return (f"The cut-out from your {self.source} is unsure ({self.confidence:.0%}): click **Not product** "
                        "on backdrop it kept, or **Product** on a part it lost.")
            return f"Cut out from your {self.source}, confidence {self.confidence:.0%}."
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
    regions = regions_of_photo(rgb, prompt) if prompt is not None and (prompt.include or prompt.exclude) else None
    if prompt is None:
        small, _ = _resized(rgb, quality.grabcut_pixels)
        mask, confidence = _automatic(small, _proposal(rgb, small, with_scene=True), quality)
        placed, source = _Placed(mask, (0, 0, rgb.shape[1], rgb.shape[0])), "automatic"
    elif prompt.box is not None:
        placed, confidence = _boxed(rgb, prompt, regions, quality)
        source = "box"
    else:  # clicks alone: the proposal fills in what they do not say
        placed, confidence = _clicked(rgb, prompt, regions, quality)
        source = "clicks"
    alpha, colours = _edges(rgb, placed, quality, regions)
    rgba = cv2.merge([*cv2.split(colours), alpha])
    return CutoutResult(Image.fromarray(rgba, "RGBA"), Image.fromarray(alpha, "L"), confidence, source)


@dataclass(frozen=True)
class _Placed:
    """A hard mask found on a resized crop of the photo, and where that crop lies in it."""
    mask: np.ndarray  # bool, the crop's resized size
    crop: tuple[int, int, int, int]  # x0, y0, x1, y1 in the photo's pixels

    def at(self, shape: tuple[int, int], photo: tuple[int, int]) -> np.ndarray:
        """The mask (float 0..1) on the whole photo resized to ``shape``; ``photo`` is its own (height, width)."""
        factor_y, factor_x = shape[0] / photo[0], shape[1] / photo[1]
        x0, y0, x1, y1 = self.crop
        left, top = round(x0 * factor_x), round(y0 * factor_y)
        right, bottom = max(left + 1, round(x1 * factor_x)), max(top + 1, round(y1 * factor_y))
        canvas = np.zeros(shape, np.float32)
        canvas[top:bottom, left:right] = cv2.resize(self.mask.astype(np.float32), (right - left, bottom - top),
                                                    interpolation=cv2.INTER_LINEAR)
        return canvas

    @property
    def upscale(self) -> float:
        """Photo pixels per mask pixel."""
        return (self.crop[2] - self.crop[0]) / self.mask.shape[1]


def _boxed(rgb: np.ndarray, prompt: CutoutPrompt, regions: ClickRegions | None, quality: Quality
           ) -> tuple[_Placed, float]:
    """GrabCut in the box and a margin around it (the product is inside, the margin is backdrop), on a
    copy of that crop: a small box gets more of GrabCut's pixels than the whole photo would give it,
    so thin parts survive. On a smooth backdrop (a wall, a sweep), what matches the backdrop outside
    the box is backdrop seen through the product: it starts as probable backdrop, so the product's
    colour model is learnt from the product, and in a large region it is backdrop."""
    crop = _frame(prompt.box, rgb.shape[:2])
    x0, y0, x1, y1 = crop
    small, scale = _resized(np.ascontiguousarray(rgb[y0:y1, x0:x1]), quality.grabcut_pixels)
    local = prompt.moved(-x0, -y0).scaled(scale)
    lab = lab_of(small)
    through = seen_through(lab, local.box)
    local_regions = regions.cropped(crop).resized(small.shape[:2]) if regions is not None else None
    if local_regions is not None and local_regions.any:
        # GrabCut redone with the clicks' regions certain settles anew; where it changes the box's answer
        # apart from them, that is a new balance, not what the clicks said (a click on a toy beside a car
        # dropped the car's pale bonnet): only the changes that hang together with a click's region count.
        # OpenCV releases the GIL: the box's own answer is found on the other core (a click answers in half the time)
        with ThreadPoolExecutor(1) as pool:
            alone = pool.submit(_box_mask, small, local, None, through, quality)
            clicked = _box_mask(small, local, local_regions, through, quality)
            mask = gc.near_clicks(alone.result(), clicked, local_regions)
    else:
        mask = _box_mask(small, local, None, through, quality)
    mask = gc.obeyed(mask, local_regions)
    return _Placed(mask, crop), prompt_confidence(lab, mask, local.box, through.trusted)


def _box_mask(small: np.ndarray, local: CutoutPrompt, regions: ClickRegions | None, through: SeenThrough,
              quality: Quality) -> np.ndarray:
    """GrabCut's mask in the box on the crop's copy, with the clicks' ``regions`` certain when given."""
    seen = through.trusted
    mask = gc.grabcut(small, gc.labels_from_prompt(small.shape[:2], local, regions, seen), quality.iterations)
    # GrabCut's colour models are global: on a graded wall the darker wall low behind the product passes for it
    said = local if regions is not None else CutoutPrompt(box=local.box)
    mask = gc.clean(mask & ~large_regions(mask & seen, local.box), said)
    if through.sure:  # and its smoothness drops thin parts (spokes, a rim) that stand out clearly from a plain wall
        side = max(local.box[2] - local.box[0], local.box[3] - local.box[1])
        mask = attached(mask, thin(through.distinct, max(3, round(THIN * side))))
    return mask


def _clicked(rgb: np.ndarray, prompt: CutoutPrompt, regions: ClickRegions | None, quality: Quality
             ) -> tuple[_Placed, float]:
    """GrabCut from the automatic proposal with the clicks' regions certain."""
    small, scale = _resized(rgb, quality.grabcut_pixels)
    local = prompt.scaled(scale)
    seeds = _proposal(rgb, small)
    local_regions = regions.resized(small.shape[:2]) if regions is not None else None
    labels = gc.labels_from_proposal(seeds.score, seeds.region, local_regions, seeds.backdrop)
    mask = gc.obeyed(gc.clean(gc.grabcut(small, labels, quality.iterations), local), local_regions)
    confidence = 0.0
    if mask.any():
        box = gc.mask_box(mask)
        lab = lab_of(small)
        confidence = prompt_confidence(lab, mask, box, seen_through(lab, box).region)
    return _Placed(mask, (0, 0, rgb.shape[1], rgb.shape[0])), confidence


def _frame(box: tuple[float, float, float, float], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box and a ring of backdrop around it, inside the photo, in whole pixels."""
    height, width = shape
    ring = max(8, round(CROP_MARGIN * max(box[2] - box[0], box[3] - box[1])))
    return (max(0, int(box[0]) - ring), max(0, int(box[1]) - ring), min(width, int(np.ceil(box[2])) + ring),
            min(height, int(np.ceil(box[3])) + ring))


def _automatic(small: np.ndarray, seeds: _Seeds, quality: Quality) -> tuple[np.ndarray, float]:
    """The automatic mask at GrabCut's size and how far to trust it. GrabCut from the proposal finds the
    product's extent on a quarter of the pixels; GrabCut in that extent's box draws it at full size; on a
    plain backdrop, a faint reflection or shadow under it leaves it."""
    labels = gc.labels_from_proposal(seeds.score, seeds.region, None, seeds.backdrop)
    with ThreadPoolExecutor(1) as pool:  # OpenCV releases the GIL: the second opinion runs on the other core
        second = pool.submit(_box_grabcut, small, seeds.region, seeds.backdrop)
        half, labels_half = _halved(small, cv2.INTER_AREA), _halved(labels, cv2.INTER_NEAREST)
        extent = gc.clean(gc.grabcut(half, labels_half, quality.iterations), None)
        extent = gc.peeled_from_frame(half, extent, labels_half, PEEL_ITERATIONS)
        extent = cv2.resize(extent.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST) > 0
        mask = gc.boxed_again(small, extent, seeds.backdrop, max(1, quality.iterations // 3), seeds.scene)
        mask = _without_floor(small, mask)
        return mask, automatic_confidence(seeds.region, mask, second.result())


def _without_floor(small: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The automatic mask without large faint regions on the floor under the product (a pale reflection of
    a toy truck's wheels on a white sweep): only where the backdrop around the mask's box is plain enough
    to predict. Regions of the backdrop's colour inside the product stay: a white bowl on white linen."""
    if not mask.any():
        return mask
    box = gc.mask_box(mask)
    through = seen_through(lab_of(small), box)
    if not through.sure:
        return mask
    return gc.clean(mask & ~large_regions(beneath(mask, through.distance), box), None)


def _halved(image: np.ndarray, interpolation: int) -> np.ndarray:
    return cv2.resize(image, (image.shape[1] // 2, image.shape[0] // 2), interpolation=interpolation)


def photo_mask(image: Image.Image, prompt: CutoutPrompt | None = None, quality: Quality = FULL) -> ProductMask:
    """The product mask of a photo: a cutout's alpha, else the cut-out from the prompt or automatic proposal."""
    result = cutout(image, prompt, quality)
    return ProductMask(result.mask, result.confidence, result.source, result.note)


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


def _edges(rgb: np.ndarray, placed: _Placed, quality: Quality, regions: ClickRegions | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """Full-resolution alpha (uint8) and decontaminated colours (uint8) from a small hard mask; the
    clicks' regions are known in the matting and on their side in the alpha. At full resolution all
    work is in 8 bits: float passes over a 12-MP photo cost more than the matting."""
    height, width = rgb.shape[:2]
    if quality.matte_pixels <= 0 or not placed.mask.any() or placed.mask.all():
        soft = placed.at((height, width), (height, width))
        if placed.upscale > 1.2 and 0 < soft.mean() < 1:  # scaled up: put the edge on the photo's edges
            grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
            soft = guided_upsample(grey, soft, max(2, round(2 * placed.upscale)))
        else:
            soft = cv2.GaussianBlur(soft, (0, 0), max(0.8, placed.upscale * 0.5))
        return _obeyed(_bytes(soft), regions), rgb
    image_m, scale_m = _resized(rgb, quality.matte_pixels)
    shape_m = image_m.shape[:2]
    mask_m = placed.at(shape_m, (height, width)) > 0.5
    band = max(3, round(quality.band * max(shape_m)))
    trimap = trimap_from_mask(mask_m, band)
    if regions is not None:
        known = regions.resized(shape_m)
        trimap[known.include], trimap[known.exclude] = 1.0, 0.0
    alpha_m, fg_m, bg_m = matte(image_m.astype(np.float64) / 255.0, trimap, mask_m.astype(np.float64))
    if scale_m >= 1.0:
        alpha = _obeyed(_bytes(alpha_m), regions)
        colours = decontaminate(rgb / 255.0, alpha / 255.0, bg_m, fg_m)
        return alpha, np.round(colours * 255).astype(np.uint8)
    size = (width, height)
    alpha = _obeyed(cv2.resize(_bytes(alpha_m), size, interpolation=cv2.INTER_LINEAR), regions)
    colours = rgb.copy()
    ys, xs = np.nonzero((alpha > 0) & (alpha < 255))
    if len(ys):  # only edge pixels change: gather them, so the cost follows the outline, not the area
        clean = decontaminate(rgb[ys, xs].astype(np.float32) / 255.0, alpha[ys, xs] / np.float32(255),
                              _sampled_at(bg_m, size, ys, xs), _sampled_at(fg_m, size, ys, xs))
        colours[ys, xs] = np.round(clean * 255).astype(np.uint8)
    return alpha, colours


def _bytes(alpha: np.ndarray) -> np.ndarray:
    """A float alpha (0..1) as uint8."""
    return np.round(np.clip(alpha, 0, 1) * 255).astype(np.uint8)


def _obeyed(alpha: np.ndarray, regions: ClickRegions | None) -> np.ndarray:
    """The uint8 alpha with every click's region on the click's side (the regions are at the photo's size)."""
    if regions is not None:
        alpha[regions.include], alpha[regions.exclude] = 255, 0
    return alpha
