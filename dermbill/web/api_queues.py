"""The work queues and the audit log in the REST API (``/api/v1``): the fix queue of rejected claims, the denial
work queue and its actions (assign, note, snooze, resolve, correct, appeal), and the audit log for auditors.

Like the rest of the API: a personal access token names the user; another practice's item answers 404; a role
without the permission answers 403 (``core.access``); a request whose values cannot be used answers 422 with
``{"detail", "problems": [{"field", "message"}]}``; an action the item's state forbids (a resolved item, an
appeal already sent, a window closed) answers 409. Every read and change is audited with the route and address.
The models here are also what the pages' templates render (``denial_queue.html``, ``denial_item.html``...), and
the pages (``web.pages.queues``) call the same functions as the routes here (``show_denial_queue``,
``assign_work_item``...: the permission, the service within the user's practices, the answer as a model).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, field_validator

from dermbill.clock import today
from dermbill.core.access import NotPermitted, Permission, require
from dermbill.core.denials import Urgency, urgency
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.db.engine import Database
from dermbill.services.audit import AuditEntry
from dermbill.services.audit_log import AuditScope, AuditSearch, audit_csv, export_audit_log, search_audit_log
from dermbill.services.denials import (
    AppealPreview,
    Correction,
    ItemDetail,
    WorkItem,
    assign_item,
    correct_claim,
    list_items,
    mark_appeal_sent,
    note_item,
    preview_appeal,
    refresh_queue,
    resolve_item,
    show_item,
    snooze_item,
)
from dermbill.services.fix_queue import RejectedClaim, RejectedClaimDetail, rejected_claim, rejected_claims
from dermbill.services.users import User
from dermbill.web.api import DatabaseDep, UserDep, origin

StatusFilter = Literal["open", "waiting", "snoozed", "resolved", "all"]
Resolution = Literal[  # services.denials.RESOLUTIONS (a test keeps the two the same)
    "write_off", "bill_patient", "paid", "appeal_won", "appeal_lost", "no_action"]


# ----------------------------------------------------------------------------------------------------------------
# Models


class Problem(BaseModel):
    field: str
    message: str


class ProblemOut(BaseModel):
    """A 422 answer: what is wrong, field by field."""

    detail: str
    problems: list[Problem]


class FixQueueItemOut(BaseModel):
    practice: str
    claim: str
    payer: str  # the payer's identifier
    payer_name: str
    field: str  # the claim field in error
    message: str
    fix: str
    rejected_at: datetime.datetime

    @classmethod
    def of(cls, item: RejectedClaim) -> FixQueueItemOut:
        return cls(practice=item.practice, claim=item.claim, payer=item.payer, payer_name=item.payer_name,
                   field=item.field, message=item.message, fix=item.fix, rejected_at=item.rejected_at)


class FixQueueOut(BaseModel):
    items: list[FixQueueItemOut]


class ClaimLineOut(BaseModel):
    line_number: int
    code: str
    modifiers: list[str]
    units: int
    charge: str
    date_of_service: datetime.date


class RejectionOut(BaseModel):
    message: str
    fix: str


class FixQueueDetailOut(FixQueueItemOut):
    status: str
    patient: str
    member_id: str
    total_charge: str
    lines: list[ClaimLineOut]
    rejections: list[RejectionOut]

    @classmethod
    def of_detail(cls, detail: RejectedClaimDetail) -> FixQueueDetailOut:
        return cls(**FixQueueItemOut.of(detail.rejection).model_dump(), status=detail.status,
                   patient=detail.patient, member_id=detail.member_id, total_charge=str(detail.total_charge),
                   lines=[ClaimLineOut(line_number=line.line_number, code=line.code, modifiers=list(line.modifiers),
                                       units=line.units, charge=str(line.charge),
                                       date_of_service=line.date_of_service) for line in detail.lines],
                   rejections=[RejectionOut(message=message, fix=fix) for message, fix in detail.rejections])


class DenialItemOut(BaseModel):
    id: int
    practice: str
    claim: str
    patient: str
    payer: str
    kind: Literal["denial", "underpayment"]
    lines: list[int]
    codes: list[str]
    carc: str | None
    rarc: list[str]
    category: str
    action: str
    cause: str
    amount: str
    deadline: datetime.date | None
    urgency: Urgency
    status: str
    assigned_to: str | None
    snoozed_until: datetime.date | None
    certain_fix: bool
    follow_up_claim: str | None
    resolution: str | None

    @classmethod
    def of(cls, item: WorkItem, day: datetime.date) -> DenialItemOut:
        return cls(id=item.id, practice=item.practice, claim=item.claim, patient=item.patient, payer=item.payer,
                   kind="underpayment" if item.kind == "underpayment" else "denial", lines=list(item.lines),
                   codes=list(item.codes), carc=item.carc, rarc=list(item.rarc), category=item.category,
                   action=item.action, cause=item.cause, amount=str(item.amount), deadline=item.deadline,
                   urgency=urgency(item.deadline, day), status=item.status, assigned_to=item.assigned_to,
                   snoozed_until=item.snoozed_until, certain_fix=item.certain_fix,
                   follow_up_claim=item.follow_up_claim, resolution=item.resolution)


class DenialQueueOut(BaseModel):
    today: datetime.date
    items: list[DenialItemOut]

    @classmethod
    def of(cls, items: Sequence[WorkItem], day: datetime.date) -> DenialQueueOut:
        return cls(today=day, items=[DenialItemOut.of(item, day) for item in items])


class HistoryOut(BaseModel):
    at: datetime.datetime
    actor: str
    action: str
    detail: str


class AppealOut(BaseModel):
    file: str
    status: str
    deadline: datetime.date | None


class DenialDetailOut(DenialItemOut):
    fixes: list[str]
    relies_on: list[str]
    history: list[HistoryOut]
    appeals: list[AppealOut]

    @classmethod
    def of_detail(cls, detail: ItemDetail, day: datetime.date) -> DenialDetailOut:
        return cls(**DenialItemOut.of(detail.item, day).model_dump(), fixes=list(detail.fixes),
                   relies_on=list(detail.relies_on),
                   history=[HistoryOut(at=at, actor=who, action=what, detail=text)
                            for at, who, what, text in detail.history],
                   appeals=[AppealOut(file=name, status=status, deadline=deadline)
                            for name, status, deadline in detail.appeals])


class AssignIn(BaseModel):
    assignee: str = Field(min_length=1, max_length=100, description="Who works the item (a name or login).")


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class SnoozeIn(BaseModel):
    until: datetime.date = Field(description="The day the item comes back to the queue (after today).")


class ResolveIn(BaseModel):
    resolution: Resolution = Field(description="write_off and bill_patient move the denied balance in the ledger.")
    note: str = Field("", max_length=500)


class CorrectIn(BaseModel):
    authorization: str | None = Field(None, max_length=50, description="For an authorization denial: the number "
                                                                       "the payer gave.")


class AppealIn(BaseModel):
    signer: str | None = Field(None, max_length=100, description="Who signed the letter (default: the rendering "
                                                                 "provider).")


class CorrectionOut(BaseModel):
    original: str
    corrected: str
    status: str  # the corrected claim's status after its scrub
    changes: list[str]
    findings: list[str]  # scrubber errors to fix before it can go

    @classmethod
    def of(cls, done: Correction) -> CorrectionOut:
        return cls(original=done.original, corrected=done.corrected, status=done.status,
                   changes=list(done.changes), findings=list(done.findings))


class ActionOut(BaseModel):
    """What an action did, and the item as it is now."""

    message: str
    item: DenialDetailOut
    moved: str | None = None  # resolve: the amount moved in the ledger (write-off, patient balance)
    correction: CorrectionOut | None = None


class AppealedLineOut(BaseModel):
    line_number: int
    date_of_service: datetime.date
    code: str
    modifiers: list[str]
    units: int
    charge: str
    denial: str
    denial_meaning: str
    appealed: str


class AppealLetterOut(BaseModel):
    """The appeal letter as it would be written today: its parts, and the whole as plain text."""

    item_id: int
    claim: str
    file_name: str  # the PDF's name (GET .../appeal-letter.pdf)
    deadline: datetime.date | None  # the last day the payer takes it (not printed in the letter)
    title: str
    payer_name: str
    payer_address_lines: list[str]
    patient_name: str
    member_id: str
    payer_claim_number: str | None
    rendering_provider: str
    lines: list[AppealedLineOut]
    summary: str
    documentation: list[str]
    policies: list[str]
    request: str
    enclosures: list[str]
    signer: str
    text: str

    @classmethod
    def of(cls, preview: AppealPreview) -> AppealLetterOut:
        letter = preview.letter
        return cls(item_id=preview.item_id, claim=preview.claim, file_name=preview.file_name,
                   deadline=preview.deadline, title=letter.title, payer_name=letter.payer_name,
                   payer_address_lines=list(letter.payer_address_lines), patient_name=letter.patient_name,
                   member_id=letter.member_id, payer_claim_number=letter.payer_claim_number,
                   rendering_provider=letter.rendering_provider,
                   lines=[AppealedLineOut(line_number=line.line_number, date_of_service=line.date_of_service,
                                          code=line.code, modifiers=list(line.modifiers), units=line.units,
                                          charge=str(line.charge), denial=line.denial,
                                          denial_meaning=line.denial_meaning, appealed=str(line.appealed))
                          for line in letter.lines],
                   summary=letter.summary, documentation=list(letter.documentation), policies=list(letter.policies),
                   request=letter.request, enclosures=list(letter.enclosures), signer=letter.signer,
                   text=preview.text)


class AuditEventOut(BaseModel):
    sequence: int
    occurred_at: datetime.datetime
    actor: str
    source: str
    address: str | None
    action: str
    entity_type: str
    entity_id: int | None
    practice_id: int | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEventOut:
        return cls(sequence=entry.sequence, occurred_at=entry.occurred_at, actor=entry.actor, source=entry.source,
                   address=entry.address, action=entry.action, entity_type=entry.entity_type,
                   entity_id=entry.entity_id, practice_id=entry.practice_id, detail=entry.detail)


class AuditPageOut(BaseModel):
    events: list[AuditEventOut]
    next_before: int | None  # pass as ?before= for the next (older) page


# ----------------------------------------------------------------------------------------------------------------
# Errors


@contextmanager
def answered(field: str = "") -> Iterator[None]:
    """Our errors as HTTP answers: NotPermitted 403, NotFound 404, InvalidTransition 409, InvalidInput 422
    naming ``field``."""
    try:
        yield
    except NotPermitted as refused:
        raise HTTPException(status_code=403, detail=str(refused)) from None
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None
    except InvalidTransition as refused:
        raise HTTPException(status_code=409, detail=str(refused)) from None
    except InvalidInput as wrong:
        raise unprocessable([(field, str(wrong))], "body") from None


def unprocessable(problems: Sequence[tuple[str, str]], where: str) -> RequestValidationError:
    """A 422 in the app's shape (its handler lists the problems by field)."""
    return RequestValidationError([{"loc": (where, field), "msg": message, "type": "value_error"}
                                   for field, message in problems])


ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the caller's roles do not allow this"},
    404: {"description": "no such item among the caller's practices"},
    409: {"description": "the item's state forbids the action"},
    422: {"model": ProblemOut, "description": "the request's values cannot be used"},
}


class _Blanks(BaseModel):
    """Query values where an empty field (as a search form sends it) is no value."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if "\x00" in (value if isinstance(value, str) else "".join(v for v in value if isinstance(v, str))
                       if isinstance(value, list) else ""):
            raise ValueError("may not contain a NUL character")
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, list):
            return [part for part in value if not (isinstance(part, str) and not part.strip())] or None
        return value


class DenialFilters(_Blanks):
    """Which work items the denial queue shows."""

    status: list[StatusFilter] | None = Field(default=None, description="Repeat for several; default open and waiting.")
    urgency: Urgency | None = None
    assignee: str | None = Field(default=None, max_length=100)
    practice: str | None = Field(default=None, max_length=20, description="A practice's code.")

    def statuses(self) -> tuple[str, ...]:
        return tuple(self.status or ("open", "waiting"))


class AuditSearchIn(_Blanks):
    """An audit log search as the query string gives it."""

    actor: str | None = Field(default=None, max_length=100, description="Who acted (exact, any case).")
    entity_type: str | None = Field(default=None, max_length=40,
                                    description="The record type, e.g. claim, denial_item.")
    entity_id: int | None = Field(default=None, ge=0, le=2**31 - 1)
    claim: str | None = Field(default=None, max_length=38,
                              description="A claim number: the events on the claim, its items, appeals.")
    action: str | None = Field(default=None, max_length=60, description="An action, or its start up to a dot (denial).")
    since: datetime.date | None = Field(default=None, description="From this day (UTC).")
    until: datetime.date | None = Field(default=None, description="To this day (UTC), included.")
    text: str | None = Field(default=None, max_length=200, description="Text anywhere in the event.")

    def search(self) -> AuditSearch:
        return AuditSearch(actor=self.actor, entity_type=self.entity_type, entity_id=self.entity_id,
                           claim=self.claim, action=self.action, since=self.since, until=self.until, text=self.text)


def audit_search(values: Annotated[AuditSearchIn, Query()]) -> AuditSearch:
    search = values.search()
    problems = search.problems()
    if problems:
        raise unprocessable(problems, "query")
    return search


AuditSearchDep = Annotated[AuditSearch, Depends(audit_search)]


def _scope(user: User) -> AuditScope:
    return AuditScope(user.organization_id, frozenset(user.practice_ids))


# ----------------------------------------------------------------------------------------------------------------
# What the API and the pages both do: check the permission, call the service (within the user's practices, as
# the user), and answer in the models above. The caller sets the audit origin and presents the errors.


@dataclass(frozen=True, slots=True)
class WorkAction:
    """An action on a denial work item: who may take it, what it takes, and the field its refusal is about."""

    name: str
    permission: Permission
    body: type[BaseModel]
    field: str


ACTIONS = {action.name: action for action in (
    WorkAction("assign", Permission.WORK_DENIALS, AssignIn, "assignee"),
    WorkAction("note", Permission.WORK_DENIALS, NoteIn, "text"),
    WorkAction("snooze", Permission.WORK_DENIALS, SnoozeIn, "until"),
    WorkAction("resolve", Permission.WORK_DENIALS, ResolveIn, "resolution"),
    WorkAction("correct", Permission.CORRECT_CLAIMS, CorrectIn, "authorization"),
    WorkAction("appeal", Permission.WRITE_APPEALS, AppealIn, "signer"),
)}
AUDIT_PERMISSION = Permission.VIEW_AUDIT


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did."""

    message: str
    moved: str | None = None
    correction: CorrectionOut | None = None


def show_fix_queue(database: Database, user: User) -> FixQueueOut:
    require(user.roles, Permission.WORK_FIX_QUEUE)
    found = rejected_claims(database, user.practice_ids, actor=user.email)
    return FixQueueOut(items=[FixQueueItemOut.of(item) for item in found])


def show_rejected_claim(database: Database, user: User, claim_number: str) -> FixQueueDetailOut:
    require(user.roles, Permission.WORK_FIX_QUEUE)
    return FixQueueDetailOut.of_detail(rejected_claim(database, claim_number, user.practice_ids, actor=user.email))


def show_denial_queue(database: Database, user: User, filters: DenialFilters) -> DenialQueueOut:
    require(user.roles, Permission.VIEW_DENIALS)
    day = today()
    refresh_queue(database, today=day, practice_ids=user.practice_ids)
    items = list_items(database, today=day, statuses=filters.statuses(), assigned_to=filters.assignee,
                       practice=filters.practice, urgent=filters.urgency, practice_ids=user.practice_ids,
                       actor=user.email)
    return DenialQueueOut.of(items, day)


def show_denial_item(database: Database, user: User, item_id: int) -> DenialDetailOut:
    require(user.roles, Permission.VIEW_DENIALS)
    detail = show_item(database, item_id, practice_ids=user.practice_ids, actor=user.email)
    return DenialDetailOut.of_detail(detail, today())


def assign_work_item(database: Database, user: User, item_id: int, body: AssignIn) -> Done:
    require(user.roles, ACTIONS["assign"].permission)
    assign_item(database, item_id, body.assignee, actor=user.email, practice_ids=user.practice_ids)
    return Done(f"work item {item_id} is assigned to {body.assignee.strip()}")


def note_work_item(database: Database, user: User, item_id: int, body: NoteIn) -> Done:
    require(user.roles, ACTIONS["note"].permission)
    note_item(database, item_id, body.text, actor=user.email, practice_ids=user.practice_ids)
    return Done(f"noted on work item {item_id}")


def snooze_work_item(database: Database, user: User, item_id: int, body: SnoozeIn) -> Done:
    require(user.roles, ACTIONS["snooze"].permission)
    snooze_item(database, item_id, body.until, actor=user.email, today=today(), practice_ids=user.practice_ids)
    return Done(f"work item {item_id} is snoozed until {body.until}")


def resolve_work_item(database: Database, user: User, item_id: int, body: ResolveIn) -> Done:
    require(user.roles, ACTIONS["resolve"].permission)
    moved = resolve_item(database, item_id, body.resolution, actor=user.email, note=body.note.strip(),
                         today=today(), practice_ids=user.practice_ids)
    return Done(f"work item {item_id} is resolved ({body.resolution})", moved=str(moved))


def correct_work_item(database: Database, user: User, item_id: int, body: CorrectIn) -> Done:
    require(user.roles, ACTIONS["correct"].permission)
    done = correct_claim(database, item_id, actor=user.email, today=today(), authorization=body.authorization,
                         practice_ids=user.practice_ids)
    return Done(f"claim {done.corrected} made from {done.original}", correction=CorrectionOut.of(done))


def send_appeal(database: Database, user: User, item_id: int, body: AppealIn) -> Done:
    require(user.roles, ACTIONS["appeal"].permission)
    day = today()
    mark_appeal_sent(database, item_id, actor=user.email, today=day, practice_ids=user.practice_ids,
                     record_letter=True, signer=body.signer or None)
    return Done(f"the appeal of work item {item_id} is recorded as sent on {day}")


def appeal_preview(database: Database, user: User, item_id: int, signer: str | None) -> AppealPreview:
    require(user.roles, ACTIONS["appeal"].permission)
    return preview_appeal(database, item_id, actor=user.email, today=today(), signer=signer or None,
                          practice_ids=user.practice_ids)


def search_audit(database: Database, user: User, search: AuditSearch, *, limit: int,
                 before: int | None) -> AuditPageOut:
    require(user.roles, AUDIT_PERMISSION)
    page = search_audit_log(database, search, _scope(user), actor=user.email, limit=limit, before=before)
    return AuditPageOut(events=[AuditEventOut.of(entry) for entry in page.entries], next_before=page.next_before)


def export_audit(database: Database, user: User, search: AuditSearch) -> Iterator[str]:
    """The CSV lines of the export (recorded as an export now, read as they are consumed)."""
    require(user.roles, AUDIT_PERMISSION)
    return audit_csv(export_audit_log(database, search, _scope(user), actor=user.email))


# ----------------------------------------------------------------------------------------------------------------
# Routes


def add_routes(api: APIRouter) -> None:
    """The routes, on the API's own router (``/api/v1``): a route of a router included into it would record its
    path without the prefix as the audit trail's source."""

    @api.get("/fix-queue", summary="Claims of the caller's practices rejected by the clearinghouse or payer",
             responses=ERRORS)
    def fix_queue(request: Request, user: UserDep, database: DatabaseDep) -> FixQueueOut:
        with origin(request), answered():
            return show_fix_queue(database, user)

    @api.get("/fix-queue/{claim_number}", summary="A rejected claim: what is wrong, the patient, the lines",
             responses=ERRORS)
    def fix_queue_item(request: Request, claim_number: Annotated[str, PathParam(max_length=38)], user: UserDep,
                       database: DatabaseDep) -> FixQueueDetailOut:
        with origin(request), answered():
            return show_rejected_claim(database, user, claim_number)

    @api.get("/denials", summary="The denial work queue of the caller's practices, most urgent first", responses=ERRORS)
    def denial_queue(request: Request, user: UserDep, database: DatabaseDep,
                     filters: Annotated[DenialFilters, Query()]) -> DenialQueueOut:
        with origin(request), answered():
            return show_denial_queue(database, user, filters)

    @api.get("/denials/{item_id}", summary="A work item in full: cause, fixes, history, appeals", responses=ERRORS)
    def denial_item(request: Request, item_id: int, user: UserDep, database: DatabaseDep) -> DenialDetailOut:
        with origin(request), answered():
            return show_denial_item(database, user, item_id)

    def acted(request: Request, database: Database, user: User, item_id: int, action: str,
              work: Callable[[], Done]) -> ActionOut:
        with origin(request), answered(ACTIONS[action].field):
            done = work()
            return ActionOut(message=done.message, item=show_denial_item(database, user, item_id), moved=done.moved,
                             correction=done.correction)

    @api.post("/denials/{item_id}/assign", summary="Assign a work item to a person", responses=ERRORS)
    def assign(request: Request, item_id: int, body: AssignIn, user: UserDep, database: DatabaseDep) -> ActionOut:
        return acted(request, database, user, item_id, "assign",
                     lambda: assign_work_item(database, user, item_id, body))

    @api.post("/denials/{item_id}/note", summary="Add a note to a work item's history", responses=ERRORS)
    def note(request: Request, item_id: int, body: NoteIn, user: UserDep, database: DatabaseDep) -> ActionOut:
        return acted(request, database, user, item_id, "note", lambda: note_work_item(database, user, item_id, body))

    @api.post("/denials/{item_id}/snooze", summary="Hide a work item until a day", responses=ERRORS)
    def snooze(request: Request, item_id: int, body: SnoozeIn, user: UserDep, database: DatabaseDep) -> ActionOut:
        return acted(request, database, user, item_id, "snooze",
                     lambda: snooze_work_item(database, user, item_id, body))

    @api.post("/denials/{item_id}/resolve", summary="Close a work item (write-off and bill-patient move money)",
              responses=ERRORS)
    def resolve(request: Request, item_id: int, body: ResolveIn, user: UserDep, database: DatabaseDep) -> ActionOut:
        return acted(request, database, user, item_id, "resolve",
                     lambda: resolve_work_item(database, user, item_id, body))

    @api.post("/denials/{item_id}/correct", summary="Apply a work item's certain fix: a corrected or rebilled "
                                                    "claim, scrubbed", responses=ERRORS)
    def correct(request: Request, item_id: int, body: CorrectIn, user: UserDep, database: DatabaseDep) -> ActionOut:
        return acted(request, database, user, item_id, "correct",
                     lambda: correct_work_item(database, user, item_id, body))

    @api.get("/denials/{item_id}/appeal-letter", summary="The appeal letter as it would be written today",
             responses=ERRORS)
    def appeal_letter(request: Request, item_id: int, user: UserDep, database: DatabaseDep,
                      signer: Annotated[str | None, Query(max_length=100)] = None) -> AppealLetterOut:
        with origin(request), answered("signer"):
            return AppealLetterOut.of(appeal_preview(database, user, item_id, signer))

    @api.get("/denials/{item_id}/appeal-letter.pdf", summary="The appeal letter as a PDF to print and send",
             response_class=Response, responses={**ERRORS, 200: {"content": {"application/pdf": {}}}})
    def appeal_letter_pdf(request: Request, item_id: int, user: UserDep, database: DatabaseDep,
                          signer: Annotated[str | None, Query(max_length=100)] = None) -> Response:
        with origin(request), answered("signer"):
            return appeal_pdf(appeal_preview(database, user, item_id, signer))

    @api.post("/denials/{item_id}/appeal", summary="Record that the appeal letter was sent to the payer",
              responses=ERRORS)
    def appeal(request: Request, item_id: int, body: AppealIn, user: UserDep, database: DatabaseDep) -> ActionOut:
        return acted(request, database, user, item_id, "appeal", lambda: send_appeal(database, user, item_id, body))

    @api.get("/audit", summary="Search the audit log of the caller's billing company, newest first", responses=ERRORS)
    def audit_log(request: Request, user: UserDep, database: DatabaseDep, search: AuditSearchDep,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> AuditPageOut:
        with origin(request), answered():
            return search_audit(database, user, search, limit=limit, before=before)

    @api.get("/audit.csv", summary="Export the audit log search as CSV", response_class=StreamingResponse,
             responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
    def audit_export(request: Request, user: UserDep, database: DatabaseDep,
                     search: AuditSearchDep) -> StreamingResponse:
        with origin(request), answered():
            return audit_csv_response(export_audit(database, user, search))


def appeal_pdf(preview: AppealPreview) -> Response:
    """The letter's PDF as a download."""
    # The name is [A-Za-z0-9._-] only (appeal_file_name), safe in the header as it is.
    return Response(preview.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{preview.file_name}"',
                             "Cache-Control": "no-store"})


def audit_csv_response(lines: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit-log.csv"',
                                      "Cache-Control": "no-store"})
