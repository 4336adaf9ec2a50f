"""Static files for a phone on a venue's slow network (bench/phone.py measured 1.6 Mbit/s, 150 ms round trip).

- Compressed: text and WebAssembly go gzipped to a browser that accepts it, compressed once per process per
  file version (the door's QR decoder is 953 KB raw, 420 KB gzipped: 5 s against 2 s at 1.6 Mbit/s).
- Cached: `url_for('static', ...)` adds `?v=<hash of the file>`, and a URL with the right hash is cached by
  the browser for a year without asking again (a changed file has a new URL). A URL without it (the decoder's
  .wasm, which its script finds by folder) is revalidated with its ETag: a round trip, no bytes.
"""

import functools
import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass

from flask import Response, abort, current_app, request, send_file
from werkzeug.security import safe_join

COMPRESSIBLE = {".css", ".js", ".json", ".svg", ".txt", ".wasm"}
YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    path: str
    version: str
    gzipped: bytes | None


def init_app(app):
    app.view_functions["static"] = serve
    app.url_defaults(_add_version)


def _find(filename):
    path = safe_join(current_app.static_folder, filename)
    if path is None or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return _asset(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _asset(path, mtime_ns, size):
    """A file's version and gzipped bytes, made once per change of the file (its mtime and size are the key)."""
    with open(path, "rb") as file:
        data = file.read()
    compress = os.path.splitext(path)[1] in COMPRESSIBLE and size > 1024
    return Asset(path, hashlib.sha256(data).hexdigest()[:16], gzip.compress(data, 9, mtime=0) if compress else None)


def _add_version(endpoint, values):
    if endpoint == "static" and "v" not in values and not values.get("filename", "/").endswith("/"):
        asset = _find(values["filename"])
        if asset is not None:
            values["v"] = asset.version


def serve(filename):
    asset = _find(filename)
    if asset is None:
        abort(404)
    if asset.gzipped is not None and "gzip" in request.accept_encodings:
        response = Response(asset.gzipped, mimetype=mimetypes.guess_type(asset.path)[0])
        response.content_encoding = "gzip"
        response.set_etag(f"{asset.version}-gzip")
    else:
        response = send_file(asset.path, etag=asset.version)
    response.vary.add("Accept-Encoding")
    versioned = request.args.get("v") == asset.version
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable" if versioned else "public, no-cache"
    return response.make_conditional(request)
