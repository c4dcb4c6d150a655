"""One claim as a biller reads it: its lines (with the coding engine's reasons), scrub findings, the history of its
status, the 837P files it went out in, the 999s and 277CAs about it, the payers' answers as an explanation of
benefits (every adjustment and remark in words), its ledger postings and its denial work items.

Always within the practices a user may see (None for a claim that is not there or not theirs), and audited as a
read of PHI (``claim.read``, naming the sections shown). Which sections a user may see is the caller's to say
from the permission matrix: the remittances and postings need ``view_remittances``, the denial items
``view_denials`` (``sections_for`` reads the matrix); a section not shown is empty and flagged as withheld, so
a screen can say so rather than show "none".
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from dermbill.core.access import Permission, Role, allowed
from dermbill.core.claims import ClaimStatus
from dermbill.core.denial_codes import DenialCategory, DenialCodeTable, group_words
from dermbill.core.denials import Action
from dermbill.core.errors import DermbillError
from dermbill.core.money import Money
from dermbill.core.remittance import CLAIM_STATUS_WORDS
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    CoverageRow,
    DenialItemRow,
    EncounterRow,
    JournalEntryRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    PatientRow,
    PostingRow,
    ProviderRow,
    RemittanceRow,
    SubmissionBatchRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services.claim_views import ClaimSummary
from dermbill.services.coding import code_document
from dermbill.services.denials import fix_words
from dermbill.services.submission import SENT_IN
from dermbill.services.transmission import ACCEPTED_BY_277CA, REJECTED_BY_999


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class DetailPatient:
    name: str  # LAST, FIRST MIDDLE
    account_number: str
    member_id: str  # of the coverage billed ("" for self-pay)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "account_number": self.account_number, "member_id": self.member_id}


@dataclass(frozen=True, slots=True)
class DetailLine:
    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    diagnoses: tuple[str, ...]  # the ICD-10-CM codes the line points at, in pointer order
    service_date_from: datetime.date
    service_date_to: datetime.date | None
    explanation: str  # the coding engine's reason for the line ("" when it did not code this line)

    def to_json(self) -> dict[str, Any]:
        return {"line_number": self.line_number, "procedure_code": self.procedure_code,
                "modifiers": list(self.modifiers), "units": self.units, "charge": self.charge.plain(),
                "diagnoses": list(self.diagnoses), "service_date_from": self.service_date_from.isoformat(),
                "service_date_to": _day(self.service_date_to), "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class DetailFinding:
    rule: str
    severity: str  # error | warning
    lines: tuple[int, ...]  # empty: the claim as a whole
    message: str
    fix: str
    found_at: datetime.datetime

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "lines": list(self.lines), "message": self.message,
                "fix": self.fix, "found_at": self.found_at.isoformat()}


@dataclass(frozen=True, slots=True)
class DetailEvent:
    occurred_at: datetime.datetime
    from_status: str
    to_status: str
    actor: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"occurred_at": self.occurred_at.isoformat(), "from_status": self.from_status,
                "to_status": self.to_status, "actor": self.actor, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class DetailBatch:
    """An 837P file the claim went out in."""

    file_name: str
    interchange_control_number: str
    group_control_number: str
    transaction_set_control_number: str | None  # the claim's ST02, known for the file it went out in last
    created_at: datetime.datetime
    sent_at: datetime.datetime | None  # None: written, not delivered yet
    claims: int
    total_charge: Money
    acknowledgment: str | None  # the 999's verdict on the file (None: no 999 yet)

    def to_json(self) -> dict[str, Any]:
        return {"file_name": self.file_name, "interchange_control_number": self.interchange_control_number,
                "group_control_number": self.group_control_number,
                "transaction_set_control_number": self.transaction_set_control_number,
                "created_at": self.created_at.isoformat(),
                "sent_at": self.sent_at.isoformat() if self.sent_at else None, "claims": self.claims,
                "total_charge": self.total_charge.plain(), "acknowledgment": self.acknowledgment}


@dataclass(frozen=True, slots=True)
class DetailAcknowledgment:
    """What a 999 (the clearinghouse, on a file) or a 277CA (the payer, on the claim) said."""

    kind: str  # "999" | "277CA"
    accepted: bool
    message: str
    file_name: str | None  # the 837P file a 999 verdict is about
    occurred_at: datetime.datetime | None  # when it was processed (None for a file's 999 verdict: not recorded)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "accepted": self.accepted, "message": self.message, "file_name": self.file_name,
                "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None}


@dataclass(frozen=True, slots=True)
class ReasonWords:
    """A CARC or RARC with dermbill's words for it."""

    code: str
    words: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "words": self.words}


@dataclass(frozen=True, slots=True)
class EobAdjustment:
    group: str  # CAS01: CO, PR, OA, PI, CR
    group_words: str
    carc: str
    carc_words: str
    amount: Money

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "group_words": self.group_words, "carc": self.carc,
                "carc_words": self.carc_words, "amount": self.amount.plain()}


@dataclass(frozen=True, slots=True)
class EobLine:
    line_number: int | None  # our line the answer is about (None: a line of another claim, e.g. the primary's)
    procedure_code: str  # as the payer adjudicated it
    modifiers: tuple[str, ...]
    units: int
    charge: Money  # paid plus adjustments: what the payer's line says was billed (negative in a reversal)
    allowed: Money | None
    paid: Money
    adjustments: tuple[EobAdjustment, ...]
    remarks: tuple[ReasonWords, ...]

    @property
    def patient_share(self) -> Money:
        return Money(sum(a.amount.cents for a in self.adjustments if a.group == "PR"))

    def to_json(self) -> dict[str, Any]:
        return {"line_number": self.line_number, "procedure_code": self.procedure_code,
                "modifiers": list(self.modifiers), "units": self.units, "charge": self.charge.plain(),
                "allowed": self.allowed.plain() if self.allowed is not None else None, "paid": self.paid.plain(),
                "patient_share": self.patient_share.plain(),
                "adjustments": [a.to_json() for a in self.adjustments],
                "remarks": [r.to_json() for r in self.remarks]}


@dataclass(frozen=True, slots=True)
class DetailRemittance:
    """One payer answer on the claim (an 835 claim payment), read as an explanation of benefits."""

    payer: str
    trace_number: str  # TRN02: the check or EFT number
    payment_date: datetime.date | None
    adjudicated_on: datetime.date
    file_name: str
    claim_status_code: str  # CLP02
    claim_status_words: str
    payer_claim_number: str | None
    lines: tuple[EobLine, ...]

    @property
    def charge(self) -> Money:
        return Money(sum(line.charge.cents for line in self.lines))

    @property
    def allowed(self) -> Money:
        return Money(sum(line.allowed.cents for line in self.lines if line.allowed is not None))

    @property
    def paid(self) -> Money:
        return Money(sum(line.paid.cents for line in self.lines))

    @property
    def patient_share(self) -> Money:
        return Money(sum(line.patient_share.cents for line in self.lines))

    def to_json(self) -> dict[str, Any]:
        return {"payer": self.payer, "trace_number": self.trace_number, "payment_date": _day(self.payment_date),
                "adjudicated_on": self.adjudicated_on.isoformat(), "file_name": self.file_name,
                "claim_status_code": self.claim_status_code, "claim_status_words": self.claim_status_words,
                "payer_claim_number": self.payer_claim_number, "charge": self.charge.plain(),
                "allowed": self.allowed.plain(), "paid": self.paid.plain(),
                "patient_share": self.patient_share.plain(), "lines": [line.to_json() for line in self.lines]}


@dataclass(frozen=True, slots=True)
class DetailPosting:
    entry_date: datetime.date
    kind: str  # charge, remittance, adjustment ...
    memo: str
    account_code: str
    account_name: str
    amount: Money  # a debit is positive, a credit negative
    line_number: int | None  # the claim's line it is posted to (None: the claim as a whole, or another claim's line)

    def to_json(self) -> dict[str, Any]:
        return {"entry_date": self.entry_date.isoformat(), "kind": self.kind, "memo": self.memo,
                "account_code": self.account_code, "account_name": self.account_name,
                "amount": self.amount.plain(), "line_number": self.line_number}


@dataclass(frozen=True, slots=True)
class DetailDenialItem:
    kind: str  # denial | underpayment
    status: str  # open | snoozed | waiting | resolved
    line_numbers: tuple[int, ...]
    codes: tuple[str, ...]
    group: str | None
    carc: ReasonWords | None
    rarcs: tuple[ReasonWords, ...]
    category: str  # in words: "Coding and bundling"
    action: str  # in words: "Correct and resubmit"
    cause: str
    fixes: tuple[str, ...]  # the certain fixes, in words
    amount: Money
    adjudicated_on: datetime.date
    deadline: datetime.date | None
    assigned_to: str | None
    follow_up_claim: str | None  # the corrected or rebilled claim's number
    resolution: str | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "status": self.status, "line_numbers": list(self.line_numbers),
                "codes": list(self.codes), "group": self.group,
                "carc": self.carc.to_json() if self.carc else None, "rarcs": [r.to_json() for r in self.rarcs],
                "category": self.category, "action": self.action, "cause": self.cause, "fixes": list(self.fixes),
                "amount": self.amount.plain(), "adjudicated_on": self.adjudicated_on.isoformat(),
                "deadline": _day(self.deadline), "assigned_to": self.assigned_to,
                "follow_up_claim": self.follow_up_claim, "resolution": self.resolution}


@dataclass(frozen=True, slots=True)
class DetailSections:
    """Which of the sections that need more than ``view_claims`` to show."""

    payments: bool  # remittances (EOB) and ledger postings: view_remittances
    denials: bool  # denial work items: view_denials


def sections_for(roles: Iterable[Role]) -> DetailSections:
    """The sections the permission matrix lets these roles see."""
    held = list(roles)
    return DetailSections(payments=allowed(held, Permission.VIEW_REMITTANCES),
                          denials=allowed(held, Permission.VIEW_DENIALS))


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    summary: ClaimSummary
    patient: DetailPatient
    payer_claim_number: str | None
    frequency_code: str  # CLM05-3: 1 original, 7 replacement, 8 void
    rendering_provider: str
    diagnosis_codes: tuple[str, ...]
    original_claim: str | None  # the claim this one replaces (frequency 7)
    primary_claim: str | None  # the claim of the payer before, on a secondary claim
    lines: tuple[DetailLine, ...]
    findings: tuple[DetailFinding, ...]
    events: tuple[DetailEvent, ...]
    batches: tuple[DetailBatch, ...]
    acknowledgments: tuple[DetailAcknowledgment, ...]
    remittances: tuple[DetailRemittance, ...]
    postings: tuple[DetailPosting, ...]
    denial_items: tuple[DetailDenialItem, ...]
    sections: DetailSections

    @property
    def claim_number(self) -> str:
        return self.summary.claim_number

    def to_json(self) -> dict[str, Any]:
        summary = self.summary
        return {
            "claim_number": summary.claim_number, "practice": summary.practice, "status": summary.status,
            "payer": summary.payer, "date_of_service": summary.date_of_service.isoformat(),
            "total_charge": summary.total_charge.plain(), "patient": self.patient.to_json(),
            "payer_claim_number": self.payer_claim_number, "frequency_code": self.frequency_code,
            "rendering_provider": self.rendering_provider, "diagnosis_codes": list(self.diagnosis_codes),
            "original_claim": self.original_claim, "primary_claim": self.primary_claim,
            "lines": [line.to_json() for line in self.lines],
            "findings": [finding.to_json() for finding in self.findings],
            "events": [event.to_json() for event in self.events],
            "batches": [batch.to_json() for batch in self.batches],
            "acknowledgments": [ack.to_json() for ack in self.acknowledgments],
            "remittances": [remittance.to_json() for remittance in self.remittances],
            "postings": [posting.to_json() for posting in self.postings],
            "denial_items": [item.to_json() for item in self.denial_items],
            "payments_shown": self.sections.payments, "denials_shown": self.sections.denials,
        }



def claim_detail(database: Database, practice_ids: Collection[int], claim_number: str, *, actor: str,
                 sections: DetailSections) -> ClaimDetail | None:
    """The claim of this number among these practices' claims, in full (None: not there, or not the user's to
    see); ``sections`` says whether the payments and the denial items are shown (``sections_for(user.roles)``)."""
    if not practice_ids:
        return None
    with UnitOfWork(database, actor=actor) as uow:
        claim = uow.session.scalars(select(ClaimRow).where(
            ClaimRow.practice_id.in_(sorted(practice_ids)), ClaimRow.patient_control_number == claim_number)
            .order_by(ClaimRow.practice_id)).first()
        if claim is None:
            return None
        detail = _ClaimReader(uow.practice(claim.practice_id), claim, denial_code_table()).detail(sections)
        shown = ["claim", "lines", "findings", "events", "batches", "acknowledgments"]
        shown += ["remittances", "postings"] if sections.payments else []
        shown += ["denial_items"] if sections.denials else []
        uow.audit("claim.read", "claim", claim.id, practice_id=claim.practice_id, organization_id=None,
                  detail={"claim": claim.patient_control_number, "sections": shown})
        uow.commit()
        return detail


class _ClaimReader:
    """Reads one claim's records, all of its practice (the repository's scope)."""

    def __init__(self, repo: PracticeRepository, claim: ClaimRow, codes: DenialCodeTable) -> None:
        self.repo = repo
        self.claim = claim
        self.codes = codes
        self.lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        self.payers = {payer.id: payer.name for payer in repo.payers()}

    def detail(self, sections: DetailSections) -> ClaimDetail:
        claim = self.claim
        events = self._events()
        batches = self._batches(events)
        return ClaimDetail(
            summary=self._summary(), patient=self._patient(), payer_claim_number=claim.payer_claim_number,
            frequency_code=claim.frequency_code, rendering_provider=self._provider(),
            diagnosis_codes=tuple(claim.diagnosis_codes), original_claim=self._number(claim.original_claim_id),
            primary_claim=self._number(claim.primary_claim_id), lines=self._lines(), findings=self._findings(),
            events=events, batches=batches, acknowledgments=_acknowledgments(batches, events),
            remittances=self._remittances() if sections.payments else (),
            postings=self._postings() if sections.payments else (),
            denial_items=self._denial_items() if sections.denials else (), sections=sections)

    def _summary(self) -> ClaimSummary:
        claim = self.claim
        day = min((line.service_date_from for line in self.lines), default=claim.created_at.date())
        return ClaimSummary(claim.patient_control_number, self.repo.practice.code, claim.status,
                            self.payers.get(claim.payer_id or 0, ""), day, Money(claim.total_charge_cents))

    def _patient(self) -> DetailPatient:
        patient = self.repo.get(PatientRow, self.claim.patient_id)
        name = f"{patient.last_name}, {patient.first_name}" + (f" {patient.middle_name}" if patient.middle_name
                                                               else "")
        coverage = self.repo.get(CoverageRow, self.claim.coverage_id) if self.claim.coverage_id else None
        return DetailPatient(name, patient.account_number, coverage.member_id if coverage else "")

    def _provider(self) -> str:
        provider = self.repo.get(ProviderRow, self.claim.rendering_provider_id)
        return f"{provider.last_name}, {provider.first_name}" + (f" {provider.credential}" if provider.credential
                                                                 else "")

    def _number(self, claim_id: int | None) -> str | None:
        return self.repo.get(ClaimRow, claim_id).patient_control_number if claim_id is not None else None

    def _lines(self) -> tuple[DetailLine, ...]:
        diagnoses = list(self.claim.diagnosis_codes)
        explanations = self._explanations()
        return tuple(DetailLine(
            line.line_number, line.procedure_code, tuple(line.modifiers), line.units, Money(line.charge_cents),
            tuple(diagnoses[p - 1] for p in line.diagnosis_pointers if 0 < p <= len(diagnoses)),
            line.service_date_from, line.service_date_to, explanations.get(line.line_number, ""))
            for line in self.lines)

    def _explanations(self) -> dict[int, str]:
        """The coding engine's reason for each line it coded, by our line number: the encounter's documentation
        coded again (the line of the same number when its code is the same, else the first unused line of that
        code, as a corrected claim may have lines in another order). Empty without readable documentation."""
        if self.claim.encounter_id is None:
            return {}
        documentation = self.repo.get(EncounterRow, self.claim.encounter_id).documentation
        try:
            coded = list(code_document(documentation).lines)
        except (DermbillError, LookupError, ValueError):
            return {}
        used: set[int] = set()
        found: dict[int, str] = {}
        for line in self.lines:
            index = line.line_number - 1
            if not (0 <= index < len(coded) and coded[index].code == line.procedure_code and index not in used):
                index = next((i for i, c in enumerate(coded) if c.code == line.procedure_code and i not in used), -1)
            if index >= 0:
                used.add(index)
                found[line.line_number] = coded[index].explanation
        return found

    def _findings(self) -> tuple[DetailFinding, ...]:
        rows = self.repo.rows(ClaimFindingRow, ClaimFindingRow.claim_id == self.claim.id)
        order = {"error": 0, "warning": 1}
        return tuple(DetailFinding(row.rule, row.severity, tuple(row.lines), row.message, row.fix, row.scrubbed_at)
                     for row in sorted(rows, key=lambda r: (order.get(r.severity, 2), r.id)))

    def _events(self) -> tuple[DetailEvent, ...]:
        rows = self.repo.rows(ClaimStatusEventRow, ClaimStatusEventRow.claim_id == self.claim.id)
        return tuple(DetailEvent(row.occurred_at, row.from_status, row.to_status, row.actor, row.reason)
                     for row in sorted(rows, key=lambda r: (r.occurred_at, r.id)))

    def _batches(self, events: Sequence[DetailEvent]) -> tuple[DetailBatch, ...]:
        files = {event.reason.removeprefix(SENT_IN) for event in events
                 if event.to_status == ClaimStatus.SUBMITTED.value and event.reason.startswith(SENT_IN)}
        criteria: list[ColumnElement[bool]] = [SubmissionBatchRow.file_name.in_(sorted(files))]
        if self.claim.interchange_control_number:
            criteria.append(SubmissionBatchRow.interchange_control_number == self.claim.interchange_control_number)
        rows = self.repo.rows(SubmissionBatchRow, or_(*criteria))
        return tuple(DetailBatch(
            row.file_name, row.interchange_control_number, row.group_control_number,
            self.claim.transaction_set_control_number
            if row.interchange_control_number == self.claim.interchange_control_number else None,
            row.created_at, row.sent_at, row.claims, Money(row.total_charge_cents), row.acknowledgment)
            for row in sorted(rows, key=lambda r: (r.created_at, r.id)))

    def _remittances(self) -> tuple[DetailRemittance, ...]:
        found = self.repo.session.execute(
            select(LineAdjudicationRow, RemittanceRow)
            .join(RemittanceRow, (RemittanceRow.id == LineAdjudicationRow.remittance_id)
                  & (RemittanceRow.practice_id == LineAdjudicationRow.practice_id))
            .where(LineAdjudicationRow.practice_id == self.repo.practice_id,
                   LineAdjudicationRow.claim_id == self.claim.id)
            .order_by(LineAdjudicationRow.adjudicated_on, RemittanceRow.id, LineAdjudicationRow.id)).all()
        line_numbers = {line.charged_line_id: line.line_number for line in self.lines}
        answers: dict[tuple[int, str], list[LineAdjudicationRow]] = {}
        remittances: dict[int, RemittanceRow] = {}
        for row, remittance in found:
            answers.setdefault((remittance.id, row.status_code), []).append(row)
            remittances[remittance.id] = remittance
        result = []
        for (remittance_id, status), rows in answers.items():
            remittance, first = remittances[remittance_id], rows[0]
            result.append(DetailRemittance(
                self.payers.get(first.payer_id or 0, remittance.payer_identifier), remittance.trace_number,
                remittance.payment_date, first.adjudicated_on, remittance.file_name, status,
                CLAIM_STATUS_WORDS.get(status, f"status code {status}"), first.payer_claim_number,
                tuple(self._eob_line(row, line_numbers.get(row.claim_line_id)) for row in rows)))
        return tuple(result)

    def _eob_line(self, row: LineAdjudicationRow, line_number: int | None) -> EobLine:
        adjustments = tuple(EobAdjustment(str(a["group"]), group_words(str(a["group"])), str(a["reason"]),
                                          self.codes.carc(str(a["reason"])).description, Money(int(a["cents"])))
                            for a in row.adjustments)
        charge = Money(row.paid_cents + sum(a.amount.cents for a in adjustments))
        return EobLine(line_number, row.code, tuple(row.modifiers), row.units, charge,
                       Money(row.allowed_cents) if row.allowed_cents is not None else None, Money(row.paid_cents),
                       adjustments, tuple(self._rarc(code) for code in row.remarks))

    def _rarc(self, code: str) -> ReasonWords:
        return ReasonWords(code, self.codes.rarc(code).description)

    def _postings(self) -> tuple[DetailPosting, ...]:
        line_ids = [line.charged_line_id for line in self.lines]
        line_numbers = {line.charged_line_id: line.line_number for line in self.lines}
        found = self.repo.session.execute(
            select(PostingRow, JournalEntryRow, LedgerAccountRow)
            .join(JournalEntryRow, (JournalEntryRow.id == PostingRow.journal_entry_id)
                  & (JournalEntryRow.practice_id == PostingRow.practice_id))
            .join(LedgerAccountRow, (LedgerAccountRow.id == PostingRow.account_id)
                  & (LedgerAccountRow.practice_id == PostingRow.practice_id))
            .where(PostingRow.practice_id == self.repo.practice_id,
                   or_(PostingRow.claim_id == self.claim.id,
                       PostingRow.claim_line_id.in_(line_ids) & PostingRow.claim_id.is_(None)))
            .order_by(JournalEntryRow.id, PostingRow.id)).all()  # as recorded (a payment may be dated earlier)
        return tuple(DetailPosting(entry.entry_date, entry.kind, entry.memo, account.code, account.name,
                                   Money(posting.amount_cents),
                                   line_numbers.get(posting.claim_line_id) if posting.claim_line_id else None)
                     for posting, entry, account in found)

    def _denial_items(self) -> tuple[DetailDenialItem, ...]:
        rows = self.repo.rows(DenialItemRow, DenialItemRow.claim_id == self.claim.id)
        return tuple(DetailDenialItem(
            row.kind, row.status, tuple(row.line_numbers), tuple(row.codes), row.group_code,
            ReasonWords(row.carc, self.codes.carc(row.carc).description) if row.carc else None,
            tuple(self._rarc(code) for code in row.rarcs), _label(DenialCategory, row.category),
            _label(Action, row.action), row.cause, fix_words(row.fixes), Money(row.amount_cents),
            row.adjudicated_on, row.deadline, row.assigned_to, self._number(row.follow_up_claim_id),
            row.resolution) for row in rows)


def _label(kind: type[DenialCategory] | type[Action], value: str) -> str:
    try:
        return kind(value).label
    except ValueError:
        return value.replace("_", " ")


def _acknowledgments(batches: Sequence[DetailBatch], events: Sequence[DetailEvent]
                     ) -> tuple[DetailAcknowledgment, ...]:
    """The 999 verdict on each file the claim went out in (in the order sent), and what each 999 or 277CA did to
    the claim itself (from its status events: a 277CA accepts; a 999 or a 277CA rejects, in its own words)."""
    found: list[tuple[datetime.datetime, DetailAcknowledgment]] = []
    for batch in batches:
        if batch.acknowledgment is not None:
            found.append((batch.sent_at or batch.created_at, DetailAcknowledgment(
                "999", batch.acknowledgment.startswith("accepted"), f"the file was {batch.acknowledgment}",
                batch.file_name, None)))
    for event in events:
        if event.to_status == ClaimStatus.ACCEPTED.value and event.reason == ACCEPTED_BY_277CA:
            found.append((event.occurred_at, DetailAcknowledgment("277CA", True, "accepted by the payer", None,
                                                                  event.occurred_at)))
        elif event.to_status == ClaimStatus.REJECTED.value:
            kind = "999" if event.reason.startswith(REJECTED_BY_999) else "277CA"
            found.append((event.occurred_at, DetailAcknowledgment(kind, False, event.reason, None,
                                                                  event.occurred_at)))
    return tuple(ack for _, ack in sorted(found, key=lambda pair: pair[0]))
