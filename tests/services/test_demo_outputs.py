"""What the demo leaves behind: a second run into the same folders gives the same figures, nothing is dated after
``--as-of``, and every X12 file the simulated payer writes passes the independent validator pyx12."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from cli_helpers import assert_one_line_error, run
from pyx12_eligibility import eligibility_maps
from sqlalchemy import Date, select

from dermbill.core.errors import InvalidInput
from dermbill.db.base import Base, UTCDateTime
from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import upgrade
from dermbill.services.demo import DemoOptions, build_demo, reset_demo
from dermbill.x12.tokenizer import read_file

AS_OF = datetime.date(2026, 11, 26)
# Dates that describe something rather than say when it happened: a plan's term, a fee schedule's, a birthday,
# the deadline to appeal (due dates lie ahead by nature).
NOT_EVENTS = frozenset({"date_of_birth", "subscriber_date_of_birth", "effective_date", "termination_date",
                        "effective_from", "effective_to", "deadline", "snoozed_until",
                        # and the front desk's coming visits: an appointment's start, the visit an eligibility
                        # check asks about (270 and 271 DTP*291)
                        "starts_at", "asked_for", "due_on"})
DUE_DAYS = datetime.timedelta(days=21)
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December")

__all__ = ["eligibility_maps"]  # the fixture, used by name


@dataclass(frozen=True)
class DemoRun:
    database: Database
    out: Path


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """One small demo with a fixed as-of day before today, so a date taken from the real clock shows."""
    base = tmp_path_factory.mktemp("demo")
    database = open_database(f"sqlite:///{base / 'demo.db'}")
    upgrade(database)
    build_demo(database, DemoOptions(out_dir=base / "out", as_of=AS_OF, patients=60, seed=11))
    try:
        yield DemoRun(database, base / "out")
    finally:
        database.dispose()


def _summary(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "summary.json").read_text())
    return data


def test_the_demo_twice_in_a_row_into_the_same_folders_prints_the_same_summary(tmp_path: Path) -> None:
    db, out = f"sqlite:///{tmp_path / 'demo.db'}", tmp_path / "out"
    runs, summaries = [], []
    for _ in range(2):  # what `make demo` does, twice
        runs.append(run("demo", "--db", db, "--out", str(out), "--patients", "12", "--as-of", AS_OF.isoformat(),
                        "--seed", "3", "--reset"))
        assert runs[-1].returncode == 0, runs[-1].stderr
        summaries.append(_summary(out))
    assert summaries[0] == summaries[1]
    cycle = summaries[1]["revenue_cycle"]
    assert isinstance(cycle, dict) and cycle["files_received"] > 0 and cycle["paid"] != "0.00"
    first, second = (r.stdout for r in runs)
    assert first == second and "reset: deleted all data" in second and str(out) in second


def test_reset_empties_only_what_the_demo_wrote(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        upgrade(db)
        out = tmp_path / "out"
        build_demo(db, DemoOptions(out_dir=out, as_of=AS_OF, patients=5, seed=2, cycle=False))
        (out / "my-notes.txt").write_text("kept")
        reset_demo(db, out)
        assert [p.name for p in out.iterdir()] == ["my-notes.txt"]
        reset_demo(db, tmp_path / "empty-or-absent")  # nothing to look at: nothing to refuse
    finally:
        db.dispose()


def test_reset_refuses_a_folder_the_demo_did_not_write_and_leaves_both_alone(tmp_path: Path) -> None:
    db_path = tmp_path / "demo.db"
    db = f"sqlite:///{db_path}"
    assert run("demo", "--db", db, "--out", str(tmp_path / "out"), "--patients", "5", "--as-of",
               AS_OF.isoformat()).returncode == 0
    unrelated = tmp_path / "photos"
    unrelated.mkdir()
    (unrelated / "holiday.jpg").write_bytes(b"not a demo file")
    (unrelated / "summary.json").write_text("{}")
    result = run("demo", "--db", db, "--out", str(unrelated), "--patients", "5", "--reset")
    assert_one_line_error(result, str(unrelated), "not a demo output folder", "--out")
    assert sorted(p.name for p in unrelated.iterdir()) == ["holiday.jpg", "summary.json"]
    again = run("demo", "--db", db, "--out", str(tmp_path / "out"), "--patients", "5")
    assert_one_line_error(again, "already holds the demo")  # the database was not reset either


def test_reset_of_an_unrelated_folder_is_refused_by_the_service(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        upgrade(db)
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "thesis.tex").write_text("x")
        with pytest.raises(InvalidInput, match="not a demo output folder"):
            reset_demo(db, tmp_path / "other")
    finally:
        db.dispose()


def _x12_dates(path: Path) -> Iterator[tuple[str, datetime.date]]:
    """Every date in an X12 file: ISA09, and each element or component that is a CCYYMMDD date or RD8 range."""
    for delimiters, segment in read_file(path):
        if segment.id == "ISA":
            yield "ISA09", datetime.datetime.strptime(segment.get(9), "%y%m%d").date()
            continue
        if segment.id == "DTP" and segment.get(1) == "291":  # the coming visit an eligibility inquiry asks about
            continue
        for position, element in enumerate(segment.elements[1:], start=1):
            for text in element.split(delimiters.component):
                if not re.fullmatch(r"\d{8}(-\d{8})?", text):
                    continue
                for part in text.split("-"):
                    try:
                        day = datetime.datetime.strptime(part, "%Y%m%d").date()
                    except ValueError:
                        continue
                    if day.year >= 1900:
                        yield f"{segment.id}{position:02d}", day


def _text_dates(text: str) -> Iterator[datetime.date]:
    for match in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})", text):
        yield datetime.date(*map(int, match.groups()))
    for match in re.finditer(r"\b(\d{2})/(\d{2})/(\d{4})\b", text):
        month, day, year = map(int, match.groups())
        yield datetime.date(year, month, day)
    for match in re.finditer(rf"\b({MONTHS}) (\d{{1,2}}), (\d{{4}})\b", text):
        yield datetime.datetime.strptime(" ".join(match.groups()), "%B %d %Y").date()


def test_nothing_in_the_demo_files_is_dated_after_as_of(demo_run: DemoRun) -> None:
    files = [p for p in demo_run.out.rglob("*") if p.is_file()]
    x12 = [p for p in files if p.suffix == ".x12"]
    assert {p.name.split("-")[0] for p in x12} >= {"837P", "999", "277CA", "835"}
    later: list[str] = []
    for path in x12:
        later += [f"{path.name} {where} {day}" for where, day in _x12_dates(path) if day > AS_OF]
    letters = [p for p in files if p.suffix == ".pdf"]
    assert letters, "the demo writes appeal letters"
    for path in letters:
        with pdfplumber.open(path) as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        # A statement's due date lies ahead by nature: the statement's day plus the practice's due days (21).
        ahead = DUE_DAYS if path.name.startswith("statements-") else datetime.timedelta(0)
        later += [f"{path.name} {day}" for day in _text_dates(text) if day - ahead > AS_OF]
    for path in [p for p in files if p.suffix in (".json", ".jsonl", ".toml")]:
        later += [f"{path.name} {day}" for day in _text_dates(path.read_text()) if day > AS_OF]
    assert not later, later[:20]


def test_nothing_in_the_demo_database_is_dated_after_as_of(demo_run: DemoRun) -> None:
    later: list[str] = []
    checked = 0
    with demo_run.database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if column.name in NOT_EVENTS or not isinstance(column.type, (Date, UTCDateTime)):
                    continue
                for (value,) in connection.execute(select(column).where(column.is_not(None))):
                    checked += 1
                    day = value.date() if isinstance(value, datetime.datetime) else value
                    if day > AS_OF:
                        later.append(f"{table.name}.{column.name} {value}")
    assert checked > 1000 and not later, sorted(set(later))[:20]


def test_every_x12_file_of_the_demo_passes_pyx12(demo_run: DemoRun, tmp_path: Path, eligibility_maps: Path) -> None:
    """What the simulated payer wrote (x12-received/: 999, 277CA, 835, 271) and what we sent it (837p/, and the
    270s in 837p/270/), with pyx12's maps and its 005010X279A1 pair (tests/pyx12_maps)."""
    received = sorted(p for p in (demo_run.out / "x12-received").rglob("*") if p.is_file())
    assert {p.name.split("-")[0] for p in received} == {"999", "277CA", "835", "271"}
    sent = sorted((demo_run.out / "837p").rglob("*.x12"))
    assert sent and any(p.parent.name == "270" for p in sent)
    copies = []
    for path in received + sent:  # x12valid writes its own 999 beside each file it reads: not in the demo's folder
        copies.append(tmp_path / f"{path.parent.name}-{path.name}")
        shutil.copy(path, copies[-1])
    validator = Path(sys.executable).parent / "x12valid"
    result = subprocess.run([str(validator), "--map-path", str(eligibility_maps), *map(str, copies)],
                            capture_output=True, text=True, timeout=600)
    verdicts = [line for line in result.stderr.splitlines() if line.endswith((": OK", ": Failure"))]
    assert len(verdicts) == len(copies) and all(v.endswith(": OK") for v in verdicts), "\n".join(
        [line for line in result.stderr.splitlines() if "ERROR" in line][:30])


def test_a_demo_folder_from_before_the_marker_is_known_by_its_summary(tmp_path: Path) -> None:
    from dermbill.synthetic.people import ORGANIZATION_NAME

    out = tmp_path / "var-demo"
    (out / "simulated-payer" / "received").mkdir(parents=True)
    (out / "simulated-payer" / "received" / "837P-D1-000000001.x12").write_text("ISA*...")
    (out / "summary.json").write_text(json.dumps({"organization": ORGANIZATION_NAME}))
    db = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        reset_demo(db, out)
    finally:
        db.dispose()
    assert list(out.iterdir()) == []
