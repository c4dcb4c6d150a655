"""The claim detail over a real database: every section of a claim that went through 837P, 999, 277CA, 835 and the
denial queue; a rejection told by the acknowledgment that made it; scoping to the user's practices; the read
audited with the sections shown; the sections the permission matrix withholds."""

from __future__ import annotations

from pathlib import Path

import pytest
from claim_detail_world import CLEARINGHOUSE, PAYER_CLAIM_NUMBER, travelled_claim
from era_world import DOS, NOW, PAYER_ID, add_claim, practice_world
from sqlalchemy import select

from dermbill.core.access import Role
from dermbill.core.claim_form import Payer, Person
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services.claim_detail import ClaimDetail, DetailSections, claim_detail, sections_for
from dermbill.services.submission import export_837p
from dermbill.services.transmission import REJECTED_BY_999, SyncReport, process_inbound_file
from dermbill.x12.envelope import ControlNumbers
from dermbill.x12.responses import (
    BatchAcknowledgment,
    ClaimAcknowledgment,
    GroupAcknowledgment,
    SegmentError,
    SetAcknowledgment,
    write_277ca,
    write_999,
)

EVERYTHING = DetailSections(payments=True, denials=True)


def _detail(database: Database, practice_ids: list[int], number: str, *,
            sections: DetailSections = EVERYTHING) -> ClaimDetail:
    found = claim_detail(database, practice_ids, number, actor="biller@detail.test", sections=sections)
    assert found is not None
    return found


def test_a_claim_that_went_the_whole_way_shows_every_section(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    travelled = travelled_claim(database, world, tmp_path)
    codes = denial_code_table()

    detail = _detail(database, [world.practice_id], travelled.claim.pcn)

    assert (detail.claim_number, detail.summary.status, detail.summary.payer) == (
        travelled.claim.pcn, "partially_paid", "TEST MEDICARE")
    assert detail.summary.date_of_service == DOS and detail.summary.total_charge == Money(35000)
    assert (detail.patient.name, detail.patient.member_id) == ("DOE, JANE", "1EG4TE5MK72")
    assert detail.payer_claim_number == PAYER_CLAIM_NUMBER
    # Lines: codes, units, modifiers, the diagnoses pointed at and the coding engine's reasons.
    assert [(line.procedure_code, line.modifiers, line.units) for line in detail.lines] == [
        ("11642", (), 1), ("11104", ("XS",), 1)]
    assert [line.diagnoses for line in detail.lines] == [("C44.319",), ("L82.1",)]
    assert tuple(line.explanation for line in detail.lines) == travelled.explanations
    assert all(travelled.explanations)
    # Findings with their fix.
    [finding] = detail.findings
    assert (finding.severity, finding.lines, finding.fix) == ("warning", (2,), "add the reason for the biopsy to "
                                                                               "the note")
    # History, files and acknowledgments.
    assert [(e.from_status, e.to_status) for e in detail.events] == [
        ("ready", "submitted"), ("submitted", "accepted"), ("accepted", "partially_paid")]
    [batch] = detail.batches
    assert batch.file_name == travelled.batch_file and batch.acknowledgment == "accepted"
    assert batch.transaction_set_control_number is not None
    assert [(a.kind, a.accepted) for a in detail.acknowledgments] == [("999", True), ("277CA", True)]
    assert detail.acknowledgments[0].file_name == travelled.batch_file
    # The EOB: paid, allowed, each adjustment and remark in words.
    [eob] = detail.remittances
    assert (eob.trace_number, eob.claim_status_words, eob.payer_claim_number) == (
        "EFT-DETAIL", "processed as primary", PAYER_CLAIM_NUMBER)
    assert (eob.charge, eob.allowed, eob.paid, eob.patient_share) == (
        Money(35000), Money(12000), Money(9600), Money(2400))
    paid_line, denied_line = eob.lines
    assert [(a.group, a.carc, a.amount) for a in paid_line.adjustments] == [
        ("CO", "45", Money(8000)), ("PR", "2", Money(2400))]
    assert paid_line.adjustments[1].carc_words == codes.carc("2").description
    assert paid_line.adjustments[1].group_words == "patient responsibility"
    assert (denied_line.line_number, denied_line.paid, denied_line.allowed) == (2, Money(0), None)
    assert denied_line.adjustments[0].carc_words == codes.carc("97").description
    assert [(r.code, r.words) for r in denied_line.remarks] == [("M15", codes.rarc("M15").description)]
    # Postings: the charges and the payment, balanced; the denied line sits in denied A/R.
    assert {p.kind for p in detail.postings} == {"charge", "remittance"}
    assert sum(p.amount.cents for p in detail.postings) == 0
    by_account: dict[str, int] = {}
    for posting in detail.postings:
        by_account[posting.account_code] = by_account.get(posting.account_code, 0) + posting.amount.cents
    assert (by_account["1000"], by_account["1100"], by_account["1150"]) == (9600, 0, 15000)
    # The denial item, its reason in words and its certain fix.
    [item] = detail.denial_items
    assert (item.line_numbers, item.group, item.category, item.action) == (
        (2,), "CO", "Coding and bundling", "Correct and resubmit")
    assert item.carc is not None and item.carc.words == codes.carc("97").description
    assert item.fixes == ("line 2: take XS off and add 59",)
    assert item.amount == Money(15000)
    # The JSON has every section.
    data = detail.to_json()
    assert data["total_charge"] == "350.00" and data["remittances"][0]["paid"] == "96.00"
    assert data["payments_shown"] and data["denials_shown"]


def test_a_277ca_rejection_is_shown_in_the_payers_words(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000)], submit=False)
    export_837p(database, tmp_path, now=NOW, actor="test")
    answer = tmp_path / "277CA-rejected.x12"
    answer.write_text(write_277ca((BatchAcknowledgment(
        "T277-2", Payer("TEST MEDICARE", PAYER_ID), "0001", DOS, "ERA TEST DERMATOLOGY", "1234567893",
        (ClaimAcknowledgment(claim.pcn, False, Person("DOE", "JANE"), "1EG4TE5MK72", Money(15000), DOS,
                             status_code="33", message="SUBSCRIBER NOT FOUND"),)),), CLEARINGHOUSE,
        ControlNumbers(902, 902, 1), NOW))
    process_inbound_file(database, answer, "test", SyncReport(), now=NOW)

    detail = _detail(database, [world.practice_id], claim.pcn)

    assert detail.summary.status == "rejected"
    [ack] = detail.acknowledgments
    assert (ack.kind, ack.accepted, ack.message) == ("277CA", False, "SUBSCRIBER NOT FOUND")
    [finding] = detail.findings  # the rejection waits in the fix queue with the field and the fix
    assert finding.message == "member ID: SUBSCRIBER NOT FOUND" and "insurance card" in finding.fix
    assert detail.remittances == () and detail.denial_items == ()


def test_a_999_rejecting_the_claims_transaction_set_is_told_for_the_file_and_for_the_claim(
        database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000)], submit=False)
    [exported] = export_837p(database, tmp_path, now=NOW, actor="test")
    with UnitOfWork(database, actor="test") as uow:
        sent = uow.session.get(ClaimRow, claim.id)
        assert sent is not None and sent.transaction_set_control_number is not None
        group, st02 = sent.group_control_number, sent.transaction_set_control_number
    assert group is not None
    ack = tmp_path / "999-rejected.x12"
    ack.write_text(write_999((GroupAcknowledgment(group, (SetAcknowledgment(st02, False, (
        SegmentError("CLM", 25, "8"),)),)),), CLEARINGHOUSE, ControlNumbers(903, 903, 1), NOW))
    process_inbound_file(database, ack, "test", SyncReport(), now=NOW)

    detail = _detail(database, [world.practice_id], claim.pcn)

    on_file, on_claim = detail.acknowledgments
    assert (on_file.kind, on_file.accepted, on_file.file_name) == ("999", False, exported.path.name)
    assert (on_claim.kind, on_claim.accepted) == ("999", False)
    assert on_claim.message.startswith(REJECTED_BY_999) and st02 in on_claim.message
    assert [batch.acknowledgment for batch in detail.batches] == ["rejected"]


def test_another_practices_claim_or_an_unknown_number_is_none(database: Database) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    claim = add_claim(ours, [("11102", (), 15000)])

    assert claim_detail(database, [theirs.practice_id], claim.pcn, actor="t", sections=EVERYTHING) is None
    assert claim_detail(database, [ours.practice_id], "NO-SUCH-CLAIM", actor="t", sections=EVERYTHING) is None
    assert claim_detail(database, [], claim.pcn, actor="t", sections=EVERYTHING) is None
    assert _detail(database, [ours.practice_id, theirs.practice_id], claim.pcn).summary.practice == "ERA"
    with UnitOfWork(database, actor="test") as uow:
        reads = list(uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "claim.read")))
    assert len(reads) == 1  # only the read that found the claim


def test_the_read_is_audited_with_the_sections_shown_and_withheld_sections_are_empty(
        database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    travelled = travelled_claim(database, world, tmp_path)

    withheld = _detail(database, [world.practice_id], travelled.claim.pcn,
                       sections=DetailSections(payments=False, denials=False))

    assert withheld.remittances == () and withheld.postings == () and withheld.denial_items == ()
    assert withheld.lines and withheld.events and withheld.acknowledgments
    assert not withheld.to_json()["payments_shown"] and not withheld.to_json()["denials_shown"]
    with UnitOfWork(database, actor="test") as uow:
        claim_id = uow.session.scalars(select(ClaimRow.id).where(
            ClaimRow.patient_control_number == travelled.claim.pcn)).one()
        [read] = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "claim.read")).all()
        assert (read.actor, read.entity_type, read.entity_id, read.practice_id) == (
            "biller@detail.test", "claim", claim_id, world.practice_id)
        assert read.detail == {"claim": travelled.claim.pcn, "sections": [
            "claim", "lines", "findings", "events", "batches", "acknowledgments"]}


@pytest.mark.parametrize(("role", "payments", "denials"), [
    (Role.CODER, False, False), (Role.BILLER, True, True), (Role.DENIAL_SPECIALIST, True, True),
    (Role.MANAGER, True, True), (Role.AUDITOR, True, True), (Role.FRONT_DESK, False, False)])
def test_the_sections_follow_the_permission_matrix(role: Role, payments: bool, denials: bool) -> None:
    assert sections_for({role}) == DetailSections(payments=payments, denials=denials)
