"""Eligibility before the visit, through the database: the run sends a batch of 270s, every kind of 271 is applied
once, AAA errors land in the work list with their fix, a fixed member ID is asked again, another payer primary is
an order change a person accepts, a missing answer is flagged; appointments come in from a CSV schedule."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from eligibility_world import CONNECTION, VISIT_DAY, EligibilityWorld, eligibility_world
from era_world import NOW
from migrated_databases import migrated_sqlite_url
from sqlalchemy import func, select

from dermbill.clearinghouse.config import parse_config
from dermbill.core.errors import InvalidTransition
from dermbill.core.money import Money
from dermbill.db.engine import open_database
from dermbill.db.models import (
    AppointmentRow,
    AuditEventRow,
    CoverageBenefitsRow,
    CoverageRow,
    EligibilityCheckRow,
    EligibilityProblemRow,
    PatientRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.csv_import import import_csv
from dermbill.services.eligibility import (
    decide_order_change,
    fix_and_recheck,
    resolve_problem,
    run_eligibility,
    schedule,
    worklist,
)
from dermbill.services.eligibility_answers import coverage_answer
from dermbill.services.transmission import SyncReport, process_inbound_file
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import transaction_sets

LATER = NOW + datetime.timedelta(hours=2)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[EligibilityWorld]:
    database = open_database(migrated_sqlite_url(tmp_path / "eligibility.db"))
    try:
        yield eligibility_world(database, tmp_path)
    finally:
        database.dispose()


def _run(world: EligibilityWorld, **options: object) -> object:
    return run_eligibility(world.database, world.config, inbox=world.inbox, outbox=world.outbox, now=NOW,
                           **options)  # type: ignore[arg-type]


def _ids(world: EligibilityWorld) -> set[int]:
    return {world.practice_id}


def test_the_run_sends_one_batch_and_applies_every_kind_of_answer(world: EligibilityWorld) -> None:
    summary = run_eligibility(world.database, world.config, inbox=world.inbox, outbox=world.outbox, now=NOW, days=1)
    assert (summary.appointments, summary.sent, summary.no_coverage, len(summary.files)) == (8, 7, 1, 1)
    assert (summary.active, summary.inactive, summary.not_found, summary.errors, summary.other_payer_primary,
            summary.no_answer) == (1, 1, 2, 2, 1, 0)
    [sent] = (world.outbox / "270").iterdir()
    assert [t.type for t in transaction_sets(read_file(sent))] == ["270"] * 7
    with UnitOfWork(world.database, actor="test") as uow:
        checks = {c.appointment_id: c for c in uow.session.scalars(select(EligibilityCheckRow))}
        a1 = checks[world.appointments["A-1"]]
        assert a1.outcome == "active" and a1.answered_at == NOW and a1.benefits["copay"] == "25.00"
        kept = uow.session.scalars(select(CoverageBenefitsRow).where(
            CoverageBenefitsRow.coverage_id == a1.coverage_id)).one()
        assert (kept.active, kept.deductible_cents, kept.out_of_pocket_cents, kept.coinsurance_percent) == (
            True, 25700, 300000, 20)
        ended = checks[world.appointments["A-2"]]
        assert ended.outcome == "inactive" and ended.benefits["plan_end"] == "2026-03-31"
        assert {c.outcome for c in checks.values()} >= {"invalid_member_id", "not_found", "name_mismatch",
                                                        "birth_date_mismatch", "other_payer_primary"}
        sent_events = uow.session.scalar(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.action == "eligibility.sent"))
        assert sent_events == 7


def test_check_in_reads_each_coverages_latest_answer_and_benefits(world: EligibilityWorld) -> None:
    _run(world, days=1)
    with UnitOfWork(world.database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        coverages = {p.account_number: c for p in repo.rows(PatientRow) for c in repo.rows(
            CoverageRow, CoverageRow.patient_id == p.id, CoverageRow.coverage_order == "primary")}
        active = coverage_answer(repo, coverages["A-1"].id)
        assert active is not None and (active.active, active.answered_on, active.copay, active.coinsurance_percent,
                                       active.deductible_remaining, active.out_of_pocket_remaining) == (
            True, NOW.date(), Money(2500), 20, Money(25700), Money(300000))
        ended = coverage_answer(repo, coverages["A-2"].id)
        assert ended is not None and not ended.active and ended.summary == "coverage ended (2026-03-31)"
        assert coverage_answer(repo, coverages["A-7"].id).active  # type: ignore[union-attr]
        assert coverage_answer(repo, coverages["A-3"].id).active is False  # type: ignore[union-attr]


def test_an_aaa_error_lands_in_the_work_list_with_its_fix(world: EligibilityWorld) -> None:
    _run(world, days=1)
    found = worklist(world.database, _ids(world), actor="desk@example.test")
    by_patient = {item.account_number: item for item in found.items}
    assert set(by_patient) == {"A-2", "A-3", "A-4", "A-5", "A-6", "A-7"}
    miskeyed = by_patient["A-3"]
    assert miskeyed.kind == "invalid_member_id" and "AAA 72" in miskeyed.message
    assert "member ID on the front of the insurance card" in miskeyed.fix
    assert miskeyed.appointment_at is not None and miskeyed.appointment_at.date() == VISIT_DAY
    assert by_patient["A-5"].kind == "name_mismatch" and by_patient["A-6"].kind == "birth_date_mismatch"
    [proposal] = found.proposals
    assert (proposal.account_number, proposal.other_payer, proposal.other_coverage_order) == (
        "A-7", "TEST MEDICARE", "secondary")
    assert worklist(world.database, {world.practice_id + 1}, actor="other").items == ()


def test_applying_the_same_271_again_changes_nothing(world: EligibilityWorld) -> None:
    _run(world, days=1)
    [answer] = (world.inbox / CONNECTION).iterdir()
    with UnitOfWork(world.database, actor="test") as uow:
        before = [(c.id, c.outcome, c.answered_at) for c in uow.session.scalars(select(EligibilityCheckRow))]
        problems = uow.session.scalar(select(func.count()).select_from(EligibilityProblemRow))
    copy = world.inbox / "again" / "copy-of-271.x12"  # the same content under another name: skipped by content
    copy.parent.mkdir()
    copy.write_bytes(answer.read_bytes())
    report = SyncReport()
    process_inbound_file(world.database, copy, CONNECTION, report, now=LATER)
    assert report.skipped == ["copy-of-271.x12"]
    from dermbill.services.eligibility_answers import apply_271

    for transaction in transaction_sets(read_file(answer)):  # and applied by hand, set by set: already answered
        with UnitOfWork(world.database, actor="test") as uow:
            organization = uow.practice(world.practice_id).practice.organization_id
        assert apply_271(world.database, organization, transaction, now=LATER)["result"] == "already answered"
    with UnitOfWork(world.database, actor="test") as uow:
        assert [(c.id, c.outcome, c.answered_at) for c in uow.session.scalars(select(EligibilityCheckRow))] == before
        assert uow.session.scalar(select(func.count()).select_from(EligibilityProblemRow)) == problems


def test_a_second_run_refreshes_the_open_items_instead_of_adding_more(world: EligibilityWorld) -> None:
    _run(world, days=1)
    run_eligibility(world.database, world.config, inbox=world.inbox, outbox=world.outbox, now=LATER, days=1)
    found = worklist(world.database, _ids(world), actor="desk")
    assert len(found.items) == 6 and len(found.proposals) == 1


def test_fixing_the_member_id_and_asking_again_resolves_the_item(world: EligibilityWorld) -> None:
    _run(world, days=1)
    [item] = [i for i in worklist(world.database, _ids(world), actor="desk").items if i.account_number == "A-3"]
    again = fix_and_recheck(world.database, world.config, _ids(world), item.problem_id,
                            {"member_id": "2EG4TE5MK73"}, inbox=world.inbox, outbox=world.outbox,
                            actor="desk@example.test", as_of=NOW.date(), now=LATER)
    assert again is not None and (again.sent, again.active) == (1, 1)
    assert "A-3" not in {i.account_number for i in worklist(world.database, _ids(world), actor="desk").items}
    with UnitOfWork(world.database, actor="test") as uow:
        resolved = uow.session.get(EligibilityProblemRow, item.problem_id)
        assert resolved is not None and resolved.status == "resolved" and "active" in (resolved.resolution or "")
        changed = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "coverage.edited")).all()
        assert [e.detail["after"] for e in changed] == [{"member_id": "2EG4TE5MK73"}]


def test_fixing_a_name_changes_the_patient_and_asks_again(world: EligibilityWorld) -> None:
    _run(world, days=1)
    [item] = [i for i in worklist(world.database, _ids(world), actor="desk").items if i.account_number == "A-5"]
    again = fix_and_recheck(world.database, world.config, _ids(world), item.problem_id,
                            {"first_name": "DORAH", "member_id": item.member_id}, inbox=world.inbox,
                            outbox=world.outbox, actor="desk", as_of=NOW.date(), now=LATER)
    assert again is not None and again.active == 1
    with UnitOfWork(world.database, actor="test") as uow:
        patient = uow.session.scalars(select(PatientRow).where(PatientRow.account_number == "A-5")).one()
        assert patient.first_name == "DORAH"


def test_accepting_the_order_change_makes_the_other_payer_primary(world: EligibilityWorld) -> None:
    _run(world, days=1)
    [proposal] = worklist(world.database, _ids(world), actor="desk").proposals
    said = decide_order_change(world.database, _ids(world), proposal.proposal_id, decision="accept", actor="desk",
                               as_of=NOW.date())
    assert "TEST MEDICARE is now the primary coverage" in said
    with UnitOfWork(world.database, actor="test") as uow:
        patient = uow.session.scalars(select(PatientRow).where(PatientRow.account_number == "A-7")).one()
        orders = {c.member_id: c.coverage_order for c in uow.session.scalars(
            select(CoverageRow).where(CoverageRow.patient_id == patient.id))}
        assert orders == {"2EG4TE5MK77": "primary", "TBLU77": "secondary"}
        actions = set(uow.session.scalars(select(AuditEventRow.action)))
        assert {"coverage.edited", "coverage.order_change_decided", "coverage.order_change_proposed"} <= actions
    found = worklist(world.database, _ids(world), actor="desk")
    assert found.proposals == () and "A-7" not in {i.account_number for i in found.items}
    with pytest.raises(InvalidTransition, match="accepted already"):
        decide_order_change(world.database, _ids(world), proposal.proposal_id, decision="reject", actor="desk",
                            as_of=NOW.date())


def test_a_payer_that_does_not_answer_leaves_the_appointments_flagged(world: EligibilityWorld,
                                                                       tmp_path: Path) -> None:
    silent = parse_config({"connections": {CONNECTION: {"kind": "folder", "outbound": "out", "inbound": "in"}}},
                          tmp_path / "silent")
    summary = run_eligibility(world.database, silent, inbox=world.inbox, outbox=world.outbox, now=NOW, days=1)
    assert (summary.sent, summary.no_answer) == (7, 7)
    visits = {v.account_number: v for v in schedule(world.database, _ids(world), VISIT_DAY, actor="desk",
                                                    now=LATER)}
    assert visits["A-1"].eligibility.outcome == "no_answer" and visits["A-1"].eligibility.flagged
    assert visits["A-1"].eligibility.age == "2 h"
    assert visits["A-8"].eligibility.label.startswith("self-pay") and not visits["A-8"].eligibility.flagged
    assert {i.kind for i in worklist(world.database, _ids(world), actor="desk").items} == {"no_answer"}


def test_the_schedule_shows_each_visits_status_and_age(world: EligibilityWorld) -> None:
    before = schedule(world.database, _ids(world), VISIT_DAY, actor="desk", now=NOW)
    assert [v.eligibility.label for v in before][:2] == ["not checked", "not checked"]
    _run(world, days=1)
    visits = schedule(world.database, _ids(world), VISIT_DAY, actor="desk", now=LATER)
    assert [v.account_number for v in visits] == [f"A-{n}" for n in range(1, 9)]
    shown = {v.account_number: (v.eligibility.label, v.eligibility.flagged) for v in visits}
    assert shown["A-1"] == ("active", False) and shown["A-2"] == ("coverage ended", True)
    assert shown["A-7"] == ("another payer is primary", True)
    assert visits[0].eligibility.age == "2 h" and visits[0].payer == "TEST MEDICARE"


def test_a_problem_is_resolved_by_hand_with_a_reason(world: EligibilityWorld) -> None:
    _run(world, days=1)
    item = worklist(world.database, _ids(world), actor="desk").items[0]
    resolve_problem(world.database, _ids(world), item.problem_id, "new card scanned", actor="desk")
    assert item.problem_id not in {i.problem_id for i in worklist(world.database, _ids(world), actor="d").items}
    with pytest.raises(InvalidTransition, match="resolved already"):
        resolve_problem(world.database, _ids(world), item.problem_id, "again", actor="desk")


def test_batches_hold_at_most_the_batch_size(world: EligibilityWorld) -> None:
    summary = _run(world, days=1, batch_size=3)
    assert len(summary.files) == 3 and summary.sent == 7  # type: ignore[attr-defined]


def test_appointments_come_in_from_a_csv_schedule_and_again_change_nothing(world: EligibilityWorld) -> None:
    text = ("account_number,start,minutes,provider_npi,location,visit_type,planned_codes,appointment_id\n"
            "A-1,2026-04-06 09:30,20,1234567893,OFFICE,procedure,11102 17000,S-1\n"
            "A-2,04/06/2026 2:00 PM,,,,follow-up,,\n")
    with UnitOfWork(world.database, actor="test") as uow:
        organization_id = uow.practice(world.practice_id).practice.organization_id
    report = import_csv(world.database, "appointments", text, file_name="schedule.csv",
                        organization_id=organization_id, actor="desk", as_of=NOW.date(), practice="ERA")
    assert (report.created, report.problems) == (2, ())
    again = import_csv(world.database, "appointments", text, file_name="schedule.csv",
                       organization_id=organization_id, actor="desk", as_of=NOW.date(), practice="ERA")
    assert (again.created, again.unchanged) == (0, 2)
    with UnitOfWork(world.database, actor="test") as uow:
        row = uow.session.scalars(select(AppointmentRow).where(AppointmentRow.external_id == "S-1")).one()
        assert (row.minutes, row.visit_type, row.planned_codes, row.starts_at.hour) == (
            20, "procedure", ["11102", "17000"], 9)
    bad = import_csv(world.database, "appointments", "account_number,start,provider_npi\nA-99,soon,1999999999\n",
                     file_name="bad.csv", organization_id=organization_id, actor="desk", as_of=NOW.date(),
                     practice="ERA")
    assert {p.column for p in bad.problems} == {"account_number", "start", "provider_npi"} and not bad.saved
