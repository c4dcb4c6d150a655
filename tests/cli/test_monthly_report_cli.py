"""`dermbill reports monthly`: the PDF written whole and private, and one-line errors for what cannot be reported."""

from __future__ import annotations

import datetime
import stat
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
from migrated_databases import migrated_sqlite_url
from report_world import ReportWorld, day

from dermbill.cli.main import main
from dermbill.db.engine import open_database


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """P1: a $240 claim seen 10 November, sent 12 November; $100 paid on it 25 November."""
    url = migrated_sqlite_url(tmp_path_factory.mktemp("monthly") / "m.db")
    database = open_database(url)
    try:
        w = ReportWorld(database)
        c = w.claim("P1", dos=day(11, 10), lines=[("11102", 24000)], submitted_on=day(11, 12))
        w.pay(c, 1, 10000, on=day(11, 25))
    finally:
        database.dispose()
    yield url


@pytest.mark.pinned_today(datetime.date(2026, 12, 7))  # November is over: its report is as of its last day
def test_the_report_is_written_private_and_reads_back(url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "november.pdf"
    out.write_bytes(b"an older file, readable by all")
    out.chmod(0o644)
    assert main(["reports", "monthly", "--db", url, "--practice", "P1", "--month", "2026-11", "--out",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Wrote" in printed and "as of 2026-11-30" in printed and "Payments were $100.00 in November" in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["november.pdf"]  # no partial file left behind
    with pdfplumber.open(out) as pdf:
        first = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "Monthly practice report: November 2026" in first and "Payments $100.00 $0.00 +$100.00" in first


def test_as_of_within_the_month_is_month_to_date(url: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mtd.pdf"
    assert main(["reports", "monthly", "--db", url, "--practice", "P1", "--month", "2026-11", "--as-of",
                 "2026-11-20", "--out", str(out)]) == 0
    assert "as of 2026-11-20" in capsys.readouterr().out
    with pdfplumber.open(out) as pdf:
        first = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "Month to date." in first


@pytest.mark.pinned_today(datetime.date(2026, 11, 20))
def test_the_current_month_is_reported_as_of_today(url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "so-far.pdf"
    assert main(["reports", "monthly", "--db", url, "--practice", "P1", "--month", "2026-11", "--out",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    # the balances are those of the 20th: the $100 paid on the 25th is not off the A/R yet
    assert "as of 2026-11-20" in printed and "all A/R on November 20 ($0.00 of $240.00)" in printed


@pytest.mark.parametrize(("args", "fragment"), [
    (["--practice", "NOPE", "--month", "2026-11"], "no practice NOPE"),
    (["--practice", "P1", "--month", "2026-13"], "'2026-13' is not a month; write it as YYYY-MM"),
    (["--practice", "P1", "--month", "November"], "'November' is not a month"),
    (["--practice", "P1", "--month", "2026-11", "--as-of", "2026-10-31"], "before November 2026 starts"),
    (["--practice", "P1", "--month", "2026-11", "--as-of", "2026-11-31"], "--as-of"),
])
def test_errors_are_one_line(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                             fragment: str) -> None:
    out = tmp_path / "r.pdf"
    assert main(["reports", "monthly", "--db", url, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and "Traceback" not in err
    assert not out.exists()


def test_a_missing_folder_is_a_clear_error(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no-such-folder" / "r.pdf"
    assert main(["reports", "monthly", "--db", url, "--practice", "P1", "--month", "2026-11", "--out",
                 str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write") and "no folder" in err
