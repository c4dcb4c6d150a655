"""`dermbill jobs defer` on SQLite runs the job at once and prints its outcome; `dermbill jobs list --json` shows it
with its progress; `dermbill worker` on SQLite says a worker needs PostgreSQL; mistakes exit 2 with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jobs_world import many_claims, paying_835
from migrated_databases import migrated_sqlite_url

from dermbill.cli.main import main
from dermbill.db.engine import open_database


def test_defer_runs_a_job_here_on_sqlite_and_the_list_shows_it(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    try:
        path, _ = paying_835(tmp_path / "era.835", many_claims(database, 12), sets=2)
    finally:
        database.dispose()

    assert main(["jobs", "defer", "post_835", str(path), "--db", url]) == 0
    assert capsys.readouterr().out.startswith("job 1 (post_835) ran here: succeeded after 1 attempt(s)")
    assert main(["jobs", "defer", "scrub_batch", "--practice", "ERA", "--db", url, "--json"]) == 0
    scrubbed = json.loads(capsys.readouterr().out)["job"]
    assert (scrubbed["status"], scrubbed["summary"]) == ("succeeded", {"scrubbed": 0, "by_status": {}})

    assert main(["jobs", "list", "--db", url, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert "claim-status" in {job["job"] for job in listed["jobs"]}  # the scheduled jobs, as before
    [scrub, post] = listed["background"]
    assert (post["kind"], post["status"], post["done"], post["total"], post["percent"]) == (
        "post_835", "succeeded", 2, 2, 100)
    assert post["summary"]["by_status"] == {"posted": 2} and scrub["practice"] == "ERA"
    assert main(["jobs", "list", "--db", url]) == 0
    assert "  1 post_835: succeeded, 2/2 done, attempt 1" in capsys.readouterr().out.splitlines()

    assert main(["jobs", "defer", "post_999", "--db", url]) == 2
    assert "no job kind 'post_999' (known: clearinghouse_sync, eligibility_batch, post_835" in capsys.readouterr().err
    assert main(["worker", "--db", url]) == 2
    assert "a worker needs PostgreSQL" in capsys.readouterr().err
