"""Biography photos: checked, re-encoded with Pillow, and stripped of every piece of metadata.

Re-encoding from pixels drops EXIF (with any GPS position), XMP, ICC and comments, and any
content hidden after the image data.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 1_500_000
MAX_PIXELS = 40_000_000
MAX_SIDE = 800
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


class PhotoRejected(ValueError):
    """The upload is not a photo we can take; ``reason`` is a short code for the message."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_photo(raw: bytes, *, max_bytes: int = MAX_BYTES,
                max_side: int = MAX_SIDE) -> CleanPhoto:
    """Re-encode an uploaded photo as a JPEG of at most ``max_side`` pixels, without metadata
    (a case's evidence images use it too, with their own limits, for their shared copies)."""
    if not raw:
        raise PhotoRejected("empty")
    if len(raw) > max_bytes:
        raise PhotoRejected("too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise PhotoRejected("format")
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRejected("too_large")
                image.load()
                # Turn the pixels the way EXIF says, before EXIF is dropped.
                upright = ImageOps.exif_transpose(image)
                pixels = upright.convert("RGB")
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        if isinstance(exc, PhotoRejected):
            raise
        raise PhotoRejected("unreadable") from exc
    pixels.thumbnail((max_side, max_side))
    # A fresh image holds pixels only: no info dict, no EXIF, no ICC profile.
    bare = Image.new("RGB", pixels.size)
    bare.paste(pixels)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=85, optimize=True)
    return CleanPhoto(out.getvalue(), "image/jpeg", bare.width, bare.height)
