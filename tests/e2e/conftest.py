"""Fixtures for the browser journeys: Debian's Chromium driven by Playwright against the real app.

The app under test is the one the `app` fixture builds (a file SQLite database, and PostgreSQL too), served
by a real WSGI server in a thread on 127.0.0.1 with a free port; its mail goes to the real aiosmtpd server of
the shared `smtp_server` fixture.
The server runs in this process, so tests seed data through the services and factories in the test's app
context (see `LiveServer.db`), against the same database.

Without /usr/bin/chromium the journeys are skipped, unless CI is set: there they must run.
"""

import os
import threading
import time
from contextlib import contextmanager

import pytest
from PIL import Image
from werkzeug.serving import make_server

from eventreg.extensions import db
from tests.e2e.helpers import ARTIFACTS, CAMERA_SIZE, CHROMIUM, HERE, WAIT_MS, browser_contexts, write_camera_frame

IN_CI = bool(os.environ.get("CI"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            # Under `make test` (pytest-xdist, --dist loadgroup) all journeys run on one worker, one Chromium.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session", autouse=True)
def _chromium_installed():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: the browser journeys need Debian's Chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(reason + "; CI is set, so they must run")
        pytest.skip(reason)


# --- the browser ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="package")
def camera_file(tmp_path_factory):
    """What the fake camera shows: Chromium re-reads it each time a page asks for the camera."""
    path = tmp_path_factory.mktemp("camera") / "camera.y4m"
    write_camera_frame(path, Image.new("RGB", CAMERA_SIZE, "white"))
    return path


@pytest.fixture(scope="package")
def browser(camera_file):
    """One Chromium for the journeys. Package scope, not session: Playwright's sync API keeps an asyncio loop
    running in the main thread while it is open, and later tests (bench) call asyncio.run()."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={camera_file}",
            ],
        )
        yield chromium
        chromium.close()


class PageLog:
    """Console errors and uncaught exceptions of every page a test opened, printed when the test fails.

    An uncaught exception fails the journey even when every step passed: it is a bug in our JavaScript.
    """

    def __init__(self):
        self.lines = []
        self.pages = []

    def watch(self, page):
        self.pages.append(page)
        page.on("console", lambda msg: msg.type in ("error", "warning") and self.lines.append(
            f"[{msg.type}] {page.url}: {msg.text}"))
        page.on("pageerror", lambda error: self.lines.append(f"[pageerror] {page.url}: {error}"))

    @property
    def uncaught(self):
        return [line for line in self.lines if line.startswith("[pageerror]")]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    log = getattr(item, "_page_log", None)
    if log is None or report.when != "call" or not report.failed:
        return
    report.sections.append(("browser console", "\n".join(log.lines) or "(no console errors)"))
    for number, page in enumerate(log.pages):
        if not page.is_closed():
            path = ARTIFACTS / f"FAILED-{_artifact_name(item)}-{number}.png"
            page.screenshot(path=path, full_page=True)
            report.sections.append(("failure screenshot", f"{page.url} -> {path}"))


def _artifact_name(item):
    return item.name.replace("[", "-").replace("]", "").replace("/", "-")


@pytest.fixture
def page_log(request):
    log = PageLog()
    request.node._page_log = log
    return log


@pytest.fixture
def new_context(browser, live_server, page_log):
    """`new_context(**PHONE)` gives a fresh browser context (own cookies) aimed at the live server."""
    yield from browser_contexts(browser, live_server.url, page_log)


@pytest.fixture
def shot(request):
    """`shot(page, "signup")` saves a full-page screenshot in tests/e2e/artifacts/ for a person to look at.

    `full_page=False` for what covers the screen (the door's answer is a fixed overlay): the viewport is what
    the person sees.
    """

    def _shot(page, name, full_page=True):
        suffix = request.node.callspec.params.get("database_url", "") if hasattr(request.node, "callspec") else ""
        path = ARTIFACTS / (f"{name}-{suffix}.png" if suffix else f"{name}.png")
        page.screenshot(path=path, full_page=full_page)
        # Chromium's full-page capture leaves the scroll offset stale for hit-testing: the next click's mouseup
        # lands on another element and the click is lost. Scrolling resets it (Playwright re-scrolls to click).
        page.evaluate("window.scrollTo(0, 0)")
        return path

    return _shot


# --- the app, served -----------------------------------------------------------------------------------------

@pytest.fixture
def app_config():
    # The outbox drains after each request, as in development, so the mail really goes out.
    return {"MAIL_SEND_AFTER_REQUEST": True}


class LiveServer:
    def __init__(self, url, smtp_server):
        self.url = url
        self.smtp_server = smtp_server

    def mail(self, predicate, timeout=WAIT_MS / 1000):
        """The first message the SMTP server received that matches, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((m for m in list(self.smtp_server.messages) if predicate(m)), None)
            if found is not None:
                return found
            received = [(m["To"], m["Subject"]) for m in self.smtp_server.messages]
            assert time.monotonic() < deadline, f"no such e-mail arrived; received: {received}"
            time.sleep(0.05)

    @contextmanager
    def db(self):
        """The test's database session; committed and closed on leaving the block.

        Read what the test needs (tokens, ids) inside the block: a session left open would hold SQLite's write
        lock (every transaction there is BEGIN IMMEDIATE) and stall the server.
        """
        session = db.session
        try:
            yield session
            session.commit()
        finally:
            session.close()


@pytest.fixture
def live_server(app, smtp_server):
    """The app served on 127.0.0.1; `smtp_server` (tests/conftest.py) has pointed its mail at aiosmtpd."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Closing the server waits for the requests still being answered (a door page polls until its tab closes):
    # one that outlived the test would hold a database connection while the app is torn down.
    server.daemon_threads = False
    server.block_on_close = True
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    db.session.close()
    yield LiveServer(url, smtp_server)
    server.shutdown()
    thread.join()
    server.server_close()
