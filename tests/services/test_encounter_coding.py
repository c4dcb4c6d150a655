"""The coder's workspace on both databases: an encounter entered here is coded and becomes its claim; a gap sent to
the provider holds the claim until answered; a pending pathology report holds it until entered; a second coder's
review is kept with who and why and counted per code family."""

from __future__ import annotations

from typing import Any

import pytest
from era_world import DOS, practice_world
from sqlalchemy import select

from dermbill.core.errors import InvalidFields, InvalidTransition, NotFound
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow, CodingQueryRow, EncounterRow, PatientRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.encounter_coding import (
    LineChoice,
    agreement_rates,
    answer_query,
    entry_patient,
    list_queries,
    read_encounter,
    record_review,
    review_changes,
    save_encounter,
    send_query,
)
from dermbill.services.pathology import enter_pathology, held_encounters

CODER, SECOND = "coder@era.test", "reviewer@era.test"


def _document(*lesions: dict[str, Any]) -> dict[str, Any]:
    return {"date_of_service": DOS.isoformat(), "payer": "medicare", "patient": {"age": 76, "sex": "F"},
            "visit": None, "lesions": list(lesions), "services": []}


BIOPSY = {"id": "A", "site": "forearm", "laterality": "left", "diagnosis": "neoplasm_unspecified_behavior",
          "pathology": "pending", "procedures": [{"type": "biopsy", "technique": "tangential"}]}
EXCISION = {"id": "B", "site": "back_upper", "diagnosis": "bcc", "diameter_cm": 1.0,
            "procedures": [{"type": "excision", "margin_cm": 0.4},
                           {"type": "repair", "complexity": "intermediate", "length_cm": 4.0}]}
NO_MARGIN = {**EXCISION, "procedures": [{"type": "excision"}]}


def _ids(database: Database) -> tuple[int, int, int, int]:
    """(practice, patient, provider, location) of the ERA world."""
    with UnitOfWork(database, actor="test") as uow:
        encounter = uow.session.scalars(select(EncounterRow)).first()
        assert encounter is not None
        return encounter.practice_id, encounter.patient_id, encounter.provider_id, encounter.location_id


def _save(database: Database, document: dict[str, Any], **more: Any) -> Any:
    practice, patient, provider, location = _ids(database)
    return save_encounter(database, [practice], patient_id=patient, provider_id=provider, location_id=location,
                          document=document, actor=more.pop("actor", CODER), **more)


def _claim(database: Database, encounter_id: int) -> ClaimRow | None:
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.encounter_id == encounter_id)).first()
        if claim is not None:
            uow.session.expunge(claim)
        return claim


def test_an_encounter_entered_here_is_coded_and_becomes_its_claim(database: Database) -> None:
    practice_world(database)
    saved = _save(database, _document({**BIOPSY, "pathology": "melanocytic_nevus"}, EXCISION))

    assert saved.status == "coded" and saved.claim_number is not None
    claim = _claim(database, saved.encounter_id)
    assert claim is not None and claim.status == "coded"
    view = read_encounter(database, [_ids(database)[0]], saved.encounter_id, actor=CODER)
    assert view.coded.result is not None
    assert {line.code for line in view.coded.result.lines} >= {"11602", "12032", "11102"}
    assert view.entered_by == CODER
    with UnitOfWork(database, actor="test") as uow:
        actions = list(uow.session.scalars(select(AuditEventRow.action).where(
            AuditEventRow.entity_type == "encounter", AuditEventRow.entity_id == saved.encounter_id)))
    assert "encounter.entered" in actions and "encounter.read" in actions


def test_a_documentation_error_names_the_lesion_and_field_and_saves_nothing(database: Database) -> None:
    practice_world(database)
    with pytest.raises(InvalidFields, match="lesion B, size"):
        _save(database, _document(BIOPSY, {**EXCISION, "diameter_cm": "big"}))
    with UnitOfWork(database, actor="test") as uow:
        assert len(list(uow.session.scalars(select(EncounterRow)))) == 1  # the world's own


def test_a_gap_sent_to_the_provider_holds_the_claim_until_the_answer(database: Database) -> None:
    practice_world(database)
    practice = _ids(database)[0]
    saved = _save(database, _document(NO_MARGIN), ask=[("B", "excision_margin")])

    assert (saved.status, saved.claim_number, saved.queries) == ("held", None, 1)
    [query] = list_queries(database, [practice], actor=CODER)
    assert query.question == ("Lesion B (upper back): no margin documented, so the excised diameter and the code "
                              "cannot be chosen.")
    assert held_encounters(database, [practice], actor=CODER) == []  # held by a query, not by pathology
    # The provider answers; the coder documents the margin, then records the answer: the claim is made.
    _save(database, _document(EXCISION), encounter_id=saved.encounter_id)
    assert _claim(database, saved.encounter_id) is None  # the query still holds it
    answered = answer_query(database, [practice], saved.encounter_id, query.query_id, answer="margin 0.4 cm",
                            actor=CODER)
    assert answered.released and answered.claim_number is not None
    assert list_queries(database, [practice], actor=CODER) == []
    with pytest.raises(InvalidTransition, match="answered"):
        answer_query(database, [practice], saved.encounter_id, query.query_id, answer="again", actor=CODER)


def test_a_query_on_a_coded_encounter_holds_its_claim_and_the_answer_releases_it(database: Database) -> None:
    practice_world(database)
    practice = _ids(database)[0]
    saved = _save(database, _document({**BIOPSY, "pathology": "melanocytic_nevus"}, NO_MARGIN))
    assert saved.claim_number is not None  # the biopsy is billable; the excision waits for its margin

    query = send_query(database, [practice], saved.encounter_id, lesion="B", gap="excision_margin", actor=CODER)
    claim = _claim(database, saved.encounter_id)
    assert claim is not None and claim.status == "held"
    with pytest.raises(InvalidFields, match="no such documentation gap"):
        send_query(database, [practice], saved.encounter_id, lesion="A", gap="excision_margin", actor=CODER)
    answer_query(database, [practice], saved.encounter_id, query.query_id, answer="0.4", actor=CODER)
    claim = _claim(database, saved.encounter_id)
    assert claim is not None and claim.status == "coded"


def test_pathology_releases_a_held_encounter_unless_a_query_still_holds_it(database: Database) -> None:
    practice_world(database)
    practice = _ids(database)[0]
    pending = {"id": "A", "site": "nose", "diagnosis": "neoplasm_unspecified_behavior", "pathology": "pending",
               "diameter_cm": 0.8, "procedures": [{"type": "excision", "margin_cm": 0.2}]}
    saved = _save(database, _document(pending, NO_MARGIN), ask=[("B", "excision_margin")])
    [held] = held_encounters(database, [practice], actor=CODER)
    assert held.encounter_id == saved.encounter_id and held.pending == (("A", "nose", "neoplasm_unspecified_behavior"),)

    outcome = enter_pathology(database, [practice], saved.encounter_id, {"A": "bcc"}, actor=CODER)
    assert not outcome.released and _claim(database, saved.encounter_id) is None
    assert any("added 1164" in change for change in outcome.changes)  # malignant excision, face
    [query] = list_queries(database, [practice], actor=CODER)
    answered = answer_query(database, [practice], saved.encounter_id, query.query_id, answer="not measured",
                            actor=CODER)
    assert answered.released and answered.claim_number is not None


def test_a_second_coder_reviews_the_lines_with_who_and_why_and_the_rate_is_counted_per_family(
        database: Database) -> None:
    practice_world(database)
    practice = _ids(database)[0]
    saved = _save(database, _document({**BIOPSY, "pathology": "melanocytic_nevus"}, EXCISION))
    lines = read_encounter(database, [practice], saved.encounter_id, actor=CODER).coded.result.lines  # type: ignore[union-attr]
    numbers = {line.code: n for n, line in enumerate(lines, start=1)}

    with pytest.raises(InvalidTransition, match="a second coder"):
        record_review(database, [practice], saved.encounter_id, [], actor=CODER)
    choices = [LineChoice(n, True) for n in numbers.values()]
    changed = LineChoice(numbers["12032"], False, "12031", "1", "", "C44.519", "")
    with pytest.raises(InvalidFields, match=rf"lines.{numbers['12032']}.reason"):
        record_review(database, [practice], saved.encounter_id,
                      [*(c for c in choices if c.line_number != changed.line_number), changed], actor=SECOND)
    changed = LineChoice(numbers["12032"], False, "12031", "1", "", "C44.519", "the note says 2.5 cm")
    record_review(database, [practice], saved.encounter_id,
                  [*(c for c in choices if c.line_number != changed.line_number), changed], actor=SECOND)

    rates = {r.family: (r.reviewed, r.accepted) for r in agreement_rates(database, [practice], actor=SECOND)}
    assert rates["repair"] == (1, 0) and rates["excision_malignant"] == (1, 1) and rates["biopsy"] == (1, 1)
    assert rates["all"] == (len(lines), len(lines) - 1)
    [change] = review_changes(database, [practice], actor=SECOND)
    assert (change.engine.startswith("12032"), change.reviewed.startswith("12031"), change.reason,
            change.reviewer) == (True, True, "the note says 2.5 cm", SECOND)


def test_another_practices_encounter_and_patient_are_not_found(database: Database) -> None:
    practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    saved = _save(database, _document(EXCISION))
    with pytest.raises(NotFound):
        read_encounter(database, [theirs.practice_id], saved.encounter_id, actor="someone")
    with pytest.raises(NotFound):
        send_query(database, [theirs.practice_id], saved.encounter_id, lesion="B", gap="excision_margin",
                   actor="someone")
    ours = _ids(database)[0]
    with UnitOfWork(database, actor="test") as uow:
        patient_id = uow.session.scalars(select(PatientRow.id).where(PatientRow.practice_id == ours)).one()
    with pytest.raises(NotFound):
        entry_patient(database, [theirs.practice_id], str(patient_id), DOS, actor="someone")
    assert entry_patient(database, [_ids(database)[0]], "A-1", DOS, actor=CODER).payer == "medicare"
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalars(select(CodingQueryRow)).first() is None


def test_an_encounter_documented_beyond_the_screen_is_shown_but_not_corrected_here(database: Database) -> None:
    practice_world(database)
    saved = _save(database, _document(NO_MARGIN), ask=[("B", "excision_margin")])
    with UnitOfWork(database, actor="test") as uow:  # as the EHR sent it: with the lesion's symptoms
        encounter = uow.session.get(EncounterRow, saved.encounter_id)
        assert encounter is not None
        encounter.documentation = _document({**NO_MARGIN, "symptoms": ["bleeding"]})
        uow.commit()

    view = read_encounter(database, [_ids(database)[0]], saved.encounter_id, actor=CODER)
    assert view.status == "held" and not view.editable
    assert view.beyond_the_form == ["lesions[B].symptoms[0]"]
    with pytest.raises(InvalidTransition, match=r"no field for \(lesions\[B\]\.symptoms\[0\]\)"):
        _save(database, _document(EXCISION), encounter_id=saved.encounter_id)
    with UnitOfWork(database, actor="test") as uow:
        encounter = uow.session.get(EncounterRow, saved.encounter_id)
        assert encounter is not None and encounter.documentation["lesions"][0]["symptoms"] == ["bleeding"]
