"""`dermbill code --schema` / `scrub --schema` print the shipped schemas, and the demo's files feed back into the
commands: its encounters.jsonl codes with no error line, and gives what the demo's coded.jsonl holds."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from tests_paths import REPO_ROOT

from dermbill.cli.main import main
from dermbill.db.engine import open_database
from dermbill.db.migrate import upgrade
from dermbill.schemas import schema
from dermbill.services.demo import DemoOptions, build_demo


@pytest.mark.parametrize(("command", "name"), [("code", "encounter"), ("scrub", "claim")])
def test_schema_option_prints_the_shipped_schema(command: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed == schema(name)  # type: ignore[arg-type]


def test_code_without_a_file_or_schema_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code"]) == 2
    assert capsys.readouterr().err.startswith("error: Invalid value: give an encounter FILE")


def test_the_demos_encounters_feed_back_into_code_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(database)
    try:
        build_demo(database, DemoOptions(out_dir=tmp_path, as_of=datetime.date(2026, 11, 26), patients=12, seed=5,
                                         cycle=False))
    finally:
        database.dispose()
    encounters = (tmp_path / "encounters.jsonl").read_text().splitlines()
    assert len(encounters) > 20
    validator = jsonschema.Draft202012Validator(schema("encounter"), format_checker=jsonschema.FormatChecker())
    for line in encounters:
        validator.validate(json.loads(line))

    capsys.readouterr()
    assert main(["code", "--jsonl", str(tmp_path / "encounters.jsonl")]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(results) == len(encounters)
    assert [r for r in results if "error" in r] == []
    demo_coded = {(c["practice"], c["encounter_id"]): c
                  for c in map(json.loads, (tmp_path / "coded.jsonl").read_text().splitlines())}
    for record, result in zip(map(json.loads, encounters), results, strict=True):
        assert result["account_number"] == record["account_number"]
        assert {k: v for k, v in result.items() if k != "account_number"} == \
            demo_coded[(record["practice"], record["encounter_id"])]

    first = tmp_path / "one.json"
    first.write_text(encounters[0])
    assert main(["code", str(first), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == results[0]


def test_the_documented_examples_give_what_the_documents_show(capsys: pytest.CaptureFixture[str]) -> None:
    docs = REPO_ROOT / "docs"
    readme = (REPO_ROOT / "README.md").read_text()
    capsys.readouterr()
    assert main(["code", str(docs / "examples" / "encounter.json"), "--json"]) == 0
    coded = json.loads(capsys.readouterr().out)
    excision = coded["lines"][2]
    assert excision["code"] == "11642" and len(coded["lines"]) == 6
    for text in (readme, (docs / "encounter-format.md").read_text()):
        assert json.dumps(excision["explanation"]) in text and json.dumps(excision["diagnoses"]) in text
    assert json.dumps(coded["diagnoses"]) in readme

    claim_format = (docs / "claim-format.md").read_text()
    command = "$ dermbill scrub docs/examples/claim.json --json --as-of 2026-05-13"
    assert command in claim_format and command in readme
    shown = json.loads(claim_format.split(command)[1].split("```json")[1].split("```")[0])
    args = command.split()[2:]
    args[1] = str(REPO_ROOT / args[1])  # wherever the tests run from
    assert main(args) == 1  # not clean
    assert json.loads(capsys.readouterr().out) == shown
    assert all(json.dumps(finding["message"]) in readme for finding in shown["findings"][:1])
