"""`dermbill statements plan`: who would be billed on a day, with the ledger's amount, and a one-line error for an
unknown practice."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pdfplumber
import pytest
from era_world import paid_claim, remittance, settled, submitted_claims, write
from migrated_databases import migrated_sqlite_url

from dermbill.cli.main import main
from dermbill.db.engine import open_database
from dermbill.services.era_posting import post_era_file


def test_the_plan_lists_the_guarantor_with_the_ledgers_amount(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "s.db")
    database = open_database(url)
    try:
        world = submitted_claims(database, [[("11102", (), 15000)]])
        [claim] = world.claims
        post_era_file(database, write(tmp_path / "a.835", (remittance((paid_claim(claim, (
            settled(claim.lines[0], 10000, patient=(("2", 2000),)),)),)),)))
    finally:
        database.dispose()
    assert main(["statements", "plan", "--db", url, "--as-of", "2026-04-20", "--all-cycles", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["to_send"], plan["amount"]) == (1, "20.00")
    [guarantor] = plan["guarantors"]
    assert (guarantor["account_number"], guarantor["amount"], guarantor["due_on"]) == ("A-1", "20.00", "2026-05-11")
    assert main(["statements", "plan", "--db", url, "--as-of", "2026-04-20", "--practice", "NOPE"]) == 2
    assert "no practice NOPE" in capsys.readouterr().err
    assert main(["statements", "run", "--db", url, "--as-of", "2026-04-20", "--all-cycles", "--dry-run",
                 "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert [(s["account_number"], s["amount"], s["code"]) for s in dry["statements"]] == [("A-1", "20.00", None)]
    assert main(["statements", "run", "--db", url, "--as-of", "2026-04-20", "--all-cycles"]) == 0
    assert "made 1 for $20.00" in capsys.readouterr().out

    assert main(["statements", "print", "--db", url, "--out", str(tmp_path / "print"), "--json"]) == 0
    [batch] = json.loads(capsys.readouterr().out)["batches"]
    assert (batch["practice"], batch["statements"], batch["amount"]) == ("ERA", 1, "20.00")
    with pdfplumber.open(batch["pdf"]) as pdf:
        assert "$20.00" in pdf.pages[0].extract_text()
    [row] = list(csv.DictReader(Path(batch["manifest"]).read_text(encoding="utf-8").splitlines()))
    assert (row["account_number"], row["amount_due"], row["page_start"]) == ("A-1", "20.00", "1")
    assert oct(Path(batch["pdf"]).stat().st_mode & 0o777) == "0o600"  # patients' names and visits: owner only
    assert main(["statements", "print", "--db", url, "--out", str(tmp_path / "print")]) == 0
    assert "No statement is waiting for print." in capsys.readouterr().out

def test_a_practice_sets_its_policy_and_a_cadence_out_of_order_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "s.db")
    database = open_database(url)
    try:
        submitted_claims(database, [[("11102", (), 15000)]])
    finally:
        database.dispose()
    assert main(["statements", "settings", "--db", url, "--practice", "ERA", "--minimum", "10.00",
                 "--no-cycle-billing", "--wording", "reminder=Just a reminder: thank you.", "--json"]) == 0
    policy = json.loads(capsys.readouterr().out)
    assert (policy["minimum_balance"], policy["cycle_billing"], policy["wording"]) == (
        "10.00", False, {"reminder": "Just a reminder: thank you."})
    assert main(["statements", "settings", "--db", url, "--practice", "ERA", "--past-due-days", "20"]) == 2
    assert "must grow step by step" in capsys.readouterr().err
