"""`dermbill era post` and `dermbill ledger check` as a biller runs them."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run
from era_world import denied, paid_claim, remittance, settled, submitted_claims, write
from sqlalchemy import insert, select

from dermbill.db.engine import open_database
from dermbill.db.migrate import upgrade
from dermbill.db.models import AuditEventRow, JournalEntryRow, LedgerAccountRow, PostingRow


def test_era_post_reports_posted_denied_and_unmatched_then_posts_nothing_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    upgrade(database)
    world = submitted_claims(database, [[("11102", (), 15000)], [("17110", (), 12000)]])
    paid, refused = world.claims
    stranger = paid_claim(type(paid)(0, "NOT-OURS-9", ()), ())
    path = write(tmp_path / "payer.835", (remittance((
        paid_claim(paid, (settled(paid.lines[0], 9000, patient=(("2", 1800),)),)),
        paid_claim(refused, (denied(refused.lines[0], "CO", "96", remarks=("N130",)),), status="4"),
        stranger)),))
    database.dispose()

    first = run("era", "post", str(path), "--db", url)
    assert first.returncode == 1, first.stderr  # partly posted: one claim payment is held for a person
    assert "EFT0001 from TSTMCR, $72.00: posted" in first.stdout
    assert "2 claim payment(s) posted, $72.00 paid" in first.stdout
    assert "denied: 1" in first.stdout and refused.pcn in first.stdout
    assert "held for a person (in the unmatched queue): 1" in first.stdout and "NOT-OURS-9" in first.stdout
    assert "Not everything was posted (1):" in first.stdout
    assert "payer.835: remittance EFT0001: 1 claim payment(s) held for a person" in first.stdout

    again = run("era", "post", str(path), "--db", url)
    assert again.returncode == 0 and ": already posted" in again.stdout

    queue = json.loads(run("era", "unmatched", "--db", url, "--json").stdout)["items"]
    assert [(i["claim"], i["trace"], i["file"]) for i in queue] == [("NOT-OURS-9", "EFT0001", "payer.835")]
    assert "NOT-OURS-9" in run("era", "unmatched", "--db", url).stdout
    assert _reads(url, "unmatched.list") == [["NOT-OURS-9"], ["NOT-OURS-9"]]  # each showing is in the trail

    check = run("ledger", "check", "--db", url, "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert report["clean"] and report["violations"] == []
    assert report["totals"]["charges"] == "270.00"
    assert report["totals"]["cash"] == "72.00"
    assert report["totals"]["patient_balance"] == "18.00"
    assert report["totals"]["denied_balance"] == "120.00"
    assert report["totals"]["insurance_balance"] == "0.00"

    table = run("ledger", "check", "--db", url)
    assert table.returncode == 0 and "Ledger check: clean" in table.stdout


def test_ledger_check_exits_1_and_names_the_violation(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'broken.db'}"
    database = open_database(url)
    upgrade(database)
    world = submitted_claims(database, [[("11102", (), 15000)]])
    with database.engine.begin() as connection:  # a posting slipped in past the ledger: one side of nothing
        entry = connection.execute(select(JournalEntryRow.id)).scalar_one()
        account = connection.execute(select(LedgerAccountRow.id).where(LedgerAccountRow.code == "1000")).scalar_one()
        connection.execute(insert(PostingRow).values(practice_id=world.practice_id, journal_entry_id=entry,
                                                     account_id=account, amount_cents=500,
                                                     claim_id=world.claims[0].id,
                                                     claim_line_id=world.claims[0].lines[0].id))
    database.dispose()

    result = run("ledger", "check", "--db", url)
    assert result.returncode == 1
    assert f"journal entry {entry} (charges of claim ERA-1) does not balance" in result.stdout
    assert "was charged 150.00 but its postings account for 155.00" in result.stdout
    report = json.loads(run("ledger", "check", "--db", url, "--json").stdout)
    assert not report["clean"] and len(report["violations"]) == 2


def test_era_post_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert run("init", "--db", url).returncode == 0
    assert_one_line_error(run("era", "post", str(tmp_path / "nope.835"), "--db", url), "nope.835", "No such file")


def test_markup_in_a_file_is_printed_literally_and_the_next_file_is_still_posted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'markup.db'}"
    database = open_database(url)
    upgrade(database)
    world = submitted_claims(database, [[("11102", (), 15000)]])
    [ours] = world.claims
    stranger = paid_claim(type(ours)(0, "CLAIMNUMBER", ()), ())
    hostile = write(tmp_path / "hostile.835", (remittance((stranger,), trace="TRACENUMBER"),))
    # The writer cleans its values; a payer's file need not. Rich reads [/x] and [/i] as closing tags.
    hostile.write_text(hostile.read_text().replace("TRACENUMBER", "EFT[/x]1").replace("CLAIMNUMBER", "B0[/i]1"))
    honest = write(tmp_path / "honest.835", (remittance(
        (paid_claim(ours, (settled(ours.lines[0], 9000),)),), trace="EFT0002"),), interchange=2)
    database.dispose()

    result = run("era", "post", str(hostile), str(honest), "--db", url)

    assert result.returncode == 1, result.stdout + result.stderr  # the stranger's payment is held for a person
    assert "EFT[/x]1 from TSTMCR" in result.stdout and "B0[/i]1" in result.stdout
    assert "EFT0002 from TSTMCR, $90.00: posted" in result.stdout
    unmatched = run("era", "unmatched", "--db", url)
    assert unmatched.returncode == 0, unmatched.stderr
    assert "B0[/i]1" in unmatched.stdout and "EFT[/x]1" in unmatched.stdout


def test_era_post_exits_1_naming_each_file_not_posted_and_era_problems_shows_why(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    upgrade(database)
    world = submitted_claims(database, [[("11102", (), 15000)], [("17110", (), 12000)]])
    one, two = world.claims
    database.dispose()
    good = write(tmp_path / "good.835", (remittance((paid_claim(one, (settled(one.lines[0], 9000),)),)),))
    resent = tmp_path / "resent.835"
    resent.write_text(good.read_text().replace("BPR*I*90*C*ACH", "BPR*I*90*C*CHK"))
    cut = tmp_path / "cut.835"
    text = write(tmp_path / "other.835", (remittance((paid_claim(two, (settled(two.lines[0], 8000),)),),
                                                     trace="EFT0002"),)).read_text()
    cut.write_text(text[:text.index("SE*")])

    first = run("era", "post", str(good), str(resent), str(cut), str(tmp_path / "other.835"), "--db", url)

    assert first.returncode == 1
    assert "good.835: remittance EFT0001 from TSTMCR, $90.00: posted" in first.stdout
    assert "Not everything was posted (2):" in first.stdout
    assert "resent.835: remittance EFT0001 conflict" in first.stdout
    assert "cut.835: remittance EFT0002 quarantined" in first.stdout
    assert "other.835: remittance EFT0002 from TSTMCR, $80.00: posted" in first.stdout  # the rest still posted
    problems = json.loads(run("era", "problems", "--db", url, "--json").stdout)["items"]
    assert [(i["status"], i["file"]) for i in problems] == [("conflict", "resent.835"), ("quarantined", "cut.835")]
    assert "the same amounts, claims and dates in other bytes" in problems[0]["problems"][1]
    assert "no SE closes transaction set" in run("era", "problems", "--db", url).stdout
    again = run("era", "post", str(good), "--db", url)
    assert again.returncode == 0 and "already posted" in again.stdout


def _reads(url: str, action: str) -> list[list[str]]:
    database = open_database(url)
    try:
        with database.sessions() as session:
            return [event.detail["records"] for event in session.scalars(
                select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.sequence))]
    finally:
        database.dispose()
