"""Posting by hand what came on paper: a payer's paper EOB (with its check) and a patient's check.

- **A paper EOB** is entered line by line (allowed, paid, adjustments with their group and CARC, remarks) and
  posted as the 835 the payer would have sent: the entry becomes a ``core.remittance.Remittance``, written by our
  835 writer and posted by ``era_posting.post_remittance``, so the same ledger rules (``core.posting``), the same
  exactly-once record and the same statuses apply: there is one posting engine. Its trace number is the check
  number and the claim number, a space between (one check may pay several claims, each entered from its own EOB).
- **A patient check** is applied to the patient's balance of the lines the person names (what each line owes at
  most); the same check number posts once.

Every line's problem is said with the line and field (``InvalidFields``): nothing of an entry with a problem is
posted.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from dermbill.core.errors import InvalidFields, InvalidInput, NotFound, Problem
from dermbill.core.ledger import CASH, PATIENT_AR, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.core.remittance import Adjustment, ClaimPayment, Remittance, ServiceLinePayment
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    JournalEntryRow,
    LedgerAccountRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services.era_posting import RemittanceOutcome, post_remittance
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.remittance_835_writer import write_835
from dermbill.x12.tokenizer import segments_of
from dermbill.x12.transactions import transaction_sets

GROUPS = ("CO", "PR", "OA", "PI", "CR")
PAPER = ClearinghouseProfile(submitter_id="PAPEREOB", submitter_name="PAPER EOB", submitter_contact="POSTER",
                             submitter_phone="0000000000", receiver_id="DERMBILL", receiver_name="DERMBILL")


@dataclass(frozen=True, slots=True)
class ClaimLineChoice:
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    charge: Money
    patient_balance: Money  # what the patient owes on the line now


@dataclass(frozen=True, slots=True)
class ClaimToPost:
    """A claim as the manual posting form shows it."""

    claim_number: str
    practice: str
    patient: str  # LAST, FIRST
    payer: str
    status: str
    date_of_service: datetime.date
    total_charge: Money
    lines: tuple[ClaimLineChoice, ...]


@dataclass(slots=True)
class PaperLine:
    """One line of a paper EOB as typed: amounts as text, adjustments as (group, CARC, amount) text triples."""

    line_number: int
    allowed: str = ""
    paid: str = ""
    adjustments: list[tuple[str, str, str]] = field(default_factory=list)
    remarks: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.allowed.strip() or self.paid.strip() or self.remarks.strip()
                    or any(any(part.strip() for part in triple) for triple in self.adjustments))


def claim_to_post(database: Database, practice_ids: Collection[int], claim_number: str, *,
                  actor: str) -> ClaimToPost:
    """A claim of these practices with its lines and what the patient owes on each (audited as a read)."""
    with UnitOfWork(database, actor=actor) as uow:
        claim, repo = _claim(uow, practice_ids, claim_number)
        patient = repo.get(PatientRow, claim.patient_id)
        payer = uow.session.get(PayerRow, claim.payer_id) if claim.payer_id else None
        lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        owed = _patient_owed(uow, claim)
        repo.audit("claim.viewed_for_posting", "claim", claim.id, {"claim": claim.patient_control_number})
        uow.commit()
        return ClaimToPost(claim.patient_control_number, repo.practice.code,
                           f"{patient.last_name}, {patient.first_name}", payer.name if payer else "self-pay",
                           claim.status, claim.date_of_service, Money(claim.total_charge_cents),
                           tuple(ClaimLineChoice(line.line_number, line.procedure_code, tuple(line.modifiers),
                                                 Money(line.charge_cents), owed.get(line.charged_line_id, Money(0)))
                                 for line in lines))


def _claim(uow: UnitOfWork, practice_ids: Collection[int], claim_number: str) -> tuple[ClaimRow, PracticeRepository]:
    number = claim_number.strip()
    claim = uow.session.scalars(select(ClaimRow).where(
        ClaimRow.patient_control_number == number, ClaimRow.practice_id.in_(sorted(practice_ids)))).first()
    if claim is None or not number:
        raise NotFound(f"no claim {number[:40]} among your practices' claims")
    return claim, uow.practice(claim.practice_id)


def _patient_owed(uow: UnitOfWork, claim: ClaimRow) -> dict[int, Money]:
    rows = uow.session.execute(
        select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == claim.practice_id, PostingRow.claim_id == claim.id,
               LedgerAccountRow.code == PATIENT_AR, PostingRow.claim_line_id.is_not(None))
        .group_by(PostingRow.claim_line_id)).all()
    return {int(line): Money(int(cents)) for line, cents in rows if line is not None}


def _money(text: str, where: str, problems: list[Problem], *, required: bool = False) -> Money | None:
    if not text.strip():
        if required:
            problems.append(Problem(where, "is required (0.00 when nothing was paid)"))
        return None
    try:
        return Money.parse(text.strip())
    except InvalidInput as bad:
        problems.append(Problem(where, f"'{text.strip()[:20]}' is not an amount ({bad}); e.g. 80.00"))
        return None


def post_paper_eob(database: Database, practice_ids: Collection[int], claim_number: str, *, check_number: str,
                   paid_on: datetime.date | None, payer_claim_number: str = "", lines: Sequence[PaperLine],
                   actor: str, now: datetime.datetime | None = None) -> RemittanceOutcome:
    """Post a paper EOB for one claim, line by line, by the 835's rules (see the module's docstring)."""
    moment = now or utc_now()
    problems: list[Problem] = []
    if not check_number.strip():
        problems.append(Problem("check_number", "is required (the payer's check or EFT number on the EOB)"))
    elif len(check_number.strip()) > 30:
        problems.append(Problem("check_number", "is longer than 30 characters"))
    if paid_on is None:
        problems.append(Problem("paid_on", "is required (the check's date)"))
    codes = denial_code_table()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        claim, _ = _claim(uow, practice_ids, claim_number)
        practice = uow.session.get(PracticeRow, claim.practice_id)
        payer = uow.session.get(PayerRow, claim.payer_id) if claim.payer_id else None
        if payer is None:
            raise InvalidInput(f"claim {claim.patient_control_number} has no payer: post a patient check instead")
        patient = uow.session.get(PatientRow, claim.patient_id)
        coverage = uow.session.get(CoverageRow, claim.coverage_id) if claim.coverage_id else None
        ours = {line.line_number: line for line in uow.session.scalars(select(ClaimLineRow).where(
            ClaimLineRow.practice_id == claim.practice_id, ClaimLineRow.claim_id == claim.id))}
        assert practice is not None and patient is not None
        uow.session.expunge_all()  # read: the rows are used as values once the unit of work ends
        organization_id = practice.organization_id
    services = []
    for entered in lines:
        if entered.is_blank:
            continue
        line = ours.get(entered.line_number)
        where = f"line {entered.line_number}"
        if line is None:
            problems.append(Problem(where, f"claim {claim.patient_control_number} has no line {entered.line_number}"))
            continue
        allowed = _money(entered.allowed, f"{where} allowed", problems)
        paid = _money(entered.paid, f"{where} paid", problems, required=True)
        adjustments = []
        for number, (group, reason, amount_text) in enumerate(entered.adjustments, start=1):
            if not (group.strip() or reason.strip() or amount_text.strip()):
                continue
            at = f"{where} adjustment {number}"
            group, reason = group.strip().upper(), reason.strip().upper()
            if group not in GROUPS:
                problems.append(Problem(at, f"group '{group[:4]}' is not one of {', '.join(GROUPS)} (PR: the "
                                            "patient owes it; CO: the practice writes it off)"))
            if not codes.is_known_carc(reason):
                problems.append(Problem(at, f"CARC '{reason[:6]}' is not a claim adjustment reason code dermbill "
                                            "knows (e.g. 45 fee schedule, 2 coinsurance, 1 deductible)"))
            amount = _money(amount_text, at, problems, required=True)
            if amount is not None:
                adjustments.append(Adjustment(group, reason, amount))
        remarks = tuple(code.strip().upper() for code in entered.remarks.replace(",", " ").split() if code.strip())
        for code in remarks:
            if not codes.is_known_rarc(code):
                problems.append(Problem(f"{where} remarks", f"remark code '{code[:8]}' is not one dermbill knows"))
        if paid is None:
            continue
        charge = Money(line.charge_cents)
        adjusted = Money(sum(a.amount.cents for a in adjustments))
        if charge - adjusted != paid:
            problems.append(Problem(f"{where} paid", (
                f"{line.procedure_code} charged {charge} less adjustments {adjusted} is {charge - adjusted}, not the "
                f"paid {paid}: the adjustments must account for {charge - paid} (e.g. CO-45 for the fee schedule "
                "reduction)")))
        patient_share = Money(sum(a.amount.cents for a in adjustments if a.group == "PR"))
        if allowed is not None and allowed != paid + patient_share:
            problems.append(Problem(f"{where} allowed", (
                f"allowed {allowed} is not the paid {paid} plus the patient's share {patient_share} "
                f"(= {paid + patient_share}); check the amounts on the EOB")))
        services.append(ServiceLinePayment(
            line.procedure_code, tuple(line.modifiers), charge, line.units, line.service_date_from,
            tuple(adjustments), remarks, control_number=f"{claim.patient_control_number}-{line.line_number}",
            allowed=allowed))
    if not services and not any(p.field.startswith("line") for p in problems):
        problems.append(Problem("lines", "enter at least one line's paid amount and adjustments"))
    if problems:
        raise InvalidFields(f"the paper EOB for claim {claim.patient_control_number} was not posted", tuple(problems))
    assert paid_on is not None
    paid_total = sum(s.paid.cents for s in services)
    denied = paid_total == 0 and any(a.group != "PR" for s in services for a in s.adjustments)
    status = "4" if denied else ("2" if claim.primary_claim_id else "1")
    payment = ClaimPayment(
        claim.patient_control_number, status, payer.claim_filing_indicator_code or "CI",
        payer_claim_number.strip()[:50], patient.last_name, patient.first_name,
        coverage.member_id if coverage else "", tuple(services))
    trace = f"{check_number.strip()} {claim.patient_control_number}"[:50]
    remittance = Remittance(payer.name, payer.payer_identifier or "", practice.legal_name, practice.billing_npi,
                            trace, paid_on, (payment,))
    text = write_835((remittance,), PAPER, ControlNumbers(1, 1, 1), moment)
    transaction = next(t for t in transaction_sets(segments_of(text)) if t.type == "835")
    return post_remittance(database, transaction, f"paper EOB {check_number.strip()[:40]} entered by {actor}"[:200],
                           actor=actor, now=moment, organization_id=organization_id, practice_ids=practice_ids)


@dataclass(frozen=True, slots=True)
class PatientCheck:
    entry_id: int
    posted: bool  # False: this check number was posted before (nothing posted again)
    amount: Money


def post_patient_check(database: Database, practice_ids: Collection[int], claim_number: str, *, check_number: str,
                       amounts: dict[int, str], actor: str, now: datetime.datetime | None = None) -> PatientCheck:
    """A patient's check applied to the lines the person names, each at most what the patient owes on it."""
    moment = now or utc_now()
    problems: list[Problem] = []
    reference = check_number.strip()
    if not reference:
        problems.append(Problem("check_number", "is required (the number on the patient's check)"))
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        claim, _ = _claim(uow, practice_ids, claim_number)
        repo = uow.practice(claim.practice_id)
        lines = {line.line_number: line for line in repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id)}
        key = f"patient-payment:check:{reference[:60]}"
        earlier = repo.rows(JournalEntryRow, JournalEntryRow.idempotency_key == key) if reference else []
        if earlier:  # the same check entered again: posted once
            cash = repo.balances(PostingRow.journal_entry_id == earlier[0].id).get(CASH, Money(0))
            return PatientCheck(earlier[0].id, False, cash)
        owed = _patient_owed(uow, claim)
        postings: list[Posting] = []
        dims = {"patient_id": claim.patient_id, "claim_id": claim.id}
        for number, text in sorted(amounts.items()):
            where = f"line {number} amount"
            amount = _money(text, where, problems)
            if amount is None:
                continue
            line = lines.get(number)
            if line is None:
                problems.append(Problem(where, f"claim {claim.patient_control_number} has no line {number}"))
                continue
            balance = owed.get(line.charged_line_id, Money(0))
            if amount.cents < 0 or amount > balance:
                problems.append(Problem(where, f"{amount} is more than the patient owes on line {number} "
                                               f"({line.procedure_code}): {balance}; enter at most that"
                                        if amount.cents >= 0 else "must not be negative"))
                continue
            if amount.cents:
                postings += [Posting(CASH, amount, **dims, claim_line_id=line.charged_line_id),
                             Posting(PATIENT_AR, -amount, **dims, claim_line_id=line.charged_line_id)]
        total = Money(sum(p.amount.cents for p in postings if p.account_code == CASH))
        if not problems and not total.cents:
            problems.append(Problem("amounts", "enter the amount the check pays on at least one line"))
        if problems:
            raise InvalidFields(f"the patient check for claim {claim.patient_control_number} was not posted",
                                tuple(problems))
        repo.open_standard_chart()
        entry_id, posted = repo.post(JournalEntry(
            moment.date(), f"patient check {reference[:40]} on claim {claim.patient_control_number}", tuple(postings),
            idempotency_key=key, kind="patient_payment"))
        if posted:
            repo.audit("patient_payment.posted", "claim", claim.id, {"reference": f"check {reference[:60]}",
                                                                     "amount": str(total), "by_line": {
                                                                         str(k): v for k, v in amounts.items()}})
        uow.commit()
    return PatientCheck(entry_id, posted, total)
