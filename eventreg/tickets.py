"""Ticket tokens, the QR payload and QR images.

The QR code carries `ER1:<token>`: short (a small, easily scanned code), versioned (a later format can
be told apart), and recognisably ours (a scanner can say "not an eventreg ticket" for anything else).
"""

import io
import re
from functools import lru_cache
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg

PAYLOAD_PREFIX = "ER1:"
# token_urlsafe output: letters, digits, '-' and '_'; 16 to 64 characters accepted from a scan.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def qr_payload(token):
    return PAYLOAD_PREFIX + token


def token_from_scan(text):
    """The ticket token in what a scanner read: our payload, a ticket URL (`.../t/<token>/...`), or a bare
    token typed by hand. None for anything else, so the caller can answer "unknown code"."""
    text = (text or "").strip()
    if len(text) > 500:
        return None
    if text.upper().startswith(PAYLOAD_PREFIX):
        candidate = text[len(PAYLOAD_PREFIX):]
    elif text.startswith(("http://", "https://")):
        parts = [p for p in urlsplit(text).path.split("/") if p]
        candidate = parts[parts.index("t") + 1] if "t" in parts[:-1] else ""
    else:
        candidate = text
    return candidate if _TOKEN.match(candidate) else None


def _qr(payload):
    # Medium error correction survives a cracked phone screen; a quiet border of 4 modules is the standard.
    # A fixed mask: every mask is valid and every reader decodes any; scoring all eight to pick the "best"
    # cost over two thirds of the drawing time, paid inside the signup's transaction (bench/README.md).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4, mask_pattern=2)
    code.add_data(payload)
    code.make(fit=True)
    return code


@lru_cache(maxsize=4096)
def qr_png(payload, box_size=10):
    """PNG bytes of the QR code; a ticket's code never changes, so it is made once and cached."""
    code = _qr(payload)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


@lru_cache(maxsize=4096)
def qr_svg(payload):
    """SVG markup of the QR code (scales to any size on screen and on paper)."""
    image = _qr(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")
