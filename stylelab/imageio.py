"""Images at the edges: reading files and arrays, tensors in and out, saving without metadata."""
from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from stylelab.errors import StyleLabError
from stylelab.store.files import atomic_write

if TYPE_CHECKING:  # tensors are for the engine; the torch-free CPU path reads and writes images too
    import torch

ImageInput = str | os.PathLike | Image.Image | np.ndarray
MAX_PIXELS = int(os.environ.get("STYLELAB_MAX_PIXELS", 80_000_000))
SAVE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}


def load_image(source: ImageInput, what: str = "photo") -> Image.Image:
    """An upright RGB or RGBA image from a path, a PIL image or an HxW[xC] array."""
    return load_image_with_notes(source, what)[0]


def load_image_with_notes(source: ImageInput, what: str = "photo") -> tuple[Image.Image, list[str]]:
    """The image as load_image gives it, and notes on what was done to make it usable."""
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, np.ndarray):
        image = _from_array(source, what)
    elif isinstance(source, (str, os.PathLike)):
        image = _open(Path(source), what)
    else:
        raise StyleLabError(
            f"The {what} must be a file path, a PIL image or a NumPy array; got {type(source).__name__}."
        )
    if image.width == 0 or image.height == 0:
        raise StyleLabError(f"The {what} is empty (0 pixels).")
    if image.width * image.height > MAX_PIXELS:
        raise StyleLabError(
            f"The {what} is {image.width}x{image.height} pixels; the limit is {MAX_PIXELS / 1e6:.0f} megapixels."
        )
    notes = []
    if getattr(image, "n_frames", 1) > 1:
        notes.append(f"an animation of {image.n_frames} frames: its first frame was used")
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: keep the top 8 bits, don't clip to white
        image = _sixteen_bit_to_grey(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB"), notes


def _sixteen_bit_to_grey(image: Image.Image) -> Image.Image:
    array = np.asarray(image.convert("I"), dtype=np.int64)
    return Image.fromarray((np.clip(array, 0, 65535) >> 8).astype(np.uint8), mode="L")


def _open(path: Path, what: str) -> Image.Image:
    if not path.is_file():
        raise StyleLabError(f"The {what} file '{path.name}' does not exist.")
    return decode(path, path.name, what)


def decode(source: Path | BinaryIO, name: str, what: str = "photo") -> Image.Image:
    """Open and fully read an image file; every way it can fail becomes one sentence naming the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        reason = "is too large to open safely" if "decompression" in str(exc).lower() else "is not an image we can read"
        raise StyleLabError(f"The {what} file '{name}' {reason} (use JPEG, PNG or WebP).") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise StyleLabError(f"The {what} file '{name}' could not be read: it looks damaged or truncated.") from exc
    return image


def _from_array(array: np.ndarray, what: str) -> Image.Image:
    if array.size == 0:
        raise StyleLabError(f"The {what} is empty (0 pixels).")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise StyleLabError(f"The {what} array must be HxWx3 (RGB) or HxWx4 (RGBA); got shape {array.shape}.")
    if array.dtype != np.uint8:
        if not np.issubdtype(array.dtype, np.floating) or not np.isfinite(array).all():
            raise StyleLabError(f"The {what} array must be uint8 (0-255) or float (0-1) without NaNs.")
        array = (np.clip(array, 0, 1) * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(array))


def split_alpha(image: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """RGB to restyle (transparent areas filled white, as a studio backdrop) and the alpha to put back."""
    if image.mode != "RGBA":
        return image.convert("RGB"), None
    alpha = image.getchannel("A")
    backdrop = Image.new("RGBA", image.size, (255, 255, 255, 255))
    return Image.alpha_composite(backdrop, image).convert("RGB"), alpha


def to_tensor(image: Image.Image) -> torch.Tensor:
    """RGB PIL image -> float tensor [3, H, W] in 0..1."""
    import torch

    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1).contiguous()


def to_image(tensor: torch.Tensor, alpha: Image.Image | None = None) -> Image.Image:
    """Float tensor [3, H, W] in 0..1 -> RGB PIL image (RGBA when ``alpha`` is given)."""
    array = (tensor.clamp(0, 1).permute(1, 2, 0).numpy() * 255.0 + 0.5).astype(np.uint8)
    image = Image.fromarray(array)
    if alpha is not None:
        image.putalpha(alpha)
    return image


def save_image(image: Image.Image, path: str | os.PathLike, quality: int = 92) -> Path:
    """Save by extension (PNG, JPEG, WebP) with no EXIF/GPS metadata, atomically."""
    path = Path(path)
    encode = image_encoder(image, path.name, quality)
    return atomic_write(path, encode)


def image_encoder(image: Image.Image, name: str, quality: int = 92) -> Callable[[BinaryIO], None]:
    """What writes ``image`` to a stream in the format ``name``'s extension asks for, without metadata."""
    image_format = SAVE_FORMATS.get(Path(name).suffix.lower().lstrip("."))
    if image_format is None:
        raise StyleLabError(f"Cannot save '{name}': use a .png, .jpg or .webp file name.")
    if image_format == "JPEG" and image.mode == "RGBA":
        image = split_alpha(image)[0]  # JPEG has no transparency: flatten on white
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # drops every info/EXIF field
    options = {"quality": quality} if image_format in ("JPEG", "WEBP") else {"optimize": False}
    return lambda stream: clean.save(stream, format=image_format, **options)
