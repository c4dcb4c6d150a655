"""Eligibility before the visit: 270s for the booked appointments, sent through each payer's connection in batches,
and the 271s fetched and applied (``services.eligibility_answers``).

A run takes the booked appointments from today through ``days`` days ahead (of every practice, or the ones named),
asks about each patient's primary coverage on the visit's date, groups the inquiries by billing company and
connection (the route of the practice and payer, as claims go), writes them in 270 files of at most
``batch_size`` inquiries (one transaction set each, its trace number TRN02 unique), records each check as sent
(audited: the coverage went to the payer), delivers the files, then fetches what the connections have: a file of
271s is recorded as received and processed at once (by content, once, as sync does); anything else (999s, 835s) is
left received for the next sync. A check with no answer after that is flagged ``no_answer`` (a late 271 applied by
a sync still counts). ``recheck`` runs the same for one appointment, after the front desk fixed a member ID.

The work list (``worklist``), the schedule (``schedule``), fixing a member ID or name and asking again
(``fix_and_recheck``) and deciding a proposed coverage order change (``decide_order_change``) are the front desk's;
every read of them is audited, every change audited with what changed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select

from dermbill.clearinghouse.config import ClearinghouseConfig
from dermbill.core.eligibility import Outcome, age_in_words
from dermbill.core.errors import InvalidFields, InvalidInput, InvalidTransition, NotFound, Problem
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppointmentRow,
    ClearinghouseProfileRow,
    CoverageOrderProposalRow,
    CoverageRow,
    EligibilityCheckRow,
    EligibilityProblemRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.eligibility_answers import other_coverage, record_no_answer
from dermbill.services.patients import edit_coverage, edit_patient
from dermbill.services.submission import profile_of, reserve_control_numbers
from dermbill.services.transmission import process_received, record_received
from dermbill.x12.claim_837p import Payer, Person
from dermbill.x12.inquiries import EligibilityInquiry, write_270
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import transaction_sets

DEFAULT_BATCH = 1000  # inquiries per 270 file (payers and clearinghouses commonly take up to a few thousand)
SERVICE_TYPES = ("30", "98")  # health benefit plan coverage; professional (physician) visit, office
ELIGIBILITY_FOLDER = "270"  # under the outbox
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class RunSummary:
    """What a run sent and what came back."""

    appointments: int = 0
    sent: int = 0
    files: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # outcome -> checks of this run
    no_coverage: int = 0  # appointments of patients without insurance (self-pay): nothing to ask
    unrouted: list[str] = field(default_factory=list)  # why an inquiry could not be sent
    check_ids: list[int] = field(default_factory=list)

    @property
    def active(self) -> int:
        return self.outcomes[Outcome.ACTIVE.value]

    @property
    def inactive(self) -> int:
        return self.outcomes[Outcome.INACTIVE.value]

    @property
    def not_found(self) -> int:
        return self.outcomes[Outcome.NOT_FOUND.value] + self.outcomes[Outcome.INVALID_MEMBER_ID.value]

    @property
    def errors(self) -> int:
        """Answers with an error other than an unknown member: a name or birth date mismatch, cannot process."""
        return sum(self.outcomes[o.value] for o in (Outcome.NAME_MISMATCH, Outcome.BIRTH_DATE_MISMATCH,
                                                    Outcome.CANNOT_PROCESS))

    @property
    def other_payer_primary(self) -> int:
        return self.outcomes[Outcome.OTHER_PAYER_PRIMARY.value]

    @property
    def no_answer(self) -> int:
        return self.outcomes[Outcome.NO_ANSWER.value]

    def to_json(self) -> dict[str, Any]:
        return {"appointments": self.appointments, "sent": self.sent, "files": list(self.files),
                "active": self.active, "inactive": self.inactive, "not_found": self.not_found,
                "errors": self.errors, "other_payer_primary": self.other_payer_primary, "no_answer": self.no_answer,
                "outcomes": dict(sorted(self.outcomes.items())), "no_coverage": self.no_coverage,
                "not_sent": list(self.unrouted)}


@dataclass(frozen=True, slots=True)
class _Asked:
    """One inquiry to write: who and what, and where it goes."""

    practice_id: int
    organization_id: int
    connection: str
    appointment_id: int | None
    patient_id: int
    coverage_id: int
    payer_id: int
    inquiry: EligibilityInquiry


def _no_progress(stage: str, done: int, total: int) -> None:
    """Report nothing."""


def run_eligibility(database: Database, config: ClearinghouseConfig, *, inbox: Path, outbox: Path, days: int = 1,
                    practices: Collection[str] | None = None, practice_ids: Collection[int] | None = None,
                    appointment_ids: Collection[int] | None = None, now: datetime.datetime | None = None,
                    today: datetime.date | None = None, batch_size: int = DEFAULT_BATCH, actor: str = "eligibility",
                    progress: Progress = _no_progress) -> RunSummary:
    """Ask about the booked appointments from ``today`` (default: the day of ``now``) through ``days`` days
    ahead (see the module's docstring). ``practices``: practice codes; ``practice_ids``: the practices a person may
    see; ``appointment_ids``: just these (booked or arrived, whatever their day)."""
    if not 0 <= days <= 366:
        raise InvalidInput(f"--days must be between 0 and 366 (got {days})")
    if not 1 <= batch_size <= 50_000:
        raise InvalidInput(f"the batch size must be between 1 and 50000 inquiries per file (got {batch_size})")
    moment = now or utc_now()
    summary = RunSummary()
    asked = _appointments_to_ask(database, config, today or moment.date(), days, practices, practice_ids,
                                 appointment_ids, summary, actor)
    groups: dict[tuple[int, str], list[_Asked]] = {}
    for item in asked:
        groups.setdefault((item.organization_id, item.connection), []).append(item)
    total = len(asked)
    progress("sending", 0, total)
    for (organization_id, connection), items in sorted(groups.items()):
        for start in range(0, len(items), batch_size):
            chunk = items[start:start + batch_size]
            path, ids = _write_batch(database, organization_id, connection, chunk, outbox, moment, actor)
            summary.files.append(path.name)
            summary.check_ids += ids
            summary.sent += len(chunk)
            config.open(connection).send([path])
            progress("sending", summary.sent, total)
    for connection in sorted({c for _, c in groups}):
        _fetch_answers(database, config, connection, inbox, moment, progress)
    _flag_unanswered(database, summary, moment, actor)
    return summary


def recheck(database: Database, config: ClearinghouseConfig | None, practice_ids: Collection[int],
            appointment_id: int, *, inbox: Path, outbox: Path, actor: str,
            now: datetime.datetime | None = None) -> RunSummary:
    """Ask again about one appointment of these practices (after its member ID, name or birth date was fixed).
    ``config`` None: no connections are configured (InvalidInput, once the appointment is found)."""
    with UnitOfWork(database, actor=actor) as uow:
        row = uow.session.scalars(select(AppointmentRow).where(
            AppointmentRow.id == appointment_id, AppointmentRow.practice_id.in_(sorted(practice_ids)))).first() \
            if practice_ids and 0 < appointment_id < 2**31 else None
        if row is None:
            raise NotFound(f"no appointment {appointment_id} among your practices' appointments")
    if config is None:
        raise InvalidInput("no clearinghouse connections are configured: eligibility cannot be asked from here; "
                           "ask your administrator")
    summary = run_eligibility(database, config, inbox=inbox, outbox=outbox, days=366, practice_ids=practice_ids,
                              appointment_ids={appointment_id}, now=now, actor=actor)
    return summary


def daily_job(database: Database, config: ClearinghouseConfig, *, inbox: Path, outbox: Path, days: int = 2,
              now: datetime.datetime | None = None) -> RunSummary:
    """The scheduled job: every practice's booked appointments of today and the next ``days`` days."""
    return run_eligibility(database, config, inbox=inbox, outbox=outbox, days=days, now=now,
                           actor="eligibility job")


def _appointments_to_ask(database: Database, config: ClearinghouseConfig, first: datetime.date, days: int,
                         practices: Collection[str] | None, practice_ids: Collection[int] | None,
                         appointment_ids: Collection[int] | None, summary: RunSummary, actor: str) -> list[_Asked]:
    # Appointment times are the practice's wall-clock time marked UTC (see core.appointments): compared by day.
    start = datetime.datetime.combine(first, datetime.time(0, 0), tzinfo=datetime.UTC)
    end = datetime.datetime.combine(first + datetime.timedelta(days=days + 1), datetime.time(0, 0),
                                    tzinfo=datetime.UTC)
    asked: list[_Asked] = []
    with UnitOfWork(database, actor=actor) as uow:
        query = select(PracticeRow).order_by(PracticeRow.id)
        if practices:
            wanted = {code.strip().upper() for code in practices}
            rows = [p for p in uow.session.scalars(query) if p.code.upper() in wanted]
            missing = wanted - {p.code.upper() for p in rows}
            if missing:
                raise NotFound(f"no practice {', '.join(sorted(missing))} (practices are named by their code)")
        else:
            rows = list(uow.session.scalars(query))
        if practice_ids is not None:
            rows = [p for p in rows if p.id in set(practice_ids)]
        payers = {p.id: p for p in uow.session.scalars(select(PayerRow))}
        for practice in rows:
            repo = uow.practice(practice.id)
            criteria: list[ColumnElement[bool]]
            if appointment_ids is not None:  # asked again by a person: a patient already arrived too
                criteria = [AppointmentRow.id.in_(sorted(appointment_ids)),
                            AppointmentRow.status.in_(("booked", "arrived"))]
            else:
                criteria = [AppointmentRow.status == "booked", AppointmentRow.starts_at >= start,
                            AppointmentRow.starts_at < end]
            appointments = repo.rows(AppointmentRow, *criteria, order_by=AppointmentRow.starts_at)
            if not appointments:
                continue
            patient_ids = sorted({a.patient_id for a in appointments})
            patients = {p.id: p for p in repo.rows(PatientRow, PatientRow.id.in_(patient_ids))}
            coverages: dict[int, list[CoverageRow]] = {}
            for primary in repo.rows(CoverageRow, CoverageRow.patient_id.in_(patient_ids),
                                     CoverageRow.coverage_order == "primary"):
                coverages.setdefault(primary.patient_id, []).append(primary)
            for appointment in appointments:
                summary.appointments += 1
                day = appointment.starts_at.date()
                coverage = _primary_on(coverages.get(appointment.patient_id, []), day)
                if coverage is None:
                    summary.no_coverage += 1
                    continue
                payer = payers[coverage.payer_id]
                try:
                    connection = config.route(practice.code, payer.payer_identifier)
                except NotFound as unrouted:
                    summary.unrouted.append(str(unrouted))
                    continue
                patient = patients[appointment.patient_id]
                asked.append(_Asked(practice.id, practice.organization_id, connection, appointment.id, patient.id,
                                    coverage.id, payer.id, _inquiry(practice, payer, patient, coverage, day)))
    return asked


def _primary_on(coverages: list[CoverageRow], day: datetime.date) -> CoverageRow | None:
    """The primary coverage in force on the day, else the latest primary (the payer says whether it still is)."""
    in_force = [c for c in coverages if c.effective_date <= day and (c.termination_date is None
                                                                     or day <= c.termination_date)]
    found = in_force or coverages
    return max(found, key=lambda c: (c.effective_date, c.id)) if found else None


def _inquiry(practice: PracticeRow, payer: PayerRow, patient: PatientRow, coverage: CoverageRow,
             day: datetime.date) -> EligibilityInquiry:
    person = Person(patient.last_name, patient.first_name, patient.date_of_birth, patient.sex)
    if coverage.relationship_code == "18" or not coverage.subscriber_last_name:
        subscriber, dependent = person, None
    else:
        subscriber = Person(coverage.subscriber_last_name, coverage.subscriber_first_name or "",
                            coverage.subscriber_date_of_birth, coverage.subscriber_sex)
        dependent = person
    return EligibilityInquiry("", Payer(payer.name, payer.payer_identifier), practice.legal_name,
                              practice.billing_npi, subscriber, coverage.member_id, day, dependent, SERVICE_TYPES)


def _write_batch(database: Database, organization_id: int, connection: str, chunk: list[_Asked], outbox: Path,
                 now: datetime.datetime, actor: str) -> tuple[Path, list[int]]:
    """Write one 270 file for the chunk and record its checks as sent (one transaction); the file and check ids."""
    with UnitOfWork(database, actor=actor) as uow:
        profile_row = uow.session.scalars(select(ClearinghouseProfileRow).where(
            ClearinghouseProfileRow.organization_id == organization_id).order_by(ClearinghouseProfileRow.id)).first()
        if profile_row is None:
            raise NotFound("no clearinghouse profile for this billing company: add one before sending 270s")
        profile = profile_of(profile_row)
    control = reserve_control_numbers(database, organization_id, transactions=len(chunk))
    inquiries = tuple(EligibilityInquiry(f"E{organization_id}-{control.interchange:09d}-{index:05d}",
                                         *_rest(item.inquiry)) for index, item in enumerate(chunk, start=1))
    folder = outbox / ELIGIBILITY_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"270-{control.interchange:09d}.x12"
        partial = folder / f".{path.name}.partial"
        partial.write_text(write_270(inquiries, profile, control, now), encoding="ascii")
        partial.replace(path)
    except OSError as exc:
        raise InvalidInput(f"cannot write the 270 file in {folder}: {exc.strerror}") from None
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        repos: dict[int, PracticeRepository] = {}
        added = []
        for item, inquiry in zip(chunk, inquiries, strict=True):
            repo = repos.get(item.practice_id) or repos.setdefault(item.practice_id, uow.practice(item.practice_id))
            added.append((repo, item, repo.add(EligibilityCheckRow(
                patient_id=item.patient_id, coverage_id=item.coverage_id, appointment_id=item.appointment_id,
                payer_id=item.payer_id, member_id=inquiry.member_id, asked_for=inquiry.on,
                trace_number=inquiry.trace_number, connection_name=connection, file_name=path.name, sent_at=now,
                benefits={}, errors=[], requested_by=actor))))
        uow.flush()
        for repo, item, check in added:
            repo.audit("eligibility.sent", "eligibility_check", check.id, {
                "trace": check.trace_number, "coverage": item.coverage_id, "appointment": item.appointment_id,
                "asked_for": check.asked_for.isoformat(), "file": path.name, "connection": connection})
        uow.commit()
        return path, [check.id for _, _, check in added]


def _rest(inquiry: EligibilityInquiry) -> tuple[Any, ...]:
    return (inquiry.payer, inquiry.provider_name, inquiry.provider_npi, inquiry.subscriber, inquiry.member_id,
            inquiry.on, inquiry.dependent, inquiry.service_types)


def _fetch_answers(database: Database, config: ClearinghouseConfig, connection: str, inbox: Path,
                   now: datetime.datetime, progress: Progress) -> None:
    fetched = config.open(connection).fetch(inbox / connection)
    answers = []
    for path in fetched:
        file_id = record_received(database, path, connection, now=now)
        try:
            kinds = {t.type for t in transaction_sets(read_file(path))}
        except (InvalidInput, OSError):
            kinds = set()
        if kinds == {"271"}:
            answers.append((file_id, path))
    for done, (file_id, path) in enumerate(answers, start=1):
        process_received(database, file_id, path, now=now)
        progress("answers", done, len(answers))


def _flag_unanswered(database: Database, summary: RunSummary, now: datetime.datetime, actor: str) -> None:
    if not summary.check_ids:
        return
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        for start in range(0, len(summary.check_ids), 500):
            ids = summary.check_ids[start:start + 500]
            for check in uow.session.scalars(select(EligibilityCheckRow).where(EligibilityCheckRow.id.in_(ids))):
                if check.answered_at is None:
                    record_no_answer(uow.practice(check.practice_id), check, now)
                summary.outcomes[check.outcome or Outcome.NO_ANSWER.value] += 1
        uow.commit()


# --- the front desk ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Eligibility:
    """An appointment's latest eligibility answer, as the schedule shows it."""

    outcome: str | None  # None: never asked
    label: str
    age: str  # how old the answer (or the question, when no answer came) is
    fix: str | None
    flagged: bool  # no answer, or an answer the front desk must act on
    check_id: int | None


@dataclass(frozen=True, slots=True)
class ScheduledVisit:
    appointment_id: int
    practice: str
    starts_at: datetime.datetime
    minutes: int
    patient_id: int
    patient_name: str
    account_number: str
    provider: str
    visit_type: str
    planned_codes: tuple[str, ...]
    status: str
    payer: str  # the primary coverage's payer name ("self-pay" without one)
    eligibility: Eligibility


def schedule(database: Database, practice_ids: Collection[int], day: datetime.date, *, actor: str,
             now: datetime.datetime | None = None) -> list[ScheduledVisit]:
    """The day's appointments of these practices (cancelled ones left out), each with its eligibility status and
    the answer's age (an audited read)."""
    moment = now or utc_now()
    start = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=datetime.UTC)
    end = start + datetime.timedelta(days=1)
    visits: list[ScheduledVisit] = []
    with UnitOfWork(database, actor=actor) as uow:
        ids = sorted(practice_ids)
        rows = list(uow.session.scalars(select(AppointmentRow).where(
            AppointmentRow.practice_id.in_(ids), AppointmentRow.starts_at >= start, AppointmentRow.starts_at < end,
            AppointmentRow.status != "cancelled").order_by(AppointmentRow.starts_at, AppointmentRow.id))) if ids else []
        if rows:
            visits = _visits(uow, rows, moment)
            uow.audit_practices("schedule.read", "appointment", {r.practice_id for r in rows},
                                detail={"day": day.isoformat(), "appointments": len(rows)})
            uow.commit()
    return visits


def _visits(uow: UnitOfWork, rows: list[AppointmentRow], now: datetime.datetime) -> list[ScheduledVisit]:
    session = uow.session
    practices = {p.id: p.code for p in session.scalars(select(PracticeRow))}
    patient_ids = sorted({r.patient_id for r in rows})
    patients = {p.id: p for p in session.scalars(select(PatientRow).where(PatientRow.id.in_(patient_ids)))}
    providers = {p.id: p for p in session.scalars(select(ProviderRow).where(
        ProviderRow.id.in_(sorted({r.provider_id for r in rows if r.provider_id}))))}
    payers = {p.id: p for p in session.scalars(select(PayerRow))}
    coverages: dict[int, list[CoverageRow]] = {}
    for primary in session.scalars(select(CoverageRow).where(CoverageRow.patient_id.in_(patient_ids),
                                                             CoverageRow.coverage_order == "primary")):
        coverages.setdefault(primary.patient_id, []).append(primary)
    latest = dict(session.execute(select(EligibilityCheckRow.appointment_id, func.max(EligibilityCheckRow.id))
                                  .where(EligibilityCheckRow.appointment_id.in_([r.id for r in rows]))
                                  .group_by(EligibilityCheckRow.appointment_id)).all())
    checks = {c.id: c for c in session.scalars(select(EligibilityCheckRow).where(
        EligibilityCheckRow.id.in_(sorted(latest.values()))))}
    visits = []
    for row in rows:
        patient = patients[row.patient_id]
        provider = providers.get(row.provider_id or 0)
        coverage = _primary_on(coverages.get(row.patient_id, []), row.starts_at.date())
        payer = payers[coverage.payer_id].name if coverage else "self-pay"
        check = checks.get(latest.get(row.id, 0))
        visits.append(ScheduledVisit(
            row.id, practices.get(row.practice_id, ""), row.starts_at, row.minutes, patient.id,
            f"{patient.last_name}, {patient.first_name}", patient.account_number,
            f"{provider.last_name}, {provider.first_name}" if provider else "", row.visit_type or "",
            tuple(row.planned_codes or ()), row.status, payer, _eligibility(check, coverage is not None, now)))
    return visits


def _eligibility(check: EligibilityCheckRow | None, insured: bool, now: datetime.datetime) -> Eligibility:
    if check is None:
        return Eligibility(None, "not checked" if insured else "self-pay: nothing to check", "", None, insured, None)
    outcome = Outcome(check.outcome) if check.outcome else None
    if outcome is None:
        return Eligibility(None, "asked, waiting for the answer", age_in_words(check.sent_at, now), None, True,
                           check.id)
    since = check.answered_at or check.sent_at
    return Eligibility(outcome.value, outcome.label, age_in_words(since, now), check.fix, outcome.needs_a_person,
                       check.id)


@dataclass(frozen=True, slots=True)
class WorkItem:
    """An open eligibility problem, with what the desk needs to fix it."""

    problem_id: int
    practice: str
    kind: str
    label: str
    message: str
    fix: str
    opened_at: datetime.datetime
    patient_id: int
    patient_name: str
    account_number: str
    date_of_birth: datetime.date
    appointment_id: int | None
    appointment_at: datetime.datetime | None
    payer: str
    member_id: str  # the coverage's member ID now
    coverage_order: str
    is_subscriber: bool  # the patient is the subscriber (their name and birth date are what the payer compares)
    other_payer: str | None


@dataclass(frozen=True, slots=True)
class OrderProposal:
    proposal_id: int
    practice: str
    patient_id: int
    patient_name: str
    account_number: str
    coverage_payer: str
    coverage_order: str
    other_payer: str
    other_coverage_order: str | None  # None: the patient has no coverage with that payer yet
    created_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class WorkList:
    items: tuple[WorkItem, ...]
    proposals: tuple[OrderProposal, ...]

    def to_json(self) -> dict[str, Any]:
        return {"problems": [{
            "id": i.problem_id, "practice": i.practice, "kind": i.kind, "label": i.label, "message": i.message,
            "fix": i.fix, "opened_at": i.opened_at.isoformat(), "patient": i.account_number,
            "patient_name": i.patient_name, "appointment_id": i.appointment_id,
            "appointment_at": i.appointment_at.isoformat() if i.appointment_at else None, "payer": i.payer,
            "member_id": i.member_id, "other_payer": i.other_payer} for i in self.items],
            "order_changes": [{
                "id": p.proposal_id, "practice": p.practice, "patient": p.account_number,
                "patient_name": p.patient_name, "coverage_payer": p.coverage_payer,
                "coverage_order": p.coverage_order, "other_payer": p.other_payer,
                "other_coverage_order": p.other_coverage_order, "proposed_at": p.created_at.isoformat()}
                for p in self.proposals]}


def worklist(database: Database, practice_ids: Collection[int] | None, *, actor: str) -> WorkList:
    """The open eligibility problems (the soonest appointment first) and the proposed coverage order changes of
    these practices (None: every practice); an audited read."""
    with UnitOfWork(database, actor=actor) as uow:
        session = uow.session
        query = select(EligibilityProblemRow).where(EligibilityProblemRow.status == "open")
        proposals_query = select(CoverageOrderProposalRow).where(CoverageOrderProposalRow.status == "proposed")
        if practice_ids is not None:
            ids = sorted(practice_ids)
            query = query.where(EligibilityProblemRow.practice_id.in_(ids))
            proposals_query = proposals_query.where(CoverageOrderProposalRow.practice_id.in_(ids))
        problems = list(session.scalars(query.order_by(EligibilityProblemRow.id)))
        proposals = list(session.scalars(proposals_query.order_by(CoverageOrderProposalRow.id)))
        patient_ids = sorted({p.patient_id for p in problems} | {p.patient_id for p in proposals})
        patients = {p.id: p for p in session.scalars(select(PatientRow).where(PatientRow.id.in_(patient_ids)))}
        coverage_ids = sorted({p.coverage_id for p in problems} | {p.coverage_id for p in proposals}
                              | {p.other_coverage_id for p in proposals if p.other_coverage_id})
        coverages = {c.id: c for c in session.scalars(select(CoverageRow).where(CoverageRow.id.in_(coverage_ids)))}
        appointments = {a.id: a for a in session.scalars(select(AppointmentRow).where(
            AppointmentRow.id.in_(sorted({p.appointment_id for p in problems if p.appointment_id}))))}
        checks = {c.id: c for c in session.scalars(select(EligibilityCheckRow).where(
            EligibilityCheckRow.id.in_(sorted({p.check_id for p in problems}))))}
        payers = {p.id: p for p in session.scalars(select(PayerRow))}
        practices = {p.id: p.code for p in session.scalars(select(PracticeRow))}
        items = []
        for problem in problems:
            patient, coverage = patients[problem.patient_id], coverages[problem.coverage_id]
            appointment = appointments.get(problem.appointment_id or 0)
            check = checks.get(problem.check_id)
            items.append(WorkItem(
                problem.id, practices[problem.practice_id], problem.kind, Outcome(problem.kind).label,
                problem.message, problem.fix, problem.opened_at, patient.id,
                f"{patient.last_name}, {patient.first_name}", patient.account_number, patient.date_of_birth,
                problem.appointment_id, appointment.starts_at if appointment else None,
                payers[coverage.payer_id].name, coverage.member_id, coverage.coverage_order,
                coverage.relationship_code == "18" or not coverage.subscriber_last_name,
                check.other_payer_name or check.other_payer_identifier if check else None))
        far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        items.sort(key=lambda i: (i.appointment_at or far, i.problem_id))
        shown = []
        for proposal in proposals:
            patient, coverage = patients[proposal.patient_id], coverages[proposal.coverage_id]
            other = coverages.get(proposal.other_coverage_id or 0)
            shown.append(OrderProposal(
                proposal.id, practices[proposal.practice_id], patient.id, f"{patient.last_name}, {patient.first_name}",
                patient.account_number, payers[coverage.payer_id].name, coverage.coverage_order,
                proposal.other_payer_name or proposal.other_payer_identifier or "another payer",
                other.coverage_order if other else None, proposal.created_at))
        touched = {p.practice_id for p in problems} | {p.practice_id for p in proposals}
        if touched:
            uow.audit_practices("eligibility.worklist_read", "eligibility_problem", touched,
                                detail={"problems": len(items), "order_changes": len(shown)})
            uow.commit()
        return WorkList(tuple(items), tuple(shown))


FIXABLE = ("member_id", "last_name", "first_name", "date_of_birth")


def fix_and_recheck(database: Database, config: ClearinghouseConfig | None, practice_ids: Collection[int],
                    problem_id: int, changes: Mapping[str, str | None], *, inbox: Path, outbox: Path, actor: str,
                    as_of: datetime.date, now: datetime.datetime | None = None) -> RunSummary | None:
    """Correct what the payer did not recognise (the coverage's member ID; the patient's, or the subscriber's, name
    and birth date) and ask again for the problem's appointment; the new run (None when there is no appointment
    to ask about). Only fields that differ are changed (audited as any patient or coverage change)."""
    unknown = sorted(set(changes) - set(FIXABLE))
    if unknown:
        raise InvalidFields("nothing was changed", tuple(Problem(name, "cannot be corrected here")
                                                         for name in unknown))
    with UnitOfWork(database, actor=actor) as uow:
        problem = _problem(uow, practice_ids, problem_id)
        repo = uow.practice(problem.practice_id)
        coverage = repo.get(CoverageRow, problem.coverage_id)
        patient = repo.get(PatientRow, problem.patient_id)
        order, patient_ref, appointment_id = coverage.coverage_order, patient.id, problem.appointment_id
        subscriber_is_patient = coverage.relationship_code == "18" or not coverage.subscriber_last_name
        current = {"member_id": coverage.member_id,
                   "last_name": patient.last_name if subscriber_is_patient else coverage.subscriber_last_name,
                   "first_name": patient.first_name if subscriber_is_patient else coverage.subscriber_first_name,
                   "date_of_birth": (patient.date_of_birth if subscriber_is_patient
                                     else coverage.subscriber_date_of_birth)}
    wanted = {name: value.strip() for name, value in changes.items() if value is not None and value.strip()}
    differs = {name: value for name, value in wanted.items()
               if str(current.get(name) or "").upper() != value.upper()}
    coverage_changes = {name: value for name, value in differs.items() if name == "member_id"}
    person_changes = {name: value for name, value in differs.items() if name != "member_id"}
    if person_changes and not subscriber_is_patient:
        coverage_changes.update({f"subscriber_{name}": value for name, value in person_changes.items()})
        person_changes = {}
    if coverage_changes:
        edit_coverage(database, practice_ids, patient_ref, order, coverage_changes, actor=actor, as_of=as_of)
    if person_changes:
        edit_patient(database, practice_ids, patient_ref, person_changes, actor=actor, as_of=as_of)
    if appointment_id is None:
        return None
    return recheck(database, config, practice_ids, appointment_id, inbox=inbox, outbox=outbox, actor=actor, now=now)


def resolve_problem(database: Database, practice_ids: Collection[int], problem_id: int, resolution: str, *,
                    actor: str) -> None:
    """Close a work-list item by hand (the patient brought a new card, will pay themselves ...), saying why."""
    words = " ".join(resolution.split())
    with UnitOfWork(database, actor=actor) as uow:
        problem = _problem(uow, practice_ids, problem_id)
        if not words:
            raise InvalidFields("the item was not resolved", (Problem("resolution", "say what was done (e.g. 'new "
                                                                                  "card scanned, coverage added')"),))
        if problem.status != "open":
            raise InvalidTransition(f"work-list item {problem_id} is resolved already")
        problem.status, problem.resolved_at, problem.resolved_by = "resolved", uow.clock(), actor
        problem.resolution = words[:1000]
        uow.practice(problem.practice_id).audit("eligibility.problem_resolved", "eligibility_problem", problem.id,
                                                {"kind": problem.kind, "by_hand": True})
        uow.commit()


def decide_order_change(database: Database, practice_ids: Collection[int], proposal_id: int, *, decision: str,
                        actor: str, as_of: datetime.date) -> str:
    """Accept (the other payer's coverage becomes primary, this one takes its order: the swap of the patient's
    coverage rules, audited, with the claims re-scrubbed) or reject a proposed order change (``decision``: accept
    or reject); what was done."""
    with UnitOfWork(database, actor=actor) as uow:
        proposal = _proposal(uow, practice_ids, proposal_id)
        if decision not in ("accept", "reject"):
            raise InvalidFields("nothing was decided", (Problem("decision", "choose accept or reject"),))
        accept = decision == "accept"
        repo = uow.practice(proposal.practice_id)
        patient_id = proposal.patient_id
        other = repo.get(CoverageRow, proposal.other_coverage_id) if proposal.other_coverage_id else \
            other_coverage(repo, proposal.patient_id, proposal.coverage_id, proposal.other_payer_identifier)
        other_order = other.coverage_order if other else None
        other_name = proposal.other_payer_name or proposal.other_payer_identifier or "the other payer"
    if accept:
        if other_order is None:
            raise InvalidTransition(f"the patient has no coverage with {other_name}: add it (from the patient's card) "
                                    "first, then accept the change")
        if other_order != "primary":
            edit_coverage(database, practice_ids, patient_id, other_order, {"coverage_order": "primary"},
                          actor=actor, as_of=as_of)
    with UnitOfWork(database, actor=actor) as uow:
        proposal = _proposal(uow, practice_ids, proposal_id)
        repo = uow.practice(proposal.practice_id)
        proposal.status = "accepted" if accept else "rejected"
        proposal.decided_by, proposal.decided_at = actor, uow.clock()
        for problem in repo.rows(EligibilityProblemRow, EligibilityProblemRow.coverage_id == proposal.coverage_id,
                                 EligibilityProblemRow.kind == Outcome.OTHER_PAYER_PRIMARY.value,
                                 EligibilityProblemRow.status == "open"):
            problem.status, problem.resolved_at, problem.resolved_by = "resolved", uow.clock(), actor
            problem.resolution = f"order change {'accepted' if accept else 'rejected'}"
        repo.audit("coverage.order_change_decided", "coverage_order_proposal", proposal.id, {
            "accepted": accept, "coverage": proposal.coverage_id, "other_payer": proposal.other_payer_identifier})
        uow.commit()
    if accept:
        return f"{other_name} is now the primary coverage; the claims not yet with a payer were scrubbed again."
    return "The order change was rejected; the coverage order is as it was."


def _problem(uow: UnitOfWork, practice_ids: Collection[int], problem_id: int) -> EligibilityProblemRow:
    row = uow.session.scalars(select(EligibilityProblemRow).where(
        EligibilityProblemRow.id == problem_id, EligibilityProblemRow.practice_id.in_(sorted(practice_ids)))).first() \
        if practice_ids and 0 < problem_id < 2**31 else None
    if row is None:
        raise NotFound(f"no eligibility work-list item {problem_id} among your practices'")
    return row


def _proposal(uow: UnitOfWork, practice_ids: Collection[int], proposal_id: int) -> CoverageOrderProposalRow:
    row = uow.session.scalars(select(CoverageOrderProposalRow).where(
        CoverageOrderProposalRow.id == proposal_id,
        CoverageOrderProposalRow.practice_id.in_(sorted(practice_ids)))).first() \
        if practice_ids and 0 < proposal_id < 2**31 else None
    if row is None:
        raise NotFound(f"no proposed coverage order change {proposal_id} among your practices'")
    if row.status != "proposed":
        raise InvalidTransition(f"the order change {proposal_id} was {row.status} already")
    return row
