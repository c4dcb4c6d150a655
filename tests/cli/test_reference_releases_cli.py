"""``dermbill reference update|changes|rescrub|bulletin`` as a person runs them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_next_release.py"


def build(out_dir: Path, quarter: str) -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("build_next_release", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifest: dict[str, object] = module.build_next_release(out_dir, quarter)
    return manifest


def test_update_changes_rescrub_and_bulletin(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/d.db"
    assert run("init", "--db", db).returncode == 0
    manifest = build(tmp_path / "release", "2026q4")
    loaded = run("reference", "update", str(tmp_path / "release"), "--db", db)
    assert loaded.returncode == 0, loaded.stderr
    assert "NCCI PTP edits 2026q4 (v323r0 f1): loaded" in loaded.stdout
    again = run("reference", "update", str(tmp_path / "release"), "--db", db)
    assert again.stdout.count("already loaded as revision 1; nothing stored") == 3
    changes = run("reference", "changes", "--from", "2026q3", "--to", "2026q4", "--json", "--db", db)
    assert changes.returncode == 0, changes.stderr
    reported = [c for r in json.loads(changes.stdout)["releases"] for c in r["changes"]]
    expected = manifest["changes"]
    assert isinstance(expected, list) and len(reported) == len(expected)
    for change in expected:
        assert [c for c in reported if all(c.get(k) == v for k, v in change.items())], change
    words = run("reference", "changes", "--from", "2026q3", "--to", "2026q4", "--db", db)
    assert "MUE for 17003: 13 -> 12 units per day (down)" in words.stdout
    rescrub = run("reference", "rescrub", "--json", "--db", db, "--as-of", "2026-12-01")
    assert json.loads(rescrub.stdout) == {"claims_changed": [], "held_encounters": []}
    bulletin = run("reference", "bulletin", "--from", "2026q3", "--to", "2026q4", "--out",
                   str(tmp_path / "b.pdf"), "--db", db)
    assert bulletin.returncode == 0 and (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")


def test_a_file_it_cannot_place_is_one_line_naming_what_it_expected(tmp_path: Path) -> None:
    (tmp_path / "fees.csv").write_text("code,fee\n")
    db = f"sqlite:///{tmp_path}/d.db"
    assert run("init", "--db", db).returncode == 0
    assert_one_line_error(run("reference", "update", str(tmp_path / "fees.csv"), "--db", db), "fees.csv",
                          "ccipra-vNNNrN-fN")


def test_a_period_it_cannot_read_is_one_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/d.db"
    assert run("init", "--db", db).returncode == 0
    assert_one_line_error(run("reference", "changes", "--from", "Q3", "--to", "2026q4", "--db", db), "2026q4",
                          "FY2027")


def test_training_modules_lists_the_modules_generated_from_a_release(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/d.db"
    assert run("init", "--db", db).returncode == 0
    build(tmp_path / "release", "2026q4")
    assert run("reference", "update", str(tmp_path / "release"), "--db", db).returncode == 0
    listed = run("training", "modules", "--from", "2026q3", "--to", "2026q4", "--json", "--db", db)
    assert listed.returncode == 0, listed.stderr
    shown = json.loads(listed.stdout)
    assert "coverage_ended" in {m["module"] for m in shown["modules"]}  # the other modules are still listed
    keys = [m["module"] for m in shown["release_modules"]]
    assert keys == ["release-2026q3-2026q4-coders", "release-2026q3-2026q4-front-desk-billers"]
    words = " ".join(run("training", "modules", "--from", "2026q3", "--to", "2026q4", "--db", db).stdout.split())
    assert ". From 2026q4, may 11400 and 11102 be billed for the same patient on the same day without a " \
           "modifier? (Yes / No)" in words
    assert "answer: Yes. NCCI edit removed" in words
    bulletin = run("reference", "bulletin", "--from", "2026q3", "--to", "2026q4", "--training", "--out",
                   str(tmp_path / "b.pdf"), "--db", db)
    assert bulletin.returncode == 0 and "with its training modules" in bulletin.stdout
    assert_one_line_error(run("training", "modules", "--from", "2026q3", "--db", db), "--from and --to")
