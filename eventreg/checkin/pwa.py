"""The door as an installable web app: its manifest and the service worker that keeps it working offline.

The worker is scoped to /checkin/ (the door pages) and precaches exactly the files a door page loads. Its
cache is named after a hash of those files and of the worker itself: a deploy that changes any of them
changes the worker's bytes, so the browser installs the new one on the next online load, which fills a new
cache in one step (cache.addAll) and deletes the old one; the page then reloads once under the new worker
(static/js/door-offline.js), so old and new files are never mixed.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_babel import gettext as _

from eventreg.checkin import bp

DOOR_FILES = (
    "css/app.css",
    "js/app.js",
    "js/scanner.js",
    "js/door-offline.js",
    "img/favicon.svg",
    "vendor/zxing-wasm/zxing-reader.iife.js",
    "vendor/zxing-wasm/zxing_reader.wasm",
)
# Asked for by the decoder's script under its folder's URL, so without the `?v=` every url_for gives.
BY_FOLDER = ("vendor/zxing-wasm/zxing_reader.wasm",)
_WORKER_TEMPLATE = "checkin/door-sw.js"


@lru_cache(maxsize=4)
def _version(static_folder, template_path):
    """A hash of the door's files and of the worker's template: they change only with a deploy, so it is
    computed once per process (reading the 1 MB decoder at every page load would cost more than the page)."""
    digest = hashlib.sha256()
    for name in (*DOOR_FILES, template_path):
        path = Path(static_folder, name) if name != template_path else Path(template_path)
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def door_version():
    template = Path(current_app.root_path).parent / "templates" / _WORKER_TEMPLATE
    return _version(current_app.static_folder, str(template))


@bp.get("/sw.js")
def service_worker():
    files = [url_for("static", filename=name.rpartition("/")[0] + "/") + name.rpartition("/")[2]
             if name in BY_FOLDER else url_for("static", filename=name) for name in DOOR_FILES]
    files.append(url_for("checkin.manifest"))
    body = render_template(_WORKER_TEMPLATE, version=door_version(), files=json.dumps(files),
                           scope=url_for("checkin.index"))
    response = Response(body, mimetype="text/javascript")
    # Always asked afresh: a cached worker would hold doors on an old version.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "name": _("eventreg door"),
        "short_name": _("Door"),
        "description": _("Scan tickets at the door, with or without network."),
        "start_url": url_for("checkin.index"),
        "scope": url_for("checkin.index"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1b2430",
        "icons": [{"src": url_for("static", filename="img/favicon.svg"), "sizes": "any",
                   "type": "image/svg+xml", "purpose": "any"}],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
