"""`dermbill import` in-process: a dry run of a patients file reports its bad rows by line and column and saves
nothing; the real import saves, and again changes nothing; the report as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from era_world import practice_world
from migrated_databases import migrated_sqlite_url
from sqlalchemy import func, select

from dermbill.cli.main import main
from dermbill.db.engine import open_database
from dermbill.db.models import PatientRow
from dermbill.db.repositories import UnitOfWork

FILE = ("practice,account_number,last_name,first_name,date_of_birth,sex,address_line1,city,state,zip_code\n"
        "ERA,B-1,TEST,ALPHA,1950-01-31,F,2 TEST ST,ANYTOWN,PA,19099\n"
        "ERA,B-2,TEST,BRAVO,13/01/1960,M,3 TEST ST,ANYTOWN,PA,1909\n"
        "ERA,B-3,TEST,CHARLIE,01/13/1960,M,3 TEST ST,ANYTOWN,PA,19099\n")


def patients(url: str) -> int:
    database = open_database(url)
    try:
        with UnitOfWork(database, actor="test") as uow:
            return int(uow.session.scalar(select(func.count()).select_from(PatientRow)) or 0)
    finally:
        database.dispose()


def test_a_dry_run_reports_bad_rows_by_line_and_field_and_saves_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "import.db")
    database = open_database(url)
    try:
        practice_world(database)
    finally:
        database.dispose()
    file = tmp_path / "patients.csv"
    file.write_text(FILE, encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "patients", str(file), "--dry-run", "--db", url]) == 1
    printed = capsys.readouterr().out
    assert "line 3, date_of_birth: '13/01/1960' is not a date. To fix: write the date as YYYY-MM-DD" in printed
    assert "line 3, zip_code: '1909' must be five or nine digits" in printed
    assert "dry run, nothing saved: 2 created, 0 updated, 0 unchanged if imported" in printed
    assert patients(url) == 1  # the world's own patient only

    assert main(["import", "patients", str(file), "--db", url, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["saved"], report["bad_rows"]) == (False, 1)
    assert [(p["line"], p["column"]) for p in report["problems"]] == [(3, "date_of_birth"), (3, "zip_code")]
    assert patients(url) == 1

    file.write_text(FILE.replace("13/01/1960", "1960-01-13").replace(",1909\n", ",19099\n"), encoding="utf-8")
    assert main(["import", "patients", str(file), "--db", url]) == 0
    assert "saved: 3 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["import", "patients", str(file), "--db", url]) == 0
    assert "saved: 0 created, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert patients(url) == 4

    assert main(["import", "people", str(file), "--db", url]) == 2
    assert "'people' is not a kind of file dermbill imports" in capsys.readouterr().err
