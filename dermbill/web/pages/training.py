"""Training pages: my assigned modules, a module (its lesson, then its scenarios, each answered and graded with
feedback), and the manager's report (scores, completion, the front-desk denial rate before and after)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import NotPermitted, Permission, allowed
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.training.coder import AnswerLine, answer_line
from dermbill.core.training.modules import SCENARIOS_PER_MODULE
from dermbill.core.training.registration import FixAnswer, FrontDeskScenario, fields_of
from dermbill.services.training import (
    answer_coding,
    answer_front_desk,
    assign_from_denials,
    my_assignment,
    my_assignments,
    my_scenario,
    training_report,
)
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with

CODE_ROWS = 5  # the coder's form: lines it offers
LINE_FIELDS = ("code", "units", "modifiers", "diagnoses")


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise HTTPException(status_code=404, detail=f"no training {value[:40]} among yours")
    return int(value)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/training")
    def mine(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.TAKE_TRAINING)
        with origin(request):
            found = my_assignments(database_of(request), user)
        response = render(request, "training.html", {
            "title": "Training", "assignments": found, "message": flashed(request), "per_module": SCENARIOS_PER_MODULE,
            "can_manage": allowed(user.roles, Permission.MANAGE_TRAINING)}, session=session)
        return forget(response, request)

    @pages.get("/training/report")
    def report(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.MANAGE_TRAINING)
        with origin(request):
            practices = training_report(database_of(request), user, actor=user.email)
        response = render(request, "training_report.html", {
            "title": "Training report", "practices": practices, "message": flashed(request),
            "per_module": SCENARIOS_PER_MODULE}, session=session)
        return forget(response, request)

    @pages.post("/training/assign")
    def assign(request: Request, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.MANAGE_TRAINING)
        with origin(request):
            done = assign_from_denials(database_of(request), as_of=today(), actor=user.email,
                                       practice_ids=user.practice_ids)
        words = f"{len(done.assigned)} module(s) assigned from {done.denials_read} denial(s) of the last 90 days" \
            if done.assigned else f"nothing new to assign from {done.denials_read} denial(s) of the last 90 days"
        return redirect_with(request, "/training/report", words.capitalize() + ".")

    @pages.get("/training/{assignment_id}")
    def module_page(request: Request, assignment_id: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.TAKE_TRAINING)
        try:
            with origin(request):
                found = my_assignment(database_of(request), user, _id(assignment_id))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        response = render(request, "training_module.html", {
            "title": found.module.title, "assignment": found, "message": flashed(request),
            "per_module": SCENARIOS_PER_MODULE}, session=session)
        return forget(response, request)

    def _scenario_page(request: Request, session: PageSession | Csrf, assignment_id: int, number: int, *,
                       problem: str | None = None, typed: dict[str, str] | None = None) -> Response:
        try:
            with origin(request):
                page = my_scenario(database_of(request), session.user, assignment_id, number)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        front_desk = isinstance(page.scenario, FrontDeskScenario)
        context = {
            "title": f"{page.assignment.module.title}: scenario {number}", "page": page, "front_desk": front_desk,
            "fields": fields_of(page.scenario.registration) if isinstance(page.scenario, FrontDeskScenario) else [],
            "rows": range(CODE_ROWS), "problem": problem, "typed": typed or {}, "message": flashed(request),
            "per_module": SCENARIOS_PER_MODULE}
        response = render(request, "training_scenario.html", context, session=session,
                          status_code=422 if problem else 200)
        return forget(response, request)

    @pages.get("/training/{assignment_id}/scenarios/{number}")
    def scenario(request: Request, assignment_id: str, number: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.TAKE_TRAINING)
        return _scenario_page(request, session, _id(assignment_id), _id(number))

    @pages.post("/training/{assignment_id}/scenarios/{number}")
    async def answer(request: Request, assignment_id: str, number: str, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, Permission.TAKE_TRAINING)
        which, place = _id(assignment_id), _id(number)
        form = await request.form()
        typed = {key: str(value)[:80] for key, value in form.items() if key != "csrf_token"}
        database = database_of(request)
        try:
            with origin(request):
                if "field" in typed:
                    answered = answer_front_desk(database, user, which, place,
                                                 FixAnswer(typed["field"], typed.get("value", "")))
                else:
                    answered = answer_coding(database, user, which, place, _lines(typed))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except NotPermitted as refused:
            raise HTTPException(status_code=403, detail=str(refused)) from None
        except InvalidInput as refused:
            return _scenario_page(request, session, which, place, problem=str(refused), typed=typed)
        words = f"Scenario {place}: {answered.grade.score} of 100."
        if answered.assignment.status == "completed" and answered.assignment.next_scenario is None:
            words += f" Module complete: score {answered.assignment.score}."
        return redirect_with(request, f"/training/{which}/scenarios/{place}", words)

    return pages


def _lines(typed: dict[str, str]) -> list[AnswerLine]:
    """The coder form's filled rows as answer lines (an empty row is skipped)."""
    lines = []
    for index in range(CODE_ROWS):
        values = {name: typed.get(f"l{index}_{name}", "").strip() for name in LINE_FIELDS}
        if not any(values.values()):
            continue
        lines.append(answer_line(values["code"], values["units"], values["modifiers"], values["diagnoses"],
                                 where=f"line {index + 1}"))
    return lines
