"""Every command that takes a claim takes the claim number people see (and still the internal id); `scrub` exit
status: 0 clean, 1 an error finding, 2 input that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from era_world import add_claim, practice_world

from dermbill.cli.main import main
from dermbill.db.engine import open_database
from dermbill.db.migrate import upgrade

CLEAN_CLAIM = {"date_of_service": "2026-03-02", "payer": "medicare", "patient": {"age": 71, "sex": "F"},
               "billing_provider": {"npi": "1234567893", "taxonomy": "207N00000X"},
               "rendering_provider": {"npi": "1234567893"}, "place_of_service": "11", "diagnoses": ["C44.311"],
               "lines": [{"code": "11642", "units": 1, "modifiers": [], "diagnoses": [1], "charge": "610.00"}],
               "submitted_on": "2026-03-05"}
DIRTY_CLAIM = {**CLEAN_CLAIM, "diagnoses": ["C44.311", "L57.0"], "lines": [
    *CLEAN_CLAIM["lines"],  # type: ignore[list-item]
    {"code": "17000", "units": 1, "modifiers": [], "diagnoses": [2], "charge": "120.00"}]}


class Ran:
    """One run of the command in this process (the reference tables load once for the module)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], *args: str) -> None:
        capsys.readouterr()
        self.returncode = main(list(args))
        self.stdout, self.stderr = capsys.readouterr()

    def is_one_line_error(self, *fragments: str) -> bool:
        lines = self.stderr.splitlines()
        return (self.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: ")
                and all(fragment in lines[0] for fragment in fragments))


@pytest.fixture(scope="module")
def claims_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    """A SQLite database with two claims not yet sent: ERA-1 (clean) and ERA-2 (an NCCI pair without XS)."""
    path = tmp_path_factory.mktemp("claims") / "claims.db"
    database = open_database(f"sqlite:///{path}")
    upgrade(database)
    world = practice_world(database)
    clean = add_claim(world, [("99213", (), 11000)], submit=False)
    dirty = add_claim(world, [("11642", (), 61000), ("11102", (), 15000)], submit=False)
    database.dispose()
    return f"sqlite:///{path}", {clean.pcn: clean.id, dirty.pcn: dirty.id}


def test_claims_print_takes_the_claim_number_and_the_id(claims_db: tuple[str, dict[str, int]], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    url, ids = claims_db
    by_number = Ran(capsys, "claims", "print", "ERA-1", "era-2", "--out", str(tmp_path / "a.pdf"), "--db", url)
    assert by_number.returncode == 0, by_number.stderr
    assert "wrote 2 claim(s)" in by_number.stdout and (tmp_path / "a.pdf").stat().st_size > 0
    by_id = Ran(capsys, "claims", "print", str(ids["ERA-1"]), "--out", str(tmp_path / "b.pdf"), "--db", url,
                "--red-form")
    assert by_id.returncode == 0 and "wrote 1 claim(s)" in by_id.stdout
    unknown = Ran(capsys, "claims", "print", "D1E0000999", "--out", str(tmp_path / "c.pdf"), "--db", url)
    assert unknown.is_one_line_error("no claim D1E0000999; claim numbers look like ERA-1"), unknown.stderr
    assert not (tmp_path / "c.pdf").exists()


def test_scrub_claim_takes_the_claim_number_and_exits_1_when_it_is_dirty(
        claims_db: tuple[str, dict[str, int]], capsys: pytest.CaptureFixture[str]) -> None:
    url, ids = claims_db
    clean = Ran(capsys, "scrub", "--claim", "ERA-1", "--db", url, "--as-of", "2026-03-05", "--json")
    assert clean.returncode == 0, clean.stderr
    [outcome] = json.loads(clean.stdout)["claims"]
    assert (outcome["claim"], outcome["id"], outcome["status"]) == ("ERA-1", ids["ERA-1"], "ready")

    dirty = Ran(capsys, "scrub", "--claim", "ERA-2", "--db", url, "--as-of", "2026-03-05")
    assert dirty.returncode == 1, dirty.stderr
    assert "Claim ERA-2 (ERA)" in dirty.stdout and "ncci-ptp" in dirty.stdout and "status: scrub_errors" in dirty.stdout

    both = Ran(capsys, "scrub", "--claim", str(ids["ERA-1"]), "--claim", "ERA-2", "--db", url, "--as-of", "2026-03-05")
    assert both.returncode == 1 and "Scrubbed 2 claims: 1 ready, 1 with errors" in both.stdout
    assert Ran(capsys, "scrub", "--claim", "ERA-9", "--db", url).is_one_line_error("no claim ERA-9; claim numbers "
                                                                                   "look like ERA-1")


def test_scrub_of_a_file_exits_0_when_clean_1_when_dirty_2_when_unreadable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean, dirty = tmp_path / "clean.json", tmp_path / "dirty.json"
    clean.write_text(json.dumps(CLEAN_CLAIM))
    dirty.write_text(json.dumps(DIRTY_CLAIM))
    assert Ran(capsys, "scrub", str(clean), "--as-of", "2026-03-05").returncode == 0
    assert Ran(capsys, "scrub", str(clean), "--json", "--as-of", "2026-03-05").returncode == 0
    for args in ((str(dirty),), (str(dirty), "--json")):
        result = Ran(capsys, "scrub", *args, "--as-of", "2026-03-05")
        assert result.returncode == 1 and "ncci-ptp" in result.stdout and result.stderr == ""
    lines = tmp_path / "claims.jsonl"
    lines.write_text(json.dumps(CLEAN_CLAIM) + "\n" + json.dumps(CLEAN_CLAIM) + "\n")
    assert Ran(capsys, "scrub", "--jsonl", str(lines), "--as-of", "2026-03-05").returncode == 0
    lines.write_text(json.dumps(CLEAN_CLAIM) + "\n" + json.dumps(DIRTY_CLAIM) + "\n")
    assert Ran(capsys, "scrub", "--jsonl", str(lines), "--as-of", "2026-03-05").returncode == 1
    lines.write_text(json.dumps(CLEAN_CLAIM) + "\n{not json\n")
    unreadable_line = Ran(capsys, "scrub", "--jsonl", str(lines), "--as-of", "2026-03-05")
    assert unreadable_line.returncode == 1 and "line 2: not valid JSON" in unreadable_line.stdout
    assert Ran(capsys, "scrub", str(tmp_path / "missing.json")).is_one_line_error("cannot read")
    (tmp_path / "bad.json").write_text('{"date_of_service": "2026-03-02", "colour": "red"}')
    assert Ran(capsys, "scrub", str(tmp_path / "bad.json")).is_one_line_error("colour: is not a known field")
