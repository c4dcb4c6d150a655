"""`dermbill claims follow-up` sends the due 276s and prints the work list (--json too); `dermbill jobs run
--due-only` runs the claim-status job once for its slot, and `dermbill jobs list` says when it is next due."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from follow_up_world import ASKED, config_file, follow_up_world
from migrated_databases import migrated_sqlite_url

from dermbill.cli.main import main
from dermbill.clock import TODAY_VARIABLE
from dermbill.db.engine import open_database


def test_follow_up_then_the_daily_job_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    try:
        world = follow_up_world(database, tmp_path)
    finally:
        database.dispose()
    monkeypatch.setenv(TODAY_VARIABLE, ASKED.date().isoformat())
    folders = ["--db", url, "--config", str(config_file(tmp_path)), "--outbox", str(tmp_path / "outbox"),
               "--inbox", str(tmp_path / "inbox")]

    assert main(["claims", "follow-up", *folders, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["summary"]["inquired"] == 5 and printed["summary"]["answers"]["applied"] == 5
    assert [(i["claim"], i["category"], i["needs_person"]) for i in printed["work_list"]] == [
        (world.claims["denied"], "F2", True), (world.claims["records"], "R4", True),
        (world.claims["not found"], "A4", True), (world.claims["paid"], "F1", False)]

    assert main(["claims", "follow-up", *folders, "--practice", "ERA"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("No claim is due a status inquiry")
    assert "Follow-up work list: 3 claim(s) need a person; 1 should get an 835" in lines
    assert any("F2:1 Finished: denied" in line for line in lines)

    assert main(["claims", "follow-up", "--db", url, "--list", "--json"]) == 0  # no inquiry, no fetch
    listed_only = json.loads(capsys.readouterr().out)
    assert listed_only["summary"] is None and len(listed_only["work_list"]) == 4

    assert main(["jobs", "run", "--due-only", "--json", *folders]) == 0
    runs = {run["job"]: run for run in json.loads(capsys.readouterr().out)["runs"]}
    first = runs["claim-status"]
    assert (first["outcome"], first["summary"]["inquired"]) == ("succeeded", 0)
    assert (runs["eligibility"]["outcome"], runs["eligibility"]["summary"]["sent"]) == ("succeeded", 0)
    assert runs["statements"]["outcome"] == "succeeded"  # the claims are with the payers: nobody is billed
    assert runs["statements"]["summary"]["statements"] == 0
    assert runs["report-parts"]["outcome"] == "succeeded" and runs["report-parts"]["summary"]["practices"] >= 1
    assert main(["jobs", "run", "--due-only", "--json", *folders]) == 0
    second = {run["job"]: run for run in json.loads(capsys.readouterr().out)["runs"]}["claim-status"]
    assert (second["outcome"], second["slot"]) == ("skipped", first["slot"])
    assert main(["jobs", "list", "--db", url, "--json"]) == 0
    listed = {job["job"]: job for job in json.loads(capsys.readouterr().out)["jobs"]}["claim-status"]
    assert (listed["last_outcome"], listed["schedule"]) == ("succeeded", "daily at 07:00 UTC")
    assert listed["next_due"] > first["slot"]
