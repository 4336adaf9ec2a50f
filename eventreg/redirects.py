"""Where a `next` parameter may send a browser: one rule for every redirect that takes one."""

import unicodedata
from urllib.parse import unquote, urlsplit


def safe_next(target, fallback):
    """`target` when it is a path on this site, else `fallback`.

    A browser drops tabs and line breaks from a URL and reads a backslash as a slash, so `/\\t/evil.example`
    or `/\\evil.example` would leave the site: the target is refused if, as given or percent-decoded, it has a
    control character or a backslash, does not start with a single `/`, or names a scheme or a host.
    """
    if not isinstance(target, str):
        return fallback
    target = target.strip()
    for form in _decodings(target):
        if not _same_origin_path(form):
            return fallback
    return target


def _decodings(text):
    """The text and each percent-decoding of it, until decoding changes nothing (a few rounds at most)."""
    forms = [text]
    for _ in range(3):
        decoded = unquote(forms[-1])
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def _same_origin_path(text):
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc
