"""`dermbill code --note FILE` and `dermbill code --note --jsonl FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dermbill.cli.main import main

NOTE = "DOS: 2026-05-04   76 yo M   Medicare\nCryotherapy of 3 AKs on the scalp. Will schedule Mohs for the nose BCC.\n"


def test_note_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    assert main(["code", "--note", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(line["code"], line["units"]) for line in data["codes"]["lines"]] == [("17000", 1), ("17003", 2)]
    assert data["encounter"]["date_of_service"] == "2026-05-04"
    assert {i["reason"] for i in data["ignored"]} == {"planned"}
    assert all(NOTE[f["start"]:f["end"]] == f["quote"] for f in data["facts"])


def test_note_human_output_lists_codes_gaps_and_ignored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "note.txt"
    path.write_text(NOTE + "Excision of SCC, R forearm, 1.0 cm lesion. Simple closure 3 cm.\n")
    assert main(["code", "--note", str(path)]) == 0
    out = capsys.readouterr().out
    assert "17000" in out and "Documentation gaps" in out and "margins not documented" in out
    assert "planned:" in out


def test_options_override_the_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    assert main(["code", "--note", str(path), "--json", "--payer", "commercial", "--dos", "2026-05-05",
                 "--age", "60", "--sex", "F"]) == 0
    encounter = json.loads(capsys.readouterr().out)["encounter"]
    assert (encounter["payer"], encounter["date_of_service"], encounter["patient"]) == \
        ("commercial", "2026-05-05", {"age": 60, "sex": "F"})


def test_jsonl_gives_one_result_per_line_and_errors_with_line_numbers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "n1", "note": "Cryotherapy of 3 AKs on scalp.", "dos": "2026-05-01", "payer": "medicare",
                    "age": 70, "sex": "M"}),
        "not json",
        json.dumps({"note": 5}),
        json.dumps({"note": "Punch biopsy of a 0.4 cm papule, R thigh.", "dos": "2026-05-01"}),
    ]) + "\n")
    assert main(["code", "--note", "--jsonl", str(path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4
    assert rows[0]["id"] == "n1" and rows[0]["codes"]["lines"][0]["code"] == "17000"
    assert rows[1]["error"].startswith("line 2:")
    assert rows[2]["error"].startswith("line 3:")
    assert rows[3]["codes"]["lines"][0]["code"] == "11104"


def test_bad_option_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "note.txt"
    path.write_text(NOTE)
    assert main(["code", "--note", str(path), "--payer", "blue"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "payer" in err
