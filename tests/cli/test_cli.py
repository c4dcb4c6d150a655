"""The `dermbill` command as a person runs it: one clear line and exit 2 for bad input, never a traceback."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run

from dermbill import __version__


def test_unknown_database_kind_is_one_line_and_exit_2() -> None:
    assert_one_line_error(run("--db", "nosuch://x", "init"), "nosuch", "sqlite:///")


@pytest.mark.parametrize(("url", "fragment"), [
    ("not a url", "is not a database URL"),
    ("postgresql+psycopg2://u@h/db", "driver 'psycopg2' is not supported"),
    ("mysql://u@h/db", "unsupported database 'mysql'"),
    ("postgresql+psycopg://postgres@127.0.0.1:1/test", "cannot connect to the database"),
    ("sqlite:////proc/no/such/dir/x.db", "cannot create the folder"),
])
def test_bad_database_urls_are_explained(url: str, fragment: str) -> None:
    assert_one_line_error(run("init", "--db", url), fragment)


def test_unknown_option_is_one_line_and_exit_2() -> None:
    assert_one_line_error(run("init", "--bogus"), "No such option", "--bogus")


def test_unknown_command_and_bad_values_are_one_line() -> None:
    assert_one_line_error(run("frobnicate"), "frobnicate")
    assert_one_line_error(run("demo", "--patients", "zero"), "--patients")
    assert_one_line_error(run("demo", "--as-of", "26/11/2026", "--db", "sqlite:///:memory:"), "--as-of")


def test_unwritable_out_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("demo", "--db", f"sqlite:///{tmp_path}/d.db", "--out", str(blocker / "out"), "--patients", "5")
    assert_one_line_error(result, "cannot write demo files")


def test_version_and_help() -> None:
    assert run("--version").stdout.strip() == f"dermbill {__version__}"
    result = run()
    assert result.returncode == 0 and "init" in result.stdout and "demo" in result.stdout


def test_demo_command_prints_its_summary_and_where_the_files_are(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("demo", "--db", f"sqlite:///{tmp_path}/demo.db", "--out", str(out), "--patients", "40",
                 "--as-of", "2026-11-26", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert "40 patients, 104 encounters" in result.stdout
    assert re.search(r"^Front desk: \d+ upcoming visits booked \(2026-11-27 to ", result.stdout, re.M)
    assert re.search(r"^Training: \d+ module\(s\) assigned to \d+ staff member\(s\) from the \d+ denials",
                     result.stdout, re.M), result.stdout
    assert f"Wrote {out / 'encounters.jsonl'}" in result.stdout
    assert len((out / "encounters.jsonl").read_text().splitlines()) == 104
    again = run("demo", "--db", f"sqlite:///{tmp_path}/demo.db", "--out", str(out), "--patients", "40")
    assert_one_line_error(again, "already holds the demo", "--reset")
    # the reset deletes the 40 patients' demo whatever the size of the one built after it (a small one: quicker)
    reset = run("demo", "--db", f"sqlite:///{tmp_path}/demo.db", "--out", str(out), "--patients", "5", "--reset",
                "--as-of", "2026-11-26")
    assert reset.returncode == 0 and "reset: deleted all data" in reset.stdout
    assert "5 patients" in reset.stdout


def test_database_url_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    env = dict(os.environ, DERMBILL_DATABASE_URL=f"sqlite:///{tmp_path}/env.db")
    result = subprocess.run([sys.executable, "-m", "dermbill", "init"], capture_output=True, text=True, env=env)
    assert result.returncode == 0 and str(tmp_path / "env.db") in result.stdout
    assert (tmp_path / "env.db").exists()


def test_default_database_is_sqlite_under_var(tmp_path: Path) -> None:
    result = run("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "dermbill.db").exists()


def test_an_unexpected_failure_shows_a_reference_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from dermbill.cli import main as cli

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("dermbill.services.schema.initialize_schema", explode)
    assert cli.main(["init", "--db", f"sqlite:///{tmp_path}/x.db"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: something went wrong (ref ") and "Traceback" not in err
    assert "RuntimeError" in (tmp_path / "var" / "log" / "dermbill-errors.log").read_text()


def test_code_prints_a_table_and_json(tmp_path: Path) -> None:
    doc = tmp_path / "enc.json"
    doc.write_text('{"date_of_service": "2026-04-14", "payer": "medicare", "patient": {"age": 71, "sex": "M"},'
                   ' "visit": null, "lesions": [{"id": "A", "site": "forearm", "laterality": "left",'
                   ' "diagnosis": "neoplasm_unspecified_behavior", "pathology": "bcc", "diameter_cm": 0.6,'
                   ' "procedures": [{"type": "biopsy", "technique": "tangential"}]}], "services": []}')
    table = run("code", str(doc))
    assert table.returncode == 0 and "11102" in table.stdout and "C44.619" in table.stdout
    as_json = run("code", str(doc), "--json")
    import json

    result = json.loads(as_json.stdout)
    assert [line["code"] for line in result["lines"]] == ["11102"]
    assert set(result) == {"lines", "diagnoses", "holds", "warnings"}


def test_code_jsonl_keeps_going_past_a_bad_line(tmp_path: Path) -> None:
    import json

    good = ('{"date_of_service": "2026-07-21", "payer": "commercial", "patient": {"age": 44, "sex": "F"},'
            ' "lesions": [], "services": [{"type": "phototherapy", "modality": "uvb", "diagnoses": ["psoriasis"]}]}')
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join([good, "{not json", '{"date_of_service": "2026-07-21"}', good]) + "\n")
    result = run("code", "--jsonl", str(source))
    assert result.returncode == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4
    assert rows[0]["lines"][0]["code"] == "96900" and rows[3] == rows[0]
    assert rows[1]["error"].startswith("line 2: not valid JSON")
    assert rows[2]["error"].startswith("line 3: ") and "payer" in rows[2]["error"]


def test_code_errors_are_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run("code", str(tmp_path / "missing.json")), "cannot read", "no such file")
    bad = tmp_path / "bad.json"
    bad.write_text('{"date_of_service": "2026-07-21", "payer": "medicare", "patient": {"age": 44, "sex": "F"},'
                   ' "lesions": [{"id": "A", "site": "nose tip", "diagnosis": "bcc", "procedures": []}]}')
    assert_one_line_error(run("code", str(bad)), "lesions[0].site: 'nose tip' is not a site; did you mean 'nose'?")


def test_reference_load_icd10cm_then_list(tmp_path: Path) -> None:
    source = tmp_path / "icd10cm-codes-2027.txt"
    source.write_text("C44619  Basal cell carcinoma of skin of left upper limb\nL570    Actinic keratosis\n")
    env = dict(os.environ, DERMBILL_REFERENCE_DIR=str(tmp_path / "ref"))
    loaded = subprocess.run([sys.executable, "-m", "dermbill", "reference", "load-icd10cm", str(source)],
                            capture_output=True, text=True, env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "FY2027" in loaded.stdout and "2026-10-01 to 2027-09-30" in loaded.stdout
    listed = subprocess.run([sys.executable, "-m", "dermbill", "reference", "list"], capture_output=True, text=True,
                            env=env)
    assert "FY2026" in listed.stdout and "FY2027" in listed.stdout


CLAIM = ('{"date_of_service": "2026-03-02", "payer": "medicare", "patient": {"age": 71, "sex": "F"},'
         ' "billing_provider": {"npi": "1234567893", "taxonomy": "207N00000X"}, "rendering_provider": {"npi":'
         ' "1234567893"}, "place_of_service": "11", "diagnoses": ["C44.311", "L57.0"], "lines": [{"code": "11642",'
         ' "units": 1, "modifiers": [], "diagnoses": [1], "charge": "610.00"}, {"code": "17000", "units": 1,'
         ' "modifiers": [], "diagnoses": [2], "charge": "120.00"}], "submitted_on": "2026-03-05"}')


def test_scrub_a_claim_file_as_table_and_json(tmp_path: Path) -> None:
    import json

    claim = tmp_path / "claim.json"
    claim.write_text(CLAIM)
    table = run("scrub", str(claim))
    assert table.returncode == 1 and "ncci-ptp" in table.stdout and "XS" in table.stdout  # 1: not clean
    result = json.loads(run("scrub", str(claim), "--json").stdout)
    assert result["clean"] is False
    assert [(f["rule"], f["lines"]) for f in result["findings"]] == [("ncci-ptp", [1, 2])]


def test_scrub_jsonl_keeps_going_past_a_bad_line(tmp_path: Path) -> None:
    import json

    claims = tmp_path / "claims.jsonl"
    claims.write_text("\n".join([CLAIM, "[1, 2]", CLAIM.replace('"modifiers": [], "diagnoses": [2]',
                                                                 '"modifiers": ["XS"], "diagnoses": [2]')]) + "\n")
    rows = [json.loads(line) for line in run("scrub", "--jsonl", str(claims)).stdout.splitlines()]
    assert [r.get("clean") for r in rows] == [False, None, True]
    assert rows[1]["error"].startswith("line 2: ")


def test_scrub_stored_claims_of_the_demo(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/demo.db"
    assert run("demo", "--db", db, "--out", str(tmp_path / "out"), "--patients", "30", "--as-of",
               "2026-11-26").returncode == 0
    result = run("scrub", "--db", db, "--all", "--as-of", "2026-11-26")
    assert "Scrubbed" in result.stdout
    assert result.returncode == (0 if " 0 with errors" in result.stdout else 1), result.stdout  # 1: a dirty claim
    assert_one_line_error(run("scrub", "--db", db, "--claim", "D1E9999999"), "no claim D1E9999999; claim numbers "
                                                                             "look like D1E")
    assert_one_line_error(run("scrub"), "give a claim FILE")


def test_a_rejected_claim_is_held_until_changed_or_approved_from_the_command_line(tmp_path: Path) -> None:
    import datetime
    import json

    from sqlalchemy import select

    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.db.models import AuditEventRow, ClaimRow, CoverageRow
    from dermbill.db.repositories import UnitOfWork
    from dermbill.services.demo import DemoOptions, build_demo
    from dermbill.services.demo_cycle import set_up_simulated_payer, simulated_payer_config
    from dermbill.services.transmission import submit_claims, sync

    as_of, now = "2026-11-26", datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC)
    db = f"sqlite:///{tmp_path}/rejected.db"
    database = open_database(db)
    try:
        upgrade(database)
        build_demo(database, DemoOptions(out_dir=tmp_path / "out", as_of=datetime.date.fromisoformat(as_of),
                                         patients=8, seed=3, cycle=False))
        set_up_simulated_payer(database, tmp_path / "out" / "simulated-payer", 3)
        with UnitOfWork(database, actor="test") as uow:  # two member IDs keyed wrongly at the front desk
            claims = uow.session.scalars(select(ClaimRow).where(ClaimRow.status == "ready")
                                         .order_by(ClaimRow.id)).all()
            mis_keyed = {}
            for claim in claims:
                if claim.coverage_id is None or claim.coverage_id in mis_keyed.values():
                    continue
                coverage = uow.practice(claim.practice_id).get(CoverageRow, claim.coverage_id)
                coverage.member_id = "WRONG" + coverage.member_id
                mis_keyed[claim.patient_control_number] = claim.coverage_id
                if len(mis_keyed) == 2:
                    break
            uow.commit()
        config = simulated_payer_config(tmp_path / "out")
        submit_claims(database, config, tmp_path / "outbox", now=now)
        sync(database, config, tmp_path / "inbox", now=now)
        with UnitOfWork(database, actor="test") as uow:
            rejected = {row.patient_control_number: row.id for row in uow.session.scalars(
                select(ClaimRow).where(ClaimRow.status == "rejected"))}
    finally:
        database.dispose()
    assert set(mis_keyed) <= set(rejected)

    scrubbed = run("scrub", "--db", db, "--all", "--as-of", as_of)
    assert scrubbed.returncode == 1, scrubbed.stderr  # the rejected claims have an error: rejected-unchanged
    assert f"({len(rejected)} rejected and not changed since: kept in the fix queue)" in scrubbed.stdout
    queue = json.loads(run("claims", "fix-queue", "--db", db, "--json").stdout)["items"]
    assert sorted(item["claim"] for item in queue) == sorted(rejected)
    assert_one_line_error(run("scrub", "--db", db, "--all", "--resubmit-unchanged", "--as-of", as_of),
                          "--resubmit-unchanged", "--claim")

    first = sorted(rejected)[0]
    approved = run("scrub", "--db", db, "--claim", first, "--resubmit-unchanged", "--by", "pat",
                   "--as-of", as_of)
    assert approved.returncode == 0, approved.stderr
    assert "recorded as pat" in approved.stdout and "status: ready" in approved.stdout
    left = json.loads(run("claims", "fix-queue", "--db", db, "--json").stdout)["items"]
    assert sorted(item["claim"] for item in left) == sorted(rejected)[1:]
    database = open_database(db)
    try:
        with UnitOfWork(database, actor="test") as uow:
            assert [(e.actor, e.entity_id) for e in uow.session.scalars(select(AuditEventRow).where(
                AuditEventRow.action == "claim.resubmit_unchanged"))] == [("pat", rejected[first])]
    finally:
        database.dispose()


def test_the_error_log_holds_no_password_no_phi_and_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from dermbill.cli import main as cli

    patient = {"name": "Jane Roe", "birth_date": "1951-02-03"}

    def explode(url: str) -> None:
        raise RuntimeError(f"patient {patient['name']} born {patient['birth_date']} at {url}")

    log_dir = tmp_path / "private" / "logs"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DERMBILL_LOG_DIR", str(log_dir))
    monkeypatch.setattr("dermbill.services.schema.connect", explode)
    url = "postgresql+psycopg://user:s3cret@db.example:5432/bill?sslmode=require&password=an0ther"
    assert cli.main(["init", "--db", url]) == 1
    assert str(log_dir) in capsys.readouterr().err
    log = log_dir / "dermbill-errors.log"
    text = log.read_text()
    assert "s3cret" not in text and "an0ther" not in text
    assert "user:***@db.example" in text and "init" in text and "--db" in text
    assert "Jane Roe" not in text and "1951" not in text  # exception values may carry patient data
    assert "RuntimeError" in text and "Traceback" in text and "explode" in text
    assert not (tmp_path / "var").exists()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700


def test_an_existing_error_log_is_made_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dermbill.cli import main as cli

    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DERMBILL_LOG_DIR", raising=False)
    (tmp_path / "var" / "log").mkdir(parents=True)
    old = tmp_path / "var" / "log" / "dermbill-errors.log"
    old.write_text("older entry\n")
    old.chmod(0o644)
    monkeypatch.setattr("dermbill.services.schema.initialize_schema", explode)
    assert cli.main(["init", "--db", f"sqlite:///{tmp_path}/x.db"]) == 1
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    assert old.read_text().startswith("older entry\n")


@pytest.mark.parametrize(("argv", "shown", "hidden"), [
    (["era", "post", "/data/Jane_Roe_835.txt", "--db", "postgresql://u:pw1@h/db"],
     "era post <value> --db postgresql://u:***@h/db", ["Jane", "pw1"]),
    (["--db=sqlite:///var/x.db", "clearinghouse", "sync", "--password", "hunter2", "--token=abc"],
     "--db=sqlite:///var/x.db clearinghouse sync --password <value> --token=<value>", ["hunter2", "abc"]),
    (["x", "sftp://me:pass@host/in?password=pw2&user=me"], "<value> sftp://me:***@host/in?password=***&user=me",
     ["pass@", "pw2"]),
])
def test_logged_arguments_keep_commands_and_options_and_redact_values(argv: list[str], shown: str,
                                                                      hidden: list[str]) -> None:
    from dermbill.cli.redaction import redact_argv

    logged = redact_argv(argv, commands={"era", "post", "clearinghouse", "sync", "init"})
    assert logged == shown
    assert not any(secret in logged for secret in hidden)


def test_a_logged_traceback_keeps_the_chain_and_the_code_path_but_no_message() -> None:
    from dermbill.cli.redaction import redacted_traceback

    member_id = "MBR" + "77123"

    def lookup() -> None:
        raise KeyError(member_id)

    try:
        try:
            lookup()
        except KeyError as inner:
            raise ValueError(f"no claim for {member_id}") from inner
    except ValueError as outer:
        logged = redacted_traceback(outer)
    assert member_id not in logged
    assert logged.index("builtins.KeyError") < logged.index("direct cause") < logged.index("builtins.ValueError")
    assert "in lookup" in logged
