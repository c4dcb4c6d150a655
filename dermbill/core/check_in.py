"""The check-in checklist of one appointment: what the front desk must see to before the visit, and why.

Pure: the service gathers the facts (the appointment, its payer, the payer's rules, what is on file) into
``CheckInFacts``; ``checklist`` decides each item's state. Each item prevents a denial the front desk causes:

- identity and insurance card checked, demographics confirmed: a mis-keyed member ID or name (277CA A3:33, CO-31);
- coverage verified by an eligibility answer (271) younger than the practice's limit: a coverage that ended (CO-27);
- a referral or prior authorization on file when the payer wants one for a planned procedure: an HMO wants a
  referral for a specialist visit (filing indicator HM); a payer whose authorization codes (the shipped payer rules
  and the rules learned from its denials, once accepted) list the planned code wants its authorization (CO-197);
- an ABN signed when a Medicare patient's planned service may be denied as cosmetic or not medically necessary
  (``AbnReason``: the codes of the coverage policies the scrubber applies);
- the copay collected.

Example: an HMO patient booked for Mohs (17311) with no referral on file: the authorization item is flagged with
"TEST COMMUNITY HMO wants a referral for a specialist visit: none on file".
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from dermbill.core.dates import DateRange
from dermbill.core.identifiers import luhn_check_digit
from dermbill.core.money import Money

HMO = "HM"  # SBR09 claim filing indicator of an HMO: specialist visits need the primary care physician's referral
DEFAULT_STALE_DAYS = 30


class Item(Enum):
    IDENTITY = "identity"
    DEMOGRAPHICS = "demographics"
    COVERAGE = "coverage"
    AUTHORIZATION = "authorization"
    ABN = "abn"
    COPAY = "copay"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Item.IDENTITY: "Identity and insurance card checked",
    Item.DEMOGRAPHICS: "Demographics confirmed",
    Item.COVERAGE: "Coverage verified",
    Item.AUTHORIZATION: "Referral or prior authorization on file",
    Item.ABN: "ABN signed (Medicare)",
    Item.COPAY: "Copay collected",
}
MARKABLE = (Item.IDENTITY, Item.DEMOGRAPHICS, Item.COVERAGE, Item.ABN)  # a person ticks these; the rest are facts


class State(Enum):
    DONE = "done"
    TO_DO = "to do"
    ATTENTION = "attention"  # something is wrong or missing that will cost a denial
    NOT_NEEDED = "not needed"


class AuthorizationKind(Enum):
    REFERRAL = "referral"
    PRIOR_AUTHORIZATION = "prior_authorization"

    @property
    def label(self) -> str:
        return "referral" if self is AuthorizationKind.REFERRAL else "prior authorization"


@dataclass(frozen=True, slots=True)
class Mark:
    """A person's tick on an item: who and when (``note``: how, e.g. "verified by phone, ref 123")."""

    by: str
    at: datetime.datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Verification:
    """The latest eligibility answer (271) for the coverage: when, and whether the coverage was active."""

    checked_on: datetime.date
    active: bool
    summary: str = ""


@dataclass(frozen=True, slots=True)
class AuthorizationOnFile:
    """A referral or prior authorization number on file for a patient and payer."""

    kind: AuthorizationKind
    number: str
    codes: frozenset[str]  # the procedure codes it covers; empty: any (a referral to the specialist)
    valid: DateRange

    def covers(self, code: str | None, day: datetime.date) -> bool:
        return self.valid.contains(day) and (not self.codes or code is None or code in self.codes)


@dataclass(frozen=True, slots=True)
class AbnReason:
    """Why Medicare may not pay a planned code: cosmetic, or not medically necessary without a documented reason."""

    codes: frozenset[str]
    policy: str  # the coverage policy the scrubber applies (policy_id)
    items: str  # the items or services, in the patient's words
    reason: str  # why Medicare may not pay, in the patient's words
    screening_visit_only: bool = False  # an E/M code is a risk only when the visit is a screening

    def applies(self, code: str, visit_type: str | None) -> bool:
        if code not in self.codes:
            return False
        return not self.screening_visit_only or "screen" in (visit_type or "").lower()


@dataclass(frozen=True, slots=True)
class CheckInFacts:
    day: datetime.date  # the appointment's date
    planned_codes: tuple[str, ...]
    visit_type: str | None
    payer_name: str | None  # None: no coverage in force (self-pay)
    payer_kind: str | None
    filing_indicator: str | None
    authorization_codes: frozenset[str]  # the codes the payer wants prior authorization for
    on_file: tuple[AuthorizationOnFile, ...]
    verification: Verification | None
    stale_days: int
    abn_reasons: tuple[AbnReason, ...]
    copay_due: Money | None
    copay_collected: Money
    marks: Mapping[Item, Mark]


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    item: Item
    state: State
    detail: str
    mark: Mark | None = None

    @property
    def label(self) -> str:
        return self.item.label


@dataclass(frozen=True, slots=True)
class Need:
    """A referral or authorization the payer wants, and the code it is for (None: the visit itself)."""

    kind: AuthorizationKind
    code: str | None
    why: str


def checklist(facts: CheckInFacts) -> tuple[ChecklistItem, ...]:
    """Every item of the checklist, in the order the desk works them."""
    marks = facts.marks
    return (
        _marked(Item.IDENTITY, marks, "compare the photo ID and the insurance card with the record"),
        _marked(Item.DEMOGRAPHICS, marks, "confirm address, phone and date of birth with the patient"),
        coverage_item(facts),
        authorization_item(facts),
        abn_item(facts),
        copay_item(facts),
    )


def _marked(item: Item, marks: Mapping[Item, Mark], to_do: str) -> ChecklistItem:
    mark = marks.get(item)
    if mark is None:
        return ChecklistItem(item, State.TO_DO, to_do)
    return ChecklistItem(item, State.DONE, mark.note or "checked", mark)


def is_stale(checked_on: datetime.date, day: datetime.date, stale_days: int) -> bool:
    """An eligibility check older than ``stale_days`` on the day of the visit no longer proves coverage."""
    return (day - checked_on).days > stale_days


def coverage_item(facts: CheckInFacts) -> ChecklistItem:
    if facts.payer_name is None:
        return ChecklistItem(Item.COVERAGE, State.NOT_NEEDED, "no insurance on file for the visit: self-pay (give "
                                                              "the patient a Good Faith Estimate)")
    mark = facts.marks.get(Item.COVERAGE)
    found = facts.verification
    if found is not None and (mark is None or found.checked_on >= mark.at.date()):
        age = (facts.day - found.checked_on).days
        said = f"eligibility answer (271) of {found.checked_on.isoformat()}, {_days(age)} before the visit"
        if not found.active:
            return ChecklistItem(Item.COVERAGE, State.ATTENTION, f"{said} says the coverage is not active: ask for "
                                 "current insurance or treat the visit as self-pay")
        if is_stale(found.checked_on, facts.day, facts.stale_days):
            return ChecklistItem(Item.COVERAGE, State.ATTENTION, f"{said}: older than the practice's limit of "
                                 f"{_days(facts.stale_days)}; check eligibility again")
        return ChecklistItem(Item.COVERAGE, State.DONE, f"active: {said}")
    if mark is not None:
        age = (facts.day - mark.at.date()).days
        if is_stale(mark.at.date(), facts.day, facts.stale_days):
            return ChecklistItem(Item.COVERAGE, State.ATTENTION, f"verified {_days(age)} before the visit, older "
                                 f"than the practice's limit of {_days(facts.stale_days)}; verify again", mark)
        return ChecklistItem(Item.COVERAGE, State.DONE, mark.note or "verified with the payer", mark)
    return ChecklistItem(Item.COVERAGE, State.TO_DO, f"no eligibility answer on file for {facts.payer_name}: run an "
                         "eligibility check (270) or verify with the payer and record how")


def needs(facts: CheckInFacts) -> list[Need]:
    """The referrals and authorizations the payer wants for this visit."""
    if facts.payer_name is None:
        return []
    found = []
    if facts.filing_indicator == HMO:
        found.append(Need(AuthorizationKind.REFERRAL, None, f"{facts.payer_name} (an HMO) wants a referral from the "
                                                            "primary care physician for a specialist visit"))
    for code in dict.fromkeys(facts.planned_codes):
        if code in facts.authorization_codes:
            found.append(Need(AuthorizationKind.PRIOR_AUTHORIZATION, code, f"{facts.payer_name} wants prior "
                              f"authorization for {code} (its payer rule); without it the claim is denied (CO-197)"))
    return found


def authorization_item(facts: CheckInFacts) -> ChecklistItem:
    wanted = needs(facts)
    if not wanted:
        return ChecklistItem(Item.AUTHORIZATION, State.NOT_NEEDED, "the payer's rules want no referral or "
                                                                   "authorization for the planned services")
    missing, held = [], []
    for need in wanted:
        match = next((a for a in facts.on_file if a.kind is need.kind and a.covers(need.code, facts.day)), None)
        if match is None:
            missing.append(f"{need.why}: none on file")
        else:
            until = f", valid to {match.valid.effective_to.isoformat()}" if match.valid.effective_to else ""
            held.append(f"{need.kind.label} {match.number} on file{until}")
    if missing:
        return ChecklistItem(Item.AUTHORIZATION, State.ATTENTION, "; ".join(missing + held))
    return ChecklistItem(Item.AUTHORIZATION, State.DONE, "; ".join(held))


def abn_risks(facts: CheckInFacts) -> list[tuple[str, AbnReason]]:
    """The planned codes Medicare may not pay, with the reason (Medicare patients only)."""
    if facts.payer_kind != "medicare":
        return []
    risks = []
    for code in dict.fromkeys(facts.planned_codes):
        reason = next((r for r in facts.abn_reasons if r.applies(code, facts.visit_type)), None)
        if reason is not None:
            risks.append((code, reason))
    return risks


def abn_item(facts: CheckInFacts) -> ChecklistItem:
    risks = abn_risks(facts)
    if not risks:
        why = "not a Medicare patient" if facts.payer_kind != "medicare" else "no planned service is at risk"
        return ChecklistItem(Item.ABN, State.NOT_NEEDED, why)
    codes = ", ".join(code for code, _ in risks)
    mark = facts.marks.get(Item.ABN)
    if mark is not None:
        return ChecklistItem(Item.ABN, State.DONE, mark.note or f"signed ABN on file for {codes}", mark)
    return ChecklistItem(Item.ABN, State.ATTENTION, f"Medicare may not pay for {codes} (cosmetic or not medically "
                         "necessary): print the ABN, have the patient choose an option and sign it before the service")


def copay_item(facts: CheckInFacts) -> ChecklistItem:
    due = facts.copay_due
    collected = facts.copay_collected
    if due is None or due.cents == 0:
        said = f"; ${collected} collected" if collected.cents else ""
        return ChecklistItem(Item.COPAY, State.NOT_NEEDED, f"no copay on file for the visit{said}")
    if collected.cents >= due.cents:
        return ChecklistItem(Item.COPAY, State.DONE, f"${collected} collected (copay ${due})")
    left = Money(due.cents - collected.cents)
    return ChecklistItem(Item.COPAY, State.TO_DO, f"collect ${left} (copay ${due}"
                         + (f", ${collected} collected)" if collected.cents else ")"))


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def summary(items: Sequence[ChecklistItem]) -> str:
    """A one-line state: "ready" or what is left."""
    open_items = [i.label for i in items if i.state in (State.TO_DO, State.ATTENTION)]
    return "Ready for the visit" if not open_items else "Still to do: " + "; ".join(open_items)


def looks_like_card_number(text: str) -> bool:
    """13 to 19 digits (spaces and dashes aside) that pass the Luhn test: a payment card number, which dermbill
    must never store (the card terminal's transaction reference is what identifies a card payment)."""
    digits = text.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19:
        return False
    return luhn_check_digit(digits[:-1]) == int(digits[-1])
