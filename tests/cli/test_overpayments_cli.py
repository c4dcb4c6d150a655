"""After the demo, a payer sends its 835s again with only TRN02 changed: nothing is applied to A/R twice, the
cash waits in the overpayment queue, and `ledger check` stays clean; a negative line balance makes it exit 1."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

from cli_helpers import run
from sqlalchemy import insert, select

from dermbill.core.ledger import CASH, INSURANCE_AR
from dermbill.db.engine import open_database
from dermbill.db.models import ClaimLineRow, ClaimRow, JournalEntryRow, LedgerAccountRow, PostingRow


def _ledger(url: str) -> tuple[int, dict[str, object]]:
    result = run("ledger", "check", "--db", url, "--json")
    return result.returncode, json.loads(result.stdout)


def test_a_duplicate_835_after_the_demo_goes_to_the_overpayment_queue_and_the_ledger_stays_clean(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    out = tmp_path / "demo"
    demo = run("demo", "--db", url, "--out", str(out), "--patients", "40", "--as-of", "2026-11-26", "--seed", "3")
    assert demo.returncode == 0, demo.stderr
    code, before = _ledger(url)
    assert code == 0 and before["clean"], before["violations"]
    remittances = sorted(path for path in out.rglob("835*") if path.is_file())
    assert remittances, sorted(p.name for p in out.rglob("*"))

    again = tmp_path / "again"
    again.mkdir()
    copies = []
    for number, path in enumerate(remittances):  # the same claim payments; only the trace number (TRN02) changes
        text, changed = re.subn(r"TRN\*1\*([^*~]+)\*", lambda m: f"TRN*1*{m.group(1)}DUP*", path.read_text())
        assert changed, path
        copies.append(again / f"{number:03d}-{path.name}")
        copies[-1].write_text(text)
    posted = run("era", "post", *map(str, copies), "--db", url)
    # The reversals in them take back answers already taken back: held for a person, so not everything posted.
    assert posted.returncode == 1, posted.stderr
    assert "paid again (in the overpayment queue)" in posted.stdout
    assert "a reversal (CLP02 22) of a claim this payer has not answered" in posted.stdout

    code, after = _ledger(url)
    assert code == 0 and after["clean"], after["violations"]
    totals_before, totals_after = before["totals"], after["totals"]
    assert isinstance(totals_before, dict) and isinstance(totals_after, dict)
    for key in ("insurance_balance", "denied_balance", "patient_balance", "contractual", "write_offs"):
        assert totals_after[key] == totals_before[key], key
    queue = json.loads(run("era", "overpayments", "--db", url, "--json").stdout)["items"]
    assert queue and all(item["trace"].endswith("DUP") and item["original_trace"] + "DUP" == item["trace"]
                         for item in queue)
    assert sum(_cents(item["amount"]) for item in queue) == _cents(str(totals_after["payer_credit"]))
    assert _cents(str(totals_after["cash"])) - _cents(str(totals_before["cash"])) == \
        _cents(str(totals_after["payer_credit"])) + _cents(str(totals_after["unapplied_insurance"]))
    assert "due to" in run("era", "overpayments", "--db", url).stdout

    refund = run("era", "refund", str(queue[0]["id"]), "--reference", "CHK100", "--db", url, "--as-of", "2026-11-27")
    assert refund.returncode == 0, refund.stderr
    assert len(json.loads(run("era", "overpayments", "--db", url, "--json").stdout)["items"]) == len(queue) - 1
    assert _ledger(url)[0] == 0

    # A planted posting that pays a line's insurance balance below zero (the line's own sum unchanged).
    database = open_database(url)
    with database.engine.begin() as connection:
        claim_id, pcn, practice_id = connection.execute(
            select(ClaimRow.id, ClaimRow.patient_control_number, ClaimRow.practice_id)
            .where(ClaimRow.status == "paid").order_by(ClaimRow.id)).first()
        line_id, line_number = connection.execute(select(ClaimLineRow.id, ClaimLineRow.line_number)
                                                  .where(ClaimLineRow.claim_id == claim_id)).first()
        accounts = dict(connection.execute(select(LedgerAccountRow.code, LedgerAccountRow.id)
                                           .where(LedgerAccountRow.practice_id == practice_id)).all())
        entry = connection.execute(insert(JournalEntryRow).values(
            practice_id=practice_id, entry_date=datetime.date(2026, 11, 27), kind="general", memo="planted",
            created_at=datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC), created_by="test")
            .returning(JournalEntryRow.id)).scalar_one()
        for account, cents in ((CASH, 4321), (INSURANCE_AR, -4321)):
            connection.execute(insert(PostingRow).values(
                practice_id=practice_id, journal_entry_id=entry, account_id=accounts[account], amount_cents=cents,
                claim_id=claim_id, claim_line_id=line_id))
    database.dispose()
    result = run("ledger", "check", "--db", url)
    assert result.returncode == 1
    assert f"claim {pcn} line {line_number}" in result.stdout and "insurance balance is -43.21" in result.stdout


def _cents(text: str) -> int:
    return int(text.replace(",", "").replace(".", ""))
