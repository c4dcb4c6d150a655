"""`dermbill hl7 import`, `messages` and `replay` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run
from era_world import practice_world
from hl7_messages import dft
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select

from dermbill.db.engine import open_database
from dermbill.db.models import ClaimLineRow, ProviderRow
from dermbill.db.repositories import UnitOfWork


def test_import_a_file_of_dft_messages_then_fix_and_replay_the_one_that_failed(tmp_path: Path) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    practice_world(database)
    feed = tmp_path / "charges.hl7"
    feed.write_text(dft("M1", "11102/left forearm", "17000", visit="V1") + "\n"
                    + dft("M2", "11104", provider="1679576722", visit="V2"), encoding="utf-8")
    first = run("hl7", "import", str(feed), "--db", url, "--practice", "ERA")
    assert first.returncode == 1, first.stderr
    assert "message 1 (#1): AA processed" in first.stdout
    assert "claim ERAE" in first.stdout
    assert "message 2 (#2): AE failed: FT1-20: no active provider with NPI 1679576722" in first.stdout
    assert "2 message(s): 1 taken, 1 kept for a fix (see 'dermbill hl7 messages')" in first.stdout
    listed = run("hl7", "messages", "--db", url, "--json")
    assert listed.returncode == 0, listed.stderr
    [kept] = json.loads(listed.stdout)["messages"]
    assert (kept["message_id"], kept["where"], kept["status"], kept["type"]) == (2, "FT1-20", "failed", "DFT^P03")
    with UnitOfWork(database, actor="test") as uow:
        uow.practice(1).add(ProviderRow(last_name="NEWDOC", first_name="NED", npi="1679576722",
                                        taxonomy="207N00000X"))
        uow.commit()
    replayed = run("hl7", "replay", "2", "--db", url, "--practice", "ERA")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "AA processed" in replayed.stdout
    assert "no failed HL7 message" in run("hl7", "messages", "--db", url).stdout
    again = run("hl7", "import", str(feed), "--db", url, "--practice", "ERA")  # the same file twice
    assert again.returncode == 0
    assert again.stdout.count("already processed (sent again)") == 2
    with UnitOfWork(database, actor="test") as uow:
        codes = sorted(uow.session.scalars(select(ClaimLineRow.procedure_code)))
    assert codes == ["11102", "11104", "17000"]
    database.dispose()


def test_import_errors_are_one_line(tmp_path: Path) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    empty = tmp_path / "empty.hl7"
    empty.write_text("\n", encoding="utf-8")
    result = run("hl7", "import", str(empty), "--db", url)
    assert result.returncode == 1
    assert "no HL7 message" in result.stderr
    assert_one_line_error(run("hl7", "replay", "--db", url), "name the messages to replay")
    assert_one_line_error(run("hl7", "import", str(tmp_path / "missing.hl7"), "--db", url), "no such file")
    assert_one_line_error(run("hl7", "listen", "--db", url, "--facility", "NOEQUALS"), "FACILITY=PRACTICE_CODE")
