"""The web application's frame: security headers on every answer, the login page, the API's 401 and its
OpenAPI document, errors without a traceback, and ``dermbill serve`` answering on a real port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from dermbill.web.app import CSP, create_app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


def test_the_login_page_has_labelled_fields_and_every_security_header(client: TestClient) -> None:
    page = client.get("/login")

    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for field in ("email", "password", "code"):
        assert f'<label for="{field}">' in page.text and f'id="{field}"' in page.text
    assert page.headers["content-security-policy"] == CSP and "'unsafe-inline'" not in CSP
    assert "frame-ancestors 'none'" in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in page.headers  # plain HTTP: HSTS only behind TLS
    scripts = [line.strip() for line in page.text.splitlines() if "<script" in line]
    assert scripts == ['<script src="/static/htmx-2.0.11.min.js" defer></script>']  # no inline script
    asset = client.get("/static/htmx-2.0.11.min.js")
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]


def test_hsts_is_sent_over_tls() -> None:
    secure = TestClient(create_app(), base_url="https://testserver")
    assert secure.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_the_api_without_a_token_is_401_and_says_how_to_sign_in(client: TestClient) -> None:
    answer = client.get("/api/v1/claims")

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in answer.json()["detail"]


def test_the_openapi_document_lists_the_api(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert "/api/v1/claims" in document["paths"]
    assert client.get("/docs").status_code == 404  # no page that loads scripts from elsewhere


def test_an_unknown_page_is_a_404_page_without_a_traceback(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "Not found" in page.text and "Traceback" not in page.text
    assert client.get("/api/v1/nothing").json() == {"detail": "Not Found"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_dermbill_serve_answers_login_on_its_port() -> None:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "dermbill", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert answer.status_code == 200 and "Sign in" in answer.text
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/claims", timeout=2).status_code == 401
        assert "server" not in answer.headers
    finally:
        server.terminate()
        server.wait(timeout=10)
