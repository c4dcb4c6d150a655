"""Browser tests: headless Chromium (Debian's, /usr/bin/chromium) drives the application served by uvicorn.

- Every test is marked ``pinned_today(WORKING_DAY)`` (tests/conftest.py): "today" is the web world's working
  day, a few days after it was built, whatever the machine's date: the journeys are a day's work in a live
  practice (claims a year old would be past timely filing). make test-ahead leaves them out.
- ``live_server``: the application over a copy of the web world (tests/web_world.py: the demo company, staff
  who sign in without a second factor) in this test's own SQLite file, served on a free port of 127.0.0.1 from a
  background thread of this process (which shares the pinned day). Each xdist worker has its own servers and
  databases.
- ``browser`` (one per test process) and ``page`` (a new context per test: no cookies carried over).
- browsing.py: ``screenshot(page, name)`` saves ``test-artifacts/screenshots/<name>.png`` to look at (the
  folder is ignored by git); ``sign_in(page, email)`` signs in through the login page.

Playwright's own browser downloads are never used: ``executable_path`` points at the system Chromium (CI
installs the Debian package, see .ci/run). Without it the tests are skipped, except under CI=true, where a
missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browsing import LiveServer
from pg_server import IN_CI
from playwright.sync_api import Browser, Page, sync_playwright
from web_world import WORKING_DAY, web_world

from dermbill.web.app import create_app

CHROMIUM = os.environ.get("DERMBILL_TEST_CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT_S = 20


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.pinned_today(WORKING_DAY))


def _chromium() -> str:
    """The Chromium to drive; skips the test without one (fails it under CI, which must have installed it)."""
    found = shutil.which(CHROMIUM)
    if found is None:
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set DERMBILL_TEST_CHROMIUM)"
        if IN_CI:
            pytest.fail(f"{reason}: CI must run the browser tests", pytrace=False)
        pytest.skip(reason)
    return found


@pytest.fixture
def live_server(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The application on a free port of 127.0.0.1, over a database of this test's own."""
    world = web_world(tmp_path, tmp_path_factory)
    monkeypatch.chdir(tmp_path)  # anything the app writes relative to its folder (the outbox) stays here
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))  # the kernel picks a free port: no race between parallel workers
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(world.url), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=f"live-server-{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        server.should_exit = True
        pytest.fail(f"the live server did not start on port {port} within {START_TIMEOUT_S} s", pytrace=False)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", world=world)
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium, one per module: Playwright's sync API holds an event loop open in the thread while it
    runs, so it is closed before other modules' tests (asyncio.run) run in the same worker."""
    executable = _chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A new page in a fresh context (no cookies, no storage) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()

