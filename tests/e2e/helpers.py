"""What the browser journeys share: sizes, waits, the fake camera's file format, logging in, axe-core."""

import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
AXE = HERE / "vendor" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# The longest any state may take to appear (a cold camera start plus a decode is well under a second).
WAIT_MS = 10_000
CAMERA_SIZE = (640, 480)

# The journeys that depend on the database (seats, the door) also run on PostgreSQL; the rest run on
# SQLite only, which keeps the whole browser set within its two-minute budget.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def write_camera_frame(path, image):
    """Write `image` centred on a white 640×480 one-frame 4:2:0 Y4M, the format Chromium's fake camera reads.

    Replaced atomically: Chromium re-reads the file whenever a page asks for the camera.
    """
    frame = Image.new("RGB", CAMERA_SIZE, "white")
    picture = image.convert("RGB")
    side = CAMERA_SIZE[1] - 40
    if picture.width > side or picture.height > side:
        picture = picture.resize((side, side), Image.Resampling.NEAREST)
    frame.paste(picture, ((CAMERA_SIZE[0] - picture.width) // 2, (CAMERA_SIZE[1] - picture.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (CAMERA_SIZE[0] // 2, CAMERA_SIZE[1] // 2)
    data = io.BytesIO()
    data.write(f"YUV4MPEG2 W{CAMERA_SIZE[0]} H{CAMERA_SIZE[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
    data.write(b"FRAME\n")
    data.write(y.tobytes())
    data.write(cb.resize(half, Image.Resampling.BILINEAR).tobytes())
    data.write(cr.resize(half, Image.Resampling.BILINEAR).tobytes())
    partial = Path(str(path) + ".part")
    partial.write_bytes(data.getvalue())
    os.replace(partial, path)


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def serious_violations(page):
    """axe-core's serious and critical violations on the current page, as readable lines.

    axe is injected as an inline script, so the page's context must be created with bypass_csp=True.
    """
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[node['target'] for node in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def sent_to(address):
    """A mailbox predicate: the message is addressed to `address`."""
    return lambda message: address in str(message["To"])


def attachment(message, filename):
    """The bytes of the attachment called `filename`."""
    for part in message.iter_attachments():
        if part.get_filename() == filename:
            return part.get_content()
    raise AssertionError(f"no attachment {filename!r} in {[p.get_filename() for p in message.iter_attachments()]}")


def plain_text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def browser_contexts(browser, url, page_log):
    """Yields `new(**options)`, a fresh browser context (own cookies) aimed at `url`; closes them all at the end
    and fails on any uncaught JavaScript error of their pages."""
    contexts = []

    def _new(**options):
        context = browser.new_context(base_url=url, **{"locale": "en-GB", **options})
        context.set_default_timeout(WAIT_MS)
        context.on("page", page_log.watch)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()
    assert not page_log.uncaught, "uncaught JavaScript errors:\n" + "\n".join(page_log.uncaught)


def door(new_context, gate, *, camera=True, **device):
    """A staff device: its gate is already set (stored in the browser, as the scanner page keeps it)."""
    context = new_context(**device)
    settings = {"eventreg.gate": gate, "eventreg.gate.camera": "on" if camera else "off"}
    # about:blank has no localStorage: only pages of the site get the settings.
    context.add_init_script("if (location.protocol.startsWith('http')) {" + "".join(
        f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in settings.items()) + "}")
    return context.new_page()
