"""Check-in at the front desk: an appointment's checklist, the patient's cost estimate, the ABN and the Good Faith
Estimate, referrals and authorizations on file, and the copay collected with its receipt.

Facts are gathered here; the decisions are the core's (``core.check_in.checklist``, ``core.estimates``). Every read
of an appointment shows PHI and is audited; every change is audited with who did it.

The copay posts to the ledger once per reference (the receipt number, or the card terminal's transaction reference:
never a card number), with the rules of ``services.patient_payments``: applied to the visit's claim's patient
balance when the claim exists, the rest (all of it, before a claim) a patient credit that ``apply_patient_credits``
later applies. The double entry is Dr cash (1000), Cr patient A/R (1200) or patient credit (2100).

Two facts come from the eligibility answers (270/271, ``services.eligibility_answers.coverage_answer``): the
coverage verified (``_verification``) and the benefits the estimate uses (``_latest_benefits``), both from the
coverage's one latest answer.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from dermbill.core.check_in import (
    DEFAULT_STALE_DAYS,
    MARKABLE,
    AbnReason,
    AuthorizationKind,
    CheckInFacts,
    ChecklistItem,
    Item,
    Mark,
    Need,
    Verification,
    abn_risks,
    checklist,
    looks_like_card_number,
    needs,
    summary,
)
from dermbill.core.dates import DateRange, parse_iso_date
from dermbill.core.errors import InvalidFields, InvalidInput, NotFound, Problem
from dermbill.core.estimates import Benefits, Estimate, PricedService, estimate_cost
from dermbill.core.ledger import CASH, PATIENT_CREDIT, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    PAYMENT_METHODS,
    AppointmentRow,
    AuthorizationRow,
    CheckInMarkRow,
    CheckInSettingRow,
    ClaimRow,
    CopayReceiptRow,
    CoverageRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    JournalEntryRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.pdf.front_desk import (
    AbnItem,
    AdvanceBeneficiaryNotice,
    EstimatedItem,
    GoodFaithEstimate,
    Party,
    Receipt,
    abn_pdf,
    good_faith_estimate_pdf,
    receipt_pdf,
)
from dermbill.reference.abn_reasons import shipped_abn_reasons
from dermbill.reference.pfs_rvu import shipped_rvu_table
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.services.authorizations import as_core as _as_core
from dermbill.services.authorizations import authorizations_on_file as _on_file
from dermbill.services.charges_in import practice_prices, primary_coverage
from dermbill.services.eligibility_answers import CoverageAnswer, coverage_answer
from dermbill.services.learned_rules import payer_tables_with_learned_rules
from dermbill.services.patient_payments import claim_payment_postings

PRICED_STATUSES = frozenset({"A", "R", "T"})  # PFS status codes Medicare pays under the fee schedule
NOT_BILLED = ("corrected",)  # a claim replaced by another is not the visit's claim any more
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._/#-]{0,79}")
MAX_NOTE = 200


@dataclass(frozen=True, slots=True)
class PlannedCode:
    code: str
    description: str


@dataclass(frozen=True, slots=True)
class CopayReceiptView:
    receipt_id: int
    reference: str
    method: str
    amount: Money
    applied: Money
    collected_by: str
    collected_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class AuthorizationView:
    kind: AuthorizationKind
    number: str
    codes: tuple[str, ...]
    valid: DateRange
    recorded_by: str


@dataclass(frozen=True, slots=True)
class CheckIn:
    """Everything the check-in page shows for one appointment."""

    appointment_id: int
    patient_id: int
    patient_name: str
    account_number: str
    date_of_birth: datetime.date
    starts_at: datetime.datetime
    provider: str
    visit_type: str | None
    reason: str | None
    planned: tuple[PlannedCode, ...]
    payer_name: str | None
    payer_kind: str | None
    member_id: str | None
    items: tuple[ChecklistItem, ...]
    summary: str
    estimate: Estimate
    benefits: Benefits | None
    needs: tuple[Need, ...]
    authorizations: tuple[AuthorizationView, ...]
    abn_codes: tuple[str, ...]
    copay_due: Money | None
    receipts: tuple[CopayReceiptView, ...]
    stale_days: int

    @property
    def self_pay(self) -> bool:
        return self.payer_name is None

    @property
    def collected(self) -> Money:
        return Money(sum(r.amount.cents for r in self.receipts))


@dataclass(frozen=True, slots=True)
class CopayCollected:
    receipt_id: int
    posted: bool  # False: this reference was posted before (a second click, a retry): nothing was posted again
    amount: Money
    applied: Money
    credit: Money


# --- reading ------------------------------------------------------------------------------------------------------

def _appointment(uow: UnitOfWork, practice_ids: Collection[int], appointment_id: int) -> tuple[
        PracticeRepository, AppointmentRow]:
    row = None
    if practice_ids and 0 < appointment_id < 2**31:
        row = uow.session.scalars(select(AppointmentRow).where(
            AppointmentRow.id == appointment_id, AppointmentRow.practice_id.in_(sorted(practice_ids)))).first()
    if row is None:
        raise NotFound(f"no appointment {appointment_id} among your practices' appointments")
    return uow.practice(row.practice_id), row


def visit_day(appointment: AppointmentRow) -> datetime.date:
    return appointment.starts_at.date()


def _latest_benefits(coverage: CoverageRow, answer: CoverageAnswer | None) -> Benefits:
    """The coverage's benefits as of its latest eligibility answer (271: deductible and out-of-pocket left, copay,
    coinsurance, the answer's day); only the coverage record's copay when no active answer is on file."""
    copay = Money(coverage.copay_cents) if coverage.copay_cents is not None else None
    if answer is None or not answer.active:
        return Benefits(copay=copay, source="the coverage record")
    return Benefits(copay=answer.copay or copay,
                    coinsurance_percent=None if answer.coinsurance_percent is None
                    else Decimal(answer.coinsurance_percent),
                    deductible_remaining=answer.deductible_remaining,
                    out_of_pocket_remaining=answer.out_of_pocket_remaining,
                    as_of=answer.answered_on, source="the eligibility answer (271)")


def _verification(answer: CoverageAnswer | None) -> Verification | None:
    """The latest eligibility answer's day and whether it said active; None when never answered (the desk can
    still record a verification by hand: the coverage item's tick)."""
    return None if answer is None else Verification(answer.answered_on, answer.active, answer.summary)


def stale_days(repo: PracticeRepository) -> int:
    found = repo.rows(CheckInSettingRow)
    return found[0].verification_stale_days if found else DEFAULT_STALE_DAYS


def _planned(day: datetime.date, codes: Sequence[str]) -> tuple[PlannedCode, ...]:
    tables = scrub_tables()
    planned = []
    for code in codes:
        entry = tables.entry(code, day)
        planned.append(PlannedCode(code, entry.description if entry else f"procedure {code}"))
    return tuple(planned)


def _is_visit(code: str, day: datetime.date) -> bool:
    entry = scrub_tables().entry(code, day)
    return (entry.kind == "visit") if entry else code.startswith("992")


def priced_services(repo: PracticeRepository, payer: PayerRow | None, day: datetime.date,
                    planned: Sequence[PlannedCode]) -> list[PricedService]:
    """Each planned code with the practice's charge, the payer's allowed amount (its contracted rates; for Medicare
    without a contract, the PFS national amount) and the PFS multiple-procedure indicator."""
    charges = practice_prices(repo, day)
    contracted = _contracted(repo, payer.id, day, [p.code for p in planned]) if payer is not None else {}
    rvu = shipped_rvu_table()
    services = []
    for item in planned:
        indicator, fee, fee_source = "", None, ""
        try:
            lookup = rvu.for_code(item.code, on=day)
        except NotFound:
            lookup = None
        if lookup is not None:
            indicator = lookup.entry.multiple_procedure_indicator
        if payer is not None:
            fee = contracted.get(item.code)
            fee_source = f"{payer.name} contracted rates" if fee is not None else ""
            if fee is None and payer.kind == "medicare" and lookup is not None \
                    and lookup.entry.status_code in PRICED_STATUSES:
                fee = lookup.entry.allowed_amount(facility=False)
                year = lookup.entry.effective.effective_from.year
                fee_source = f"the Medicare fee schedule {year}, national, office" + (
                    "" if lookup.in_force else f" (the newest table dermbill has for {day.year})")
        charge = charges.get(item.code)
        services.append(PricedService(item.code, item.description, Money(charge) if charge is not None else None,
                                      fee, fee_source, indicator, _is_visit(item.code, day)))
    return services


def _contracted(repo: PracticeRepository, payer_id: int, day: datetime.date, codes: Sequence[str]) -> dict[str, Money]:
    """The payer's contracted amount per code (no modifier) in its fee schedule in force on the day."""
    schedules = [s for s in repo.rows(FeeScheduleRow, FeeScheduleRow.payer_id == payer_id,
                                      order_by=FeeScheduleRow.effective_from.desc())
                 if DateRange(s.effective_from, s.effective_to).contains(day)]
    if not schedules or not codes:
        return {}
    items = repo.rows(FeeScheduleItemRow, FeeScheduleItemRow.fee_schedule_id == schedules[0].id,
                      FeeScheduleItemRow.modifier == "", FeeScheduleItemRow.procedure_code.in_(sorted(set(codes))))
    return {item.procedure_code: Money(item.amount_cents) for item in items}


def _authorization_codes(repo: PracticeRepository, payer: PayerRow) -> frozenset[str]:
    tables = payer_tables_with_learned_rules(repo, scrub_tables())
    return tables.payer_rule(payer.payer_identifier, payer.kind).authorization_codes


def _receipts(repo: PracticeRepository, appointment_id: int) -> list[CopayReceiptRow]:
    return repo.rows(CopayReceiptRow, CopayReceiptRow.appointment_id == appointment_id)


def _gather(repo: PracticeRepository, appointment: AppointmentRow) -> CheckIn:
    day = visit_day(appointment)
    patient = repo.get(PatientRow, appointment.patient_id)
    coverage = primary_coverage(repo, patient.id, day)
    payer = repo.session.get(PayerRow, coverage.payer_id) if coverage is not None else None
    planned = _planned(day, appointment.planned_codes or [])
    answer = coverage_answer(repo, coverage.id) if coverage is not None else None
    benefits = _latest_benefits(coverage, answer) if coverage is not None else None
    on_file = _on_file(repo, patient.id, payer.id) if payer is not None else []
    receipts = _receipts(repo, appointment.id)
    marks = {Item(m.item): Mark(m.checked_by, m.checked_at, m.note or "")
             for m in repo.rows(CheckInMarkRow, CheckInMarkRow.appointment_id == appointment.id)}
    facts = CheckInFacts(
        day=day, planned_codes=tuple(p.code for p in planned), visit_type=appointment.visit_type,
        payer_name=payer.name if payer else None, payer_kind=payer.kind if payer else None,
        filing_indicator=payer.claim_filing_indicator_code if payer else None,
        authorization_codes=_authorization_codes(repo, payer) if payer else frozenset(),
        on_file=tuple(_as_core(row) for row in on_file),
        verification=_verification(answer),
        stale_days=stale_days(repo), abn_reasons=shipped_abn_reasons(),
        copay_due=benefits.copay if benefits else None,
        copay_collected=Money(sum(r.amount_cents for r in receipts)), marks=marks)
    items = checklist(facts)
    estimate = estimate_cost(priced_services(repo, payer, day, planned), benefits, self_pay=payer is None,
                             payer_name=payer.name if payer else "", payer_kind=payer.kind if payer else "")
    provider = repo.get(ProviderRow, appointment.provider_id) if appointment.provider_id else None
    return CheckIn(
        appointment_id=appointment.id, patient_id=patient.id, patient_name=f"{patient.last_name}, {patient.first_name}",
        account_number=patient.account_number, date_of_birth=patient.date_of_birth, starts_at=appointment.starts_at,
        provider=f"{provider.first_name} {provider.last_name}" if provider else "not assigned",
        visit_type=appointment.visit_type, reason=appointment.reason, planned=planned,
        payer_name=payer.name if payer else None, payer_kind=payer.kind if payer else None,
        member_id=coverage.member_id if coverage else None, items=items, summary=summary(items), estimate=estimate,
        benefits=benefits, needs=tuple(needs(facts)),
        authorizations=tuple(AuthorizationView(AuthorizationKind(r.kind), r.number, tuple(r.codes),
                                               DateRange(r.valid_from, r.valid_to), r.recorded_by) for r in on_file),
        abn_codes=tuple(code for code, _ in abn_risks(facts)), copay_due=facts.copay_due,
        receipts=tuple(CopayReceiptView(r.id, r.reference, r.method, Money(r.amount_cents), Money(r.applied_cents),
                                        r.collected_by, r.collected_at) for r in receipts),
        stale_days=facts.stale_days)


def read_check_in(database: Database, practice_ids: Collection[int], appointment_id: int, *, actor: str) -> CheckIn:
    """The appointment's checklist, estimate and payments (an audited read of PHI)."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, appointment = _appointment(uow, practice_ids, appointment_id)
        view = _gather(repo, appointment)
        repo.audit("check_in.read", "appointment", appointment.id, {"patient": view.account_number})
        uow.commit()
        return view


@dataclass(frozen=True, slots=True)
class DayAppointment:
    appointment_id: int
    starts_at: datetime.datetime
    patient_name: str
    account_number: str
    visit_type: str | None
    planned_codes: tuple[str, ...]
    status: str


def appointments_on(database: Database, practice_ids: Collection[int], day: datetime.date, *, actor: str,
                    limit: int = 200) -> list[DayAppointment]:
    """The day's appointments of these practices, by time (the check-in list); audited (it shows patients)."""
    if not practice_ids:
        return []
    start = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=datetime.UTC)
    with UnitOfWork(database, actor=actor) as uow:
        rows = uow.session.execute(select(AppointmentRow, PatientRow).join(
            PatientRow, (PatientRow.id == AppointmentRow.patient_id)
            & (PatientRow.practice_id == AppointmentRow.practice_id)).where(
            AppointmentRow.practice_id.in_(sorted(practice_ids)), AppointmentRow.starts_at >= start,
            AppointmentRow.starts_at < start + datetime.timedelta(days=1))
            .order_by(AppointmentRow.starts_at, AppointmentRow.id).limit(limit)).all()
        found = [DayAppointment(a.id, a.starts_at, f"{p.last_name}, {p.first_name}", p.account_number, a.visit_type,
                                tuple(a.planned_codes or ()), a.status) for a, p in rows]
        uow.audit_practices("appointment.list", "appointment", practice_ids,
                            detail={"day": day.isoformat(), "appointments": [a.appointment_id for a in found]})
        uow.commit()
        return found


# --- changes ------------------------------------------------------------------------------------------------------

def _note(text: str | None) -> str | None:
    cleaned = " ".join((text or "").split())
    if len(cleaned) > MAX_NOTE:
        raise InvalidFields("the check was not saved", (Problem("note", f"at most {MAX_NOTE} characters"),))
    return cleaned or None


def mark_item(database: Database, practice_ids: Collection[int], appointment_id: int, item: str,
              note: str | None = None, *, actor: str, now: datetime.datetime | None = None) -> CheckIn:
    """Tick an item of the checklist (identity, demographics, coverage verified by hand, ABN signed): who and when."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo, appointment = _appointment(uow, practice_ids, appointment_id)  # another practice's: not found, first
        which = next((i for i in MARKABLE if i.value == item), None)
        if which is None:
            names = ", ".join(i.value for i in MARKABLE)
            raise InvalidInput(f"'{item[:30]}' is not an item a person ticks (one of {names}; the referral and the "
                               "copay are ticked by recording them)")
        cleaned = _note(note)
        found = repo.rows(CheckInMarkRow, CheckInMarkRow.appointment_id == appointment.id,
                          CheckInMarkRow.item == which.value)
        if found:
            found[0].checked_by, found[0].checked_at, found[0].note = actor, moment, cleaned
        else:
            repo.add(CheckInMarkRow(appointment_id=appointment.id, item=which.value, note=cleaned, checked_by=actor,
                                    checked_at=moment))
        repo.flush()
        repo.audit("check_in.marked", "appointment", appointment.id, {"item": which.value, "note": cleaned})
        view = _gather(repo, appointment)
        uow.commit()
        return view


def record_authorization(database: Database, practice_ids: Collection[int], appointment_id: int, *, kind: str,
                         number: str, codes: str = "", valid_from: str = "", valid_to: str = "", actor: str,
                         now: datetime.datetime | None = None) -> CheckIn:
    """Put a referral or prior authorization number on file for the appointment's patient and payer (the codes it
    covers, separated by spaces or commas, none for any; its dates, from the visit's day when not given)."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo, appointment = _appointment(uow, practice_ids, appointment_id)
        day = visit_day(appointment)
        coverage = primary_coverage(repo, appointment.patient_id, day)
        problems = []
        if coverage is None:
            raise InvalidInput("the patient has no insurance in force on the day of the visit: a referral or "
                               "authorization is for a payer; add the coverage first")
        kinds = {k.value: k for k in AuthorizationKind}
        if kind not in kinds:
            problems.append(Problem("kind", "choose referral or prior_authorization"))
        cleaned = number.strip()
        if not cleaned or len(cleaned) > 50 or not REFERENCE.fullmatch(cleaned):
            problems.append(Problem("number", "the payer's number: 1 to 50 letters, digits, spaces or - . / #"))
        code_list = sorted({c for c in re.split(r"[\s,]+", codes.strip()) if c})
        if any(len(c) != 5 or not c.isalnum() for c in code_list):
            problems.append(Problem("codes", "five-character procedure codes separated by spaces (e.g. 17311 17312)"))
        start = end = None
        try:
            start = parse_iso_date(valid_from.strip(), field="valid from") if valid_from.strip() else day
        except InvalidInput as bad:
            problems.append(Problem("valid_from", str(bad)))
        try:
            end = parse_iso_date(valid_to.strip(), field="valid to") if valid_to.strip() else None
        except InvalidInput as bad:
            problems.append(Problem("valid_to", str(bad)))
        if start and end and end < start:
            problems.append(Problem("valid_to", f"ends ({end}) before it starts ({start})"))
        if problems:
            raise InvalidFields("the referral or authorization was not saved", tuple(problems))
        taken = repo.rows(AuthorizationRow, AuthorizationRow.payer_id == coverage.payer_id,
                          AuthorizationRow.kind == kind, AuthorizationRow.number == cleaned)
        if taken:
            raise InvalidFields("the referral or authorization was not saved", (Problem(
                "number", f"{cleaned} is already on file with this payer"),))
        row = repo.add(AuthorizationRow(patient_id=appointment.patient_id, payer_id=coverage.payer_id, kind=kind,
                                        number=cleaned, codes=code_list, valid_from=start, valid_to=end,
                                        recorded_by=actor, recorded_at=moment))
        repo.flush()
        repo.audit("authorization.recorded", "patient", appointment.patient_id,
                   {"authorization": row.id, "kind": kind, "codes": code_list, "appointment": appointment.id})
        view = _gather(repo, appointment)
        uow.commit()
        return view


def check_in_settings(database: Database, practice_code: str, days: int | None = None, *, actor: str,
                      now: datetime.datetime | None = None) -> tuple[str, int]:
    """A practice's check-in settings (by its code): with ``days``, set how many days an eligibility answer proves
    coverage for at check-in (1 to 365). Returns (practice code, the limit in force)."""
    if days is not None and not 1 <= days <= 365:
        raise InvalidInput(f"the age limit of an eligibility check must be 1 to 365 days (got {days})")
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        found = list(uow.session.scalars(select(PracticeRow).where(PracticeRow.code == practice_code.strip())))
        if not found:
            raise NotFound(f"no practice {practice_code.strip()[:20]!r}")
        if len(found) > 1:
            raise InvalidInput(f"{len(found)} billing companies have a practice {practice_code!r}: ask the "
                               "administrator to set it from the company's records")
        repo = uow.practice(found[0].id)
        setting = repo.rows(CheckInSettingRow)
        before = setting[0].verification_stale_days if setting else DEFAULT_STALE_DAYS
        if days is None:
            return repo.practice.code, before
        if setting:
            setting[0].verification_stale_days, setting[0].updated_by, setting[0].updated_at = days, actor, moment
        else:
            repo.add(CheckInSettingRow(verification_stale_days=days, updated_by=actor, updated_at=moment))
        repo.audit("check_in.settings", "practice", repo.practice_id, {"before": before, "after": days})
        uow.commit()
        return repo.practice.code, days


def payment_reference_problem(method: str, reference: str) -> str | None:
    """What is wrong with a payment's reference, or None: a card's reference is the terminal's, never its number."""
    text = reference.strip()
    if not text:
        return ("a reference is required: the receipt number for cash or a check, the card terminal's transaction "
                "reference for a card")
    if looks_like_card_number(text):
        return ("this looks like a card number: enter the card terminal's transaction reference instead (dermbill "
                "never keeps card numbers)")
    if not REFERENCE.fullmatch(text):
        return "1 to 80 letters, digits, spaces or - . / #"
    return None


def new_receipt_number(appointment_id: int) -> str:
    """A receipt number for the copay form (cash, check): made when the form is shown, so a second click of the
    same form carries the same number and posts nothing more."""
    return f"CI{appointment_id}-{secrets.token_hex(4).upper()}"


def collect_copay(database: Database, practice_ids: Collection[int], appointment_id: int, *, amount: str,
                  method: str, reference: str, actor: str, now: datetime.datetime | None = None) -> CopayCollected:
    """Take the copay at check-in: cash in, applied to the visit's claim's patient balance when the claim exists,
    the rest a patient credit. The same reference posts once (a second click returns the first receipt)."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo, appointment = _appointment(uow, practice_ids, appointment_id)  # another practice's: not found, first
        problems = []
        try:
            money = Money.parse(amount)
            if money.cents <= 0:
                problems.append(Problem("amount", "more than zero, e.g. 40.00"))
        except InvalidInput as bad:
            problems.append(Problem("amount", str(bad)))
            money = Money.zero()
        if method not in PAYMENT_METHODS:
            problems.append(Problem("method", f"one of {', '.join(PAYMENT_METHODS)}"))
        said = payment_reference_problem(method, reference)
        if said:
            problems.append(Problem("reference", said))
        if problems:
            raise InvalidFields("the copay was not recorded", tuple(problems))
        reference = reference.strip()
        found = _same_payment(repo, reference, appointment.id, money)
        if found is not None:
            return found
        try:
            return _post_copay(repo, appointment, money, method, reference, actor, moment)
        except InvalidInput as refused:  # a unique key, or the reference posted by another screen
            error = refused
    # The same form's second click, served by another worker, may have posted first: its receipt is the answer.
    with UnitOfWork(database, actor=actor) as again:
        repo, appointment = _appointment(again, practice_ids, appointment_id)
        found = _same_payment(repo, reference, appointment.id, money)
        key = f"patient-payment:{reference}"
        posted_elsewhere = repo.count(JournalEntryRow, JournalEntryRow.idempotency_key == key)
    if found is not None:
        return found
    if posted_elsewhere:
        raise InvalidFields("the copay was not recorded", (Problem(
            "reference", f"{reference} was already posted as a patient payment: check the reference"),))
    raise error


def _same_payment(repo: PracticeRepository, reference: str, appointment_id: int,
                  money: Money) -> CopayCollected | None:
    """The receipt already recorded with this reference for this payment (a second click), None when there is none;
    InvalidFields when the reference was used for another payment."""
    earlier = repo.rows(CopayReceiptRow, CopayReceiptRow.reference == reference)
    if not earlier:
        return None
    first = earlier[0]
    if first.appointment_id != appointment_id or first.amount_cents != money.cents:
        raise InvalidFields("the copay was not recorded", (Problem(
            "reference", f"{reference} was already used for another payment: check the reference"),))
    return CopayCollected(first.id, False, money, Money(first.applied_cents),
                          Money(first.amount_cents - first.applied_cents))


def _post_copay(repo: PracticeRepository, appointment: AppointmentRow, money: Money, method: str, reference: str,
                actor: str, moment: datetime.datetime) -> CopayCollected:
    """Post the payment and record its receipt, in the caller's unit of work, and commit. InvalidInput when the
    reference was posted already (by another screen, or by a concurrent request: the database's unique keys)."""
    claim = _visit_claim(repo, appointment)
    if claim is not None:
        postings, credit = claim_payment_postings(repo, claim, money)
        where = f"claim {claim.patient_control_number}"
    else:
        dims = {"patient_id": appointment.patient_id}
        postings, credit = [Posting(CASH, money, **dims), Posting(PATIENT_CREDIT, -money, **dims)], money
        where = "a patient credit until the visit's claim"
    entry = JournalEntry(moment.date(), f"copay {reference} at check-in (appointment {appointment.id}), {where}",
                         tuple(postings), idempotency_key=f"patient-payment:{reference}", kind="patient_payment")
    repo.open_standard_chart()
    entry_id, posted = repo.post(entry)
    if not posted:
        raise InvalidInput(f"{reference} was already posted as a patient payment")
    receipt = repo.add(CopayReceiptRow(
        appointment_id=appointment.id, patient_id=appointment.patient_id, journal_entry_id=entry_id,
        reference=reference, method=method, amount_cents=money.cents, applied_cents=money.cents - credit.cents,
        collected_by=actor, collected_at=moment))
    repo.flush()
    repo.audit("copay.collected", "appointment", appointment.id,
               {"receipt": receipt.id, "amount": str(money), "method": method, "entry": entry_id})
    repo.uow.commit()
    return CopayCollected(receipt.id, True, money, money - credit, credit)


def _visit_claim(repo: PracticeRepository, appointment: AppointmentRow) -> ClaimRow | None:
    """The claim of the visit, once the charges are in: the patient's original claim for the day, to the primary."""
    claims = repo.rows(ClaimRow, ClaimRow.patient_id == appointment.patient_id,
                       ClaimRow.date_of_service == visit_day(appointment), ClaimRow.primary_claim_id.is_(None),
                       ClaimRow.original_claim_id.is_(None), ClaimRow.status.not_in(NOT_BILLED))
    return claims[0] if claims else None


# --- documents ----------------------------------------------------------------------------------------------------

def _party(name: str, line1: str, line2: str | None, city: str, state: str, zip_code: str, *, npi: str | None = None,
           tin: str | None = None, phone: str | None = None) -> Party:
    zip_shown = f"{zip_code[:5]}-{zip_code[5:]}" if len(zip_code) == 9 else zip_code
    lines = tuple(x for x in (line1, line2, f"{city}, {state} {zip_shown}") if x)
    return Party(name, lines, npi, tin, phone)


def _practice_party(practice: PracticeRow) -> Party:
    return _party(practice.legal_name, practice.address_line1, practice.address_line2, practice.city, practice.state,
                  practice.zip_code, npi=practice.billing_npi, tin=practice.tin, phone=practice.phone)


def good_faith_estimate(database: Database, practice_ids: Collection[int], appointment_id: int, *, actor: str,
                        today: datetime.date) -> tuple[str, bytes]:
    """The Good Faith Estimate PDF of a self-pay appointment (file name, bytes); audited."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, appointment = _appointment(uow, practice_ids, appointment_id)
        view = _gather(repo, appointment)
        if not view.self_pay:
            raise InvalidInput(f"the patient has insurance ({view.payer_name}) for the visit: a Good Faith Estimate "
                               "is for patients without insurance or not using it; show the cost estimate instead")
        patient = repo.get(PatientRow, appointment.patient_id)
        practice = _practice_party(repo.practice)
        provider_row = repo.get(ProviderRow, appointment.provider_id) if appointment.provider_id else None
        provider = Party(f"{provider_row.first_name} {provider_row.last_name}"
                         + (f", {provider_row.credential}" if provider_row.credential else ""), (),
                         npi=provider_row.npi, tin=repo.practice.tin) if provider_row else practice
        location_row = repo.get(ServiceLocationRow, appointment.location_id) if appointment.location_id else None
        location = _party(location_row.name, location_row.address_line1, location_row.address_line2,
                          location_row.city, location_row.state, location_row.zip_code,
                          npi=location_row.npi or repo.practice.billing_npi, tin=repo.practice.tin) \
            if location_row else practice
        items = tuple(EstimatedItem(line.code, line.description, 1, line.allowed) for line in view.estimate.lines)
        number = f"GFE-{appointment.id}-{today:%Y%m%d}"
        document = GoodFaithEstimate(
            patient_name=f"{patient.first_name} {patient.last_name}", patient_date_of_birth=patient.date_of_birth,
            patient_account=patient.account_number, practice=practice, provider=provider, location=location,
            service_summary=(appointment.visit_type or "Dermatology visit") + (
                f" ({appointment.reason})" if appointment.reason else ""),
            scheduled_for=visit_day(appointment), items=items, diagnoses=(), issued_on=today,
            not_included=("Pathology (the laboratory's examination of a biopsy or removed tissue) is billed by the "
                          "laboratory that reads it, with its own estimate.",
                          "A further procedure the results call for (an excision, a repair) is not included.",
                          *(f"No price is on file for {code}; ask us before the visit." for code in
                            view.estimate.unpriced)),
            estimate_number=number)
        content = good_faith_estimate_pdf(document)
        repo.audit("check_in.good_faith_estimate", "appointment", appointment.id,
                   {"patient": patient.account_number, "total": str(document.total)})
        uow.commit()
        return f"{number}.pdf", content


def advance_beneficiary_notice(database: Database, practice_ids: Collection[int], appointment_id: int, *, actor: str,
                               today: datetime.date) -> tuple[str, bytes]:
    """The ABN (CMS-R-131) PDF for the appointment's services Medicare may not pay; audited."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, appointment = _appointment(uow, practice_ids, appointment_id)
        view = _gather(repo, appointment)
        if not view.abn_codes:
            raise InvalidInput("no planned service of this visit needs an ABN (the patient is not on Medicare, or "
                               "Medicare is expected to pay for every planned service)")
        reasons: dict[str, AbnReason] = {}
        for reason in shipped_abn_reasons():
            for code in reason.codes & set(view.abn_codes):
                reasons[code] = reason
        prices = {line.code: line for line in view.estimate.lines}
        items = []
        for code in view.abn_codes:
            line = prices.get(code)
            cost = (line.charge or line.allowed) if line else Money.zero()
            items.append(AbnItem(f"{reasons[code].items} ({code})", reasons[code].reason, cost))
        patient = repo.get(PatientRow, appointment.patient_id)
        document = AdvanceBeneficiaryNotice(
            notifier=_practice_party(repo.practice), patient_name=f"{patient.first_name} {patient.last_name}",
            identification=patient.account_number, items=tuple(items),
            additional_information=f"Visit of {visit_day(appointment):%m/%d/%Y} with {view.provider}. The estimated "
                                   "cost is our charge for each service; if Medicare pays, you owe only your share.",
            prepared_on=today)
        content = abn_pdf(document)
        repo.audit("check_in.abn", "appointment", appointment.id,
                   {"patient": patient.account_number, "codes": list(view.abn_codes)})
        uow.commit()
        return f"ABN-{appointment.id}-{today:%Y%m%d}.pdf", content


@dataclass(frozen=True, slots=True)
class ReceiptView:
    receipt: Receipt
    appointment_id: int


def read_receipt(database: Database, practice_ids: Collection[int], receipt_id: int, *, actor: str) -> ReceiptView:
    """A copay receipt (what the page and the PDF show); audited."""
    with UnitOfWork(database, actor=actor) as uow:
        row = None
        if practice_ids and 0 < receipt_id < 2**31:
            row = uow.session.scalars(select(CopayReceiptRow).where(
                CopayReceiptRow.id == receipt_id, CopayReceiptRow.practice_id.in_(sorted(practice_ids)))).first()
        if row is None:
            raise NotFound(f"no receipt {receipt_id} among your practices' receipts")
        repo = uow.practice(row.practice_id)
        patient = repo.get(PatientRow, row.patient_id)
        appointment = repo.get(AppointmentRow, row.appointment_id)
        provider = repo.get(ProviderRow, appointment.provider_id) if appointment.provider_id else None
        visit = f"{appointment.starts_at:%Y-%m-%d %H:%M} UTC" + (
            f" with {provider.first_name} {provider.last_name}" if provider else "")
        receipt = Receipt(
            practice=_practice_party(repo.practice), receipt_number=receipt_number(row.id),
            patient_name=f"{patient.first_name} {patient.last_name}", patient_account=patient.account_number,
            received_on=row.collected_at, visit=visit, method=row.method, reference=row.reference,
            amount=Money(row.amount_cents), applied=Money(row.applied_cents),
            credit=Money(row.amount_cents - row.applied_cents), received_by=row.collected_by)
        repo.audit("copay.receipt_read", "appointment", appointment.id, {"receipt": row.id})
        uow.commit()
        return ReceiptView(receipt, appointment.id)


def receipt_number(receipt_id: int) -> str:
    return f"R{receipt_id:06d}"


def receipt_document(view: ReceiptView) -> tuple[str, bytes]:
    return f"{view.receipt.receipt_number}.pdf", receipt_pdf(view.receipt)

