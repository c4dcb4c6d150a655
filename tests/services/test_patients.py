"""Patients and coverage: found and read within the user's practices (audited), changed with every field checked
(audited before and after); a fixed member ID sends the patient's rejected claims back through the scrubber, out
of the fix queue and into the next submission."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from edit_world import AS_OF, GOOD_MEMBER_ID, WRONG_MEMBER_ID, rejected_for_member_id, status_of
from era_world import NOW, LineSpec, add_claim, practice_world
from sqlalchemy import select

from dermbill.core.errors import InvalidFields, InvalidTransition, NotFound
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    AuditEventRow,
    ClaimRow,
    ClaimStatusEventRow,
    CoverageRow,
    PatientRow,
    PayerRow,
    PostingRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.demo_cycle import set_up_simulated_payer, simulated_payer_config
from dermbill.services.ledger_check import check_ledger
from dermbill.services.patients import edit_coverage, edit_patient, read_patient, search_patients
from dermbill.services.submission import export_837p
from dermbill.services.transmission import fix_queue, submit_claims, sync

LINES: list[LineSpec] = [("11102", (), 15000)]


# Tests marked SQLITE_ONLY run on SQLite only, to keep CI within its time: what they check does not depend on
# the backend (a demo; PostgreSQL: the other tests).
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


class Audit(NamedTuple):
    actor: str
    entity_id: int | None
    detail: dict[str, Any]


def audits(database: Database, action: str) -> list[Audit]:
    with UnitOfWork(database, actor="test") as uow:
        return [Audit(e.actor, e.entity_id, e.detail) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.id))]


def add_patient(database: Database, practice_id: int, account: str, last: str, first: str,
                born: datetime.date) -> int:
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(practice_id)
        row = repo.add(PatientRow(account_number=account, last_name=last, first_name=first, date_of_birth=born,
                                  sex="M", address_line1="3 TEST ST", city="ANYTOWN", state="PA", zip_code="19099",
                                  created_at=NOW))
        repo.flush()
        uow.commit()
        return row.id


def test_search_finds_patients_of_the_users_practices_only_and_is_audited(database: Database) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    smith = add_patient(database, ours.practice_id, "A-2", "SMITH", "JOHN", datetime.date(1961, 7, 4))
    add_patient(database, theirs.practice_id, "A-9", "SMITHERS", "WAYLON", datetime.date(1961, 7, 4))

    def found(query: str) -> list[str]:
        return [p.account_number for p in search_patients(database, [ours.practice_id], query, actor="desk")]

    assert found("smi") == ["A-2"]
    assert found("Smith, Jo") == ["A-2"] and found("smith, x") == []
    assert found("1961-07-04") == ["A-2"]
    assert found("a-") == ["A-1", "A-2"] and found("") == ["A-1", "A-2"]  # DOE, SMITH by name
    assert found("%") == []  # a wildcard is a character like any other
    assert search_patients(database, [], "smith", actor="desk") == []
    assert audits(database, "patient.search")[0] == Audit("desk", None, {"patients": [smith]})


def test_reading_a_patient_shows_the_coverage_and_is_audited_another_practices_is_not_found(
        database: Database) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    other = add_patient(database, theirs.practice_id, "A-9", "ROE", "RICHARD", datetime.date(1970, 1, 1))

    record = read_patient(database, [ours.practice_id], "A-1", actor="desk")
    assert (record.values.last_name, [(c.order, c.payer, c.values.member_id) for c in record.coverages]) == (
        "DOE", [("primary", "TSTMCR", GOOD_MEMBER_ID)])
    assert read_patient(database, [ours.practice_id], str(record.patient_id), actor="desk").account_number == "A-1"
    assert read_patient(database, [ours.practice_id], "era:A-1", actor="desk").patient_id == record.patient_id
    for ref in ("A-9", str(other), "OTH:A-9"):
        with pytest.raises(NotFound, match="among your practices' patients"):
            read_patient(database, [ours.practice_id], ref, actor="desk")
    assert audits(database, "patient.read") == [Audit("desk", record.patient_id, {"patient": "A-1"})] * 3


def test_a_patient_named_by_id_is_that_patient_even_when_an_account_number_is_the_same_digits(
        database: Database) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    doe = read_patient(database, [ours.practice_id], "A-1", actor="desk").patient_id
    other = add_patient(database, theirs.practice_id, "A-9", "ROE", "RICHARD", datetime.date(1970, 1, 1))
    digits = add_patient(database, ours.practice_id, str(doe), "SMITH", "JOHN", datetime.date(1961, 7, 4))

    assert read_patient(database, [ours.practice_id], str(doe), actor="desk").patient_id == digits  # the account
    assert read_patient(database, [ours.practice_id], doe, actor="desk").values.last_name == "DOE"  # the id
    with pytest.raises(NotFound):
        read_patient(database, [ours.practice_id], other, actor="desk")
    with pytest.raises(NotFound):
        read_patient(database, [ours.practice_id], 0, actor="desk")


def test_search_finds_a_patient_by_member_id_as_printed_and_pages(database: Database) -> None:
    ours = practice_world(database)
    add_patient(database, ours.practice_id, "A-2", "SMITH", "JOHN", datetime.date(1961, 7, 4))

    def found(query: str, **paging: int) -> list[str]:
        return [p.account_number for p in search_patients(database, [ours.practice_id], query, actor="desk",
                                                          **paging)]

    assert found(GOOD_MEMBER_ID) == ["A-1"] and found("1eg4-te5-mk72") == ["A-1"]
    assert found(GOOD_MEMBER_ID[:-1]) == []  # a member ID is matched whole, not by its beginning
    assert found("", limit=1) == ["A-1"] and found("", limit=1, offset=1) == ["A-2"]


def test_demographics_are_changed_audited_before_and_after_and_refused_whole(database: Database) -> None:
    world = practice_world(database)

    with pytest.raises(InvalidFields) as refused:
        edit_patient(database, [world.practice_id], "A-1", {"first_name": "JANET", "zip_code": "123"},
                     actor="desk", as_of=AS_OF)
    assert [p.field for p in refused.value.problems] == ["zip_code"]
    assert read_patient(database, [world.practice_id], "A-1", actor="t").values.first_name == "JANE"

    outcome = edit_patient(database, [world.practice_id], "A-1", {"first_name": "JANET", "phone": "215 555 0100"},
                           actor="desk", as_of=AS_OF)
    assert (outcome.before, outcome.after) == ({"first_name": "JANE", "phone": None},
                                               {"first_name": "JANET", "phone": "2155550100"})
    assert audits(database, "patient.edited") == [Audit("desk", outcome.record.patient_id, {
        "patient": "A-1", "before": {"first_name": "JANE", "phone": None},
        "after": {"first_name": "JANET", "phone": "2155550100"}})]
    with pytest.raises(NotFound):
        edit_patient(database, [world.practice_id + 1000], "A-1", {"first_name": "X"}, actor="desk", as_of=AS_OF)


def test_fixing_the_member_id_takes_the_rejected_claim_out_of_the_fix_queue_into_the_next_submission(
        database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = rejected_for_member_id(world, tmp_path, LINES)
    [item] = fix_queue(database)
    assert (item["claim"], item["field"]) == (claim.pcn, "member ID")

    with pytest.raises(InvalidFields) as refused:  # a Medicare member ID has the MBI's form
        edit_coverage(database, [world.practice_id], "A-1", "primary", {"member_id": "WRONG"}, actor="desk",
                      as_of=AS_OF)
    assert refused.value.problems[0].field == "member_id" and status_of(world, claim.pcn) == "rejected"

    outcome = edit_coverage(database, [world.practice_id], "A-1", "primary", {"member_id": GOOD_MEMBER_ID},
                            actor="desk@era.test", as_of=AS_OF)

    assert [(c.claim_number, c.before, c.after) for c in outcome.rescrubbed] == [(claim.pcn, "rejected", "ready")]
    assert status_of(world, claim.pcn) == "ready" and fix_queue(database) == []
    [event] = audits(database, "coverage.edited")
    assert event.actor == "desk@era.test" and event.detail == {
        "patient": "A-1", "coverage": "primary", "before": {"member_id": WRONG_MEMBER_ID},
        "after": {"member_id": GOOD_MEMBER_ID}}
    with UnitOfWork(database, actor="test") as uow:
        moves = [(e.from_status, e.to_status, e.reason) for e in uow.session.scalars(
            select(ClaimStatusEventRow).where(ClaimStatusEventRow.claim_id == claim.id)
            .order_by(ClaimStatusEventRow.id))]
    assert moves[-3:] == [("rejected", "rejected", "the primary coverage's member id changed: scrubbed again"),
                          ("rejected", "corrected", "re-scrubbed after the rejection"),
                          ("corrected", "ready", "scrubbed clean")]
    [exported] = export_837p(database, tmp_path / "next", now=NOW)  # the next submission takes it
    assert f"*MI*{GOOD_MEMBER_ID}~" in exported.path.read_text() and status_of(world, claim.pcn) == "submitted"


def test_any_change_the_claim_carries_requeues_it_and_a_change_to_nothing_does_nothing(database: Database,
                                                                            tmp_path: Path) -> None:
    world = practice_world(database)
    claim = rejected_for_member_id(world, tmp_path, LINES)
    outcome = edit_coverage(database, [world.practice_id], "A-1", "primary", {"group_number": "G-100"},
                            actor="desk", as_of=AS_OF)
    assert outcome.after == {"group_number": "G-100"}
    assert [(c.before, c.after) for c in outcome.rescrubbed] == [("rejected", "ready")]  # the group is on the 837P
    assert status_of(world, claim.pcn) == "ready"
    unchanged = edit_coverage(database, [world.practice_id], "A-1", "primary", {"group_number": "G-100"},
                              actor="desk", as_of=AS_OF)
    assert (unchanged.before, unchanged.after, unchanged.rescrubbed) == ({}, {}, ())


def test_orders_swap_and_a_billed_coverage_keeps_its_payer(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    add_claim(world, LINES)  # submitted to the primary payer
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        commercial = PayerRow(organization_id=repo.practice.organization_id, name="TEST COMMERCIAL",
                              payer_identifier="TSTCOM", kind="commercial", claim_filing_indicator_code="CI",
                              timely_filing_days=180)
        uow.add_payers([commercial])
        patient = repo.rows(PatientRow)[0]
        repo.add(CoverageRow(patient_id=patient.id, payer_id=commercial.id, member_id="TCOM123456789",
                             coverage_order="secondary", relationship_code="18",
                             effective_date=datetime.date(2026, 1, 1)))
        uow.commit()

    outcome = edit_coverage(database, [world.practice_id], "A-1", "secondary", {"coverage_order": "primary"},
                            actor="desk", as_of=AS_OF)
    assert [(c.order, c.payer) for c in outcome.record.coverages] == [("primary", "TSTCOM"), ("secondary", "TSTMCR")]
    assert [a.detail["after"] for a in audits(database, "coverage.edited")] == [{"coverage_order": "secondary"},
                                                                                {"coverage_order": "primary"}]
    with pytest.raises(InvalidTransition, match="its payer cannot change: end it"):
        edit_coverage(database, [world.practice_id], "A-1", "secondary", {"payer": "TSTCOM",
                                                                          "member_id": "TCOM1"},
                      actor="desk", as_of=AS_OF)
    with pytest.raises(NotFound, match="has no tertiary coverage \\(coverages: primary, secondary\\)"):
        edit_coverage(database, [world.practice_id], "A-1", "tertiary", {"member_id": "X1"}, actor="d", as_of=AS_OF)


def test_a_rejected_claims_payer_changes_with_its_coverage_and_its_receivable_follows(database: Database,
                                                                                   tmp_path: Path) -> None:
    world = practice_world(database)
    claim = rejected_for_member_id(world, tmp_path, LINES)  # its charge is the Medicare payer's receivable
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        commercial = PayerRow(organization_id=repo.practice.organization_id, name="TEST COMMERCIAL",
                              payer_identifier="TSTCOM", kind="commercial", claim_filing_indicator_code="CI",
                              timely_filing_days=180)
        uow.add_payers([commercial])
        uow.commit()
        commercial_id = commercial.id

    outcome = edit_coverage(database, [world.practice_id], "A-1", "primary",
                            {"payer": "TSTCOM", "member_id": "TCOM123456789"}, actor="desk", as_of=AS_OF)

    assert outcome.after == {"payer": "TSTCOM", "member_id": "TCOM123456789"}
    assert [(c.claim_number, c.after) for c in outcome.rescrubbed] == [(claim.pcn, "ready")]
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        assert repo.session.get(ClaimRow, claim.id).payer_id == commercial_id  # type: ignore[union-attr]
        medicare_id = next(p.id for p in repo.payers() if p.payer_identifier == "TSTMCR")
        by_payer = {payer: repo.balances(PostingRow.payer_id == payer).get("1100") for payer in
                    (commercial_id, medicare_id)}
    assert by_payer == {commercial_id: Money(15000), medicare_id: Money(0)}
    assert check_ledger(database).clean


@SQLITE_ONLY
def test_in_the_demo_a_member_id_fixed_by_the_front_desk_gets_the_claim_paid(database: Database,
                                                                              tmp_path: Path) -> None:
    as_of, now = datetime.date(2026, 11, 26), datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC)
    build_demo(database, DemoOptions(out_dir=tmp_path, as_of=as_of, patients=12, seed=3, cycle=False))
    set_up_simulated_payer(database, tmp_path / "simulated-payer", 3)
    config = simulated_payer_config(tmp_path)
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.status == "ready").order_by(ClaimRow.id)).first()
        assert claim is not None and claim.coverage_id is not None
        repo = uow.practice(claim.practice_id)
        coverage = repo.get(CoverageRow, claim.coverage_id)
        good, order = coverage.member_id, coverage.coverage_order
        coverage.member_id = "WRONG" + good
        pcn, practice_id = claim.patient_control_number, claim.practice_id
        account = repo.get(PatientRow, claim.patient_id).account_number
        uow.commit()
    submit_claims(database, config, tmp_path / "outbox", now=now)
    assert pcn in [c for c, _ in sync(database, config, tmp_path / "inbox", now=now).rejected]
    assert pcn in [i["claim"] for i in fix_queue(database)]

    outcome = edit_coverage(database, [practice_id], account, order, {"member_id": good}, actor="desk",
                            as_of=as_of)

    assert (pcn, "rejected", "ready") in [(c.claim_number, c.before, c.after) for c in outcome.rescrubbed]
    assert pcn not in [i["claim"] for i in fix_queue(database)]
    submit_claims(database, config, tmp_path / "outbox", now=now)
    assert pcn in sync(database, config, tmp_path / "inbox", now=now).accepted
