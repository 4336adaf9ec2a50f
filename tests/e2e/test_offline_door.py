"""Journey: the hotel Wi-Fi fails mid-arrival, and the door keeps admitting people.

The app runs in its own gunicorn process (so that "the server is gone" can be made true by stopping it, by its
PID), against the test's database. Two phones load the door online (the service worker keeps the page, the
roster is downloaded), then lose the network two ways: Playwright's offline emulation, and the server stopped.
They scan tickets with the fake camera and a USB scanner, decide on the device, queue, and sync when the
network is back: the server then holds one check-in per ticket and one conflict, and the doors agree with it.
"""

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from eventreg import tickets
from eventreg.checkin import offline
from eventreg.extensions import db
from eventreg.models import OfflineAction, Registration, Seminar, utcnow
from tests import factories
from tests.e2e.helpers import PHONE, browser_contexts, log_in, write_camera_frame

PASSWORD = "door-password-1"
ROOT = Path(__file__).resolve().parents[2]
SYNC_WITHIN_MS = 10_000


class AppProcess:
    """gunicorn serving the app on a fixed port; `stop()` kills it by its PID, `start()` brings it back."""

    def __init__(self, database_url, tmp_path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "offline-door-secret",
                    "EVENTREG_RATELIMIT_ENABLED": "false", "EVENTREG_PUBLIC_URL": self.url}
        self.log = tmp_path / "gunicorn.log"
        self.process = None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
                [str(gunicorn), "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4",
                 "wsgi:app"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):  # noqa: S310 (loopback)
                    return
            except OSError:
                assert self.process.poll() is None, self.log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer: " + self.log.read_text()
                time.sleep(0.1)

    def stop(self):
        # Its own process group (the arbiter and its worker, by the arbiter's PID), killed without warning as
        # a failing Wi-Fi gives none; the worker alone would keep serving for a moment after its arbiter.
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None


@pytest.fixture
def app_process(app, database_url, tmp_path):
    server = AppProcess(database_url, tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.stop()


@pytest.fixture
def arrival(app):
    """A seminar under way (the door is open), a signing key, guests with signed tickets, two doormen."""
    session = db.session
    tickets.rotate_signing_key(session, utcnow() - timedelta(days=1))
    starts = (utcnow() - timedelta(minutes=20)).replace(second=0, microsecond=0)
    seminar = factories.make_seminar(session, title="Trade Outlook", starts_at=starts)
    other = factories.make_seminar(session, title="Silk Road Cities", starts_at=starts + timedelta(days=2))
    guests = {name: factories.make_registration(session, seminar, full_name=name)
              for name in ("Нұрлан Оспанов", "Ақбота Есенова", "Жанар Жұмабекова")}
    stranger = factories.make_registration(session, other, full_name="Санжар Қасымов")
    for email in ("door1@example.kz", "door2@example.kz"):
        doorman = factories.make_user(session, role="staff", email=email, password=PASSWORD, name=email.split("@")[0])
        factories.add_member(session, seminar, doorman, "door")  # the door team of this seminar only
    data = {"slug": seminar.slug, "seminar_id": seminar.id,
            "codes": {name: tickets.ticket_payload(r) for name, r in guests.items()},
            "tokens": {name: r.token for name, r in guests.items()},
            "other_seminar_code": tickets.ticket_payload(stranger)}
    session.commit()
    session.close()
    return data


def _show_camera(camera_file, payload):
    """The fake camera now films this code (or an empty white frame for None)."""
    image = Image.new("RGB", (200, 200), "white")
    if payload is not None:
        image = Image.open(io.BytesIO(tickets.qr_png(payload)))
    write_camera_frame(camera_file, image)


@pytest.fixture
def new_context(browser, app_process, page_log):
    """Fresh browser contexts aimed at the gunicorn process (the suite's own fixture serves a thread)."""
    yield from browser_contexts(browser, app_process.url, page_log)


def _door(new_context, gate, email, *, camera=True):
    """A logged-in phone whose gate is set; its camera starts with the page unless `camera` is False."""
    context = new_context(**PHONE)
    context.add_init_script("if (location.protocol.startsWith('http')) {"
                            f"localStorage.setItem('eventreg.gate', {json.dumps(gate)});}}")
    page = context.new_page()
    log_in(page, email, PASSWORD)
    _use_camera(page, camera)
    return context, page


def _use_camera(page, on):
    """The device's remembered camera choice (the scanner's Start/Stop button keeps it the same way)."""
    page.evaluate(f"localStorage.setItem('eventreg.gate.camera', '{'on' if on else 'off'}')")


def _open_online(page, slug):
    """Load the door online and wait until it can work offline: page kept by the worker, roster stored."""
    page.goto(f"/checkin/s/{slug}/")
    page.wait_for_selector("body[data-worker]:not([data-worker='none'])", state="attached")
    page.wait_for_selector("body[data-roster-at]:not([data-roster-at=''])", state="attached")
    expect(page.locator("#door-connection")).to_have_text("Online")


def _camera_scan(page, camera_file, payload, status):
    """Point the camera at `payload`: Chromium reads the camera file anew for a new page, so the door page is
    closed and opened again (from the service worker when offline); its first answer is checked. Returns the
    new page."""
    url = page.url
    context = page.context
    page.close()
    _show_camera(camera_file, payload)
    page = context.new_page()
    page.goto(url)
    body = page.wait_for_selector("body[data-answers='1']", state="attached")
    assert body.get_attribute("data-last-status") == status, page.locator("#result").inner_text()
    return page

def _typed_scan(page, code, number, status):
    """A USB scanner: real key events, then Enter."""
    if page.locator("#result").is_visible():
        page.locator("#result-next").click()
    page.locator("#wedge-input").focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    body = page.wait_for_selector(f"body[data-answers='{number}']", state="attached")
    assert body.get_attribute("data-last-status") == status, page.locator("#result").inner_text()
    return page.locator("#result")


def _synced(page):
    page.wait_for_selector("body[data-queued='0'][data-synced]", state="attached", timeout=SYNC_WITHIN_MS)
    expect(page.locator("#door-connection")).to_have_text("Online", timeout=SYNC_WITHIN_MS)


def _server_state(slug):
    session = db.session
    try:
        seminar = session.scalar(select(Seminar).where(Seminar.slug == slug))
        checked = dict(session.execute(select(Registration.full_name, Registration.checked_in_gate)
                                       .where(Registration.seminar_id == seminar.id,
                                              Registration.checked_in_at.is_not(None))).all())
        outcomes = sorted(session.scalars(select(OfflineAction.outcome)
                                          .where(OfflineAction.seminar_id == seminar.id)).all())
        conflicts, not_valid = offline.offline_problems(session, seminar)
        summary = ([(c.registration.full_name, [a.gate for a in c.admissions]) for c in conflicts],
                   [(n.registration and n.registration.full_name, n.reason) for n in not_valid])
        return checked, outcomes, summary
    finally:
        session.close()


def test_wifi_off_two_doors_keep_admitting_and_sync_once(app_process, arrival, new_context, camera_file, shot):
    slug, codes = arrival["slug"], arrival["codes"]
    nurlan, akbota, zhanar = codes
    _show_camera(camera_file, None)
    door1, page1 = _door(new_context, "Door 1", "door1@example.kz")
    _open_online(page1, slug)
    door2, page2 = _door(new_context, "Door 2", "door2@example.kz", camera=False)
    _open_online(page2, slug)

    door1.set_offline(True)
    page1.reload()  # the page still opens: the service worker serves it
    expect(page1.locator("#door-connection")).to_have_text(re.compile("^Offline"))
    page1 = _camera_scan(page1, camera_file, codes[nurlan], "checked_in")
    result = page1.locator("#result")
    expect(result).to_have_class(re.compile("result-ok"))
    expect(result.locator("#result-name")).to_have_text(nurlan)
    expect(result.locator("#result-offline")).to_be_visible()
    shot(page1, "offline-door1-welcome-phone", full_page=False)
    page1 = _camera_scan(page1, camera_file, codes[akbota], "checked_in")
    expect(page1.locator("#result-name")).to_have_text(akbota)
    page1 = _camera_scan(page1, camera_file, codes[nurlan], "already_checked_in")
    result = page1.locator("#result")
    expect(result).to_have_class(re.compile("result-again"))
    expect(result.locator("#result-detail")).to_have_text(re.compile(r"at \d{2}:\d{2}, Door 1"))
    shot(page1, "offline-door1-already-phone", full_page=False)
    expect(page1.locator("#door-queue")).to_have_text("2")

    # One fake camera for the whole browser: Door 1 lets it go before Door 2 films a ticket.
    page1.locator("#result-next").click()
    page1.get_by_role("button", name="Stop camera").click()
    page1.wait_for_selector("body[data-camera='off']", state="attached")
    door2.set_offline(True)
    _use_camera(page2, True)
    page2 = _camera_scan(page2, camera_file, codes[nurlan], "checked_in")  # Door 2 cannot know of Door 1
    expect(page2.locator("#door-queue")).to_have_text("1")
    shot(page2, "offline-door2-status-phone")
    _show_camera(camera_file, None)

    assert _server_state(slug)[0] == {}  # nothing reached the server while offline
    door1.set_offline(False)
    door2.set_offline(False)
    _synced(page1)
    _synced(page2)
    checked, outcomes, (conflicts, not_valid) = _server_state(slug)
    assert checked == {nurlan: "Door 1", akbota: "Door 1"}
    assert outcomes == ["admitted", "admitted", "conflict"]
    assert conflicts == [(nurlan, ["Door 1", "Door 2"])] and not_valid == []
    for page in (page1, page2):
        expect(page.locator("#count-in")).to_have_text("2", timeout=SYNC_WITHIN_MS)
        expect(page.locator("#door-queue")).to_have_text("0")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the sync on PostgreSQL: the journey above
def test_server_gone_signed_codes_are_judged_on_the_device_and_synced_when_it_returns(
        app, app_process, arrival, new_context, camera_file, shot):
    slug, codes = arrival["slug"], arrival["codes"]
    nurlan, akbota, zhanar = codes
    _show_camera(camera_file, None)
    door1, page = _door(new_context, "Door 1", "door1@example.kz")
    _open_online(page, slug)

    # A ticket issued after this device downloaded its roster: only its signature vouches for it.
    session = db.session
    seminar = session.scalar(select(Seminar).where(Seminar.slug == slug))
    late = factories.make_registration(session, seminar, full_name="Late Registrant")
    late_code = tickets.ticket_payload(late)
    session.commit()
    session.close()

    app_process.stop()
    _typed_scan(page, codes[zhanar], 1, "checked_in")
    expect(page.locator("#door-connection")).to_have_text(re.compile("^Offline"))
    result = _typed_scan(page, late_code, 2, "checked_in")
    expect(result.locator("#result-offline")).to_be_visible()
    changed = late_code[:40] + ("A" if late_code[40] != "A" else "B") + late_code[41:]
    result = _typed_scan(page, changed, 3, "unknown_code")
    expect(result).to_have_class(re.compile("result-bad"))
    _typed_scan(page, arrival["other_seminar_code"], 4, "wrong_seminar")
    shot(page, "offline-wrong-seminar-phone", full_page=False)
    page.reload()  # still opens with the server gone
    expect(page.locator("#door-queue")).to_have_text("2")

    # A walk-in: the form opens from the device, and the person is kept until the server is back.
    page.get_by_role("link", name="Register a walk-in").click()
    page.get_by_label("Full name").fill("Ержан Алиев")
    page.get_by_label("E-mail").fill("yerzhan@example.kz")
    page.get_by_label("Category").select_option(label="Business")
    page.get_by_role("button", name="Register and check in").click()
    page.wait_for_url(re.compile(rf"/checkin/s/{slug}/$"))
    expect(page.locator("#walk-in-queued")).to_contain_text("Ержан Алиев is kept on this device")
    expect(page.locator("#door-queue")).to_have_text("3")
    expect(page.locator("#count-in")).to_have_text("3")  # from the roster and this device's queue
    shot(page, "offline-walk-in-queued-phone")

    app_process.start()
    _synced(page)
    checked, outcomes, _ = _server_state(slug)
    assert set(checked) == {zhanar, "Late Registrant", "Ержан Алиев"}
    assert outcomes == ["admitted", "admitted", "admitted"]
    expect(page.locator("#count-in")).to_have_text("3", timeout=SYNC_WITHIN_MS)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_worker_keeps_its_version_of_every_door_file_and_logging_out_removes_what_the_door_kept(
        app_process, arrival, new_context):
    # No camera: the browser's one fake camera may be filming another journey's ticket, whose answer would cover
    # the page.
    _door_context, page = _door(new_context, "Door 1", "door1@example.kz", camera=False)
    _open_online(page, arrival["slug"])
    version = page.locator("body").get_attribute("data-worker")
    assert page.evaluate("caches.keys()") == [f"eventreg-door-{version}"]
    cached = page.evaluate(f"caches.open('eventreg-door-{version}').then(c => c.keys())"
                           ".then(keys => keys.map(r => new URL(r.url).pathname))")
    assert {"/static/vendor/zxing-wasm/zxing_reader.wasm", "/static/js/scanner.js", "/static/js/door-offline.js",
            "/static/css/app.css", f"/checkin/s/{arrival['slug']}/"} <= set(cached)

    # Logging out takes the roster and the kept pages off the device.
    assert "eventreg-door" in page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(lambda url: "/checkin/" not in url)
    assert "eventreg-door" not in page.evaluate("indexedDB.databases().then(list => list.map(d => d.name))")
    assert page.evaluate("caches.keys()") == []
