"""The coder's workspace pages through the test client: entry with live coding, saving to a claim, a query holding
the claim, the pathology inbox, the review, and who may open them."""

from __future__ import annotations

import re

from page_world import Pages, pages  # noqa: F401 (the fixture)
from sqlalchemy import select

from dermbill.db.models import ClaimRow, CodingQueryRow, EncounterRow
from dermbill.db.repositories import UnitOfWork

ROW = {"l0_site": "forearm", "l0_side": "left", "l0_diagnosis": "neoplasm_unspecified_behavior",
       "l0_pathology": "melanocytic_nevus", "l0_procedure": "biopsy", "l0_technique": "tangential",
       "l1_site": "back_upper", "l1_diagnosis": "bcc", "l1_diameter_cm": "1.0", "l1_procedure": "excision",
       "l1_repair": "intermediate", "l1_repair_length_cm": "4"}
HEADER = {"date_of_service": "2026-03-02", "payer": "medicare", "age": "76", "sex": "F"}


def _ids(pages: Pages) -> tuple[int, int, int]:  # noqa: F811
    with UnitOfWork(pages.ours.database, actor="test") as uow:
        encounter = uow.session.scalars(select(EncounterRow).where(
            EncounterRow.practice_id == pages.ours.practice_id)).first()
        assert encounter is not None
        return encounter.patient_id, encounter.provider_id, encounter.location_id


def test_the_entry_form_draws_every_region_and_codes_as_it_is_typed(pages: Pages) -> None:  # noqa: F811
    page = pages.as_("coder").client.get("/coding/encounters/new", params={"patient": "A-1"}).text
    assert 'aria-label="left forearm (front)"' in page and 'aria-label="nose (face)"' in page
    assert "<script>" not in page and "style=" not in page  # the CSP: no inline script or style

    answer = pages.client.post("/coding/preview", data=HEADER | ROW, headers={"X-CSRF-Token": pages.csrf})
    assert answer.status_code == 200
    assert "11102" in answer.text and "12032" in answer.text
    assert "Lesion B (upper back): no margin documented, so the excised diameter and the code cannot be chosen." \
        in answer.text


def test_a_preview_without_the_csrf_token_is_refused(pages: Pages) -> None:  # noqa: F811
    pages.as_("coder")
    assert pages.client.post("/coding/preview", data=HEADER | ROW).status_code == 403


def test_saving_with_a_gap_sent_holds_the_claim_until_the_answer(pages: Pages) -> None:  # noqa: F811
    patient, provider, location = _ids(pages.as_("coder"))
    answer = pages.client.post("/coding/encounters", data={
        "csrf_token": pages.csrf, "patient": str(patient), "provider": str(provider), "location": str(location),
        **HEADER, **ROW, "ask": "B:excision_margin"})
    assert answer.status_code == 303, answer.text[:500]
    path = answer.headers["location"]
    page = pages.client.get(path).text
    assert "held" in page and "Query" in page
    encounter_id = int(path.rsplit("/", 1)[1])
    with UnitOfWork(pages.ours.database, actor="test") as uow:
        query = uow.session.scalars(select(CodingQueryRow)).one()
        assert uow.session.scalars(select(ClaimRow).where(ClaimRow.encounter_id == encounter_id)).first() is None
        query_id = query.id
    assert "no margin documented" in pages.client.get("/coding").text
    answered = pages.post(f"/coding/encounters/{encounter_id}/queries/answer", query=str(query_id),
                          answer="margin 0.4 cm")
    assert answered.status_code == 303
    with UnitOfWork(pages.ours.database, actor="test") as uow:
        assert uow.session.scalars(select(ClaimRow).where(ClaimRow.encounter_id == encounter_id)).first()


def test_a_bad_size_shows_the_form_again_naming_the_lesion_and_field(pages: Pages) -> None:  # noqa: F811
    patient, provider, location = _ids(pages.as_("coder"))
    answer = pages.client.post("/coding/encounters", data={
        "csrf_token": pages.csrf, "patient": str(patient), "provider": str(provider), "location": str(location),
        **HEADER, **ROW, "l1_diameter_cm": "big"})
    assert answer.status_code == 422
    assert "lesion B, size" in answer.text and 'value="big"' in answer.text


def test_the_pathology_inbox_releases_a_held_encounter_and_shows_what_changed(pages: Pages) -> None:  # noqa: F811
    patient, provider, location = _ids(pages.as_("coder"))
    held = {**ROW, "l1_site": "nose", "l1_pathology": "pending", "l1_diagnosis": "neoplasm_unspecified_behavior",
            "l1_margin_cm": "0.2", "l1_repair": "", "l1_repair_length_cm": ""}
    saved = pages.client.post("/coding/encounters", data={
        "csrf_token": pages.csrf, "patient": str(patient), "provider": str(provider), "location": str(location),
        **HEADER, **held})
    encounter_id = saved.headers["location"].rsplit("/", 1)[1]
    inbox = pages.client.get("/coding/pathology").text
    assert f'action="/coding/pathology/{encounter_id}"' in inbox
    answer = pages.post(f"/coding/pathology/{encounter_id}", result_B="bcc")
    assert answer.status_code == 200
    assert "released" in answer.text and re.search(r"added 1164\d", answer.text)


def test_a_front_desk_user_may_not_open_the_workspace_and_an_auditor_may_not_code(pages: Pages) -> None:  # noqa: F811
    assert pages.as_("front_desk").client.get("/coding").status_code == 403
    assert pages.as_("auditor").client.get("/coding").status_code == 200
    assert pages.client.get("/coding/encounters/new", params={"patient": "A-1"}).status_code == 403


def test_a_second_coder_reviews_and_the_rate_and_the_change_are_shown(pages: Pages) -> None:  # noqa: F811
    patient, provider, location = _ids(pages.as_("coder"))
    data = {**ROW, "l1_margin_cm": "0.4"}
    saved = pages.client.post("/coding/encounters", data={
        "csrf_token": pages.csrf, "patient": str(patient), "provider": str(provider), "location": str(location),
        **HEADER, **data})
    encounter_id = saved.headers["location"].rsplit("/", 1)[1]
    assert pages.post(f"/coding/encounters/{encounter_id}/review", l1_decision="accept").status_code == 409

    form = pages.as_("manager").client.get(f"/coding/encounters/{encounter_id}/review").text
    lines = re.findall(r'name="l(\d+)_decision" value="accept"', form)
    fields = {f"l{n}_decision": "accept" for n in lines}
    fields.update({"l1_decision": "change", "l1_code": "11603", "l1_units": "1", "l1_modifiers": "",
                   "l1_diagnoses": "C44.519", "l1_reason": "the excised diameter is 2.1 cm"})
    assert pages.post(f"/coding/encounters/{encounter_id}/review", **fields).status_code == 303
    page = pages.client.get("/coding/reviews").text
    assert "the excised diameter is 2.1 cm" in page and "Excision, malignant" in page and "0.0 %" in page
