"""Ticket tokens, the QR payloads and QR images, and the keys that sign ticket codes.

A ticket's QR code carries `ER2:<base32>`: the seminar's id, the signing key's id, the ticket token and an
Ed25519 signature over the three, so a door without network can tell a real ticket of its seminar from a forged
one. Base32 keeps to QR's alphanumeric mode (5.5 bits a character instead of 8): with the 18-byte token the code
stays at QR version 6 at error correction M (tests/test_tickets.py measures it). Codes issued before signing
existed carry `ER1:<token>` and keep working: online by their token, offline through the door's roster.
Versioned prefixes let a later format be told apart, and a scanner say "not an eventreg ticket" for anything
else.
"""

import base64
import binascii
import io
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import object_session

PAYLOAD_PREFIX = "ER1:"
SIGNED_PREFIX = "ER2:"
# What the signature covers, after this domain tag: seminar id (4 bytes), key id (2 bytes), token (18 bytes).
SIGNED_TAG = b"eventreg-ticket-v2"
_SIGNED_HEAD = struct.Struct(">IH")
TOKEN_BYTES = 18  # new_ticket_token(): token_urlsafe(18), 24 characters
SIGNATURE_BYTES = 64
_SIGNED_LENGTH = _SIGNED_HEAD.size + TOKEN_BYTES + SIGNATURE_BYTES
# token_urlsafe output: letters, digits, '-' and '_'; 16 to 64 characters accepted from a scan.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def qr_payload(token):
    """The unsigned code: for tokens that do not have the signed format's fixed length."""
    return PAYLOAD_PREFIX + token


@dataclass(frozen=True)
class SignedCode:
    """An `ER2:` code taken apart; `signed` is what the signature covers."""

    seminar_id: int
    key_id: int
    token: str
    signed: bytes
    signature: bytes

    def verify(self, public_key):
        """True if `public_key` (32 raw bytes) made this signature."""
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(self.signature, self.signed)
        except (InvalidSignature, ValueError):
            return False
        return True


def _token_bytes(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == TOKEN_BYTES and _TOKEN.match(token) else None


def signed_payload(token, seminar_id, key_id, private_key):
    """The `ER2:` code of a ticket, or None if the token has not the signed format's length (then ER1)."""
    raw = _token_bytes(token)
    if raw is None:
        return None
    signed = SIGNED_TAG + _SIGNED_HEAD.pack(seminar_id, key_id) + raw
    signature = Ed25519PrivateKey.from_private_bytes(private_key).sign(signed)
    body = _SIGNED_HEAD.pack(seminar_id, key_id) + raw + signature
    return SIGNED_PREFIX + base64.b32encode(body).decode("ascii").rstrip("=")


def parse_signed(text):
    """The SignedCode in an `ER2:` scan, or None (another format, or not well formed)."""
    text = (text or "").strip()
    if len(text) > 500 or not text.upper().startswith(SIGNED_PREFIX):
        return None
    encoded = text[len(SIGNED_PREFIX):].upper()
    try:
        body = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    except (binascii.Error, ValueError):
        return None
    if len(body) != _SIGNED_LENGTH:
        return None
    seminar_id, key_id = _SIGNED_HEAD.unpack_from(body)
    raw = body[_SIGNED_HEAD.size:_SIGNED_HEAD.size + TOKEN_BYTES]
    return SignedCode(seminar_id, key_id, base64.urlsafe_b64encode(raw).decode("ascii"),
                      SIGNED_TAG + body[:_SIGNED_HEAD.size + TOKEN_BYTES], body[-SIGNATURE_BYTES:])


def token_from_scan(text):
    """The ticket token in what a scanner read: our payloads, a ticket URL (`.../t/<token>/...`), or a bare
    token typed by hand. None for anything else, so the caller can answer "unknown code".

    Online the token decides, as for ER1 codes: it is the secret the database checks, so the server needs no
    signature (a changed signature around a real token still names that ticket). Doors without network check
    the signature instead (static/js/door-offline.js)."""
    text = (text or "").strip()
    if len(text) > 500:
        return None
    if text.upper().startswith(SIGNED_PREFIX):
        signed = parse_signed(text)
        return signed.token if signed is not None else None
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


# ---- the signing keys -------------------------------------------------------------------------------------------
# Two bytes of the code name the key: ids wrap around only after 65 536 rotations.
_KEY_ID_LIMIT = 1 << 16


def new_key_pair():
    """(private, public) raw bytes of a fresh Ed25519 key: for rotation and for the migration's first key."""
    private = Ed25519PrivateKey.generate()
    return private.private_bytes_raw(), private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def signing_key(session):
    """The key that signs new codes (the newest unretired one), or None: a database without one (the
    migration makes the first; `flask rotate-ticket-key` the next) issues unsigned ER1 codes. Never made here:
    a ticket page that only reads would make a key no one commits, and sign with it."""
    from eventreg.models import TicketSigningKey

    return session.scalar(select(TicketSigningKey).where(TicketSigningKey.retired_at.is_(None))
                          .order_by(TicketSigningKey.id.desc()).limit(1))


def rotate_signing_key(session, now, *, revoke=False):
    """A new signing key; the old ones are retired (they still verify the codes they signed, until those
    seminars end) or, with `revoke`, deleted (a leaked key: its codes then pass only online and by roster).
    Returns the new key and how many keys were retired or deleted."""
    from eventreg.models import TicketSigningKey

    old = session.scalars(select(TicketSigningKey).where(TicketSigningKey.retired_at.is_(None))).all()
    for key in old:
        key.retired_at = now
    if revoke:
        old = session.scalars(select(TicketSigningKey)).all()
        for key in old:
            session.delete(key)
    private, public = new_key_pair()
    key = TicketSigningKey(private_key=private, public_key=public, created_at=now)
    session.add(key)
    session.flush()
    return key, len(old)


def key_id(key):
    """The key's number as a code carries it (two bytes)."""
    return key.id % _KEY_ID_LIMIT


def verifying_keys(session, seminar):
    """The public keys a door of `seminar` needs: every key that may have signed one of its tickets (those not
    retired before the seminar was created)."""
    from eventreg.models import TicketSigningKey

    return session.scalars(
        select(TicketSigningKey).where((TicketSigningKey.retired_at.is_(None))
                                       | (TicketSigningKey.retired_at > seminar.created_at))
        .order_by(TicketSigningKey.id)
    ).all()


def ticket_payload(registration):
    """What a ticket's QR code carries: signed (ER2) when a key exists and the token has the usual length,
    else ER1. Ed25519 signatures are deterministic: the same key gives the same code every time."""
    return payload_with(signing_key(object_session(registration)), registration.token, registration.seminar_id)


def payload_with(key, token, seminar_id):
    """`ticket_payload` with the signing key already found (None: unsigned), for documents that print many
    tickets (a sheet of badges) with one look-up of the key."""
    signed = key and signed_payload(token, seminar_id, key_id(key), key.private_key)
    return signed or qr_payload(token)
