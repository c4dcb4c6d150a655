"""`dermbill balances ...` in process: a payment across visits with its receipt, a card number refused in one line,
a refund asked for by a biller and approved by the manager named with --as, and the plan and write-off listings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from balances_world import ACCOUNT, BILLER, MANAGER, owing_world, staff
from migrated_databases import migrated_sqlite_url

from dermbill.cli.main import main
from dermbill.db.engine import open_database


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_pay_refund_and_listings_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "b.db")
    database = open_database(url)
    try:
        owing_world(database, tmp_path)
        staff(database)
    finally:
        database.dispose()
    at = ["--practice", "ERA", "--db", url]
    receipt = tmp_path / "receipt.pdf"

    assert main(["balances", "pay", ACCOUNT, *at, "--amount", "50.00", "--method", "check", "--reference", "CHK 1",
                 "--receipt", str(receipt), "--json"]) == 0
    payment = _json(capsys)
    assert [(p["date_of_service"], p["amount"]) for p in payment["applied"]] == [  # type: ignore[attr-defined]
        ("2026-02-02", "12.00"), ("2026-03-02", "35.00")]
    assert (payment["credit"], payment["posted"]) == ("3.00", True)
    assert receipt.read_bytes().startswith(b"%PDF")

    assert main(["balances", "pay", ACCOUNT, *at, "--amount", "5", "--method", "card",
                 "--reference", "4111111111111111"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: reference: this looks like a card number") and error.count("\n") == 1

    assert main(["balances", "refunds", "request", ACCOUNT, *at, "--reason", "paid more than owed", "--by", BILLER,
                 "--json"]) == 0
    request_id = str(_json(capsys)["id"])
    assert main(["--as", BILLER, "balances", "refunds", "approve", request_id, "--db", url]) == 2
    assert "manager role" in capsys.readouterr().err
    assert main(["--as", MANAGER, "balances", "refunds", "approve", request_id, "--reference", "CHK 9", "--db", url,
                 "--json"]) == 0
    assert (_json(capsys)["status"]) == "posted"
    assert main(["balances", "refunds", "list", *at, "--json"]) == 0
    listed = _json(capsys)
    assert listed["credits"] == [] and [r["status"] for r in listed["requests"]] == ["posted"]  # type: ignore[attr-defined]

    assert main(["balances", "write-off", "small", *at, "--dry-run", "--json"]) == 0
    assert _json(capsys)["guarantors"] == []
    assert main(["balances", "plan", "list", *at, "--json"]) == 0
    assert _json(capsys) == {"plans": []}
    assert main(["balances", "plan", "create", ACCOUNT, *at, "--installments", "2", "--first-due", "2026-05-01"]) == 2
    assert "needs a balance to pay" in capsys.readouterr().err
    assert main(["balances", "plan", "cancel", "7", *at, "--reason", "asked"]) == 2
    assert "payment plan 7 not found" in capsys.readouterr().err
