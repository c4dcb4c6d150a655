"""`dermbill serve --workers 2` on PostgreSQL: a session started in one worker process is known to the other
(sessions live in the database), and signing out in one ends it in both."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
from test_app import _free_port

from dermbill.db.engine import open_database
from dermbill.db.migrate import upgrade
from dermbill.services.users import add_user, set_company_totp

PASSWORD = "correct horse battery staple 9"


def test_two_worker_processes_share_the_sessions(postgres_url: str) -> None:
    from era_world import practice_world

    database = open_database(postgres_url)
    try:
        upgrade(database)
        practice_world(database)
        set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
        add_user(database, company="ERA TEST BILLING", email="biller@era.test", display_name="B", roles=["biller"],
                 practices=["ERA"], password=PASSWORD, actor="test")
    finally:
        database.dispose()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "dermbill", "--db", postgres_url, "serve", "--port", str(port),
                               "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=10) as browser:
            login = browser.get("/login")
            token = re.search(r'name="login_csrf" value="([^"]+)"', login.text)
            assert token
            signed_in = browser.post("/login", data={"email": "biller@era.test", "password": PASSWORD,
                                                     "login_csrf": token.group(1)})
            assert signed_in.status_code == 303
            cookie = browser.cookies.get("dermbill_session")
            assert cookie
            # A new connection each: the two processes share the listening socket and both answer some.
            pages = [httpx.get(f"{base}/dashboard", cookies={"dermbill_session": cookie}) for _ in range(30)]
            assert [p.status_code for p in pages] == [200] * 30
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', pages[-1].text)
            assert csrf
            assert browser.post("/logout", data={"csrf_token": csrf.group(1)}).status_code == 303
            after = [httpx.get(f"{base}/dashboard", cookies={"dermbill_session": cookie}) for _ in range(10)]
            assert {a.status_code for a in after} == {303}
    finally:
        server.terminate()
        server.wait(timeout=15)
