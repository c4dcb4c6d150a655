"""Following up claims: 276 inquiries about the claims a payer has not answered, and the follow-up work list.

``follow_up_claims`` is the day's run (``dermbill claims follow-up``, the ``claim-status`` scheduled job):
1. the claims due an inquiry: sent to a payer (submitted, or accepted by its 277CA) with no 835 since, once the
   payer's wait (``payer.status_inquiry_days``) has passed since they were sent and since the last 276 about them
   (``core.claim_follow_up.is_due_for_inquiry``);
2. their 276s, one file per practice, connection (the claims' route, as for 837Ps) and at most ``batch_size``
   claims; each inquiry is recorded (committed) before its file is delivered, and marked sent once it is;
3. a sync of every connection (``services.transmission.sync``): the 277 answers are applied once each
   (``services.claim_status_answers``), and whatever else came back (999, 277CA, 835) is processed as usual.

``follow_up_list`` is the work list: the open claims whose latest answer needs a person (not found, returned,
information requested, denied, pended too long ...) or says an 835 should follow, each with the 277's words, the
claim's age, its timely-filing deadline (date of service + the payer's filing limit, highlighted when near) and
the next action. Reading it is audited per practice (it names patients).
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from dermbill.clearinghouse.config import ClearinghouseConfig
from dermbill.core.claim_follow_up import Route, filing_deadline, is_due_for_inquiry
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money
from dermbill.db.audit_origin import person_or
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    ClaimStatusEventRow,
    ClaimStatusInquiryRow,
    ClearinghouseProfileRow,
    PatientRow,
    PayerRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.submission import professional_claim, profile_of, reserve_control_numbers
from dermbill.services.transmission import SyncReport, sync
from dermbill.x12.inquiries import ClaimStatusInquiry, write_276

OPEN_STATUSES = (ClaimStatus.SUBMITTED.value, ClaimStatus.ACCEPTED.value)  # sent, and no 835 since
DEFAULT_BATCH = 500
IN_CHUNK = 500  # claim ids per IN (...) lookup


@dataclass(slots=True)
class InquiryFile:
    practice: str
    connection: str
    path: Path
    claims: list[str]
    delivered: bool


@dataclass(slots=True)
class FollowUpReport:
    files: list[InquiryFile] = field(default_factory=list)
    sync: SyncReport | None = None

    @property
    def inquired(self) -> int:
        return sum(len(f.claims) for f in self.files)

    def answers(self) -> dict[str, Any]:
        """What the 277s fetched did: applied, already applied, unknown, and the applied by route."""
        totals: dict[str, Any] = {"applied": 0, "already_applied": 0, "unknown": 0, "routes": {}}
        for result in (self.sync.claim_statuses if self.sync else []):
            for key in ("applied", "already_applied", "unknown"):
                value = result.get(key, 0)
                totals[key] += value if isinstance(value, int) else 0
            routes = result.get("routes")
            for route, count in (routes.items() if isinstance(routes, dict) else ()):
                totals["routes"][route] = totals["routes"].get(route, 0) + count
        return totals

    def to_json(self) -> dict[str, Any]:
        return {"inquired": self.inquired,
                "files": [{"practice": f.practice, "connection": f.connection, "file": f.path.name,
                           "claims": f.claims, "delivered": f.delivered} for f in self.files],
                "answers": self.answers(),
                "fetched": len(self.sync.fetched) if self.sync else 0,
                "quarantined": [{"file": name, "reason": why} for name, why in (self.sync.quarantined
                                                                                 if self.sync else [])]}


def follow_up_claims(database: Database, config: ClearinghouseConfig, outbox: Path, inbox: Path, *,
                     now: datetime.datetime | None = None, practice: str | None = None,
                     batch_size: int = DEFAULT_BATCH, actor: str = "claim-status") -> FollowUpReport:
    """Send the due 276s (of one practice, by its code, or all), then fetch and apply what came back."""
    moment = now or utc_now()
    report = FollowUpReport(files=send_inquiries(database, config, outbox, now=moment, practice=practice,
                                                 batch_size=batch_size, actor=actor))
    report.sync = sync(database, config, inbox, now=moment)
    return report


def due_claims(database: Database, *, as_of: datetime.date, practice: str | None = None) -> dict[int, list[int]]:
    """The claims due a 276 on ``as_of``, by practice id (in claim id order)."""
    due: dict[int, list[int]] = {}
    with UnitOfWork(database, actor=person_or("claim-status")) as uow:
        query = select(PracticeRow.id).order_by(PracticeRow.id)
        if practice is not None:
            query = query.where(PracticeRow.code == practice)
        practice_ids = list(uow.session.scalars(query))
        if practice is not None and not practice_ids:
            raise NotFound(f"practice '{practice}' not found")
        for practice_id in practice_ids:
            repo = uow.practice(practice_id)
            waits = {p.id: p.status_inquiry_days for p in repo.payers()}
            claims = repo.rows(ClaimRow, ClaimRow.status.in_(OPEN_STATUSES), ClaimRow.payer_id.is_not(None),
                               ClaimRow.coverage_id.is_not(None))
            sent, asked = _sent_and_asked(repo, [c.id for c in claims])
            chosen = [c.id for c in claims if is_due_for_inquiry(
                sent_on=sent.get(c.id, c.updated_at).date(), as_of=as_of, wait_days=waits.get(c.payer_id or 0, 30),
                last_inquiry_on=asked[c.id].date() if c.id in asked else None)]
            if chosen:
                due[practice_id] = chosen
    return due


def _sent_and_asked(repo: PracticeRepository, claim_ids: list[int]
                    ) -> tuple[dict[int, datetime.datetime], dict[int, datetime.datetime]]:
    """When each claim was last sent (its last move to submitted) and last asked about (a 276 delivered)."""
    sent: dict[int, datetime.datetime] = {}
    asked: dict[int, datetime.datetime] = {}
    for start in range(0, len(claim_ids), IN_CHUNK):
        chunk = claim_ids[start:start + IN_CHUNK]
        sent.update({claim_id: moment for claim_id, moment in repo.session.execute(
            select(ClaimStatusEventRow.claim_id, func.max(ClaimStatusEventRow.occurred_at))
            .where(ClaimStatusEventRow.practice_id == repo.practice_id, ClaimStatusEventRow.claim_id.in_(chunk),
                   ClaimStatusEventRow.to_status == ClaimStatus.SUBMITTED.value)
            .group_by(ClaimStatusEventRow.claim_id)) if moment is not None})
        asked.update({claim_id: moment for claim_id, moment in repo.session.execute(
            select(ClaimStatusInquiryRow.claim_id, func.max(ClaimStatusInquiryRow.sent_at))
            .where(ClaimStatusInquiryRow.practice_id == repo.practice_id, ClaimStatusInquiryRow.claim_id.in_(chunk),
                   ClaimStatusInquiryRow.sent_at.is_not(None))
            .group_by(ClaimStatusInquiryRow.claim_id)) if moment is not None})
    return sent, asked


def send_inquiries(database: Database, config: ClearinghouseConfig, outbox: Path, *, now: datetime.datetime,
                   practice: str | None = None, batch_size: int = DEFAULT_BATCH,
                   actor: str = "claim-status") -> list[InquiryFile]:
    """Write and deliver the 276s of the claims due an inquiry; one file per practice, connection and batch."""
    if batch_size < 1:
        raise InvalidInput(f"the batch size must be at least 1 (got {batch_size})")
    try:
        outbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot write 276 files to '{outbox}': {exc.strerror}") from None
    files = []
    for practice_id, claim_ids in due_claims(database, as_of=now.date(), practice=practice).items():
        for connection, chunk in _by_connection(database, config, practice_id, claim_ids, batch_size):
            files.append(_send_batch(database, config, outbox, practice_id, connection, chunk, now, actor))
    return files


def _by_connection(database: Database, config: ClearinghouseConfig, practice_id: int, claim_ids: list[int],
                   batch_size: int) -> list[tuple[str, list[int]]]:
    with UnitOfWork(database, actor="claim-status") as uow:
        repo = uow.practice(practice_id)
        payers = {p.id: p.payer_identifier for p in repo.payers()}
        by_connection: dict[str, list[int]] = defaultdict(list)
        for start in range(0, len(claim_ids), IN_CHUNK):
            for claim_id, payer_id in repo.session.execute(
                    select(ClaimRow.id, ClaimRow.payer_id).where(ClaimRow.practice_id == practice_id,
                                                                 ClaimRow.id.in_(claim_ids[start:start + IN_CHUNK]))):
                by_connection[config.route(repo.practice.code, payers.get(payer_id or 0, ""))].append(claim_id)
    return [(connection, sorted(ids)[start:start + batch_size]) for connection, ids in sorted(by_connection.items())
            for start in range(0, len(ids), batch_size)]


def _send_batch(database: Database, config: ClearinghouseConfig, outbox: Path, practice_id: int, connection: str,
                claim_ids: list[int], now: datetime.datetime, actor: str) -> InquiryFile:
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        repo = uow.practice(practice_id)
        profile_row = uow.session.scalars(select(ClearinghouseProfileRow).where(
            ClearinghouseProfileRow.organization_id == repo.practice.organization_id)
            .order_by(ClearinghouseProfileRow.id)).first()
        if profile_row is None:
            raise NotFound("no clearinghouse profile for this billing company: add one before sending inquiries")
        profile = profile_of(profile_row)
        claims = repo.rows(ClaimRow, ClaimRow.id.in_(claim_ids))
        asked = [_inquiry_of(repo, claim) for claim in claims]
        code, organization_id = repo.practice.code, repo.practice.organization_id
    control = reserve_control_numbers(database, organization_id, transactions=len(asked))
    # BHT03, echoed by the 277: the interchange (unique in the billing company) and the claim's place in it.
    asked = [(claim_id, pcn, replace(inquiry, trace_number=f"{code[:20]}{control.interchange:09d}{index:05d}"))
             for index, (claim_id, pcn, inquiry) in enumerate(asked, start=1)]
    text = write_276(tuple(inquiry for _, _, inquiry in asked), profile, control, now)
    final = outbox / f"276-{code}-{control.interchange:09d}.x12"
    partial = final.with_suffix(".partial")
    partial.write_text(text, encoding="ascii", errors="replace")
    os.replace(partial, final)
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:  # recorded before it leaves
        repo = uow.practice(practice_id)
        rows = [repo.add(ClaimStatusInquiryRow(claim_id=claim_id, trace_number=inquiry.trace_number,
                                               connection_name=connection, file_name=final.name, created_at=now))
                for claim_id, _, inquiry in asked]
        repo.flush()
        row_ids = [row.id for row in rows]
        uow.commit()
    [delivery] = config.open(connection).send([final])
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        repo = uow.practice(practice_id)
        for row in repo.rows(ClaimStatusInquiryRow, ClaimStatusInquiryRow.id.in_(row_ids)):
            row.sent_at = now
        repo.audit("claim.status_inquired", "claim_status_inquiry", None, {
            "file": final.name, "connection": connection, "claims": [pcn for _, pcn, _ in asked],
            "new": delivery.sent})
        uow.commit()
    return InquiryFile(code, connection, final, [pcn for _, pcn, _ in asked], delivery.sent)


def _inquiry_of(repo: PracticeRepository, claim: ClaimRow) -> tuple[int, str, ClaimStatusInquiry]:
    """The 276 question about a stored claim (its trace number is set once the control numbers are taken)."""
    sent = professional_claim(repo, claim)
    dates = [line.date_of_service for line in sent.lines] or [claim.date_of_service]
    dependent = sent.patient if sent.relationship_code != "18" else None
    return claim.id, claim.patient_control_number, ClaimStatusInquiry(
        "", sent.payer, repo.practice.legal_name, repo.practice.billing_npi, sent.subscriber, sent.member_id,
        claim.patient_control_number, Money(claim.total_charge_cents), min(dates), max(dates),
        claim.payer_claim_number, dependent)


@dataclass(frozen=True, slots=True)
class FollowUpItem:
    """One claim of the follow-up work list."""

    practice: str
    claim: str
    patient: str
    payer: str
    date_of_service: datetime.date
    sent_on: datetime.date
    age_days: int  # since it was sent
    inquired_at: datetime.datetime
    answered_at: datetime.datetime
    category: str
    status_code: str
    entity: str
    words: str
    reason: str
    needs_person: bool
    next_action: str
    deadline: datetime.date
    days_left: int
    near_deadline: bool
    payer_claim_number: str | None
    paid: Money | None

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "claim": self.claim, "patient": self.patient, "payer": self.payer,
                "date_of_service": self.date_of_service.isoformat(), "sent_on": self.sent_on.isoformat(),
                "age_days": self.age_days, "inquired_at": self.inquired_at.isoformat(),
                "answered_at": self.answered_at.isoformat(), "category": self.category,
                "status_code": self.status_code, "entity": self.entity, "words": self.words, "reason": self.reason,
                "needs_person": self.needs_person, "next_action": self.next_action,
                "deadline": self.deadline.isoformat(), "days_left": self.days_left,
                "near_deadline": self.near_deadline, "payer_claim_number": self.payer_claim_number,
                "paid": self.paid.plain() if self.paid is not None else None}


def follow_up_list(database: Database, practice_ids: Collection[int] | None = None, *, as_of: datetime.date,
                   practice: str | None = None, actor: str = "claim-status") -> list[FollowUpItem]:
    """The open claims (of these practices; ``None``: all) whose latest 277 answer needs a person or says an 835
    should follow: those for a person first, nearest deadline first."""
    items: list[FollowUpItem] = []
    with UnitOfWork(database, actor=actor) as uow:
        query = (select(ClaimStatusInquiryRow, ClaimRow, PracticeRow, PayerRow, PatientRow)
                 .join(ClaimRow, (ClaimRow.id == ClaimStatusInquiryRow.claim_id)
                       & (ClaimRow.practice_id == ClaimStatusInquiryRow.practice_id))
                 .join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
                 .join(PayerRow, PayerRow.id == ClaimRow.payer_id)
                 .join(PatientRow, (PatientRow.id == ClaimRow.patient_id)
                       & (PatientRow.practice_id == ClaimRow.practice_id))
                 .where(ClaimRow.status.in_(OPEN_STATUSES), ClaimStatusInquiryRow.answered_at.is_not(None))
                 .order_by(ClaimRow.id, ClaimStatusInquiryRow.answered_at.desc(), ClaimStatusInquiryRow.id.desc()))
        if practice_ids is not None:
            query = query.where(ClaimRow.practice_id.in_(sorted(practice_ids)))
        if practice is not None:
            query = query.where(PracticeRow.code == practice)
        latest: dict[int, tuple[ClaimStatusInquiryRow, ClaimRow, PracticeRow, PayerRow, PatientRow]] = {}
        for inquiry, claim, practice_row, payer, patient in uow.session.execute(query):
            latest.setdefault(claim.id, (inquiry, claim, practice_row, payer, patient))
        by_practice: dict[int, list[int]] = defaultdict(list)
        for _, claim, _, _, _ in latest.values():
            by_practice[claim.practice_id].append(claim.id)
        sent: dict[int, datetime.datetime] = {}
        for practice_id, claim_ids in by_practice.items():
            sent.update(_sent_and_asked(uow.practice(practice_id), claim_ids)[0])
        shown: dict[int, list[str]] = defaultdict(list)
        for inquiry, claim, practice_row, payer, patient in latest.values():
            sent_at = sent.get(claim.id, claim.updated_at)
            if inquiry.created_at < sent_at or inquiry.route not in (Route.PERSON.value,
                                                                     Route.REMITTANCE_EXPECTED.value):
                continue  # an answer about the claim as it was before it was sent again, or nothing to do
            assert inquiry.answered_at is not None
            deadline = filing_deadline(claim.date_of_service, payer.timely_filing_days, as_of)
            items.append(FollowUpItem(
                practice_row.code, claim.patient_control_number, f"{patient.last_name}, {patient.first_name}",
                payer.name, claim.date_of_service, sent_at.date(), (as_of - sent_at.date()).days, inquiry.sent_at
                or inquiry.created_at, inquiry.answered_at, inquiry.category_code or "", inquiry.status_code or "",
                inquiry.entity_code or "", inquiry.words or "", inquiry.reason or "",
                inquiry.route == Route.PERSON.value, inquiry.next_action or "", deadline.deadline,
                deadline.days_left, deadline.near, inquiry.payer_claim_number,
                Money(inquiry.paid_cents) if inquiry.paid_cents is not None else None))
            shown[claim.practice_id].append(claim.patient_control_number)
        for practice_id, numbers in sorted(shown.items()):
            uow.practice(practice_id).audit("claim_follow_up.list", "claim", None, {"claims": numbers})
        uow.commit()
    items.sort(key=lambda i: (not i.needs_person, i.days_left, -i.age_days, i.practice, i.claim))
    return items

