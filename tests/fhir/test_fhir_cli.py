"""`dermbill fhir export` and `dermbill fhir import` as a person runs them (in this process: quick)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir_world import empty_practice, paid_world
from migrated_databases import migrated_sqlite_url

from dermbill.cli.main import main
from dermbill.db.engine import open_database


def test_export_a_claim_then_import_it_elsewhere_with_a_dry_run_first(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    world = paid_world(database, tmp_path)
    empty_practice(database)
    database.dispose()
    exported = tmp_path / "claim.json"

    assert main(["fhir", "export", "--claim", world.claim.pcn, "--db", url, "--practice", "ERA",
                 "--out", str(exported)]) == 0
    assert "wrote 9 resources" in capsys.readouterr().out
    bundle = json.loads(exported.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert main(["fhir", "export", "--from", "2026-03-01", "--to", "2026-03-31", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out)["entry"][0]["resource"]["resourceType"] == "Patient"

    assert main(["fhir", "import", str(exported), "--db", url, "--practice", "NEW", "--dry-run",
                 "--as-of", "2026-04-03"]) == 0
    shown = capsys.readouterr().out
    assert "dry run: nothing saved" in shown and "patients: 1 created" in shown
    assert main(["fhir", "import", str(exported), "--db", url, "--practice", "NEW", "--json",
                 "--as-of", "2026-04-03"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["imported"] is True and outcome["visits"][0]["status"] == "recorded"
    assert outcome["visits"][0]["claim"].startswith("NEWE")


def test_bad_input_is_named_and_nothing_is_saved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = migrated_sqlite_url(tmp_path / "cli.db")
    database = open_database(url)
    empty_practice(database)
    database.dispose()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p1", "birthDate": "1950-13-01"}}]}), encoding="utf-8")

    assert main(["fhir", "import", str(bad), "--db", url]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors[0].startswith("error: Patient/p1.birthDate: ")
    assert "nothing was imported" in errors[-1]
    assert main(["fhir", "export", "--db", url]) == 2
    assert "give --claim NUMBER, or --from DATE and --to DATE" in capsys.readouterr().err
    assert main(["fhir", "export", "--claim", "NOPE-1", "--db", url]) == 2
    assert "no claim NOPE-1" in capsys.readouterr().err
