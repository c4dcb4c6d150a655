"""The coder's workspace: enter an encounter on the lesion table and the body map with its codes beside it (htmx),
send a documentation gap to the provider, the pathology inbox, and the second coder's review with the engine's
agreement rate per code family. Each route parses the form, calls one service and renders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from dermbill.clock import today
from dermbill.core.access import Permission, allowed
from dermbill.core.coding.body_map import SITE_WORDS
from dermbill.core.coding.encounter import DIAGNOSIS_KEYS, ENUMS, PAYERS, SITES
from dermbill.core.coding.entry import LESION_FIELDS, PROCEDURES, encounter_document, lesion_id, rows_of
from dermbill.core.errors import DermbillError, InvalidFields, InvalidInput, NotFound
from dermbill.services.encounter_coding import (
    EncounterView,
    EntryPatient,
    LineChoice,
    agreement_rates,
    answer_query,
    entry_patient,
    list_queries,
    preview,
    read_encounter,
    record_review,
    review_changes,
    save_encounter,
    send_query,
    site_map,
    to_review,
)
from dermbill.services.pathology import enter_pathology, held_encounters
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with

MAX_ROWS = 26
NEW_ROWS = 3  # empty rows a new encounter starts with
HEADER = ("date_of_service", "payer", "age", "sex", "visit_category", "visit_level", "separately_identifiable")


def _choices() -> dict[str, Any]:
    """What the entry form's lists offer (the encounter format's keys, in words where the key is not one)."""
    return {"sites": [(site, SITE_WORDS.get(site, site)) for site in SITES], "diagnoses": DIAGNOSIS_KEYS,
            "procedures": PROCEDURES, "techniques": ENUMS["technique"], "methods": ENUMS["method"],
            "complexities": ENUMS["complexity"], "payers": PAYERS, "body_map": site_map()}


def _id(value: str, what: str = "encounter") -> int:
    if not value.isdigit() or len(value) > 9:
        raise HTTPException(status_code=404, detail=f"no {what} {value[:40]} among your practices' {what}s")
    return int(value)


def _rows(form: FormData) -> list[dict[str, str]]:
    rows = []
    for index in range(MAX_ROWS):
        if not any(f"l{index}_{name}" in form for name in LESION_FIELDS):
            break
        rows.append({name: str(form.get(f"l{index}_{name}") or "")[:60] for name in LESION_FIELDS})
    return rows


def _header(form: FormData) -> dict[str, str]:
    return {name: str(form.get(name) or "")[:40] for name in HEADER}


def _int_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def _entry(request: Request, session: LiveSession, *, patient: EntryPatient, header: Mapping[str, str],
           rows: list[dict[str, str]], provider_id: int | None, location_id: int | None,
           encounter: EncounterView | None = None, problems: list[str] | None = None,
           message: str | None = None, status_code: int = 200) -> Response:
    document = encounter_document(header, rows)
    response = render(request, "coding_entry.html", {
        "title": f"Encounter {encounter.encounter_id}" if encounter else "Enter an encounter",
        "patient": patient, "header": header, "rows": rows, "letters": [lesion_id(i) for i in range(len(rows))],
        "provider_id": provider_id, "location_id": location_id, "encounter": encounter,
        "coded": encounter.coded if encounter and not problems else preview(document),
        "problems": problems or [], "message": message if message is not None else flashed(request),
        "editable": encounter is None or encounter.editable,
        "can_code": allowed(session.user.roles, Permission.CODE_ENCOUNTERS), **_choices()},
        session=session, status_code=status_code)
    return forget(response, request)


def _problems(refusal: InvalidInput) -> list[str]:
    if isinstance(refusal, InvalidFields):
        return [f"{p.field}: {p.message}" if p.field not in ("documentation",) else p.message
                for p in refusal.problems]
    return [str(refusal)]


def _asked(form: FormData) -> list[tuple[str | None, str]]:
    asked = []
    for value in form.getlist("ask"):
        lesion, _, kind = str(value).partition(":")
        asked.append((lesion or None, kind[:40]))
    return asked


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/coding")
    def workspace(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_ENCOUNTERS)
        database = database_of(request)
        with origin(request):
            queries = list_queries(database, user.practice_ids, actor=user.email)
            held = held_encounters(database, user.practice_ids, actor=user.email)
            waiting = to_review(database, user.practice_ids, actor=user.email)
        response = render(request, "coding.html", {
            "title": "Coding", "queries": queries, "held": held, "waiting": waiting, "message": flashed(request),
            "can_code": allowed(user.roles, Permission.CODE_ENCOUNTERS)}, session=session)
        return forget(response, request)

    @pages.get("/coding/encounters/new")
    def new(request: Request, session: PageSession,
            patient: Annotated[str, Query(max_length=40)] = "") -> Response:
        user = session.user
        page_permitted(user, Permission.CODE_ENCOUNTERS)
        if not patient.strip():
            return redirect_with(request, "/coding", "Give the patient's account number to enter an encounter.")
        day = today()
        try:
            with origin(request):
                found = entry_patient(database_of(request), user.practice_ids, patient, day, actor=user.email)
        except NotFound as missing:
            return redirect_with(request, "/coding", str(missing))
        header = {"date_of_service": day.isoformat(), "payer": found.payer, "age": str(found.age),
                  "sex": found.sex, "visit_category": "", "visit_level": "", "separately_identifiable": ""}
        rows = [{name: "" for name in LESION_FIELDS} for _ in range(NEW_ROWS)]
        return _entry(request, session, patient=found, header=header, rows=rows,
                      provider_id=found.providers[0][0] if len(found.providers) == 1 else None,
                      location_id=found.locations[0][0] if len(found.locations) == 1 else None)

    @pages.post("/coding/preview")
    async def live(request: Request, session: Csrf) -> Response:
        page_permitted(session.user, Permission.CODE_ENCOUNTERS)
        form = await request.form()
        outcome = preview(encounter_document(_header(form), _rows(form)))
        return render(request, "coding_result.html", {"coded": outcome, "can_code": True, "editable": True},
                      session=session)

    @pages.get("/coding/lesion-row")
    def lesion_row(request: Request, session: PageSession,
                   index: Annotated[int, Query(ge=0, lt=MAX_ROWS)] = 0) -> Response:
        page_permitted(session.user, Permission.CODE_ENCOUNTERS)
        return render(request, "coding_row.html", {
            "index": index, "letter": lesion_id(index), "row": {name: "" for name in LESION_FIELDS},
            "editable": True, **_choices()}, session=session)

    @pages.post("/coding/encounters")
    async def save(request: Request, session: Csrf) -> Response:
        return await _save(request, session, None)

    @pages.get("/coding/encounters/{encounter_id}")
    def encounter(request: Request, encounter_id: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.VIEW_ENCOUNTERS)
        view = _read(request, session, encounter_id)
        return _encounter_page(request, session, view)

    @pages.post("/coding/encounters/{encounter_id}")
    async def correct(request: Request, encounter_id: str, session: Csrf) -> Response:
        return await _save(request, session, _id(encounter_id))

    async def _save(request: Request, session: LiveSession, encounter_id: int | None) -> Response:
        user = session.user
        page_permitted(user, Permission.CODE_ENCOUNTERS)
        form = await request.form()
        header, rows = _header(form), _rows(form)
        database = database_of(request)
        view = _read(request, session, str(encounter_id)) if encounter_id is not None else None
        patient_id = view.patient.patient_id if view else _int_or_none(form.get("patient"))
        if patient_id is None:
            raise HTTPException(status_code=404, detail="no patient among your practices' patients")
        provider_id, location_id = _int_or_none(form.get("provider")), _int_or_none(form.get("location"))
        try:
            with origin(request):
                saved = save_encounter(database, user.practice_ids, patient_id=patient_id, provider_id=provider_id,
                                       location_id=location_id, document=encounter_document(header, rows),
                                       actor=user.email, encounter_id=encounter_id, ask=_asked(form))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            with origin(request):
                patient = view.patient if view else entry_patient(database, user.practice_ids, str(patient_id),
                                                                  today(),
                                                                  actor=user.email)
            return _entry(request, session, patient=patient, header=header, rows=rows, provider_id=provider_id,
                          location_id=location_id, encounter=view, problems=_problems(refusal), status_code=422)
        except DermbillError as conflict:
            raise HTTPException(status_code=409, detail=str(conflict)) from None
        said = [f"Saved encounter {saved.encounter_id}."]
        if saved.claim_number:
            said.append(f"Claim {saved.claim_number} made (coded).")
        elif saved.status == "held":
            said.append("The claim waits: " + (f"{saved.queries} query(ies) sent to the provider."
                                               if saved.queries else "a pathology report or a query is pending."))
        return redirect_with(request, f"/coding/encounters/{saved.encounter_id}", " ".join(said))

    @pages.post("/coding/encounters/{encounter_id}/queries")
    async def ask(request: Request, encounter_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.CODE_ENCOUNTERS)
        number = _id(encounter_id)
        form = await request.form()
        asked = _asked(form)
        try:
            if not asked:
                raise InvalidFields("the query was not sent", ())
            lesion, kind = asked[0]
            with origin(request):
                query = send_query(database_of(request), user.practice_ids, number, lesion=lesion, gap=kind,
                                   actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            view = _read(request, session, encounter_id)
            return _encounter_page(request, session, view, message=f"The query was not sent: {refusal}",
                                   status_code=409)
        return redirect_with(request, f"/coding/encounters/{number}",
                             f"Query {query.query_id} sent to the provider; the claim waits for the answer.")

    @pages.post("/coding/encounters/{encounter_id}/queries/answer")
    async def answer(request: Request, encounter_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.CODE_ENCOUNTERS)
        number = _id(encounter_id)
        form = await request.form()
        query_id = _int_or_none(form.get("query"))
        try:
            with origin(request):
                if query_id is None:
                    raise InvalidFields("the answer was not saved", ())
                answered = answer_query(database_of(request), user.practice_ids, number, query_id,
                                        answer=str(form.get("answer") or "")[:4000], actor=user.email)
        except NotFound as missing:
            if query_id is not None:
                _read(request, session, encounter_id)  # the encounter is the caller's: the query is what is missing
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            view = _read(request, session, encounter_id)
            text = str(refusal) if str(refusal) else "choose the query and write the provider's answer"
            return _encounter_page(request, session, view, message=f"The answer was not saved: {text}",
                                   status_code=422)
        said = "Answer saved."
        if answered.released:
            said += (f" Nothing waits any more: claim {answered.claim_number} is released to billing."
                     if answered.claim_number else " Nothing waits any more (no claim: nothing billable to a payer).")
        elif answered.still_open:
            said += f" {answered.still_open} query(ies) still open."
        return redirect_with(request, f"/coding/encounters/{number}", said)

    @pages.get("/coding/pathology")
    def pathology(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_ENCOUNTERS)
        with origin(request):
            held = held_encounters(database_of(request), user.practice_ids, actor=user.email)
        response = render(request, "coding_pathology.html", {
            "title": "Pathology inbox", "held": held, "outcome": None, "message": flashed(request),
            "diagnoses": DIAGNOSIS_KEYS, "can_code": allowed(user.roles, Permission.CODE_ENCOUNTERS)},
            session=session)
        return forget(response, request)

    @pages.post("/coding/pathology/{encounter_id}")
    async def enter(request: Request, encounter_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.CODE_ENCOUNTERS)
        number = _id(encounter_id)
        form = await request.form()
        results = {str(key)[7:][:20]: str(value)[:20] for key, value in form.multi_items()
                   if str(key).startswith("result_") and str(value).strip()}
        database = database_of(request)
        try:
            with origin(request):
                outcome = enter_pathology(database, user.practice_ids, number, results, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            with origin(request):
                held = held_encounters(database, user.practice_ids, actor=user.email)
            return render(request, "coding_pathology.html", {
                "title": "Pathology inbox", "held": held, "outcome": None, "diagnoses": DIAGNOSIS_KEYS,
                "message": None, "error": f"Encounter {number}: {refusal}", "can_code": True},
                session=session, status_code=422)
        with origin(request):
            held = held_encounters(database, user.practice_ids, actor=user.email)
        return render(request, "coding_pathology.html", {
            "title": "Pathology inbox", "held": held, "outcome": outcome, "diagnoses": DIAGNOSIS_KEYS,
            "message": None, "can_code": True}, session=session)

    @pages.get("/coding/encounters/{encounter_id}/review")
    def review(request: Request, encounter_id: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.CODE_ENCOUNTERS)
        view = _read(request, session, encounter_id)
        return render(request, "coding_review.html", {"title": f"Review encounter {view.encounter_id}",
                                                      "encounter": view, "errors": {}, "typed": {}},
                      session=session)

    @pages.post("/coding/encounters/{encounter_id}/review")
    async def decide(request: Request, encounter_id: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.CODE_ENCOUNTERS)
        number = _id(encounter_id)
        form = await request.form()
        choices = []
        for line in range(1, 100):
            decision = form.get(f"l{line}_decision")
            if decision is None:
                continue
            choices.append(LineChoice(line, str(decision) == "accept", *(
                str(form.get(f"l{line}_{name}") or "")[:200] for name in ("code", "units", "modifiers", "diagnoses",
                                                                          "reason"))))
        try:
            with origin(request):
                reviewed = record_review(database_of(request), user.practice_ids, number, choices, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            view = _read(request, session, encounter_id)
            errors: dict[str, list[str]] = {}
            general = []
            if isinstance(refusal, InvalidFields):
                for problem in refusal.problems:
                    errors.setdefault(problem.field, []).append(problem.message)
            else:
                general.append(str(refusal))
            return render(request, "coding_review.html", {
                "title": f"Review encounter {view.encounter_id}", "encounter": view, "errors": errors,
                "general": general, "typed": {str(k): str(v) for k, v in form.multi_items()}},
                session=session, status_code=422 if isinstance(refusal, InvalidInput) else 409)
        changed = sum(1 for line in reviewed if not line.accepted)
        return redirect_with(request, "/coding/reviews", f"Reviewed encounter {number}: {len(reviewed) - changed} "
                                                         f"line(s) accepted, {changed} changed.")

    @pages.get("/coding/reviews")
    def reviews(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_ENCOUNTERS)
        database = database_of(request)
        with origin(request):
            rates = agreement_rates(database, user.practice_ids, actor=user.email)
            changes = review_changes(database, user.practice_ids, actor=user.email)
        response = render(request, "coding_reviews.html", {
            "title": "Coding review", "rates": rates, "changes": changes, "message": flashed(request)},
            session=session)
        return forget(response, request)

    def _read(request: Request, session: LiveSession, encounter_id: str) -> EncounterView:
        user = session.user
        try:
            with origin(request):
                return read_encounter(database_of(request), user.practice_ids, _id(encounter_id), actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None

    def _encounter_page(request: Request, session: LiveSession, view: EncounterView, *, message: str | None = None,
                        status_code: int = 200) -> Response:
        documentation = view.documentation
        visit = documentation.get("visit") or {}
        patient = documentation.get("patient") or {}
        header = {"date_of_service": str(documentation.get("date_of_service", "")),
                  "payer": str(documentation.get("payer", "")), "age": str(patient.get("age", "")),
                  "sex": str(patient.get("sex", "")), "visit_category": str(visit.get("category", "")),
                  "visit_level": str(visit.get("level", "")),
                  "separately_identifiable": "on" if visit.get("separately_identifiable") else ""}
        rows = rows_of(documentation)
        if view.editable:
            rows.append({name: "" for name in LESION_FIELDS})
        return _entry(request, session, patient=view.patient, header=header, rows=rows,
                      provider_id=view.provider_id, location_id=view.location_id, encounter=view, message=message,
                      status_code=status_code)

    return pages
