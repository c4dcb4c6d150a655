"""`dermbill denials ...` as a denial specialist runs it: list (and --json), show, assign, note, snooze, resolve,
correct, appeal, stats and rules, with one-line errors for bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run
from era_world import denied, paid_claim, remittance, submitted_claims, write

from dermbill.db.engine import open_database
from dermbill.db.migrate import upgrade

AS_OF = "2026-04-10"


def test_the_work_queue_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    upgrade(database)
    world = submitted_claims(database, [[("11301", (), 29500)], [("17311", (), 120000)], [("11102", (), 15000)]])
    cosmetic, mohs, unknown = world.claims
    path = write(tmp_path / "d.835", (remittance((
        paid_claim(cosmetic, (denied(cosmetic.lines[0], "CO", "96", remarks=("N425",)),), status="4"),
        paid_claim(mohs, (denied(mohs.lines[0], "CO", "197", remarks=("M62",)),), status="4"),
        paid_claim(unknown, (denied(unknown.lines[0], "CO", "Z99"),), status="4"))),))
    database.dispose()
    assert run("era", "post", str(path), "--db", url).returncode == 0

    listed = run("denials", "list", "--db", url, "--as-of", AS_OF, "--json")
    assert listed.returncode == 0, listed.stderr
    items = json.loads(listed.stdout)["items"]
    assert [i["claim"] for i in items] == [mohs.pcn, cosmetic.pcn, unknown.pcn]  # by money at stake
    for item in items:
        assert {"claim", "lines", "carc", "rarc", "category", "action", "amount", "deadline", "status"} <= set(item)
    by_claim = {i["claim"]: i for i in items}
    assert (by_claim[mohs.pcn]["category"], by_claim[mohs.pcn]["action"], by_claim[mohs.pcn]["amount"]) == (
        "authorization", "get_authorization", "1200.00")
    assert (by_claim[cosmetic.pcn]["carc"], by_claim[cosmetic.pcn]["rarc"]) == ("96", ["N425"])
    assert (by_claim[unknown.pcn]["category"], by_claim[unknown.pcn]["action"]) == ("unknown", "review")
    exported = run("denials", "list", "--db", url, "--as-of", AS_OF, "--csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["claim"], r["carc"], r["rarc"], r["amount"]) for r in rows] == [
        (mohs.pcn, "197", "M62", "1200.00"), (cosmetic.pcn, "96", "N425", "295.00"), (unknown.pcn, "Z99", "", "150.00")]
    table = run("denials", "list", "--db", url, "--as-of", AS_OF)
    assert mohs.pcn in table.stdout and "get authorization" in table.stdout

    mohs_item, cosmetic_item = by_claim[mohs.pcn]["id"], by_claim[cosmetic.pcn]["id"]
    assert run("denials", "assign", str(mohs_item), "pat", "--db", url, "--by", "lead").returncode == 0
    assert run("denials", "note", str(mohs_item), "asked for a retro authorization", "--db", url,
               "--by", "pat").returncode == 0
    shown = run("denials", "show", str(mohs_item), "--db", url)
    assert "assigned to pat" in shown.stdout and "asked for a retro authorization" in shown.stdout
    assert "CO-197/M62" in shown.stdout

    resolved = run("denials", "resolve", str(cosmetic_item), "--as", "write_off", "--db", url, "--as-of", AS_OF)
    assert resolved.returncode == 0 and "$295.00 written off" in resolved.stdout
    assert run("ledger", "check", "--db", url).returncode == 0
    open_now = json.loads(run("denials", "list", "--db", url, "--as-of", AS_OF, "--json").stdout)["items"]
    assert cosmetic.pcn not in {i["claim"] for i in open_now}

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    assert_one_line_error(run("denials", "appeal", str(by_claim[unknown.pcn]["id"]), "--db", url, "--as-of", AS_OF,
                              "--out", str(blocker / "letters")), "cannot write the appeal letter", "--out")
    appeal = run("denials", "appeal", str(by_claim[unknown.pcn]["id"]), "--db", url, "--as-of", AS_OF,
                 "--out", str(tmp_path / "letters"))
    assert appeal.returncode == 0, appeal.stderr
    assert list((tmp_path / "letters").glob("appeal-*.pdf"))
    sent = run("denials", "appeal", str(by_claim[unknown.pcn]["id"]), "--sent", "--db", url, "--as-of", AS_OF)
    assert sent.returncode == 0 and "recorded as sent" in sent.stdout

    stats = json.loads(run("denials", "stats", "--db", url, "--as-of", AS_OF, "--json").stdout)
    assert stats["claims_denied"] == 3 and stats["by_reason"] == {"CO-197": 1, "CO-96": 1, "CO-Z99": 1}
    rules = json.loads(run("denials", "rules", "--db", url, "--json").stdout)
    assert rules == {"rules": []}  # one denial is not a pattern

    assert_one_line_error(run("denials", "correct", str(mohs_item), "--db", url), "no certain fix",
                          "--authorization")
    assert_one_line_error(run("denials", "correct", str(by_claim[unknown.pcn]["id"]), "--authorization", "A1",
                          "--db", url), "not an authorization denial")
    authorized = run("denials", "correct", str(mohs_item), "--authorization", "AUTH-77", "--db", url,
                     "--as-of", AS_OF)
    assert authorized.returncode == 0, authorized.stderr
    assert f"Claim {mohs.pcn}C1 made from {mohs.pcn}" in authorized.stdout
    assert "prior authorization AUTH-77" in authorized.stdout
    assert_one_line_error(run("denials", "show", "999", "--db", url), "work item 999 not found")
    assert_one_line_error(run("denials", "resolve", str(cosmetic_item), "--as", "write_off", "--db", url),
                          "already resolved")
    assert_one_line_error(run("denials", "list", "--status", "pending", "--db", url), "--status", "pending")
    assert_one_line_error(run("denials", "snooze", str(mohs_item), "--until", "2026-02-30", "--db", url),
                          "--until")
    assert_one_line_error(run("denials", "rules", "--accept", "1", "--reject", "1", "--db", url), "not both")


def test_appeal_letters_of_two_items_on_one_claim_and_a_refused_appeal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    database = open_database(url)
    upgrade(database)
    world = submitted_claims(database, [[("11102", (), 15000), ("17311", (), 120000)], [("11301", (), 29500)]])
    claim, ended = world.claims
    path = write(tmp_path / "d.835", (remittance((
        paid_claim(claim, (denied(claim.lines[0], "CO", "Z99"), denied(claim.lines[1], "CO", "197")), status="4"),
        paid_claim(ended, (denied(ended.lines[0], "CO", "27", remarks=("N30",)),), status="4"))),))
    database.dispose()
    assert run("era", "post", str(path), "--db", url).returncode == 0
    items = json.loads(run("denials", "list", "--db", url, "--as-of", AS_OF, "--json").stdout)["items"]
    on_claim = sorted(i["id"] for i in items if i["claim"] == claim.pcn)
    [coverage_ended] = [i["id"] for i in items if i["claim"] == ended.pcn]
    letters = tmp_path / "letters"

    for item in on_claim:
        written = run("denials", "appeal", str(item), "--db", url, "--as-of", AS_OF, "--out", str(letters))
        assert written.returncode == 0, written.stderr
    assert sorted(p.name for p in letters.iterdir()) == [f"appeal-{claim.pcn}-item{i}-20260410.pdf" for i in on_claim]
    again = run("denials", "appeal", str(on_claim[0]), "--db", url, "--as-of", AS_OF, "--out", str(letters))
    assert again.returncode == 0 and f"appeal-{claim.pcn}-item{on_claim[0]}-20260410-2.pdf" in again.stdout
    assert "already there" in again.stdout and "not overwritten" in again.stdout

    assert_one_line_error(run("denials", "appeal", str(coverage_ended), "--db", url, "--as-of", AS_OF, "--out",
                              str(letters)), f"work item {coverage_ended} cannot be appealed", "rebill")
    assert len(list(letters.iterdir())) == 3
