"""``dermbill eligibility run`` prints what was sent and what came back; ``worklist`` what the desk must fix."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run
from eligibility_world import eligibility_world
from era_world import NOW
from migrated_databases import migrated_sqlite_url

from dermbill.db.engine import open_database


def test_the_run_prints_its_summary_and_the_worklist_the_fixes(tmp_path: Path) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    try:
        world = eligibility_world(database, tmp_path)
    finally:
        database.dispose()
    common = ("--db", url, "--config", str(world.config_file), "--inbox", str(tmp_path / "in"), "--outbox",
              str(tmp_path / "out"), "--as-of", NOW.date().isoformat())
    done = run("eligibility", "run", "--days", "1", *common)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Eligibility for 8 booked appointment(s), 2026-04-02 to 2026-04-03: 7 inquiry(ies) "
                               "sent in 1 270 file(s)")
    assert [line.split()[-1] for line in lines[1:7]] == ["1", "1", "2", "2", "1", "0"]
    assert [" ".join(line.split()[:-1]) for line in lines[1:7]] == [
        "active", "inactive", "not found", "errors", "other payer primary", "no answer"]
    assert "1 appointment(s) of patients without insurance" in done.stdout
    as_json = run("eligibility", "run", "--days", "1", "--json", "--practice", "ERA", *common)
    summary = json.loads(as_json.stdout)
    assert (summary["sent"], summary["active"], summary["not_found"], summary["from"]) == (7, 1, 2, "2026-04-02")
    listed = json.loads(run("eligibility", "worklist", "--json", "--db", url).stdout)
    assert {p["patient"] for p in listed["problems"]} == {"A-2", "A-3", "A-4", "A-5", "A-6", "A-7"}
    assert all(p["fix"] for p in listed["problems"])
    assert [c["other_payer"] for c in listed["order_changes"]] == ["TEST MEDICARE"]
    shown = run("eligibility", "worklist", "--db", url)
    assert "fix: Check the member ID on the front of the insurance card" in shown.stdout
    assert shown.stdout.rstrip().endswith("6 problem(s), 1 proposed order change(s)")
    assert_one_line_error(run("eligibility", "run", "--practice", "NOPE", *common), "no practice NOPE")
