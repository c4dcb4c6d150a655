"""The claims list with its search (``GET /api/v1/claims``), the claim board (``/api/v1/claims/board``) and the
work dashboard (``/api/v1/dashboard``): scoped to the caller's practices; every search audited.

A bad filter answers 422 in the shape of every validation error of the API:
``{"detail": "the request is not valid", "problems": [{"field": "date_to", "message": "..."}]}``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from dermbill.clock import today
from dermbill.core.access import Permission
from dermbill.core.claim_search import InvalidSearch, parse_cursor, parse_search
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.services.claim_search import ClaimListItem, claim_board, search_claims
from dermbill.services.dashboard import QueueSummary, work_dashboard
from dermbill.services.users import User
from dermbill.web.api import DatabaseDep, UserDep, origin, permitted

Text = Annotated[str | None, Query(max_length=200)]


class ClaimListOut(BaseModel):
    claim_number: str
    practice: str
    status: str
    patient: str
    payer: str
    date_of_service: str
    total_charge: str

    @classmethod
    def of(cls, claim: ClaimListItem) -> ClaimListOut:
        return cls(claim_number=claim.claim_number, practice=claim.practice, status=claim.status,
                   patient=claim.patient, payer=claim.payer, date_of_service=claim.date_of_service.isoformat(),
                   total_charge=str(claim.total_charge))


class ClaimPage(BaseModel):
    claims: list[ClaimListOut]
    next_after: str | None  # pass as ?after= (with the same filters) for the next page


class BoardColumnOut(BaseModel):
    status: str
    claims: int
    total_charge: str


class ClaimBoard(BaseModel):
    columns: list[BoardColumnOut]
    claims: int
    total_charge: str


class QueueTotalOut(BaseModel):
    count: int
    amount: str


class QueueOut(BaseModel):
    queue: str
    label: str
    count: int
    amount: str
    by_urgency: dict[str, QueueTotalOut] | None = None

    @classmethod
    def of(cls, summary: QueueSummary) -> QueueOut:
        return cls(queue=summary.queue.value, label=summary.queue.label, count=summary.count,
                   amount=str(summary.amount),
                   by_urgency={level.value: QueueTotalOut(count=total.count, amount=str(total.amount))
                               for level, total in summary.by_urgency.items()} or None)


class Dashboard(BaseModel):
    date: str
    practices: list[str]
    queues: list[QueueOut]


def invalid(problem: InvalidSearch) -> JSONResponse:
    return JSONResponse({"detail": "the request is not valid",
                         "problems": [{"field": problem.field, "message": problem.problem}]}, status_code=422)


def claims_page(database: Database, user: User, *, limit: int, after: str | None,
                filters: dict[str, str | None]) -> ClaimPage:
    """One page of the claims search (InvalidSearch names the field that cannot be used): API and screen."""
    search = parse_search(**filters)
    cursor = parse_cursor(after) if after else None
    found = search_claims(database, user.practice_ids, search, limit=limit + 1, after=cursor, actor=user.email)
    page = found[:limit]
    return ClaimPage(claims=[ClaimListOut.of(c) for c in page],
                     next_after=str(page[-1].cursor) if len(found) > limit else None)


def claim_board_of(database: Database, user: User) -> ClaimBoard:
    columns = claim_board(database, user.practice_ids, actor=user.email)
    return ClaimBoard(columns=[BoardColumnOut(status=c.status.value, claims=c.claims,
                                              total_charge=str(c.total_charge)) for c in columns],
                      claims=sum(c.claims for c in columns),
                      total_charge=str(Money(sum(c.total_charge.cents for c in columns))))


def dashboard_of(database: Database, user: User) -> Dashboard:
    day = today()
    queues = work_dashboard(database, user.practice_ids, user.roles, today=day)
    return Dashboard(date=day.isoformat(), practices=list(user.practices), queues=[QueueOut.of(q) for q in queues])


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["api"])

    @api.get("/claims", summary="Claims of the caller's practices, newest date of service first, with filters",
             response_model=ClaimPage)
    def list_claims(request: Request, user: UserDep, database: DatabaseDep,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    after: Annotated[str | None, Query(max_length=40)] = None,
                    q: Text = None, patient: Text = None, date_from: Text = None, date_to: Text = None,
                    payer: Text = None, provider: Text = None, status: Text = None,
                    practice: Text = None) -> ClaimPage | JSONResponse:
        """``q``: a claim number prefix or a patient's name (``DOE`` or ``doe, ja``); ``patient``: an account number
        or a name; ``date_from``/``date_to``: dates of service (YYYY-MM-DD, inclusive); ``payer``: a payer ID or
        name; ``provider``: a rendering or billing provider's NPI or name; ``status``: claim states,
        comma-separated; ``practice``: one of your practices' codes."""
        permitted(user, Permission.VIEW_CLAIMS)
        try:
            with origin(request):
                return claims_page(database, user, limit=limit, after=after, filters=dict(
                    q=q, patient=patient, date_from=date_from, date_to=date_to, payer=payer, provider=provider,
                    status=status, practice=practice))
        except InvalidSearch as problem:
            return invalid(problem)

    @api.get("/claims/board", summary="How many claims and how much charged in each state, for the caller's practices")
    def board(user: UserDep, database: DatabaseDep) -> ClaimBoard:
        permitted(user, Permission.VIEW_CLAIMS)
        return claim_board_of(database, user)

    @api.get("/dashboard", summary="Today's work: the queues the caller's roles may see, with counts and dollars")
    def dashboard(user: UserDep, database: DatabaseDep) -> Dashboard:
        return dashboard_of(database, user)

    return api
