"""`dermbill reports ...` for scripts and people: JSON that adds up, tables, and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from migrated_databases import migrated_sqlite_url
from report_world import ReportWorld, day

from dermbill.cli.main import main
from dermbill.db.engine import open_database


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """P1: a $240 claim seen 10 June, unpaid; a $200 claim seen 1 April, $60 of it left on the patient."""
    url = migrated_sqlite_url(tmp_path_factory.mktemp("reports") / "r.db")
    database = open_database(url)
    try:
        w = ReportWorld(database)
        w.claim("P1", dos=day(6, 10), lines=[("11102", 15000), ("17000", 9000)], submitted_on=day(6, 12))
        c2 = w.claim("P1", dos=day(4, 1), payer="CIG", lines=[("11102", 20000)], submitted_on=day(4, 20))
        w.pay(c2, 1, 10000, on=day(5, 15))
        w.adjust(c2, 1, 4000, on=day(5, 15))
        w.to_patient(c2, 1, 6000, on=day(5, 15))
    finally:
        database.dispose()
    yield url


def test_aging_json_buckets_sum_to_totals(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reports", "aging", "--db", url, "--as-of", "2026-06-30", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["insurance"]["buckets"]["0-30"] == "240.00" and report["insurance"]["total"] == "240.00"
    assert report["patient"]["buckets"]["61-90"] == "60.00" and report["patient"]["total"] == "60.00"
    assert report["total"] == "300.00"


def test_aging_table_for_people(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reports", "aging", "--db", url, "--as-of", "2026-06-30", "--by", "code"]) == 0
    shown = capsys.readouterr().out
    assert "A/R aging by procedure code" in shown and "$240.00" in shown and "17000" in shown


@pytest.mark.parametrize(("args", "fragment"), [
    (["--practice", "NOPE"], "no practice NOPE"),
    (["--payer", "NOBODY"], "no payer with the ID 'NOBODY'"),
    (["--basis", "billing"], "'billing' is not an aging basis"),
    (["--by", "color"], "--by 'color'"),
    (["--as-of", "2026-13-01"], "--as-of"),
])
def test_errors_are_one_line(url: str, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str) -> None:
    assert main(["reports", "aging", "--db", url, *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and "Traceback" not in err


def test_nothing_to_report_in_an_empty_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reports", "aging", "--db", migrated_sqlite_url(tmp_path / "e.db")]) == 2
    assert "there are no practices yet" in capsys.readouterr().err
