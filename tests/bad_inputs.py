"""A corpus of hostile and awkward uploads, made by the tests themselves (nothing is checked in).

Each case writes its file into a folder and says what a merchant should see: either the
sentence that refuses it, or — for files that must be accepted — a check on the result.
Used by tests/test_bad_inputs.py (through the UI functions) and tests/e2e/test_bad_inputs_api.py
(through gradio_client against a running app).
"""
from __future__ import annotations

import io
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from tests.conftest import sample_picture

GOOD_SIZE = (96, 64)


def good_photo(folder: Path, name: str = "good.png") -> Path:
    path = folder / name
    sample_picture("coffee", GOOD_SIZE).save(path)
    return path


# -- file makers ---------------------------------------------------------------------------

def _png(width: int, height: int, bit_depth: int, colour_type: int, raw: bytes) -> bytes:
    """A PNG written by hand, for what Pillow cannot write (16-bit RGB) or must not check (a bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def zero_bytes(folder: Path) -> Path:
    path = folder / "empty.jpg"
    path.write_bytes(b"")
    return path


def truncated_jpeg(folder: Path) -> Path:
    buffer = io.BytesIO()
    sample_picture("coffee", (200, 133)).save(buffer, "JPEG", quality=90)
    path = folder / "cut-short.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    return path


def text_named_png(folder: Path) -> Path:
    path = folder / "notes.png"
    path.write_text("This is a shopping list, not a picture.\n")
    return path


def svg_file(folder: Path) -> Path:
    path = folder / "logo.svg"
    path.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" onload="alert(1)">'
                    '<rect width="64" height="64" fill="red"/></svg>')
    return path


def html_file(folder: Path) -> Path:
    path = folder / "page.html"
    path.write_text("<html><body><script>alert(1)</script></body></html>")
    return path


def decompression_bomb(folder: Path) -> Path:
    """A PNG of a few hundred bytes that declares 30000x30000 pixels."""
    path = folder / "bomb.png"
    path.write_bytes(_png(30000, 30000, 1, 0, b"\x00" * 64))
    return path


def huge_photo(folder: Path) -> Path:
    """A real 8000x6000 photo (a smooth gradient, so the file stays small)."""
    array = np.full((6000, 8000, 3), 128, dtype=np.uint8)
    array[..., 0] = (np.arange(8000) * 255 // 7999).astype(np.uint8)[None, :]
    array[..., 1] = (np.arange(6000) * 255 // 5999).astype(np.uint8)[:, None]
    path = folder / "huge.jpg"
    Image.fromarray(array).save(path, quality=80)
    return path


def one_pixel(folder: Path) -> Path:
    path = folder / "dot.png"
    Image.new("RGB", (1, 1), (200, 30, 30)).save(path)
    return path


def extreme_aspect(folder: Path) -> Path:
    path = folder / "ribbon.png"
    Image.new("RGB", (10000, 40), (40, 90, 200)).save(path)
    return path


def cmyk_jpeg(folder: Path) -> Path:
    path = folder / "print-proof.jpg"
    sample_picture("coffee", GOOD_SIZE).convert("CMYK").save(path, quality=95)
    return path


def sixteen_bit_grey(folder: Path) -> Path:
    """A 16-bit greyscale gradient: read naively it clips to white."""
    ramp = np.tile(np.linspace(0, 65535, GOOD_SIZE[0]).astype(np.uint16), (GOOD_SIZE[1], 1))
    path = folder / "deep-grey.png"
    Image.fromarray(ramp).save(path)
    return path


def sixteen_bit_rgb(folder: Path) -> Path:
    rgb = np.asarray(sample_picture("coffee", GOOD_SIZE), dtype=np.uint16) * 257  # same picture, 16 bits
    rows = b"".join(b"\x00" + row.astype(">u2").tobytes() for row in rgb)
    path = folder / "deep-colour.png"
    path.write_bytes(_png(GOOD_SIZE[0], GOOD_SIZE[1], 16, 2, rows))
    return path


def greyscale(folder: Path) -> Path:
    path = folder / "grey.jpg"
    sample_picture("coffee", GOOD_SIZE).convert("L").save(path, quality=95)
    return path


def palette_with_transparency(folder: Path) -> Path:
    """A palette PNG whose left half is transparent."""
    image = Image.new("P", GOOD_SIZE, 1)
    image.putpalette([0, 0, 0, 220, 40, 40] + [0, 0, 0] * 254)
    image.paste(0, (0, 0, GOOD_SIZE[0] // 2, GOOD_SIZE[1]))
    path = folder / "palette.png"
    image.save(path, transparency=0)
    return path


ANIMATION_FRAMES = [(220, 30, 30), (30, 200, 30), (30, 30, 220)]


def animated_gif(folder: Path) -> Path:
    frames = [Image.new("RGB", GOOD_SIZE, colour) for colour in ANIMATION_FRAMES]
    path = folder / "spinner.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path


def exif_rotated(folder: Path) -> Path:
    """Stored on its side with EXIF orientation 6: upright, it is landscape, red on top, blue below."""
    upright = Image.new("RGB", GOOD_SIZE, (30, 30, 220))
    upright.paste((220, 30, 30), (0, 0, GOOD_SIZE[0], GOOD_SIZE[1] // 2))
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = folder / "sideways.jpg"
    stored.save(path, quality=95, exif=exif)
    return path


def gps_jpeg(folder: Path) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    path = folder / "from-the-shop.jpg"
    sample_picture("coffee", GOOD_SIZE).save(path, quality=92, exif=exif)
    return path


# -- ZIPs of training photos ----------------------------------------------------------------

def _photo_bytes() -> bytes:
    buffer = io.BytesIO()
    sample_picture("coffee", (48, 32)).save(buffer, "PNG")
    return buffer.getvalue()


def zip_with(folder: Path, file_name: str, entries: list[tuple[str, bytes]],
             symlink: tuple[str, str] | None = None) -> Path:
    path = folder / file_name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries:
            bundle.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
        if symlink:
            info = zipfile.ZipInfo(symlink[0])
            info.create_system = 3  # unix, so the mode bits below count
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, symlink[1])
    return path


def zip_traversal(folder: Path) -> Path:
    return zip_with(folder, "traversal.zip", [("ok-1.png", _photo_bytes()), ("../evil-traversal.png", _photo_bytes())])


def zip_absolute(folder: Path) -> Path:
    return zip_with(folder, "absolute.zip", [("ok-1.png", _photo_bytes()), ("/tmp/evil-absolute.png", _photo_bytes())])


def zip_symlink(folder: Path) -> Path:
    return zip_with(folder, "symlink.zip", [("ok-1.png", _photo_bytes()), ("ok-2.png", _photo_bytes())],
                    symlink=("passwords.png", "/etc/passwd"))


def zip_bomb(folder: Path) -> Path:
    """64 MB of zeros named like a photo, packed into about 64 kB."""
    return zip_with(folder, "bomb.zip", [("ok-1.png", _photo_bytes()), ("huge.png", bytes(64_000_000))])


def zip_too_many(folder: Path) -> Path:
    photo = _photo_bytes()
    return zip_with(folder, "too-many.zip", [(f"photo-{i:04d}.png", photo) for i in range(401)])


def not_a_zip(folder: Path) -> Path:
    path = folder / "archive.zip"
    path.write_text("PK? no, just text")
    return path


# -- the corpus --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Refused:
    """A file that must be refused with a sentence containing ``sentence``."""

    make: Callable[[Path], Path]
    sentence: str
    upload_sentence: str | None = None  # Gradio's own refusal, where an upload field only takes some file types


BROKEN_FILES = {
    "zero-byte file": Refused(zero_bytes, "is not an image we can read"),
    "truncated JPEG": Refused(truncated_jpeg, "could not be read: it looks damaged or truncated"),
    "text file named .png": Refused(text_named_png, "is not an image we can read"),
    "SVG file": Refused(svg_file, "is not an image we can read", "Invalid file type"),
    "HTML file": Refused(html_file, "is not an image we can read", "Invalid file type"),
    "decompression bomb (30000x30000)": Refused(decompression_bomb, "is too large to open safely"),
}
REFUSED_PHOTOS = BROKEN_FILES | {
    "1x1 pixel": Refused(one_pixel, "both sides need at least 16"),
    "extreme aspect ratio (10000x40)": Refused(extreme_aspect, "too long and thin"),
}
ACCEPTED_PHOTOS = {
    "huge photo (8000x6000)": huge_photo,
    "CMYK JPEG": cmyk_jpeg,
    "16-bit greyscale PNG": sixteen_bit_grey,
    "16-bit RGB PNG": sixteen_bit_rgb,
    "greyscale JPEG": greyscale,
    "palette PNG with transparency": palette_with_transparency,
    "animated GIF": animated_gif,
    "EXIF-rotated JPEG": exif_rotated,
    "JPEG with GPS EXIF": gps_jpeg,
}
BAD_TEMPLATE_NAMES = {
    "path traversal": ("../../etc/evil", "Template names may use"),
    "slashes": ("shop/summer", "Template names may use"),
    "HTML": ("<img src=x onerror=alert(1)>", "Template names may use"),
    "emoji": ("Summer \N{SUN WITH FACE}", "Template names may use"),
    "500 characters": ("x" * 500, "at most 40 characters"),
    "only spaces": ("   ", "Give the template a name"),
}
BAD_ZIPS = {
    "ZIP with ../ paths": Refused(zip_traversal, "unsafe path '../evil-traversal.png'"),
    "ZIP with absolute paths": Refused(zip_absolute, "unsafe path '/tmp/evil-absolute.png'"),
    "ZIP with a symlink": Refused(zip_symlink, "is a symbolic link"),
    "zip bomb": Refused(zip_bomb, "zip bomb"),
    "too many files in a ZIP": Refused(zip_too_many, "use at most 400"),
    "not a ZIP": Refused(not_a_zip, "is not a ZIP file we can read"),
}


def check_accepted(case: str, source: Path, result: Image.Image, status: str, max_side: int) -> None:
    """What a merchant must get for each file that is accepted (restyled at strength 0, so the
    result is the photo as StyleLab read it)."""
    rgb = np.asarray(result.convert("RGB"), dtype=np.int16)
    coffee = np.asarray(sample_picture("coffee", GOOD_SIZE), dtype=np.int16)
    if case == "huge photo (8000x6000)":
        expected = (max_side, max_side * 6000 // 8000)
        assert result.size == expected, result.size
        assert f"scaled down from 8000x6000 to {expected[0]}x{expected[1]}" in status, status
        assert rgb[0, 0, 0] < 10 and rgb[0, -1, 0] > 245, "the gradient survives the downscale"
    elif case in ("CMYK JPEG", "16-bit RGB PNG"):
        assert result.mode == "RGB" and result.size == GOOD_SIZE
        assert np.abs(rgb - coffee).mean() < 6, "colours come out as in the original"
    elif case == "16-bit greyscale PNG":
        assert result.size == GOOD_SIZE
        ramp = rgb[GOOD_SIZE[1] // 2, :, 0]
        assert ramp[0] < 5 and ramp[-1] > 250 and abs(int(ramp[GOOD_SIZE[0] // 2]) - 128) < 8, \
            "a gradient from black to white, not clipped to white"
    elif case == "greyscale JPEG":
        assert result.mode == "RGB" and result.size == GOOD_SIZE
        assert np.abs(rgb[..., 0] - rgb[..., 2]).max() <= 2, "still grey"
    elif case == "palette PNG with transparency":
        assert result.mode == "RGBA" and result.size == GOOD_SIZE
        alpha = np.asarray(result.getchannel("A"))
        assert alpha[:, : GOOD_SIZE[0] // 2 - 1].max() == 0 and alpha[:, GOOD_SIZE[0] // 2 + 1:].min() == 255
    elif case == "animated GIF":
        assert result.size == GOOD_SIZE
        assert np.abs(rgb.mean(axis=(0, 1)) - np.array(ANIMATION_FRAMES[0])).max() < 6, "the first frame"
        assert "first frame" in status, status
    elif case == "EXIF-rotated JPEG":
        assert result.size == GOOD_SIZE, "upright: landscape, as the camera meant it"
        top, bottom = rgb[: GOOD_SIZE[1] // 2 - 4].mean(axis=(0, 1)), rgb[GOOD_SIZE[1] // 2 + 4:].mean(axis=(0, 1))
        assert top[0] > 180 and top[2] < 80 and bottom[2] > 180 and bottom[0] < 80, "red on top, blue below"
    elif case == "JPEG with GPS EXIF":
        assert result.size == GOOD_SIZE
    else:
        raise AssertionError(f"no check for {case}")


def assert_no_metadata(path: Path) -> None:
    with Image.open(path) as image:
        assert not image.getexif(), f"{path.name} carries EXIF"
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"} & set(image.info), image.info.keys()
