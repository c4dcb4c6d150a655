"""`dermbill training assign` and `list`: modules assigned from a practice's denials, shown with why."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import run
from migrated_databases import migrated_sqlite_url
from training_world import AS_OF, DESK, denied_practice

from dermbill.db.engine import open_database


def test_assign_then_list_shows_the_modules_and_why(tmp_path: Path) -> None:
    url = migrated_sqlite_url(tmp_path / "training.db")
    database = open_database(url)
    try:
        denied_practice(database, tmp_path)
    finally:
        database.dispose()
    assigned = run("training", "assign", "--db", url, "--as-of", AS_OF.isoformat())
    assert assigned.returncode == 0, assigned.stderr
    assert "Denials of the last 90 days read: 2 (coding 1, front desk 1)" in assigned.stdout
    assert "desk@era.test: Coverage that ended (CO-27 on claim ERA-1)" in assigned.stdout

    listed = json.loads(run("training", "list", "--db", url, "--user", DESK, "--json").stdout)["assignments"]
    assert [(a["module"], a["why"], a["progress"], a["denials"][0]["carc"]) for a in listed] == [
        ("coverage_ended", "CO-27 on claim ERA-1", "0/3", "27")]
