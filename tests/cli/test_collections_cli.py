"""`dermbill collections calls --json`: today's calls with the balance, its age, the step and a script; a logged
contact takes the guarantor off the list for a week; errors are one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from collections_world import billed_guarantor
from migrated_databases import migrated_sqlite_url

from dermbill.cli.main import main
from dermbill.db.engine import open_database


def test_calls_json_lists_the_past_due_guarantor_and_a_contact_takes_them_off(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = migrated_sqlite_url(tmp_path / "c.db")
    database = open_database(url)
    try:
        billed_guarantor(database, tmp_path)
    finally:
        database.dispose()
    assert main(["collections", "calls", "--db", url, "--as-of", "2026-06-25", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    [call] = listing["calls"]
    assert (call["account_number"], call["patient"], call["phone"], call["balance"], call["age_days"],
            call["step"], call["last_contact"]) == ("A-1", "DOE, JANE", "2155550123", "47.00", 66, "past_due", None)
    assert any("date of birth" in line for line in call["script"])

    monkeypatch.setenv("DERMBILL_TODAY", "2026-06-25")
    assert main(["collections", "contact", "A-1", "--practice", "ERA", "--db", url, "--outcome", "promise_to_pay",
                 "--promise-date", "2026-07-01", "--promise-amount", "47.00", "--by", "biller"]) == 0
    capsys.readouterr()
    assert main(["collections", "calls", "--db", url, "--as-of", "2026-06-25", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == []
    # The promise broke (nothing paid by 2026-07-01): back on the list once a week has passed since the call.
    assert main(["collections", "calls", "--db", url, "--as-of", "2026-07-02", "--json"]) == 0
    [again] = json.loads(capsys.readouterr().out)["calls"]
    assert "not paid" in again["reason"] and again["last_contact"]["outcome"] == "promise_to_pay"

    assert main(["collections", "contact", "A-1", "--practice", "ERA", "--db", url, "--outcome", "promise_to_pay",
                 "--promise-date", "2026-06-01", "--promise-amount", "10.00"]) == 2
    assert capsys.readouterr().err.startswith("error: a promise to pay by 2026-06-01 is in the past")

    # A dispute holds the cadence: off the list until the hold is released.
    assert main(["collections", "contact", "A-1", "--practice", "ERA", "--db", url, "--outcome", "dispute",
                 "--note", "says the biopsy was cosmetic and quoted"]) == 0
    assert "held for the dispute" in capsys.readouterr().out
    assert main(["collections", "calls", "--db", url, "--as-of", "2026-07-10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == []
    assert main(["collections", "release", "A-1", "--practice", "ERA", "--db", url, "--kind", "dispute"]) == 0
    assert "released" in capsys.readouterr().out
    assert main(["collections", "calls", "--db", url, "--as-of", "2026-07-10", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["calls"]) == 1
