"""Loading CMS releases into the database, what changed between periods, and acting on it (issue 20)."""

from __future__ import annotations

import datetime
import importlib.util
import io
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from era_world import DOS, add_claim, practice_world
from sqlalchemy import select

from dermbill.core.errors import InvalidInput
from dermbill.core.releases import ReleaseKind, engine_codes_deleted
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, EncounterRow, ReferenceReleaseRow
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.release_files import shipped_releases
from dermbill.services.reference_releases import (
    LoadOutcome,
    engine_icd10_codes,
    held_encounters_with_deleted_codes,
    release_bulletin,
    release_changes,
    release_training,
    rescrub_unsent_claims,
    tables_in_force,
    update_releases,
    write_release_bulletin,
)
from dermbill.services.scrubbing import scrub_stored_claims

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_next_release.py"
AS_OF = datetime.date(2026, 12, 1)


def build_next_release(out_dir: Path, quarter: str) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("build_next_release", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    manifest: dict[str, Any] = module.build_next_release(out_dir, quarter)
    return manifest


def test_update_then_changes_reports_exactly_the_changes_made(database: Database, tmp_path: Path) -> None:
    manifest = build_next_release(tmp_path / "release", "2026q4")
    outcomes = update_releases(database, [tmp_path / "release"])
    assert sorted((o.kind, o.period, o.revision, o.outcome) for o in outcomes) == [
        ("mue", "2026q4", 1, "loaded"), ("ptp", "2026q4", 1, "loaded"), ("rvu", "2026q4", 1, "loaded")]
    report = release_changes(database, "2026q3", "2026q4", as_of=AS_OF).as_dict()
    reported = [c for release in report["releases"] for c in release["changes"]]
    expected = manifest["changes"]
    assert len(reported) == len(expected)
    for change in expected:  # each change made is reported once, with the values the manifest gives
        assert [c for c in reported if all(c.get(k) == v for k, v in change.items())] != [], change
    assert [r["kind"] for r in report["releases"] if r["changes"]] == ["ptp", "mue", "rvu"]
    assert report["engine_codes_missing"] == []


def test_the_same_content_again_stores_nothing_and_other_content_is_a_revision(database: Database,
                                                                               tmp_path: Path) -> None:
    build_next_release(tmp_path / "release", "2026q4")
    update_releases(database, [tmp_path / "release"])
    [again] = update_releases(database, [tmp_path / "release" / "PPRRVU26_OCT.csv"])
    assert (again.outcome, again.revision) == ("unchanged", 1)
    assert "already loaded as revision 1" in again.message
    corrected = tmp_path / "corrected" / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
    corrected.parent.mkdir()
    text = (tmp_path / "release" / corrected.name).read_text()
    corrected.write_text(text.replace("17311,4,", "17311,5,"))
    [revised] = update_releases(database, [corrected])
    assert (revised.outcome, revised.revision) == ("revision", 2)
    with database.sessions() as session:
        rows = session.execute(select(ReferenceReleaseRow.kind, ReferenceReleaseRow.revision)
                               .order_by(ReferenceReleaseRow.kind, ReferenceReleaseRow.revision)).all()
    assert [tuple(r) for r in rows] == [("mue", 1), ("mue", 2), ("ptp", 1), ("rvu", 1)]
    # the newest revision answers
    mue = tables_in_force(database).coding.mue.value("17311", on=datetime.date(2026, 10, 1))
    assert mue is not None and mue.units == 5
    changed = release_changes(database, "2026q3", "2026q4", as_of=AS_OF).as_dict()["releases"][1]["changes"]
    assert {c["code"] for c in changed} == {"17003", "17311", "96567", "J7345"}


def test_a_file_that_cannot_be_placed_refuses_the_update_and_stores_nothing(database: Database,
                                                                            tmp_path: Path) -> None:
    build_next_release(tmp_path / "release", "2026q4")
    (tmp_path / "release" / "fees.csv").write_text("code,fee\n11102,95.75\n")
    with pytest.raises(InvalidInput, match="fees.csv: cannot tell which CMS release this is; expected one of"):
        update_releases(database, [tmp_path / "release"])
    with database.sessions() as session:
        assert session.scalars(select(ReferenceReleaseRow)).all() == []


def test_lookups_by_date_of_service_use_the_release_in_force(database: Database, tmp_path: Path) -> None:
    build_next_release(tmp_path / "release", "2026q4")
    update_releases(database, [tmp_path / "release"])
    ptp = tables_in_force(database).coding.ptp
    before = ptp.edit_between("11104", "11102", on=datetime.date(2026, 9, 30))
    after = ptp.edit_between("11104", "11102", on=datetime.date(2026, 10, 1))
    assert before is not None and before.modifier_indicator == "0"
    assert after is not None and after.modifier_indicator == "1"
    assert ptp.edit_between("11400", "11102", on=datetime.date(2026, 10, 1)) is None
    assert ptp.edit_between("11400", "11102", on=datetime.date(2026, 9, 30)) is not None


def test_changes_for_a_practice_keep_its_codes_and_weigh_the_fee_at_its_volume(database: Database,
                                                                               tmp_path: Path) -> None:
    world = practice_world(database)
    add_claim(world, [("11102", (), 15000), ("11104", (), 15000)])
    add_claim(world, [("11102", (), 15000)])
    build_next_release(tmp_path / "release", "2026q1")
    update_releases(database, [tmp_path / "release"])
    report = release_changes(database, "2025q4", "2026q1", practice="ERA", as_of=AS_OF.replace(month=6))
    changes = [c.as_dict() for c in report.changes]
    assert [(c["change"], c.get("column1"), c.get("code")) for c in changes] == [
        ("ptp_indicator_changed", "11104", None), ("rvu_changed", None, "11102")]
    assert changes[1]["volume"] == 2 and changes[1]["fee_effect"] == "2.58"  # 2 units x $1.29


def test_unsent_claims_are_rescrubbed_and_those_whose_findings_changed_listed(database: Database,
                                                                              tmp_path: Path) -> None:
    world = practice_world(database)
    bundled = add_claim(world, [("17311", (), 60000), ("17000", (), 9000)], submit=False)  # a new edit
    freed = add_claim(world, [("11400", (), 20000), ("11102", (), 15000)], submit=False)  # an edit deleted
    add_claim(world, [("11200", (), 12000)], submit=False)  # no change touches it
    add_claim(world, [("17311", (), 60000), ("17000", (), 9000)], submit=True)  # sent: left alone
    scrub_stored_claims(database, everything=True, as_of=DOS)
    build_next_release(tmp_path / "release", "2026q1")
    update_releases(database, [tmp_path / "release"])
    changed = rescrub_unsent_claims(database, as_of=DOS)
    assert sorted(c.claim for c in changed) == sorted([bundled.pcn, freed.pcn])
    by_claim = {c.claim: c for c in changed}
    assert any(f.startswith("ncci-ptp") for f in by_claim[bundled.pcn].findings_added)
    assert any(f.startswith("ncci-ptp") for f in by_claim[freed.pcn].findings_removed)
    assert rescrub_unsent_claims(database, as_of=DOS) == []  # scrubbed against the same releases: nothing new


def test_held_encounters_coded_with_a_deleted_icd10cm_code_are_flagged(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        encounter = repo.rows(EncounterRow)[0]
        encounter.status = "held"
        encounter.documentation = {"lesions": [{"id": "A", "diagnosis": "L82.1", "pathology": "pending"}]}
        uow.commit()
    codes = tmp_path / "icd10cm_codes_2026.txt"
    codes.write_text("L821    Other seborrheic keratosis\nL570    Actinic keratosis\n")
    update_releases(database, [codes])
    assert held_encounters_with_deleted_codes(database) == []
    codes.write_text("L8210   Seborrheic keratosis, face\nL8211   Seborrheic keratosis, elsewhere\n")
    update_releases(database, [codes])  # a corrected FY2026 file: revision 2 answers
    [flagged] = held_encounters_with_deleted_codes(database)
    assert flagged.deleted_codes == ("L82.1",) and flagged.date_of_service == DOS
    with database.sessions() as session:
        assert session.scalars(select(ClaimRow)).all() == []


def test_the_coding_engine_produces_no_code_the_shipped_icd10cm_release_deletes() -> None:
    [icd] = [r for r in shipped_releases() if r.kind is ReleaseKind.ICD10CM]
    assert engine_codes_deleted(icd, engine_icd10_codes()) == []


def test_a_release_deleting_an_engine_code_shows_it_in_the_report(database: Database, tmp_path: Path) -> None:
    engine = sorted(engine_icd10_codes())
    kept = "\n".join(code.replace(".", "") for code in engine if code != "C44.311")
    (tmp_path / "icd10cm_codes_2027.txt").write_text(kept + "\n")
    update_releases(database, [tmp_path / "icd10cm_codes_2027.txt"])
    report = release_changes(database, "2026q3", "FY2027", as_of=AS_OF)
    assert report.engine_codes_missing == ("C44.311",)
    deleted = [c for c in report.changes if c.as_dict()["change"] == "code_deleted" and
               c.as_dict()["code"] == "C44.311"]
    assert deleted and "the coding engine still suggests it" in deleted[0].describe()
    assert "site table entries that must follow" in deleted[0].describe()


def test_the_bulletin_pdf_reads_back_its_changes(database: Database, tmp_path: Path) -> None:
    build_next_release(tmp_path / "release", "2026q4")
    update_releases(database, [tmp_path / "release"])
    report = release_changes(database, "2026q3", "2026q4", as_of=AS_OF)
    target = write_release_bulletin(report, tmp_path / "bulletin.pdf")
    with pdfplumber.open(io.BytesIO(target.read_bytes())) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages)
    text = " ".join(text.split())
    assert "Reference changes 2026q3 to 2026q4" in text
    for change in report.changes:
        assert change.describe() in text, change.describe()
    with pytest.raises(InvalidInput, match="never written over a file"):
        write_release_bulletin(report, target)
    assert next(heading for heading, _ in release_bulletin(report).sections).startswith("For coders")


def test_the_training_modules_ask_about_the_release_s_own_changes(database: Database, tmp_path: Path) -> None:
    build_next_release(tmp_path / "release", "2026q4")
    update_releases(database, [tmp_path / "release"])
    report = release_changes(database, "2026q3", "2026q4", as_of=AS_OF)
    modules = {m.audience: m for m in release_training(report)}
    assert set(modules) == {"coders", "front desk and billers"}
    answers = {q.prompt: q.answer for m in modules.values() for q in m.questions}
    # The script's known changes: 11400/11102 deleted, 17311/17000 added (0), 17003's MUE 13 -> 12, 96567's
    # removed, 11200's global days 010 -> 000, 11102's work RVU up.
    assert answers["From 2026q4, may 11400 and 11102 be billed for the same patient on the same day without a "
                   "modifier?"] == "Yes"
    assert answers["From 2026q4, may 17311 and 17000 be billed for the same patient on the same day without a "
                   "modifier?"] == "No"
    assert answers["From 2026q4, how many units of 17003 does Medicare pay at most for one patient on one day "
                   "(its MUE)?"] == "12"
    assert answers["From 2026q4, how many units of 96567 does Medicare pay at most for one patient on one day "
                   "(its MUE)?"] == \
        "no CMS limit"
    assert answers["From 2026q4, how long is the global period of 11200?"] == "0 days"
    assert answers["From 2026q4, does Medicare's national fee for 11102 go up or down?"] == "Up"
    assert not any("fee" in q.prompt for q in modules["coders"].questions)
    described = {c.describe() for c in report.changes}
    assert all(q.explanation in described for m in modules.values() for q in m.questions)
    target = write_release_bulletin(report, tmp_path / "with-training.pdf", training=True)
    with pdfplumber.open(io.BytesIO(target.read_bytes())) as pdf:
        text = " ".join(" ".join(page.extract_text() or "" for page in pdf.pages).split())
    assert "Training: What changed 2026q3 to 2026q4: coders" in text
    assert "may 11400 and 11102 be billed for the same patient on the same day without a modifier? (Yes / No)" in text


def test_a_folder_with_the_ptp_parts_of_one_quarter_is_one_release(database: Database, tmp_path: Path) -> None:
    build_next_release(tmp_path / "release", "2026q4")
    part1 = tmp_path / "release" / "ccipra-v323r0-f1.txt"
    lines = part1.read_text().splitlines()
    head, body = lines[:4], lines[4:]
    part1.write_text("\n".join(head + body[: len(body) // 2]) + "\n")
    (tmp_path / "release" / "ccipra-v323r0-f2.txt").write_text("\n".join(head + body[len(body) // 2:]) + "\n")
    outcomes = update_releases(database, [tmp_path / "release"])
    [ptp] = [o for o in outcomes if o.kind == "ptp"]
    assert ptp.files == ("ccipra-v323r0-f1.txt", "ccipra-v323r0-f2.txt") and ptp.revision == 1
    assert len(release_changes(database, "2026q3", "2026q4", as_of=AS_OF).kinds[0].changes) == 3


def test_load_messages_put_their_counts_in_the_right_number() -> None:
    one = LoadOutcome("mue", "2026q4", 1, "loaded", "NCCI MUE values 2026q4", 1, ("mue.csv",))
    assert one.message == "NCCI MUE values 2026q4: loaded, 1 entry, dates of service from 2026q4 on"
    many = LoadOutcome("mue", "2026q4", 2, "revision", "NCCI MUE values 2026q4, revision 2", 3, ("mue.csv",))
    assert "3 entries from mue.csv" in many.message
