"""`dermbill statements email` against a real SMTP server on 127.0.0.1 and `dermbill statements bounces FILE...`:
notices sent, a refused address to print, the bounce read from a file, one-line errors for a missing setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bounce_samples import delivery_report
from migrated_databases import migrated_sqlite_url
from statement_mail_world import BASE_URL, SENDER, add_statement, free_port, smtp_server, statement_practice

from dermbill.cli.main import main
from dermbill.db.engine import open_database


def test_email_then_a_bounce_file_send_the_statements_to_print(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "s.db")
    database = open_database(url)
    try:
        practice = statement_practice(database)
        add_statement(database, practice, code="CLISENT001", email="ok@example.test", account="A1")
        add_statement(database, practice, code="CLIGONE001", email="gone@example.test", account="A2")
    finally:
        database.dispose()
    monkeypatch.delenv("DERMBILL_SMTP_HOST", raising=False)
    monkeypatch.delenv("DERMBILL_PUBLIC_URL", raising=False)
    assert main(["statements", "email", "--db", url]) == 2
    assert "set DERMBILL_SMTP_HOST" in capsys.readouterr().err
    monkeypatch.setenv("DERMBILL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DERMBILL_SMTP_FROM", SENDER)
    monkeypatch.setenv("DERMBILL_SMTP_TLS", "none")
    monkeypatch.setenv("DERMBILL_SMTP_PORT", str(free_port()))  # nobody listens: everything waits
    assert main(["statements", "email", "--db", url, "--base-url", BASE_URL, "--json"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["still_pending"] == 2 and "could not be reached" in captured.err
    with smtp_server(refuse={"gone@example.test": "550 5.1.1 No such user"}) as server:
        monkeypatch.setenv("DERMBILL_SMTP_PORT", str(server.port))
        monkeypatch.setenv("DERMBILL_PUBLIC_URL", BASE_URL)
        assert main(["statements", "email", "--db", url, "--practice", "ERA", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["sent"], report["still_pending"], report["problem"]) == (1, 0, None)
    assert [m["code"] for m in report["to_print"]] == ["CLIGONE001"]
    [(_, notice)] = server.messages
    bounce = tmp_path / "bounce.eml"
    bounce.write_bytes(delivery_report(notice))
    assert main(["statements", "bounces", "--db", url, str(bounce), "--json"]) == 0
    read = json.loads(capsys.readouterr().out)
    assert read["moved_to_print"] == 1 and read["reports"][0]["code"] == "CLISENT001"
    assert main(["statements", "bounces", "--db", url, str(tmp_path / "missing.eml")]) == 2
    assert "cannot read" in capsys.readouterr().err
