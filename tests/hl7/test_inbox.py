"""The HL7 inbox on both databases: stored before answered, processed once, failures kept and replayed."""

from __future__ import annotations

import datetime

import pytest
from era_world import DOS, NOW, clock, practice_world
from hl7_messages import adt, dft, oru, siu
from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppointmentRow,
    AuditEventRow,
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    EncounterRow,
    Hl7MessageRow,
    PatientRow,
    ProviderRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.hl7_inbox import Routing, failed_messages, process_waiting, receive, replay

ERA = Routing(practice="ERA")


def count(database: Database, row_type: type) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(row_type)) or 0)


def claims(database: Database) -> list[tuple[ClaimRow, list[ClaimLineRow]]]:
    with UnitOfWork(database, actor="test") as uow:
        rows = list(uow.session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
        found = [(claim, list(uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == claim.id)
                                                  .order_by(ClaimLineRow.line_number)))) for claim in rows]
        uow.session.expunge_all()  # the rows as read, for the test to look at after the unit of work
        return found


def test_a_dft_becomes_the_encounter_and_its_claim_with_the_ehr_codes(database: Database) -> None:
    practice_world(database)
    message = dft("M1", "11102/left dorsal hand", "11103*2@90.00", diagnoses=("L57.0", "D48.5"))
    answer = receive(database, message, ERA, clock=clock)
    assert (answer.code, answer.status, answer.duplicate) == ("AA", "processed", False)
    assert "MSA|AA|M1" in answer.ack
    [(claim, lines)] = claims(database)
    assert claim.status == "coded"
    assert claim.diagnosis_codes == ["L57.0", "D48.5"]
    assert [(x.procedure_code, x.units, x.charge_cents, x.diagnosis_pointers) for x in lines] == [
        ("11102", 1, 0, [1, 2]), ("11103", 2, 9000, [1, 2])]  # no fee schedule: the EHR's amount, else nothing
    assert claim.total_charge_cents == 9000
    assert answer.outcome["claim"] == claim.patient_control_number
    with UnitOfWork(database, actor="test") as uow:
        encounter = uow.session.scalars(select(EncounterRow).where(EncounterRow.external_id == "V1001")).one()
        assert encounter.documentation["feeds"][0]["charges"][0]["site"] == "left dorsal hand"
        assert claim.encounter_id == encounter.id


def test_a_message_sent_again_is_answered_and_not_processed_twice(database: Database) -> None:
    practice_world(database)
    message = dft("M1", "11102")
    first = receive(database, message, ERA, clock=clock)
    again = receive(database, message, ERA, clock=clock)
    assert (again.code, again.duplicate, again.message_id) == ("AA", True, first.message_id)
    assert "not processed again" in again.ack
    assert count(database, Hl7MessageRow) == 1
    assert len(claims(database)) == 1
    assert len(claims(database)[0][1]) == 1


def test_a_message_with_a_wrong_field_is_answered_ae_at_that_field_kept_and_replayed_after_the_fix(
        database: Database) -> None:
    practice_world(database)
    answer = receive(database, dft("M1", "11102", provider="1679576722"), ERA, clock=clock)
    assert (answer.code, answer.status, answer.where) == ("AE", "failed", "FT1-20")
    assert "no active provider with NPI 1679576722" in (answer.reason or "")
    assert "ERR||FT1^1^20|204^" in answer.ack
    assert claims(database) == []
    [kept] = failed_messages(database, actor="test")
    assert (kept.message_id, kept.where, kept.attempts) == (answer.message_id, "FT1-20", 1)
    # The fix: the provider is added; the replay posts the charges, once.
    with UnitOfWork(database, actor="test") as uow:
        uow.practice(1).add(ProviderRow(last_name="NEWDOC", first_name="NED", npi="1679576722",
                                        taxonomy="207N00000X"))
        uow.commit()
    [replayed] = replay(database, [kept.message_id], ERA, clock=clock)
    assert (replayed.code, replayed.status) == ("AA", "processed")
    assert failed_messages(database, actor="test") == []
    assert len(claims(database)) == 1
    with pytest.raises(InvalidInput, match="never processed twice"):
        replay(database, [kept.message_id], ERA, clock=clock)
    # The sender, who had our AE, sends it again: answered from the stored outcome, nothing posted twice.
    again = receive(database, dft("M1", "11102", provider="1679576722"), ERA, clock=clock)
    assert (again.code, again.duplicate) == ("AA", True)
    assert len(claims(database)) == 1


def test_every_problem_of_the_charges_is_named_and_nothing_is_saved(database: Database) -> None:
    practice_world(database)
    answer = receive(database, dft("M1", "11102", "99999*0", diagnoses=("L57",)), ERA, clock=clock)
    assert answer.code == "AE"
    reason = answer.reason or ""
    assert "DG1-3: 'L57' is a category, not a billable code" in reason
    assert "FT1[2]-25: '99999' is not a CPT/HCPCS code" in reason
    assert "FT1[2]-10: 0 units" in reason
    assert count(database, EncounterRow) == 1  # the world's own encounter only


def test_unreadable_and_unsupported_messages_are_rejected_and_kept(database: Database) -> None:
    practice_world(database)
    garbage = receive(database, "this is not HL7", ERA, clock=clock)
    assert (garbage.code, garbage.status, garbage.where) == ("AR", "rejected", "MSH")
    vxu = receive(database, dft("M2").replace("DFT^P03^DFT_P03", "VXU^V04^VXU_V04"), ERA, clock=clock)
    assert (vxu.code, vxu.where) == ("AR", "MSH-9")
    assert "ERR||MSH^1^9|200^Unsupported message type" in vxu.ack
    no_control = receive(database, dft("M3").replace("|M3|", "||"), ERA, clock=clock)
    assert (no_control.code, no_control.where) == ("AR", "MSH-10")
    assert {m.status for m in failed_messages(database, actor="test")} == {"rejected"}
    assert count(database, Hl7MessageRow) == 3


def test_a_facility_mapped_to_no_practice_is_rejected_then_replayed_once_mapped(database: Database) -> None:
    practice_world(database)
    answer = receive(database, dft("M1", facility="NORTHSIDE"), Routing(), clock=clock)
    assert (answer.code, answer.where) == ("AR", "MSH-4")
    assert "--facility NORTHSIDE=PRACTICE" in (answer.reason or "")
    [replayed] = replay(database, [answer.message_id or 0], Routing({"NORTHSIDE": "ERA"}), clock=clock)
    assert replayed.code == "AA"
    assert len(claims(database)) == 1


def test_charges_sent_again_for_a_visit_join_its_claim_until_it_is_sent(database: Database) -> None:
    practice_world(database)
    receive(database, dft("M1", "11102"), ERA, clock=clock)
    more = receive(database, dft("M2", "17000", diagnoses=("L57.0", "L82.1")), ERA, clock=clock)
    assert more.code == "AA"
    [(claim, lines)] = claims(database)
    assert [x.procedure_code for x in lines] == ["11102", "17000"]
    assert [x.line_number for x in lines] == [1, 2]
    assert claim.diagnosis_codes == ["L57.0", "L82.1"]
    with UnitOfWork(database, actor="test") as uow:
        uow.session.get(ClaimRow, claim.id).status = "submitted"  # type: ignore[union-attr]
        uow.commit()
    late = receive(database, dft("M3", "17003"), ERA, clock=clock)
    assert (late.code, late.where) == ("AE", "PV1-19")
    assert "make a corrected claim instead" in (late.reason or "")
    assert len(claims(database)[0][1]) == 2


def test_an_unknown_patient_is_named_at_the_pid(database: Database) -> None:
    practice_world(database)
    answer = receive(database, dft("M1", account="Z-9"), ERA, clock=clock)
    assert (answer.code, answer.where) == ("AE", "PID-3")
    assert "register the patient first" in (answer.reason or "")


def test_a_self_pay_visit_is_kept_without_a_claim(database: Database) -> None:
    practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        coverage = uow.session.scalars(select(CoverageRow)).one()
        coverage.termination_date = DOS - datetime.timedelta(days=1)
        coverage.effective_date = DOS - datetime.timedelta(days=30)
        uow.commit()
    answer = receive(database, dft("M1"), ERA, clock=clock)
    assert answer.code == "AA"
    assert answer.outcome["claim"] is None
    assert claims(database) == []


def _held_encounter(database: Database) -> int:
    documentation = {
        "date_of_service": DOS.isoformat(), "payer": "medicare", "patient": {"age": 76, "sex": "F"}, "visit": None,
        "lesions": [{"id": "A", "site": "nose", "diagnosis": "neoplasm_unspecified_behavior",
                     "pathology": "pending", "diameter_cm": 0.8,
                     "procedures": [{"type": "excision", "margin_cm": 0.2}]}],
        "services": []}
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(1)
        first = repo.rows(EncounterRow)[0]
        held = repo.add(EncounterRow(patient_id=first.patient_id, provider_id=first.provider_id,
                                     location_id=first.location_id, date_of_service=DOS, status="held",
                                     documentation=documentation, created_at=NOW, external_id="V2002"))
        repo.flush()
        uow.commit()
        return held.id


def test_a_final_pathology_result_recodes_the_held_encounter_and_releases_its_claim(database: Database) -> None:
    practice_world(database)
    held = _held_encounter(database)
    preliminary = receive(database, oru("P1", {"A": "C44.311"}, visit="V2002", status="P"), ERA, clock=clock)
    assert preliminary.code == "AA"
    assert claims(database) == []
    final = receive(database, oru("P2", {"A": "C44.311"}, visit="V2002"), ERA, clock=clock)
    assert final.code == "AA", final.reason
    assert final.outcome["released"] is True
    assert any("added 1164" in change for change in final.outcome["changes"])  # a malignant excision, face
    [(claim, lines)] = claims(database)
    assert claim.encounter_id == held
    assert claim.diagnosis_codes[0] == "C44.311"
    assert lines[0].procedure_code.startswith("1164")
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.get(EncounterRow, held).status == "coded"  # type: ignore[union-attr]


def test_a_pathology_result_for_a_lesion_not_documented_is_refused_at_its_obx(database: Database) -> None:
    practice_world(database)
    _held_encounter(database)
    answer = receive(database, oru("P1", {"A": "C44.311", "Q": "L82.1"}), ERA, clock=clock)
    assert answer.code == "AE"
    assert answer.where == "OBX[2]-5"
    assert "no lesion Q" in (answer.reason or "")


def test_appointments_are_booked_changed_and_cancelled(database: Database) -> None:
    practice_world(database)
    assert receive(database, siu("S1", "APT7"), ERA, clock=clock).code == "AA"
    assert receive(database, siu("S2", "APT7", kind="SIU^S14^SIU_S12", start="202603091100", minutes=30,
                                 visit_type="Procedure", services=("11102^Biopsy^CPT",)),
                   ERA, clock=clock).code == "AA"
    with UnitOfWork(database, actor="test") as uow:
        row = uow.session.scalars(select(AppointmentRow)).one()
        assert (row.starts_at.hour, row.starts_at.minute, row.minutes, row.status) == (11, 0, 30, "booked")
        assert (row.visit_type, row.planned_codes) == ("Procedure", ["11102"])
    assert receive(database, siu("S3", "APT7", kind="SIU^S15^SIU_S12"), ERA, clock=clock).code == "AA"
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalars(select(AppointmentRow)).one().status == "cancelled"


def test_a_message_stored_but_not_processed_when_the_listener_stopped_is_processed_on_start(
        database: Database) -> None:
    practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.add(Hl7MessageRow(sending_application="DERMEHR", sending_facility="ERA", control_id="M1",
                                      message_type="DFT^P03", raw=dft("M1"), status="received", outcome={},
                                      attempts=0, received_at=NOW))
        uow.commit()
    [answer] = process_waiting(database, ERA, clock=clock)
    assert answer.code == "AA"
    assert len(claims(database)) == 1
    assert receive(database, dft("M1"), ERA, clock=clock).duplicate  # the sender's resend: answered, once


def test_each_message_received_and_each_failure_is_audited_without_phi(database: Database) -> None:
    practice_world(database)
    receive(database, dft("M1"), ERA, clock=clock)
    receive(database, dft("M2", provider="1679576722"), ERA, clock=clock)
    with UnitOfWork(database, actor="test") as uow:
        events = list(uow.session.scalars(select(AuditEventRow).where(AuditEventRow.actor == "hl7")))
        uow.session.expunge_all()
    actions = [e.action for e in events]
    assert actions.count("hl7_message.received") == 2
    assert "hl7_message.failed" in actions and "encounter.charges_received" in actions
    text = " ".join(str(e.detail) for e in events)
    assert "DOE" not in text and "19500101" not in text
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalars(select(PatientRow)).one().account_number == "A-1"


def patients(database: Database) -> dict[str, tuple[PatientRow, list[CoverageRow]]]:
    with UnitOfWork(database, actor="test") as uow:
        found = {p.account_number: (p, list(uow.session.scalars(select(CoverageRow).where(
            CoverageRow.patient_id == p.id).order_by(CoverageRow.id))))
            for p in uow.session.scalars(select(PatientRow))}
        uow.session.expunge_all()
    return found


def test_an_a04_registers_the_patient_and_insurance_and_the_charges_that_follow_make_a_claim(
        database: Database) -> None:
    practice_world(database)

    answer = receive(database, adt("R1"), ERA, clock=clock)

    assert answer.code == "AA", answer.reason
    assert answer.outcome["outcome"] == "created" and answer.outcome["coverages"] == [
        {"order": "primary", "outcome": "created"}]
    patient, coverages = patients(database)["A-2"]
    assert (patient.last_name, patient.first_name, patient.date_of_birth, patient.zip_code) == (
        "SMITH", "ANNA", datetime.date(1961, 7, 4), "19099")
    assert [(c.member_id, c.coverage_order, c.relationship_code, c.effective_date) for c in coverages] == [
        ("1EG4TE5MK73", "primary", "18", datetime.date(2026, 1, 1))]
    charges = receive(database, dft("C1", account="A-2"), ERA, clock=clock)
    assert charges.code == "AA" and charges.outcome["claim"]
    # The same registration again changes nothing; an A08 with a new street updates only the address.
    assert receive(database, adt("R2"), ERA, clock=clock).outcome["outcome"] == "unchanged"
    update = receive(database, adt("R3", kind="ADT^A08^ADT_A01", street="99 OAK AVE"), ERA, clock=clock)
    assert update.code == "AA" and update.outcome["outcome"] == "updated"
    assert update.outcome["changed"] == ["address_line1"]
    patient, coverages = patients(database)["A-2"]
    assert patient.address_line1 == "99 OAK AVE" and len(coverages) == 1
    # An A08 without coverage dates (IN1-12) keeps the coverage's own; a new one starts on the day sent (MSH-7).
    assert receive(database, adt("R4", kind="ADT^A08^ADT_A01", street="99 OAK AVE", effective=""), ERA,
                   clock=clock).outcome["outcome"] == "unchanged"
    assert patients(database)["A-2"][1][0].effective_date == datetime.date(2026, 1, 1)
    assert receive(database, adt("R5", account="A-3", effective=""), ERA, clock=clock).code == "AA"
    assert patients(database)["A-3"][1][0].effective_date == datetime.date(2026, 3, 2)


def test_a_refused_registration_is_answered_at_its_field_and_saves_nothing_of_the_patient(
        database: Database) -> None:
    practice_world(database)

    unknown_payer = receive(database, adt("R1", payer="NOSUCH"), ERA, clock=clock)
    update_unknown = receive(database, adt("R2", kind="ADT^A08^ADT_A01", account="A-9"), ERA, clock=clock)
    bad_birth = receive(database, adt("R3", birth="19611304"), ERA, clock=clock)

    assert (unknown_payer.code, unknown_payer.where) == ("AE", "IN1-3")
    assert "NOSUCH" in (unknown_payer.reason or "")
    assert (update_unknown.code, update_unknown.where) == ("AE", "PID-3")
    assert "send the A04 first" in (update_unknown.reason or "")
    assert (bad_birth.code, bad_birth.where) == ("AE", "PID-7")
    assert set(patients(database)) == {"A-1"}  # the patient of the refused A04 was not kept without insurance
    assert [m.where for m in failed_messages(database, actor="test")] == ["IN1-3", "PID-3", "PID-7"]
