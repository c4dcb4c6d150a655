"""`dermbill check-in settings`: show and set how old an eligibility answer may be at check-in; a bad value is a
one-line error."""

from __future__ import annotations

from pathlib import Path

from check_in_world import check_in_world
from cli_helpers import assert_one_line_error, run
from migrated_databases import migrated_sqlite_url

from dermbill.db.engine import open_database


def test_the_practices_age_limit_of_an_eligibility_answer_is_shown_and_set(tmp_path: Path) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    check_in_world(database)
    database.dispose()
    shown = run("check-in", "settings", "--practice", "ERA", "--db", url)
    assert shown.returncode == 0
    assert "ERA: an eligibility answer proves coverage at check-in for 30 days" in shown.stdout
    changed = run("check-in", "settings", "--practice", "ERA", "--stale-days", "14", "--db", url)
    assert changed.returncode == 0 and "for 14 days" in changed.stdout
    assert_one_line_error(run("check-in", "settings", "--practice", "ERA", "--stale-days", "0", "--db", url),
                          "1 to 365 days")
