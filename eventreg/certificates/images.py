"""Uploaded pictures for certificates (a logo, signatures): checked, then re-encoded as a fresh PNG.

Only PNG and JPEG are taken. What is kept and printed is a PNG drawn anew from the decoded pixels, never the
uploaded bytes: metadata, trailing data and anything a crafted file hides stay behind. SVG is refused: no SVG
renderer ships with the project (cairosvg needs the system's cairo), and parsing SVG ourselves (scripts,
external references, entity expansion) is not worth a logo.
"""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from eventreg.refusals import Refused

MAX_BYTES = 2 * 1024 * 1024
ACCEPTED_FORMATS = ("PNG", "JPEG")
# A 2 MB file can still decode to gigabytes (a "decompression bomb"): the size is checked before decoding.
MAX_PIXELS = 25_000_000
# Printed at most ~60 mm wide: 1200 pixels is 500 dpi there.
LONGEST_SIDE = 1200


class ImageRefused(Refused):
    """`code`: too_large (file), not_an_image (unreadable, or not PNG/JPEG), too_many_pixels."""


def reencoded_png(data):
    """The upload `data` (bytes) as new PNG bytes, at most LONGEST_SIDE pixels on its longest side."""
    if len(data) > MAX_BYTES:
        raise ImageRefused("too_large")
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise ImageRefused("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused("not_an_image") from None
    # Pillow only warns below twice its own limit; ours is lower and refuses before any pixel is decoded.
    if image.width * image.height > MAX_PIXELS:
        raise ImageRefused("too_many_pixels")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):  # a truncated or corrupt file of an accepted format
        raise ImageRefused("not_an_image") from None
    return _png(image)


def _png(image):
    image = ImageOps.exif_transpose(image)  # a phone's photo of a signature, the right way up
    image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB")
    image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
