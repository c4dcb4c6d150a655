"""The clock: dermbill reads it in one place (dermbill/clock.py), and DERMBILL_TODAY moves "today" for a whole run."""

from __future__ import annotations

import ast
import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run

from dermbill import clock
from dermbill.core.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[1]
CLOCK_MODULE = ROOT / "dermbill" / "clock.py"
# Calls that read the machine's clock: date.today(), datetime.now(), datetime.utcnow(), time.time(), and SQL's
# now()/current_date (the database server's clock is no better than ours).
CLOCK_METHODS = {"today", "now", "utcnow", "current_date", "current_timestamp", "localtimestamp"}
TIME_FUNCTIONS = {"time", "time_ns", "localtime", "gmtime", "ctime", "asctime"}


def clock_reads(path: Path, root: Path = ROOT) -> list[str]:
    """Where a Python file reads the clock itself, as 'file:line: call'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) \
            else ""
        if owner_name == "clock":
            continue  # dermbill.clock: the one reader
        if node.func.attr in CLOCK_METHODS or (owner_name == "time" and node.func.attr in TIME_FUNCTIONS):
            found.append(f"{path.relative_to(root)}:{node.lineno}: {owner_name}.{node.func.attr}()")
    return found


def test_the_package_and_the_tests_read_the_clock_only_through_dermbill_clock() -> None:
    files = [p for folder in ("dermbill", "tests") for p in sorted((ROOT / folder).rglob("*.py"))
             if p not in (CLOCK_MODULE, Path(__file__).resolve())]
    assert len(files) > 100
    assert [read for path in files for read in clock_reads(path)] == []


def test_the_guard_sees_the_ways_code_reads_the_clock(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime, time\nfrom sqlalchemy import func\n"
                      "a = datetime.date.today()\nb = datetime.datetime.now(datetime.UTC)\nc = time.time()\n"
                      "d = func.now()\ne = clock.today()\nf = time.monotonic()\n")
    assert clock_reads(sample, tmp_path) == ["sample.py:3: date.today()", "sample.py:4: datetime.now()",
                                             "sample.py:5: time.time()", "sample.py:6: func.now()"]


# Imports every module that each file imports (anywhere in it, with the file's folder on the path, as pytest
# does) and prints the first file after whose imports dermbill.clock is loaded, or that runs the command.
FIRST_TO_REACH_THE_CLOCK = """
import ast, importlib, sys
sys.path.insert(0, sys.argv[1])  # the tests folder, where the shared helpers are
for name in sys.argv[2:]:
    source = open(name).read()
    tree = ast.parse(source)
    sys.path.insert(0, name.rsplit("/", 1)[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            modules = [node.module]
        else:
            continue
        for module in modules:
            importlib.import_module(module)
    if "dermbill.clock" in sys.modules or "cli_helpers" in sys.modules or '"-m", "dermbill"' in source:
        print(name)
        break
"""


def left_out_of_make_test_ahead() -> list[Path]:
    """The test files (and conftest.py files) outside the Makefile's CLOCK_TESTS."""
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("CLOCK_TESTS ?="))
    ahead = [ROOT / part for part in line.split("?=", 1)[1].split()]
    return [path for path in sorted((ROOT / "tests").rglob("*.py"))
            if path.name.startswith("test_") or path.name == "conftest.py"
            if not any(path == a or a in path.parents for a in ahead)]


def test_the_tests_make_test_ahead_leaves_out_cannot_reach_the_clock() -> None:
    left_out = left_out_of_make_test_ahead()
    assert ROOT / "tests" / "core" / "test_money.py" in left_out and Path(__file__).resolve() not in left_out
    result = subprocess.run([sys.executable, "-c", FIRST_TO_REACH_THE_CLOCK, str(ROOT / "tests"),
                             *map(str, left_out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "", f"{result.stdout.strip()} reaches dermbill.clock: add it to CLOCK_TESTS in the Makefile"


def test_dermbill_today_sets_the_date_and_the_time_of_day_still_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.TODAY_VARIABLE, "2031-02-28")
    assert clock.today() == datetime.date(2031, 2, 28)
    now = clock.utc_now()
    assert now.date() == datetime.date(2031, 2, 28) and now.utcoffset() == datetime.timedelta(0)
    assert clock.utc_now() >= now


def test_without_dermbill_today_the_clock_is_the_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.TODAY_VARIABLE, raising=False)
    before = datetime.datetime.now(datetime.UTC)
    now = clock.utc_now()
    assert before <= now <= datetime.datetime.now(datetime.UTC) and now.tzinfo is not None
    assert clock.today() in (before.astimezone().date(), datetime.date.today())


def test_a_bad_dermbill_today_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.TODAY_VARIABLE, "28/02/2031")
    with pytest.raises(InvalidInput, match=r"DERMBILL_TODAY='28/02/2031' is not a date: give YYYY-MM-DD"):
        clock.today()
    with pytest.raises(InvalidInput, match="DERMBILL_TODAY"):
        clock.utc_now()


def test_the_commands_default_as_of_is_dermbill_today(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv(clock.TODAY_VARIABLE, "2031-03-03")
    result = run("demo", "--db", db, "--out", str(tmp_path / "out"), "--patients", "1")
    assert result.returncode == 0, result.stderr
    assert "from 2030-12-03 to 2031-03-02" in result.stdout  # the three months up to yesterday
    monkeypatch.setenv(clock.TODAY_VARIABLE, "someday")
    assert_one_line_error(run("denials", "list", "--db", db), "DERMBILL_TODAY='someday' is not a date")


@pytest.mark.pinned_today(datetime.date(2031, 2, 3))
def test_a_test_marked_pinned_today_runs_on_that_day() -> None:
    # tests/conftest.py names the variable instead of importing the clock: the two names must agree.
    assert f'TODAY_VARIABLE = "{clock.TODAY_VARIABLE}"' in (ROOT / "tests" / "conftest.py").read_text()
    assert clock.today() == datetime.date(2031, 2, 3)
