"""The phone on a venue's slow network: what an attendee and a door volunteer wait for.

Debian's Chromium through Playwright against eventreg under gunicorn, on a 390 × 844 viewport, with the
DevTools protocol's network emulation (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip) and 4 × CPU
slowdown. Each journey runs in a fresh browser context (first visit: empty cache) and again in the same
context (repeat visit: the browser's cache as the first visit left it).

- signup: home → the seminar's page → the signup form, each opened from the page before; the figure is the
  sum over the three pages of navigation start → DOMContentLoaded (deferred scripts run: the form is usable),
  with the form page's first contentful paint and the bytes of all three. Target, first visit: ≤ 2.5 s and
  ≤ 100 KB.
- door: a logged-in door account opens the scanner page; navigation start → the camera running (a fake
  camera showing a ticket's QR) and the decoder ready, then → that ticket decoded and answered by the server.
  Target: first visit ≤ 6 s, repeat visit ≤ 1.5 s.
- ticket: the ticket page from the e-mail's link (a fresh context: a phone opening a link); navigation start →
  load (the QR drawn). Target ≤ 2 s.
Bytes are the network's (`transferSize` of the page and every resource it fetched: compressed size plus
headers; 0 for what the cache answered).
"""

import time
from datetime import timedelta
from pathlib import Path

import qrcode

from bench.database import PASSWORD, add_seminar, add_user, engine_for, insert_rows, registration_row
from bench.results import Row
from eventreg.models import Registration, new_ticket_token, utcnow
from eventreg.tickets import qr_payload

CHROMIUM = "/usr/bin/chromium"
SLUG = "phone"
DOWN_BPS, UP_BPS, RTT_MS, CPU_SLOWDOWN = 1_600_000, 750_000, 150, 4
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
WAIT_MS = 60_000
TARGETS = {("signup", "first"): (2.5, 100), ("door", "first"): (6.0, None), ("door", "repeat"): (1.5, None),
           ("ticket", "first"): (2.0, None)}

# Milliseconds from navigation start, and bytes over the network, for the current page.
PAGE_FIGURES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const bytes = performance.getEntriesByType("resource").reduce((sum, r) => sum + r.transferSize, nav.transferSize);
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, fcp: paint ? paint.startTime : null,
          bytes: bytes, now: performance.now()};
}"""


def run(ctx):
    url, token, staff = _seed(ctx)
    camera = _camera_file(ctx.workdir / "camera.y4m", token)
    from playwright.sync_api import sync_playwright

    with ctx.server("wsgi:app", url, workers=2) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}"])
        try:
            figures = {"signup": _visits(browser, server.base_url, _signup),
                       "door": _visits(browser, server.base_url, _door, staff=staff),
                       "ticket": _visits(browser, server.base_url, _ticket, token=token, repeat=False)}
        finally:
            browser.close()
    for journey, visits in figures.items():
        ctx.log(f"phone: {journey} {visits}")
    return figures, rows(figures)


def _seed(ctx):
    url = ctx.scratch.create("phone")
    engine = engine_for(url)
    now = utcnow()
    token = new_ticket_token()
    with engine.begin() as conn:
        seminar_id, categories = add_seminar(conn, SLUG, starts_at=now + timedelta(minutes=30), capacity=100)
        insert_rows(conn, Registration.__table__, [registration_row(seminar_id, categories["general"], 1, now=now,
                                                                    token=token)])
        conn.execute(Registration.__table__.update().values(confirmed_at=now))
    engine.dispose()
    email, _ = add_user(url, "staff", team_role="door", with_token=False)
    return url, token, email


def _camera_file(path, token):
    """A one-frame 640×480 Y4M (4:2:0) of the ticket's QR code, the format Chromium's fake camera reads."""
    image = qrcode.make(qr_payload(token), box_size=10).get_image().convert("RGB")
    side = 440
    from PIL import Image

    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(image.resize((side, side), Image.Resampling.NEAREST), ((640 - side) // 2, 20))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    Path(path).write_bytes(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\nFRAME\n" + y.tobytes()
                           + cb.resize(half).tobytes() + cr.resize(half).tobytes())
    return path


def _visits(browser, base_url, journey, repeat=True, **kwargs):
    context = browser.new_context(base_url=base_url, **PHONE)
    context.grant_permissions(["camera"], origin=base_url)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        if "staff" in kwargs:
            _log_in(page, kwargs["staff"])
        _slow(context, page)
        visits = {"first": journey(page, **kwargs)}
        if repeat:
            visits["repeat"] = journey(page, **kwargs)
        return visits
    finally:
        context.close()


def _slow(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": RTT_MS,
                                                   "downloadThroughput": DOWN_BPS / 8,
                                                   "uploadThroughput": UP_BPS / 8})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _signup(page, **_):
    steps = []
    page.goto("/")
    steps.append(page.evaluate(PAGE_FIGURES))
    page.click(f"a[href$='/s/{SLUG}/']")
    page.wait_for_load_state("domcontentloaded")
    steps.append(page.evaluate(PAGE_FIGURES))
    page.click(f"a[href$='/s/{SLUG}/register']")
    page.wait_for_selector("form input[name=email]")
    page.wait_for_load_state("domcontentloaded")
    steps.append(page.evaluate(PAGE_FIGURES))
    return {"seconds": round(sum(s["dcl"] for s in steps) / 1000, 2),
            "pages_ms": [round(s["dcl"]) for s in steps], "form_fcp_ms": round(steps[-1]["fcp"] or 0),
            "bytes": sum(s["bytes"] for s in steps)}


def _door(page, **_):
    began = time.monotonic()
    page.goto(f"/checkin/s/{SLUG}/")
    page.wait_for_function("() => document.body.dataset.camera === 'on' && !!document.body.dataset.decoder")
    ready = page.evaluate(PAGE_FIGURES)
    page.wait_for_function("() => !!document.body.dataset.lastStatus")
    answered = page.evaluate(PAGE_FIGURES)
    figures = {"seconds": round(ready["now"] / 1000, 2), "answered_seconds": round(answered["now"] / 1000, 2),
               "fcp_ms": round(ready["fcp"] or 0), "bytes": answered["bytes"],
               "status": page.evaluate("() => document.body.dataset.lastStatus"),
               "wall_seconds": round(time.monotonic() - began, 2)}
    # The next visit scans the same ticket again: "already checked in" is an answer too.
    return figures


def _ticket(page, token, **_):
    page.goto(f"/t/{token}/", wait_until="load")
    figures = page.evaluate(PAGE_FIGURES)
    if not page.locator("svg").count():
        raise RuntimeError("the ticket page shows no QR code")
    return {"seconds": round(figures["load"] / 1000, 2), "fcp_ms": round(figures["fcp"] or 0),
            "bytes": figures["bytes"]}


def rows(figures):
    out = []
    for journey, visits in figures.items():
        for visit, f in visits.items():
            seconds, kilobytes = TARGETS.get((journey, visit), (None, None))
            target = " and ".join(t for t in (f"≤ {seconds} s" if seconds else "",
                                              f"≤ {kilobytes} KB" if kilobytes else "") if t)
            ok = None
            if seconds:
                ok = f["seconds"] <= seconds and (kilobytes is None or f["bytes"] <= kilobytes * 1024)
            out.append(Row("phone", f"{journey}, {visit} visit: s, KB", f"{f['seconds']} s, {f['bytes'] / 1024:.0f} KB",
                           target=target, ok=ok, peer=DETAILS[journey](f)))
    return out


DETAILS = {
    "signup": lambda f: f"pages {', '.join(map(str, f['pages_ms']))} ms; form FCP {f['form_fcp_ms']} ms",
    "door": lambda f: f"FCP {f['fcp_ms']} ms; scan answered at {f['answered_seconds']} s ({f['status']})",
    "ticket": lambda f: f"FCP {f['fcp_ms']} ms",
}
