"""Static files on a slow network: compressed, and cached by the browser for as long as they do not change."""

import gzip
import re

from eventreg.__init__ import ROOT

APP_JS = (ROOT / "static" / "js" / "app.js").read_bytes()
WASM = "/static/vendor/zxing-wasm/zxing_reader.wasm"


def _versioned_url(client, name):
    return re.search(rf'src="(/static/{re.escape(name)}\?v=[0-9a-f]+)"', client.get("/").get_data(as_text=True))[1]


def test_a_page_links_its_scripts_by_content_and_the_browser_keeps_them_a_year(client):
    with client.get(_versioned_url(client, "js/app.js")) as response:
        assert response.data == APP_JS
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_file_without_its_version_is_asked_for_again_and_answered_without_its_bytes(client):
    with client.get("/static/js/app.js?v=old") as first:
        assert first.headers["Cache-Control"] == "public, no-cache"
    with client.get("/static/js/app.js", headers={"If-None-Match": first.headers["ETag"]}) as again:
        assert again.status_code == 304 and again.data == b""


def test_the_door_decoder_goes_gzipped_to_a_browser_that_accepts_it_and_whole_to_one_that_does_not(client):
    raw = (ROOT / "static" / "vendor" / "zxing-wasm" / "zxing_reader.wasm").read_bytes()
    zipped = client.get(WASM, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.mimetype == "application/wasm"
    assert gzip.decompress(zipped.data) == raw and len(zipped.data) < len(raw) / 2
    assert "Accept-Encoding" in zipped.headers["Vary"]
    with client.get(WASM) as plain:
        assert "Content-Encoding" not in plain.headers and plain.data == raw
        assert plain.headers["ETag"] != zipped.headers["ETag"]


def test_nothing_outside_the_static_folder_is_served(client):
    assert client.get("/static/../eventreg/config.py").status_code == 404
    assert client.get("/static/%2e%2e/pyproject.toml").status_code == 404
    assert client.get("/static/no-such-file.js").status_code == 404
