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


def test_kpis_json_has_every_figure_with_the_previous_period(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """June: the $240 claim was charged (10 June) and sent (12 June); May: Cigna's $100 payment and $40
    adjustment (15 May) on the April claim, charged before May."""
    assert main(["reports", "kpis", "--db", url, "--as-of", "2026-06-30", "--from", "2026-06-01",
                 "--to", "2026-06-30", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["period"] == {"start": "2026-06-01", "end": "2026-06-30"}
    assert report["previous_period"] == {"start": "2026-05-01", "end": "2026-05-31"}  # a month's is the month before
    figures = report["figures"]
    for key in ("charges", "payments", "days_in_ar", "clean_claim_rate", "first_pass_resolution_rate",
                "denial_rate_count", "denial_rate_dollars", "net_collection_rate", "gross_collection_rate",
                "charge_lag_days", "submission_to_payment_days", "denied_dollars", "recovered_by_appeal",
                "underpayments_found", "engine_acceptance_rate", "scrubber_caught_dollars", "statements_sent",
                "bad_debt"):
        assert {"value", "previous", "change", "formula"} <= set(figures[key]), key
    assert (figures["charges"]["value"], figures["charges"]["previous"]) == ("240.00", "0.00")
    assert (figures["payments"]["value"], figures["payments"]["previous"]) == ("0.00", "100.00")
    assert figures["payments"]["change"] == "-100.00"
    assert figures["charge_lag_days"]["value"] == "2.0"  # seen 10 June, sent 12 June
    assert sorted(report["tables"]) == ["coding_by_family", "days_in_ar_by_payer", "patient_collections"]
    assert sum(len(keys) for keys in report["groups"].values()) == len(figures)


def test_kpis_table_and_csv(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["reports", "kpis", "--db", url, "--as-of", "2026-06-30", "--from", "2026-06-01", "--to", "2026-06-30"]
    assert main(args) == 0
    shown = capsys.readouterr().out
    assert "Revenue cycle, June 2026" in shown and "Previous (2026-05-01 to 2026-05-31)" in shown
    assert "$240.00" in shown and "-$100.00" in shown
    assert main([*args, "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "key,label,unit,value,previous,change,numerator,denominator,formula"
    assert any(line.startswith("charges,Charges,money,240.00,0.00,240.00,") for line in lines)
    assert main([*args, "--csv", "--table", "days_in_ar_by_payer"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("payer,")
    assert main([*args, "--csv", "--table", "nope"]) == 2
    assert "this report's tables are days_in_ar_by_payer" in capsys.readouterr().err


def test_aging_csv_rows_add_up(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reports", "aging", "--db", url, "--as-of", "2026-06-30", "--csv", "--by", "payer"]) == 0
    rows = [line.split(",") for line in capsys.readouterr().out.splitlines()]
    assert rows[0][:2] == ["payer", "owed_by"] and rows[0][-1] == "total"
    assert rows[1:] == [["TEST MEDICARE", "Insurance", "240.00", "0.00", "0.00", "0.00", "0.00", "0.00", "240.00"],
                        ["Patients", "Patient", "0.00", "0.00", "60.00", "0.00", "0.00", "0.00", "60.00"]]


def test_denials_with_nothing_denied(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["reports", "denials", "--db", url, "--as-of", "2026-06-30"]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["tables"]["denials_by_cause"]["rows"] == []
    assert main(args) == 0
    assert "(none in this period)" in capsys.readouterr().out
    assert main([*args, "--from", "2026-06-01"]) == 2
    assert "give both --from and --to" in capsys.readouterr().err
