"""How the simulated payer decides a claim: accept or reject it (277CA), then deny, price and pay its lines (835).

Acknowledgment: a member the payer does not know is rejected (A3:33 subscriber and ID not found); so is a
replacement or void without the payer's claim number (A3:21, missing or invalid information) and a claim
whose totals do not add up. Everything else is accepted (A1:20) and given a payer claim number.

Adjudication, claim level: a claim filed later than the payer's limit (for a secondary claim, counted from
the primary's decision) is denied CO-29; a date of service
outside the member's coverage CO-27 (after it ended) or CO-26 (before it began).
Line level, first match wins:
- a diagnosis pointer to a code that is not a billable ICD-10-CM code: CO-16 with MA130 and M76;
- a service this payer already paid for the member on that day (same code and modifiers): CO-18, M86;
- a code the payer pays only with a prior authorization (its ``authorization_codes``) on a claim without one
  (2300 REF*G1): CO-197 (precertification/authorization absent), M62 (missing treatment authorization code);
- a code a coverage policy excludes when only cosmetic or screening diagnoses support it: CO-96, N425;
  one whose policy needs a supporting diagnosis the line does not point to: CO-50, N115 (LCD);
- a visit on the day of a 0- or 10-day global procedure without modifier 25: CO-97, M144;
- the column-two code of an NCCI pair in force, without an NCCI-associated modifier (indicator 1) or
  whatever the modifiers (indicator 0): CO-97, M15. At a payer that does not accept the X{EPSU} modifiers
  (``accepts_x_modifiers`` false) XE, XP, XS and XU do not count as NCCI-associated: only 59 (or another
  associated modifier) bypasses the edit, and a pair with XS alone is denied the same way;
- units above the MUE (per line for MAI 1, per day for MAI 2 and 3): CO-151, N362.
Pricing: (work + PE + MP RVUs) x conversion factor x the payer's fee percentage x units, PE by place of
service (facility or not), the lesser of that and the charge; codes without a fee schedule price (drugs,
status E) are allowed at 80% of the charge. Multiple procedures (indicator 2) on one day: the highest
fee at 100%, the others at 50% (CO-59). The rest of the charge is CO-45.
Patient share: the copay (PR-3) on visits, then what is left of the year's deductible (PR-1), then
coinsurance (PR-2) on the rest. A secondary payer pays the primary's patient share up to its own allowed
amount, less what the primary paid; the rest is the patient's (PR-2) or, for Medicaid, written off (CO-45).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile
from dermbill.core.claim_form import ProfessionalClaim, ServiceLine
from dermbill.core.errors import NotFound
from dermbill.core.money import Money
from dermbill.core.ncci import NCCI_ASSOCIATED_MODIFIERS, MueTable, PtpTable
from dermbill.core.scrubber.tables import CoveragePolicy
from dermbill.reference.pfs_rvu import RvuTable
from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine

VISIT_CODES = frozenset({f"992{n:02d}" for n in range(2, 16)})
FACILITY_PLACES = frozenset({"19", "21", "22", "23", "24", "31", "51", "52", "56", "61"})
UNPRICED_ALLOWED_PERCENT = 80
X_MODIFIERS = frozenset({"XE", "XP", "XS", "XU"})  # the subsets of 59 CMS introduced in 2015
# CLP06 claim filing indicator codes 005010X221A1 allows in an 835. The 837 (SBR09) has more: some name the kind
# of payer rather than the plan (BL Blue Cross/Blue Shield, CI commercial insurance company, FI Federal Employees
# Program, 11 other non-federal programs, 09 self-pay, 10 central certification); the 835 says the plan type.
REMITTANCE_FILING_INDICATORS = frozenset({"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA",
                                          "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"})
PLAN_TYPE_OF_PAYER_KIND = {"BL": "12", "CI": "15", "FI": "OF"}  # PPO, indemnity insurance, other federal program


@dataclass(frozen=True, slots=True)
class PayerTables:
    rvu: RvuTable
    ptp: PtpTable
    mue: MueTable
    policies: tuple[CoveragePolicy, ...]
    billable_diagnosis: Callable[[str, datetime.date], bool]  # (ICD-10-CM code, date of service)


def payer_tables() -> PayerTables:
    """The tables dermbill ships: the 2025 fee schedule, NCCI edits and MUEs, coverage policies, ICD-10-CM."""
    from dermbill.reference.pfs_rvu import shipped_rvu_table
    from dermbill.reference.scrub_tables import scrub_tables

    scrub = scrub_tables()

    def billable(code: str, day: datetime.date) -> bool:
        release, _ = scrub.coding.icd10.release_for(day)
        return code in release.billable

    return PayerTables(shipped_rvu_table(), scrub.coding.ptp, scrub.coding.mue, scrub.policies, billable)


@dataclass(frozen=True, slots=True)
class Acknowledgment:
    accepted: bool
    category: str  # A1 accepted, A3 rejected
    status_code: str
    entity: str
    message: str


@dataclass
class History:
    """What the payer remembers between files: deductibles met, services paid, claims it decided."""

    deductible_met: dict[str, int] = field(default_factory=dict)  # "payer|member|year" -> cents
    paid_services: dict[str, str] = field(default_factory=dict)  # "payer|member|date|code|modifiers" -> claim no.
    claims: dict[str, dict[str, object]] = field(default_factory=dict)  # payer claim number -> what was decided
    next_claim_number: int = 1

    def deductible_key(self, member: Member, day: datetime.date) -> str:
        return f"{member.payer_id}|{member.member_id}|{day.year}"

    def service_key(self, member: Member, line: ServiceLine) -> str:
        return f"{member.payer_id}|{member.member_id}|{line.date_of_service}|{line.code}|{'-'.join(line.modifiers)}"


def remittance_filing_indicator(sbr09: str) -> str:
    """CLP06 of a claim filed with SBR09 ``sbr09``: the same code where the 835 has it, the plan type for a kind of
    payer (BL 12 PPO, CI 15 indemnity, FI OF), and ZZ (mutually defined) for the rest."""
    code = PLAN_TYPE_OF_PAYER_KIND.get(sbr09, sbr09)
    return code if code in REMITTANCE_FILING_INDICATORS else "ZZ"


def acknowledge(claim: ProfessionalClaim, member: Member | None, problems: list[str]) -> Acknowledgment:
    if member is None:
        return Acknowledgment(False, "A3", "33", "IL", f"subscriber and subscriber ID {claim.member_id} not found")
    if problems:
        return Acknowledgment(False, "A3", "21", "", problems[0])
    if claim.frequency_code in ("7", "8") and not claim.payer_claim_number:
        return Acknowledgment(False, "A3", "21", "", "a replacement or void needs the payer's claim number (REF*F8)")
    return Acknowledgment(True, "A1", "20", "", "accepted for processing")


def _deny(line: ServiceLine, reason: str, *remarks: str, group: str = "CO") -> PaidLine:
    return PaidLine(line.code, line.modifiers, line.charge, line.units, line.date_of_service,
                    (Adjusted(group, reason, line.charge),), remarks=remarks, control_number=line.control_number,
                    allowed=Money.zero())


def adjudicate(claim: ProfessionalClaim, member: Member, payer: PayerProfile, tables: PayerTables,
               history: History, *, received: datetime.date, claim_number: str) -> PaidClaim:
    """Decide an accepted claim; records what it paid in ``history`` (deductible, services, the claim)."""
    first_day = min(line.date_of_service for line in claim.lines)
    claim_denial = _claim_denial(claim, member, payer, received, first_day)
    if claim_denial is not None:
        lines = tuple(_deny(line, *claim_denial) for line in claim.lines)
    else:
        lines = _lines(claim, member, payer, tables, history, claim_number)
    paid_any = any(line.paid.cents for line in lines)
    all_denied = all(line.allowed is not None and line.allowed.cents == 0 for line in lines)
    secondary = claim.order != "P"
    status = "4" if all_denied and not paid_any else ("2" if secondary else "1")
    patient_share = sum(a.amount.cents for line in lines for a in line.adjustments if a.group == "PR")
    crossover = member.crossover_payer_id if (not secondary and status == "1" and patient_share) else None
    if crossover:
        status = "19"
    result = PaidClaim(claim.patient_control_number, status, remittance_filing_indicator(claim.filing_indicator),
                       claim_number, claim.patient.last_name, claim.patient.first_name, claim.member_id, lines,
                       remarks=("MA18",) if crossover else (), crossover_payer_id=crossover or "",
                       received=received)
    history.claims[claim_number] = {"pcn": claim.patient_control_number, "status": status,
                                    "charge": str(result.charge), "paid": str(result.paid), "payer": payer.payer_id,
                                    "member": member.member_id, "first_day": first_day.isoformat()}
    return result


def _claim_denial(claim: ProfessionalClaim, member: Member, payer: PayerProfile, received: datetime.date,
                  first_day: datetime.date) -> tuple[str, ...] | None:
    # A secondary claim's filing limit runs from the primary payer's decision.
    decided = [line.adjudication.adjudicated_on for line in claim.lines if line.adjudication is not None]
    filed_from = max([first_day, *decided]) if claim.order != "P" else first_day
    if (received - filed_from).days > payer.timely_filing_days:
        return ("29", "N211")
    if member.termination_date is not None and first_day > member.termination_date:
        return ("27", "N30")
    if first_day < member.effective_date:
        return ("26", "N30")
    return None


def _lines(claim: ProfessionalClaim, member: Member, payer: PayerProfile, tables: PayerTables, history: History,
           claim_number: str) -> tuple[PaidLine, ...]:
    denials = _line_denials(claim, member, payer, tables, history)
    facility = claim.place_of_service in FACILITY_PLACES
    fees: dict[int, tuple[Money, str]] = {}
    for index, line in enumerate(claim.lines):
        if index not in denials:
            fees[index] = _fee(line, payer, tables, facility)
    reduced = _multiple_procedure_reduction(claim, fees)
    lines: list[PaidLine] = []
    copay_left = member.copay.cents
    for index, line in enumerate(claim.lines):
        if index in denials:
            lines.append(_deny(line, *denials[index]))
            continue
        fee, _ = fees[index]
        full = min(fee.cents, line.charge.cents)
        allowed = min(full, reduced.get(index, full))
        adjustments = [Adjusted("CO", "45", Money(line.charge.cents - full)),
                       Adjusted("CO", "59", Money(full - allowed))]
        if claim.order == "P":
            share = _patient_share(line, allowed, member, history, copay_left)
            copay_left -= share.get("3", 0)
        else:
            pays, rest = _secondary_payment(line, allowed)
            adjustments = [Adjusted("CO", "23", Money(line.charge.cents - pays - rest))]
            share = {"2": rest} if payer.patient_owes_after_secondary else {}
            if not payer.patient_owes_after_secondary:
                adjustments.append(Adjusted("CO", "45", Money(rest)))
        adjustments += [Adjusted("PR", reason, Money(cents)) for reason, cents in share.items()]
        lines.append(PaidLine(line.code, line.modifiers, line.charge, line.units, line.date_of_service,
                              tuple(a for a in adjustments if a.amount.cents), control_number=line.control_number,
                              allowed=Money(allowed)))
        history.paid_services[history.service_key(member, line)] = claim_number
    return tuple(lines)


def _fee(line: ServiceLine, payer: PayerProfile, tables: PayerTables, facility: bool) -> tuple[Money, str]:
    """The payer's fee for the line (all units) and the multiple-procedure indicator."""
    modifier = next((m for m in line.modifiers if m in ("26", "TC")), "")
    try:
        entry = tables.rvu.for_code(line.code, on=line.date_of_service, modifier=modifier).entry
    except NotFound:
        entry = None
    if entry is None or entry.status_code not in ("A", "R", "T"):
        return Money.round_half_up(Decimal(line.charge.cents) * UNPRICED_ALLOWED_PERCENT / 10000), "0"
    each = entry.total_rvu(facility=facility) * entry.conversion_factor * payer.fee_percent / 100
    return Money.round_half_up(each * line.units), entry.multiple_procedure_indicator


def _multiple_procedure_reduction(claim: ProfessionalClaim, fees: dict[int, tuple[Money, str]]) -> dict[int, int]:
    """Allowed cents after the reduction, for the lines it reduces (all but the highest fee of each day)."""
    by_day: dict[datetime.date, list[int]] = defaultdict(list)
    for index, (_, indicator) in fees.items():
        if indicator == "2":
            by_day[claim.lines[index].date_of_service].append(index)
    reduced = {}
    for indexes in by_day.values():
        ranked = sorted(indexes, key=lambda i: (-fees[i][0].cents, i))
        for index in ranked[1:]:
            half = Money.round_half_up(Decimal(fees[index][0].cents) / 200)
            reduced[index] = min(half.cents, claim.lines[index].charge.cents)
    return reduced


def _patient_share(line: ServiceLine, allowed: int, member: Member, history: History,
                   copay_left: int) -> dict[str, int]:
    share: dict[str, int] = {}
    left = allowed
    if line.code in VISIT_CODES and copay_left > 0:
        share["3"] = min(copay_left, left)
        left -= share["3"]
    key = history.deductible_key(member, line.date_of_service)
    deductible = min(max(member.deductible.cents - history.deductible_met.get(key, 0), 0), left)
    if deductible:
        share["1"] = deductible
        history.deductible_met[key] = history.deductible_met.get(key, 0) + deductible
        left -= deductible
    coinsurance = Money.round_half_up(Decimal(left) * member.coinsurance_percent / 10000).cents
    if coinsurance:
        share["2"] = coinsurance
    return share


def _secondary_payment(line: ServiceLine, allowed: int) -> tuple[int, int]:
    """What a secondary payer pays of the line, and what of the primary's patient share it leaves.

    It pays the primary's patient share up to its own allowed amount less what the primary paid.
    """
    adjudication = line.adjudication
    primary_paid = adjudication.paid.cents if adjudication else 0
    primary_share = sum(a.amount.cents for a in adjudication.adjustments if a.group == "PR") if adjudication else 0
    pays = max(min(primary_share, allowed - primary_paid), 0)
    return pays, primary_share - pays


def _line_denials(claim: ProfessionalClaim, member: Member, payer: PayerProfile, tables: PayerTables,
                  history: History) -> dict[int, tuple[str, ...]]:
    denials: dict[int, tuple[str, ...]] = {}

    def deny(index: int, *reason: str) -> None:
        denials.setdefault(index, reason)

    for index, line in enumerate(claim.lines):
        pointed = [claim.diagnoses[p - 1] for p in line.pointers if 0 < p <= len(claim.diagnoses)]
        if not pointed or not all(tables.billable_diagnosis(code, line.date_of_service) for code in pointed):
            deny(index, "16", "MA130", "M76")
        elif claim.frequency_code == "1" and history.service_key(member, line) in history.paid_services:
            deny(index, "18", "M86")
        elif line.code in payer.authorization_codes and not claim.prior_authorization:
            deny(index, "197", "M62")
        else:
            policy_denial = _policy_denial(line, pointed, payer, tables)
            if policy_denial:
                deny(index, *policy_denial)
    _visit_denials(claim, tables, deny)
    _ptp_denials(claim, payer, tables, deny)
    _mue_denials(claim, tables, deny)
    return denials


def _policy_denial(line: ServiceLine, pointed: list[str], payer: PayerProfile,
                   tables: PayerTables) -> tuple[str, ...] | None:
    """Coverage policies are written per payer kind (the shipped ones are Medicare's)."""
    for policy in tables.policies:
        if policy.payer != payer.kind or line.code not in policy.codes or not policy.effective.contains(
                line.date_of_service):
            continue
        if policy.excluded_when_only and all(code.startswith(policy.excluded_when_only) for code in pointed):
            return ("96", "N425")
        if policy.supporting_diagnoses and not any(code.startswith(policy.supporting_diagnoses) for code in pointed):
            return ("50", "N115")
    return None


def _visit_denials(claim: ProfessionalClaim, tables: PayerTables, deny: Callable[..., None]) -> None:
    minor_days = set()
    for line in claim.lines:
        try:
            entry = tables.rvu.for_code(line.code, on=line.date_of_service).entry
        except NotFound:
            continue
        if entry.global_days in ("000", "010"):
            minor_days.add(line.date_of_service)
    for index, line in enumerate(claim.lines):
        if line.code in VISIT_CODES and line.date_of_service in minor_days and "25" not in line.modifiers:
            deny(index, "97", "M144")


def _ptp_denials(claim: ProfessionalClaim, payer: PayerProfile, tables: PayerTables,
                 deny: Callable[..., None]) -> None:
    associated = NCCI_ASSOCIATED_MODIFIERS if payer.accepts_x_modifiers else NCCI_ASSOCIATED_MODIFIERS - X_MODIFIERS
    for i, first in enumerate(claim.lines):
        for j in range(i + 1, len(claim.lines)):
            second = claim.lines[j]
            if first.code == second.code or first.date_of_service != second.date_of_service:
                continue
            if first.code in VISIT_CODES or second.code in VISIT_CODES:
                continue  # a visit beside a procedure is the modifier-25 question above
            edit = tables.ptp.edit_between(first.code, second.code, on=first.date_of_service)
            if edit is None:
                continue
            column2 = j if edit.column1 == first.code else i
            bypass = (set(first.modifiers) | set(second.modifiers)) & associated
            if edit.modifier_indicator == "0" or (edit.modifier_indicator == "1" and not bypass):
                deny(column2, "97", "M15")


def _mue_denials(claim: ProfessionalClaim, tables: PayerTables, deny: Callable[..., None]) -> None:
    per_day: dict[tuple[str, datetime.date], int] = defaultdict(int)
    for index, line in enumerate(claim.lines):
        value = tables.mue.value(line.code, on=line.date_of_service)
        if value is None:
            continue
        if value.adjudication_indicator == "1":
            if line.units > value.units:
                deny(index, "151", "N362")
            continue
        per_day[(line.code, line.date_of_service)] += line.units
        if per_day[(line.code, line.date_of_service)] > value.units:
            deny(index, "151", "N362")
