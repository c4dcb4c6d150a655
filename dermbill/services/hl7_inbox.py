"""The HL7 inbox: every message from a practice's EHR is stored before it is answered, processed once, and kept
with its reason when it fails, to be replayed after a fix. Nothing received is lost.

``receive`` is what the MLLP listener and ``dermbill hl7 import`` call for each message:

1. Its MSH is read (a message without a readable MSH is stored as ``rejected`` and answered AR).
2. A message with the sender and control ID of one already stored is the same message sent again (the sender
   missed our answer): it is not processed again; the answer is the stored outcome's.
3. Otherwise it is stored and processed in one transaction: its effect is applied in a savepoint, and the
   message is committed ``processed`` with that effect, or ``failed`` (AE) or ``rejected`` (AR) with the reason
   and the segment and field and without any of its effect.
4. The acknowledgment is sent only after that commit: an ACK never speaks for something not saved.

A listener killed before the commit has stored nothing and answered nothing: the sender sends the message again.
Messages left ``received`` (stored by an earlier version, which committed before processing) are processed by
``process_waiting``, run when a listener starts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select

from dermbill.core.errors import (
    DermbillError,
    InvalidFields,
    InvalidInput,
    NotFound,
    Problem,
    StorageUnavailable,
)
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppointmentRow,
    EncounterRow,
    Hl7MessageRow,
    PatientRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.hl7.ack import acknowledgment
from dermbill.hl7.read import (
    INTERNAL,
    UNKNOWN_KEY,
    Booking,
    Header,
    Hl7Problem,
    Located,
    PathologyReport,
    Registration,
    check_header,
    parse,
    read_booking,
    read_charges,
    read_header,
    read_pathology,
    read_registration,
)
from dermbill.services.charges_in import record_charges
from dermbill.services.intake import Outcome, find_coverage, find_patient, register_coverage, register_patient
from dermbill.services.pathology import apply_pathology

ACTOR = "hl7"
T = TypeVar("T")
ANSWERS = {"processed": "AA", "failed": "AE", "rejected": "AR"}


@dataclass(frozen=True, slots=True)
class Routing:
    """Which practice a message is for: its sending facility (MSH-4) mapped to a practice code; else ``practice``
    (every message of a file imported with --practice); else the practice whose code is the facility."""

    facilities: Mapping[str, str] = field(default_factory=dict)
    practice: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    message_id: int | None
    code: str  # AA, AE, AR
    status: str  # processed, failed, rejected
    ack: str
    reason: str | None = None
    where: str | None = None
    duplicate: bool = False
    outcome: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    message_id: int
    practice: str | None
    sender: str
    control_id: str | None
    message_type: str | None
    status: str
    reason: str | None
    where: str | None
    attempts: int
    received_at: datetime.datetime
    processed_at: datetime.datetime | None
    outcome: Mapping[str, Any]


def receive(database: Database, raw: str, routing: Routing, *, clock: Callable[[], datetime.datetime] | None = None
            ) -> Answer:
    """Store, process and answer one message (the text between MLLP's start and end blocks, or one message of a
    file)."""
    try:
        header: Header | None = read_header(raw)
    except Hl7Problem as problem:
        return _store_unreadable(database, raw, problem, clock)
    assert header is not None
    try:
        with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
            row = _stored(uow, header)
            if row is not None and row.status != "received":
                message_id = row.id
            else:
                if row is None:
                    row = Hl7MessageRow(
                        sending_application=header.sending_application, sending_facility=header.sending_facility,
                        control_id=header.control_id, message_type=header.message_type[:20] or None, raw=raw,
                        status="received", outcome={}, attempts=0, received_at=uow.clock())
                    uow.session.add(row)
                    uow.flush()  # the same message stored by another connection a moment ago: InvalidInput
                    uow.audit("hl7_message.received", "hl7_message", row.id,
                              detail={"type": header.message_type, "control_id": header.control_id})
                _process_row(uow, row, routing)
                answer = _answer(row, header, uow.clock(), duplicate=False)
                uow.commit()
                return answer
    except InvalidInput:
        with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
            row = _stored(uow, header)
            if row is None:
                raise
            message_id = row.id
    return _answer_stored(database, message_id, header, clock, duplicate=True)


def process(database: Database, message_id: int, routing: Routing, *,
            clock: Callable[[], datetime.datetime] | None = None) -> Answer:
    """Process a stored message (again: a replay after a fix), record the outcome and answer it."""
    with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
        row = uow.session.get(Hl7MessageRow, message_id)
        if row is None:
            raise NotFound(f"HL7 message {message_id} not found")
        header = _process_row(uow, row, routing)
        answer = _answer(row, header, uow.clock(), duplicate=False)
        uow.commit()
        return answer


def _process_row(uow: UnitOfWork, row: Hl7MessageRow, routing: Routing) -> Header | None:
    """Apply a stored message in a savepoint of the transaction that records its outcome: its effect and its
    ``processed`` status are committed together, or its failure alone, with the reason and the place."""
    header: Header | None = None
    practice: PracticeRow | None = None
    try:
        header = read_header(row.raw)
        check_header(header)
        message = parse(row.raw)
        practice = _practice(uow, header, routing)
        with uow.savepoint():
            row.outcome = _apply(uow.practice(practice.id), header, message)
        row.status, row.reason, row.error_location = "processed", None, None
    except StorageUnavailable:
        raise
    except DermbillError as exc:
        # A refusal the services raised that no field of the message explains is answered at no field.
        problem = exc if isinstance(exc, Hl7Problem) else Hl7Problem(None, str(exc), code=INTERNAL)
        row.status = "rejected" if problem.reject else "failed"
        row.reason, row.error_location = problem.reason, problem.where
        row.outcome = {"code": problem.code}
        uow.audit("hl7_message.failed", "hl7_message", row.id,
                  practice_id=practice.id if practice else None, detail={"status": row.status, "where": problem.where})
    row.practice_id = practice.id if practice else row.practice_id
    row.attempts += 1
    row.processed_at = uow.clock()
    uow.flush()
    return header


def _apply(repo: PracticeRepository, header: Header, message: Any) -> dict[str, Any]:
    kind = header.message_type
    if kind == "DFT^P03":
        located = read_charges(message, header)
        recorded = _located(located, lambda: record_charges(repo, located.value))
        return {"encounter_id": recorded.encounter_id, "claim": recorded.claim_number,
                "lines_added": recorded.lines_added, "notes": list(recorded.notes)}
    if kind in ("ADT^A04", "ADT^A08"):
        located = read_registration(message)
        return _located(located, lambda: _register(repo, located.value, kind))
    if kind.startswith("SIU^"):
        located = read_booking(message, header)
        return _located(located, lambda: _book(repo, located.value))
    if kind == "ORU^R01":
        located = read_pathology(message)
        return _located(located, lambda: _pathology(repo, located.value))
    raise Hl7Problem("MSH-9", f"{kind} is not processed here", code=INTERNAL, reject=True)


def _located(located: Located, action: Callable[[], T]) -> T:
    """Run a service on values read from the message; its refusal is answered at the fields it names."""
    try:
        return action()
    except InvalidFields as refused:
        first = refused.problems[0]
        reasons = "; ".join(f"{located.place(p.field) or p.field}: {p.message}" for p in refused.problems)
        raise Hl7Problem(located.place(first.field), reasons if len(refused.problems) > 1 else first.message,
                         code=UNKNOWN_KEY if first.message.startswith("no ") else INTERNAL) from None


def _register(repo: PracticeRepository, registration: Registration, kind: str) -> dict[str, Any]:
    """ADT^A04 registers the patient (or updates one registered before) and their insurance; ADT^A08 updates a
    registered patient only. The same rules as an edit on the patient's screen (``services.intake``)."""
    account = registration.account_number
    if kind == "ADT^A08" and find_patient(repo, account) is None:
        raise InvalidFields("the patient was not updated", (Problem(
            "account_number", f"no patient with account number {account!r} in practice {repo.practice.code}: an "
                              "A08 updates a registered patient; send the A04 first"),))
    as_of, via = repo.uow.clock().date(), f"HL7 {kind}"
    patient = register_patient(repo, account, registration.patient, as_of=as_of, via=via)
    coverages = []
    payers = {p.payer_identifier: p for p in repo.payers()}
    registered = find_patient(repo, account)
    assert registered is not None
    for index, sent in enumerate(registration.coverages):
        values = dict(sent)
        if "effective_date" not in values and find_coverage(
                repo, registered, payers.get(values["payer"]), values["member_id"]) is None:
            values["effective_date"] = registration.sent_on.isoformat()
        try:
            coverage = register_coverage(repo, account, values, as_of=as_of, via=via)
        except InvalidFields as refused:  # named as the message reads them: coverages[1].member_id is IN1[2]-36
            raise InvalidFields(refused.summary, tuple(Problem(f"coverages[{index}].{p.field}", p.message)
                                                       for p in refused.problems)) from None
        coverages.append({"order": values.get("coverage_order"), "outcome": coverage.outcome.value})
    return {"patient": account, "outcome": patient.outcome.value, "changed": sorted(patient.after)
            if patient.outcome is Outcome.UPDATED else [], "coverages": coverages}


def _book(repo: PracticeRepository, booking: Booking) -> dict[str, Any]:
    patient = _patient(repo, booking.account_number)
    provider = None
    if booking.provider_npi:
        provider = repo.session.scalars(select(ProviderRow).where(
            ProviderRow.practice_id == repo.practice_id, ProviderRow.npi == booking.provider_npi)).first()
        if provider is None:
            raise InvalidFields("the appointment was not saved", (Problem(
                "provider_npi", f"no provider with NPI {booking.provider_npi} in practice {repo.practice.code}"),))
    location = None
    if booking.location:
        location = next((loc for loc in repo.rows(ServiceLocationRow)
                         if loc.name.casefold() == booking.location.casefold()), None)
        if location is None:
            raise InvalidFields("the appointment was not saved", (Problem(
                "location", f"no service location named {booking.location!r} in practice {repo.practice.code}"),))
    row = repo.session.scalars(select(AppointmentRow).where(
        AppointmentRow.practice_id == repo.practice_id, AppointmentRow.external_id == booking.appointment_id)).first()
    values = {"patient_id": patient.id, "provider_id": provider.id if provider else None,
              "location_id": location.id if location else None, "starts_at": booking.starts_at,
              "minutes": booking.minutes, "reason": booking.reason, "status": booking.status,
              "visit_type": booking.visit_type, "planned_codes": list(booking.planned_codes),
              "updated_at": repo.uow.clock()}
    created = row is None
    if row is None:
        row = repo.add(AppointmentRow(external_id=booking.appointment_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    repo.flush()
    repo.audit("appointment.booked" if created else "appointment.changed", "appointment", row.id,
               {"status": booking.status, "starts_at": booking.starts_at.isoformat()})
    return {"appointment_id": row.id, "status": row.status, "created": created}


def _pathology(repo: PracticeRepository, report: PathologyReport) -> dict[str, Any]:
    patient = _patient(repo, report.account_number)
    query = select(EncounterRow).where(EncounterRow.practice_id == repo.practice_id,
                                       EncounterRow.patient_id == patient.id)
    if report.visit_id:
        query = query.where(EncounterRow.external_id == report.visit_id)
    elif report.date_of_service:
        query = query.where(EncounterRow.date_of_service == report.date_of_service)
    else:
        query = query.where(EncounterRow.status == "held")
    candidates = [e for e in repo.session.scalars(query.order_by(EncounterRow.id))
                  if any(str(lesion.get("id")).upper() in report.results
                         for lesion in (e.documentation or {}).get("lesions") or [] if isinstance(lesion, dict))]
    if len(candidates) != 1:
        field_name = "visit_id" if report.visit_id else "date_of_service"
        found = "no encounter" if not candidates else f"{len(candidates)} encounters"
        raise InvalidFields("the pathology was not entered", (Problem(
            field_name, f"{found} of patient {report.account_number} match the report (visit "
                        f"{report.visit_id or '-'}, collected {report.date_of_service or '-'}, lesions "
                        f"{', '.join(report.results)}): send the visit number (PV1-19)"),))
    if report.preliminary:
        return {"encounter_id": candidates[0].id, "note": "a preliminary result: kept, nothing recoded"}
    outcome = apply_pathology(repo, candidates[0], {k: v for k, v in report.results.items()})
    return {"encounter_id": outcome.encounter_id, "released": outcome.released, "claim": outcome.claim_number,
            "changes": list(outcome.changes), "still_pending": list(outcome.still_pending)}


def _patient(repo: PracticeRepository, account_number: str) -> PatientRow:
    patient = repo.session.scalars(select(PatientRow).where(
        PatientRow.practice_id == repo.practice_id, PatientRow.account_number == account_number)).first()
    if patient is None:
        raise InvalidFields("not saved", (Problem(
            "account_number", f"no patient with account number {account_number!r} in practice "
                              f"{repo.practice.code}: register the patient first (an ADT^A04)"),))
    return patient


def _practice(uow: UnitOfWork, header: Header, routing: Routing) -> PracticeRow:
    code = routing.facilities.get(header.sending_facility) or routing.practice or header.sending_facility
    rows = list(uow.session.scalars(select(PracticeRow).where(PracticeRow.code == code)))
    if len(rows) != 1:
        why = "is the code of no practice" if not rows else "is the code of practices of several billing companies"
        raise Hl7Problem("MSH-4", f"sending facility {header.sending_facility!r} is mapped to no practice ({code!r} "
                         f"{why}): map it with --facility {header.sending_facility}=PRACTICE", code=UNKNOWN_KEY,
                         reject=True)
    return rows[0]


def _stored(uow: UnitOfWork, header: Header) -> Hl7MessageRow | None:
    return uow.session.scalars(select(Hl7MessageRow).where(
        Hl7MessageRow.sending_application == header.sending_application,
        Hl7MessageRow.sending_facility == header.sending_facility,
        Hl7MessageRow.control_id == header.control_id)).first()


def _store_unreadable(database: Database, raw: str, problem: Hl7Problem,
                      clock: Callable[[], datetime.datetime] | None) -> Answer:
    with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
        row = Hl7MessageRow(raw=raw, status="rejected", reason=problem.reason, error_location=problem.where,
                            outcome={"code": problem.code}, attempts=1, received_at=uow.clock(),
                            processed_at=uow.clock())
        uow.session.add(row)
        uow.flush()
        uow.audit("hl7_message.failed", "hl7_message", row.id, detail={"status": "rejected", "where": problem.where})
        uow.commit()
        ack = acknowledgment(None, "AR", control_id=f"DB{row.id}", now=uow.clock(), problem=problem)
        return Answer(row.id, "AR", "rejected", ack, problem.reason, problem.where)


def _answer(row: Hl7MessageRow, header: Header | None, now: datetime.datetime, *, duplicate: bool) -> Answer:
    """The acknowledgment of a stored message's outcome."""
    code = ANSWERS[row.status]
    problem = Hl7Problem(row.error_location, row.reason or "", code=str(row.outcome.get("code", INTERNAL)),
                         reject=row.status == "rejected") if row.status != "processed" else None
    text = "already received and processed; not processed again" if duplicate and code == "AA" else None
    ack = acknowledgment(header, code, control_id=f"DB{row.id}", now=now, problem=problem, text=text)
    return Answer(row.id, code, row.status, ack, row.reason, row.error_location, duplicate, dict(row.outcome))


def _answer_stored(database: Database, message_id: int, header: Header | None,
                   clock: Callable[[], datetime.datetime] | None, *, duplicate: bool) -> Answer:
    with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
        row = uow.session.get(Hl7MessageRow, message_id)
        assert row is not None
        return _answer(row, header, uow.clock(), duplicate=duplicate)


def process_waiting(database: Database, routing: Routing, *,
                    clock: Callable[[], datetime.datetime] | None = None) -> list[Answer]:
    """Process the messages stored but never processed (a listener stopped between storing and processing)."""
    with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
        waiting = list(uow.session.scalars(select(Hl7MessageRow.id).where(Hl7MessageRow.status == "received")
                                           .order_by(Hl7MessageRow.id)))
    return [process(database, message_id, routing, clock=clock) for message_id in waiting]


def replay(database: Database, message_ids: Collection[int], routing: Routing, *,
           clock: Callable[[], datetime.datetime] | None = None) -> list[Answer]:
    """Process failed or rejected messages again (after the fix: the provider added, the facility mapped ...).
    A processed message is never processed twice."""
    with UnitOfWork(database, actor=ACTOR, clock=clock) as uow:
        rows = {row.id: row.status for row in uow.session.scalars(
            select(Hl7MessageRow).where(Hl7MessageRow.id.in_(list(message_ids))))}
    for message_id in message_ids:
        if message_id not in rows:
            raise NotFound(f"HL7 message {message_id} not found")
        if rows[message_id] == "processed":
            raise InvalidInput(f"HL7 message {message_id} was processed; it is never processed twice")
    return [process(database, message_id, routing, clock=clock) for message_id in message_ids]


def failed_messages(database: Database, *, statuses: Collection[str] = ("failed", "rejected"),
                    actor: str, limit: int = 500) -> list[StoredMessage]:
    """The messages waiting for a fix and a replay (or of the statuses named), oldest first."""
    with UnitOfWork(database, actor=actor) as uow:
        codes = {p.id: p.code for p in uow.session.scalars(select(PracticeRow))}
        rows = list(uow.session.scalars(select(Hl7MessageRow).where(Hl7MessageRow.status.in_(list(statuses)))
                                        .order_by(Hl7MessageRow.id).limit(limit)))
        found = [StoredMessage(
            row.id, codes.get(row.practice_id) if row.practice_id else None,
            f"{row.sending_application or '?'}/{row.sending_facility or '?'}", row.control_id, row.message_type,
            row.status, row.reason, row.error_location, row.attempts, row.received_at, row.processed_at,
            dict(row.outcome)) for row in rows]
        uow.audit("hl7_message.listed", "hl7_message", None, detail={"messages": [m.message_id for m in found]})
        uow.commit()
    return found
