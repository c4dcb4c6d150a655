"""Denied and underpaid lines: the root cause in plain words tied to the claim, the next action, the deadline.

Pure: the facts of one claim (its lines, the lesions each line treated, the payer's answer) come in as values;
what comes out is a ``RootCause``. A fix is *certain* only when the claim's own documentation settles it (a
biopsy of a different lesion than the excision it was bundled into takes the distinct-service modifier; a
visit documented as separately identifiable takes 25). Everything else is a recommendation for a person.

Actions, and when each is chosen (by the category of the reason code, then the facts):
- ``correct_and_resubmit``: the claim was wrong and a corrected claim (frequency 7) can fix it;
- ``appeal``: the claim was right: the documentation or the payer's own policy shows it;
- ``check_eligibility_and_rebill``: the payer says the patient was not its member that day;
- ``get_authorization``: the payer wanted prior authorization;
- ``write_off``: the money cannot be collected from anyone (bundled for the same lesion, filed too late, a
  non-covered service with no waiver);
- ``bill_patient``: the payer put it on the patient (group PR), or a waiver (modifier GA/GX) was signed;
- ``review``: an unknown reason code: a person reads the remittance.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from dermbill.core.denial_codes import DenialCategory, DenialCodeTable
from dermbill.core.money import Money

DISTINCT_MODIFIERS = frozenset({"59", "XE", "XP", "XS", "XU"})
X_MODIFIERS = DISTINCT_MODIFIERS - {"59"}
WAIVER_MODIFIERS = frozenset({"GA", "GX"})  # a liability notice (ABN) or a voluntary one was signed
UNDERPAYMENT = "underpayment"


class Action(StrEnum):
    CORRECT_AND_RESUBMIT = "correct_and_resubmit"
    APPEAL = "appeal"
    CHECK_ELIGIBILITY_AND_REBILL = "check_eligibility_and_rebill"
    GET_AUTHORIZATION = "get_authorization"
    WRITE_OFF = "write_off"
    BILL_PATIENT = "bill_patient"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.CORRECT_AND_RESUBMIT: "Correct and resubmit",
    Action.APPEAL: "Appeal",
    Action.CHECK_ELIGIBILITY_AND_REBILL: "Check eligibility and rebill",
    Action.GET_AUTHORIZATION: "Get authorization",
    Action.WRITE_OFF: "Write off",
    Action.BILL_PATIENT: "Bill the patient",
    Action.REVIEW: "Review the remittance",
}


@dataclass(frozen=True, slots=True)
class LesionFacts:
    """What the chart says about one lesion (the encounter documentation)."""

    id: str
    site: str
    laterality: str | None = None
    diameter_cm: str | None = None
    diagnosis: str | None = None
    pathology: str | None = None
    symptoms: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    count: int = 1

    def describe(self) -> str:
        where = f"{self.laterality} {self.site}" if self.laterality else self.site
        parts = [where.replace("_", " ")]
        if self.diameter_cm:
            parts.append(f"{self.diameter_cm} cm")
        if self.count > 1:
            parts.append(f"{self.count} lesions")
        if self.diagnosis:
            parts.append(f"clinical diagnosis {self.diagnosis.replace('_', ' ')}")
        if self.pathology and self.pathology != "pending":
            parts.append(f"pathology {self.pathology.replace('_', ' ')}")
        if self.symptoms:
            parts.append("documented " + ", ".join(s.replace("_", " ") for s in self.symptoms))
        if self.procedures:
            parts.append("treated by " + ", ".join(p.replace("_", " ") for p in self.procedures))
        return f"Lesion {self.id}: " + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One line of our claim, and the lesions it treated (empty when not tied to a lesion)."""

    number: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    lesions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PayerAnswer:
    """The payer's answer on one of our lines: one adjustment (group and reason) with its remarks."""

    line_number: int
    group: str
    carc: str
    rarcs: tuple[str, ...]
    amount: Money  # the adjusted amount at stake
    paid: Money = field(default_factory=Money.zero)


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the root cause needs to know about the claim besides the payer's answer."""

    claim_number: str
    payer_name: str
    payer_kind: str
    date_of_service: datetime.date
    lines: tuple[LineFacts, ...]
    lesions: tuple[LesionFacts, ...] = ()
    visit_separately_identifiable: bool | None = None
    has_prior_authorization: bool = False
    distinct_modifier: str = "either"  # what this payer wants: either, XS or 59
    other_coverage: str | None = None  # another payer of the patient in force on the date of service
    first_sent_on: datetime.date | None = None
    timely_filing_days: int = 0
    duplicate_of: str | None = None  # our claim that the payer already paid for the same service
    policies: tuple[tuple[str, str], ...] = ()  # (code, coverage policy (LCD/NCD) that governs it)

    def line(self, number: int) -> LineFacts:
        return next(line for line in self.lines if line.number == number)

    def policies_for(self, codes: Iterable[str]) -> tuple[str, ...]:
        wanted = set(codes)
        return tuple(dict.fromkeys(policy for code, policy in self.policies if code in wanted))

    def lesion(self, lesion_id: str) -> LesionFacts | None:
        return next((lesion for lesion in self.lesions if lesion.id == lesion_id), None)


@dataclass(frozen=True, slots=True)
class LineFix:
    """A certain change to one line: modifiers to add and to take off."""

    line_number: int
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = []
        if self.remove:
            parts.append(f"take {', '.join(self.remove)} off")
        if self.add:
            parts.append(f"add {', '.join(self.add)}")
        return f"line {self.line_number}: " + " and ".join(parts)


@dataclass(frozen=True, slots=True)
class RootCause:
    category: str  # a DenialCategory value, or "underpayment"
    action: Action
    cause: str  # plain words, tied to the claim
    fixes: tuple[LineFix, ...] = ()  # certain fixes: a corrected claim can be made without a person
    rebill_to: str | None = None  # the payer to send it to instead
    relies_on: tuple[str, ...] = ()  # the rules and policies an appeal or a fix relies on

    @property
    def is_certain(self) -> bool:
        return bool(self.fixes) or (self.action is Action.CHECK_ELIGIBILITY_AND_REBILL and self.rebill_to is not None)


# A function of the facts gives the root cause for one category.
Explainer = Callable[["_Case"], RootCause]


@dataclass(frozen=True, slots=True)
class _Case:
    claim: ClaimFacts
    answers: tuple[PayerAnswer, ...]
    category: DenialCategory
    codes: DenialCodeTable
    ptp: Callable[[str, str], tuple[str, str] | None]  # (code, code) -> (column one, indicator) when paired

    @property
    def first(self) -> PayerAnswer:
        return self.answers[0]

    @property
    def label(self) -> str:
        answer = self.first
        remarks = "/".join(answer.rarcs)
        return f"{answer.group}-{answer.carc}" + (f"/{remarks}" if remarks else "")

    @property
    def lines(self) -> list[LineFacts]:
        return [self.claim.line(a.line_number) for a in self.answers]

    def codes_text(self) -> str:
        return ", ".join(dict.fromkeys(line.code for line in self.lines))

    @property
    def was(self) -> str:
        return "were" if len({line.code for line in self.lines}) > 1 else "was"

    @property
    def is_(self) -> str:
        return "are" if len({line.code for line in self.lines}) > 1 else "is"

    @property
    def policies(self) -> tuple[str, ...]:
        return self.claim.policies_for(line.code for line in self.lines)

    def lesion_text(self, line: LineFacts) -> str:
        return ", ".join(line.lesions) if line.lesions else ""


def find_root_cause(claim: ClaimFacts, answers: Sequence[PayerAnswer], codes: DenialCodeTable,
                    ptp: Callable[[str, str], tuple[str, str] | None]) -> RootCause:
    """The root cause and next action for the payer's answers of one kind (same group, reason and remarks) on
    one claim. ``ptp(a, b)`` gives the NCCI column-one code and modifier indicator when two codes are paired."""
    if not answers:
        raise ValueError("a root cause needs at least one answer")
    first = answers[0]
    category = codes.category_with_remarks(first.group, first.carc, first.rarcs)
    case = _Case(claim, tuple(answers), category, codes, ptp)
    if first.group == "PR" and category.is_denial:
        return _patient_owes(case)
    return EXPLAINERS.get(category, _unknown)(case)


def _bundling(case: _Case) -> RootCause:
    claim = case.claim
    if "M144" in case.first.rarcs or any(line.code.startswith(("992", "993")) for line in case.lines):
        return _visit_in_global(case)
    fixes, reasons, lost = [], [], []
    relies: list[str] = []
    for line in case.lines:
        pair = next(((other, found) for other in claim.lines if other.number != line.number
                     and (found := case.ptp(line.code, other.code)) is not None and found[0] == other.code), None)
        if pair is None:
            lost.append(line)
            continue
        column1, (_, indicator) = pair
        relies.append(f"NCCI procedure-to-procedure edit {column1.code}/{line.code}, modifier indicator {indicator}")
        shared = set(line.lesions) & set(column1.lesions)
        if indicator == "0" or shared or not line.lesions or not column1.lesions:
            why = "the pair is never paid together" if indicator == "0" else \
                f"both treated lesion {', '.join(sorted(shared))}" if shared else "the chart does not tie them to " \
                "different lesions"
            reasons.append(f"{line.code} was bundled into {column1.code}; {why}")
            lost.append(line)
            continue
        wanted = "59" if claim.distinct_modifier == "59" or set(line.modifiers) & X_MODIFIERS else "XS"
        remove = tuple(m for m in line.modifiers if m in DISTINCT_MODIFIERS and m != wanted)
        what = f"lesion {case.lesion_text(line)}" if line.lesions else "a different lesion"
        if wanted in line.modifiers and not remove:  # it already said so: a corrected claim would change nothing
            return RootCause(case.category.value, Action.APPEAL,
                             f"{case.label}: {line.code} was bundled into {column1.code} although it carried {wanted} "
                             f"and treated a different lesion ({what}): appeal with the note",
                             relies_on=(f"NCCI procedure-to-procedure edit {column1.code}/{line.code}, modifier "
                                        f"indicator {indicator}",))
        if remove:
            reasons.append(f"{line.code} was bundled into {column1.code} although it treated a different lesion "
                           f"({what}); {claim.payer_name} did not accept {', '.join(remove)}, so use {wanted} and send "
                           "a corrected claim")
        else:
            reasons.append(f"{line.code} was bundled into {column1.code}; it treated a different lesion ({what}), "
                           f"so append {wanted} and send a corrected claim")
        fixes.append(LineFix(line.number, (wanted,), remove))
    if fixes:
        return RootCause(case.category.value, Action.CORRECT_AND_RESUBMIT, f"{case.label}: " + "; ".join(reasons),
                         tuple(fixes), relies_on=tuple(relies))
    if lost and len(reasons) == len(lost):
        return RootCause(case.category.value, Action.WRITE_OFF,
                         f"{case.label}: " + "; ".join(reasons) + ": it is part of the other service, write it off",
                         relies_on=tuple(relies))
    unpaired = ", ".join(line.code for line in lost)
    return RootCause(case.category.value, Action.APPEAL,
                     f"{case.label}: {unpaired or case.codes_text()} was bundled, but no NCCI edit pairs it with "
                     "another line of the claim: appeal with the documentation of the separate service",
                     relies_on=tuple(relies))


def _visit_in_global(case: _Case) -> RootCause:
    visits = [line for line in case.lines if line.code.startswith(("992", "993"))]
    if case.claim.visit_separately_identifiable and visits:
        fixes = tuple(LineFix(line.number, ("25",)) for line in visits if "25" not in line.modifiers)
        if fixes:
            return RootCause(case.category.value, Action.CORRECT_AND_RESUBMIT,
                             f"{case.label}: the visit ({', '.join(v.code for v in visits)}) was denied as part of the "
                             "procedure's global package; the note documents a separately identifiable visit, so "
                             "append 25 and send a corrected claim", fixes,
                             relies_on=("CMS global surgery rules: modifier 25 for a significant, separately "
                                        "identifiable visit on the day of a minor procedure",))
        return RootCause(case.category.value, Action.APPEAL,
                         f"{case.label}: the visit carried 25 and the note documents a separately identifiable "
                         "visit: appeal with the visit note")
    return RootCause(case.category.value, Action.WRITE_OFF,
                     f"{case.label}: {case.codes_text()} is part of the procedure's global package and the note does "
                     "not document a separately identifiable visit: write it off")


def _modifiers(case: _Case) -> RootCause:
    claim = case.claim
    fixes = []
    for line in case.lines:
        xs = tuple(m for m in line.modifiers if m in X_MODIFIERS)
        if xs and (claim.distinct_modifier == "59" or case.first.carc in ("4", "182")):
            fixes.append(LineFix(line.number, ("59",), xs))
    if fixes:
        return RootCause(case.category.value, Action.CORRECT_AND_RESUBMIT,
                         f"{case.label}: {claim.payer_name} did not accept the X modifier on "
                         f"{', '.join(claim.line(f.line_number).code for f in fixes)}; use 59 and send a corrected "
                         "claim", tuple(fixes))
    return RootCause(case.category.value, Action.CORRECT_AND_RESUBMIT,
                     f"{case.label}: a modifier on {case.codes_text()} does not fit the code; review the modifiers "
                     "against the note and send a corrected claim")


def _medical_necessity(case: _Case) -> RootCause:
    claim = case.claim
    symptomatic = [lesion for line in case.lines for lesion_id in line.lesions
                   if (lesion := claim.lesion(lesion_id)) is not None and lesion.symptoms]
    waiver = any(set(line.modifiers) & WAIVER_MODIFIERS for line in case.lines)
    policies = case.policies
    policy = "; ".join(policies) or "the payer's coverage policy"
    if symptomatic:
        facts = "; ".join(f"lesion {lesion.id}: {', '.join(s.replace('_', ' ') for s in lesion.symptoms)}"
                          for lesion in dict.fromkeys(symptomatic))
        return RootCause(case.category.value, Action.APPEAL,
                         f"{case.label}: {case.codes_text()} {case.was} denied as not medically necessary, but the "
                         f"note documents {facts}, which {policy} accepts as a reason to treat: appeal with the note",
                         relies_on=policies)
    if waiver:
        return RootCause(case.category.value, Action.BILL_PATIENT,
                         f"{case.label}: {case.codes_text()} {case.is_} not covered under {policy} and the patient "
                         "signed a waiver (GA/GX): bill the patient", relies_on=policies)
    return RootCause(case.category.value, Action.WRITE_OFF,
                     f"{case.label}: {case.codes_text()} {case.is_} not covered under {policy}, the note documents "
                     "no symptom that would make it necessary and no waiver was signed: write it off",
                     relies_on=policies)


def _non_covered(case: _Case) -> RootCause:
    if any(set(line.modifiers) & WAIVER_MODIFIERS for line in case.lines):
        return RootCause(case.category.value, Action.BILL_PATIENT,
                         f"{case.label}: {case.codes_text()} {case.is_} not a covered benefit and the patient signed a "
                         "waiver (GA/GX): bill the patient")
    symptomatic = [lesion for line in case.lines for lesion_id in line.lesions
                   if (lesion := case.claim.lesion(lesion_id)) is not None and lesion.symptoms]
    if symptomatic:
        return _medical_necessity(case)
    return RootCause(case.category.value, Action.WRITE_OFF,
                     f"{case.label}: {case.codes_text()} {case.is_} not covered (cosmetic or excluded) and no waiver "
                     "was signed, so the patient cannot be billed: write it off")


def _eligibility(case: _Case) -> RootCause:
    claim = case.claim
    what = case.codes.carc(case.first.carc).description.rstrip(".")
    if claim.other_coverage:
        return RootCause(case.category.value, Action.CHECK_ELIGIBILITY_AND_REBILL,
                         f"{case.label}: {claim.payer_name}: {what.lower()} on {claim.date_of_service}; the patient's "
                         f"{claim.other_coverage} coverage is in force that day: rebill to {claim.other_coverage}",
                         rebill_to=claim.other_coverage)
    return RootCause(case.category.value, Action.CHECK_ELIGIBILITY_AND_REBILL,
                     f"{case.label}: {claim.payer_name}: {what.lower()} on {claim.date_of_service}; no other coverage "
                     "is on file: check eligibility (270) and ask the patient for the current plan, then rebill or "
                     "bill the patient")


def _authorization(case: _Case) -> RootCause:
    claim = case.claim
    if claim.has_prior_authorization:
        return RootCause(case.category.value, Action.APPEAL,
                         f"{case.label}: the claim carries a prior authorization number; appeal with the "
                         f"authorization for {case.codes_text()}")
    return RootCause(case.category.value, Action.GET_AUTHORIZATION,
                     f"{case.label}: {claim.payer_name} needs prior authorization for {case.codes_text()}; ask for a "
                     "retroactive authorization, then send a corrected claim with its number")


def _duplicate(case: _Case) -> RootCause:
    claim = case.claim
    if claim.duplicate_of:
        return RootCause(case.category.value, Action.WRITE_OFF,
                         f"{case.label}: {case.codes_text()} was already paid on claim {claim.duplicate_of}: write off "
                         "the duplicate")
    return RootCause(case.category.value, Action.APPEAL,
                     f"{case.label}: denied as a duplicate, but no other claim of ours was paid for "
                     f"{case.codes_text()} on {claim.date_of_service}: appeal, naming what makes it a separate "
                     "service")


def _timely_filing(case: _Case) -> RootCause:
    claim = case.claim
    limit = claim.timely_filing_days
    if claim.first_sent_on and limit and (claim.first_sent_on - claim.date_of_service).days <= limit:
        return RootCause(case.category.value, Action.APPEAL,
                         f"{case.label}: denied as filed late, but we first sent it on {claim.first_sent_on}, "
                         f"{(claim.first_sent_on - claim.date_of_service).days} days after the date of service "
                         f"(limit {limit}): appeal with the acceptance report as proof of timely filing",
                         relies_on=(f"{claim.payer_name} filing limit: {limit} days from the date of service",))
    sent = f"first sent on {claim.first_sent_on}" if claim.first_sent_on else "no record of an earlier submission"
    return RootCause(case.category.value, Action.WRITE_OFF,
                     f"{case.label}: filed after {claim.payer_name}'s limit ({sent}): write it off")


def _missing_information(case: _Case) -> RootCause:
    remarks = "; ".join(f"{code}: {case.codes.rarc(code).description.rstrip('.')}" for code in case.first.rarcs)
    return RootCause(case.category.value, Action.CORRECT_AND_RESUBMIT,
                     f"{case.label}: information on {case.codes_text()} was missing or invalid"
                     + (f" ({remarks})" if remarks else "") + ": correct it and send a corrected claim")


def _patient_owes(case: _Case) -> RootCause:
    what = case.codes.carc(case.first.carc).description.rstrip(".")
    return RootCause(case.category.value, Action.BILL_PATIENT,
                     f"{case.label}: {what.lower()}; the payer assigned {case.codes_text()} to the patient: bill the "
                     "patient")


def _unknown(case: _Case) -> RootCause:
    carc = case.first.carc
    why = f"reason code {carc} names no cause by itself" if case.codes.is_known_carc(carc) else \
        f"reason code {carc} is not one dermbill knows"
    return RootCause(case.category.value, Action.REVIEW,
                     f"{case.label}: {why}; read the remittance and the payer's notice before acting")


EXPLAINERS: dict[DenialCategory, Explainer] = {
    DenialCategory.CODING_BUNDLING: _bundling,
    DenialCategory.MODIFIERS: _modifiers,
    DenialCategory.MEDICAL_NECESSITY: _medical_necessity,
    DenialCategory.NON_COVERED: _non_covered,
    DenialCategory.ELIGIBILITY_COVERAGE: _eligibility,
    DenialCategory.AUTHORIZATION: _authorization,
    DenialCategory.DUPLICATE: _duplicate,
    DenialCategory.TIMELY_FILING: _timely_filing,
    DenialCategory.MISSING_INFORMATION: _missing_information,
    DenialCategory.PATIENT_RESPONSIBILITY: _patient_owes,
}


def underpayment_cause(payer_name: str, code: str, allowed: Money, expected: Money) -> RootCause:
    """A paid line allowed below the contracted amount: a payment dispute (appeal) for the difference."""
    return RootCause(UNDERPAYMENT, Action.APPEAL,
                     f"{code}: {payer_name} allowed {allowed}, the contract says {expected}: {expected - allowed} "
                     "short; ask for reprocessing at the contracted rate",
                     relies_on=(f"{payer_name} contracted fee schedule: {code} at {expected}",))


# Why a letter cannot win the money back, by the action the root cause chose (an appeal asks the payer to change
# its answer; these answers are right, and the money is collected elsewhere or not at all).
NOT_APPEALABLE = {
    Action.CHECK_ELIGIBILITY_AND_REBILL: "the payer says the patient's coverage with it was not in force on the date "
                                         "of service, which an appeal cannot change: check eligibility, then rebill "
                                         "the payer in force or bill the patient",
    Action.BILL_PATIENT: "the payer put the amount on the patient, so there is nothing to appeal: bill the patient",
    Action.WRITE_OFF: "the payer's answer is right and the amount cannot be collected from anyone: write it off",
}


def appeal_refusal(action: Action) -> str | None:
    """Why an item with this next action cannot be appealed (None when an appeal letter is the right tool)."""
    return NOT_APPEALABLE.get(action)


@dataclass(frozen=True, slots=True)
class PayerDeadlines:
    """A payer's windows, in days: appeal from the remittance date, corrected claim from the remittance date, and
    filing from the date of service (for a claim sent to it for the first time)."""

    appeal_days: int
    corrected_claim_days: int
    timely_filing_days: int


def deadline_for(action: Action, *, adjudicated_on: datetime.date, date_of_service: datetime.date,
                 payer: PayerDeadlines, rebill_payer: PayerDeadlines | None = None) -> datetime.date | None:
    """The last day the action can be taken (inclusive); None when no payer window applies.

    An appeal or a review counts from the remittance date by the payer's appeal window; a corrected claim or an
    authorization obtained afterwards by its corrected-claim window; a rebill to another payer by that payer's
    filing limit from the date of service (the denying payer's when the other payer is not known yet)."""
    if action in (Action.APPEAL, Action.REVIEW):
        return adjudicated_on + datetime.timedelta(days=payer.appeal_days)
    if action in (Action.CORRECT_AND_RESUBMIT, Action.GET_AUTHORIZATION):
        return adjudicated_on + datetime.timedelta(days=payer.corrected_claim_days)
    if action is Action.CHECK_ELIGIBILITY_AND_REBILL:
        days = (rebill_payer or payer).timely_filing_days
        return date_of_service + datetime.timedelta(days=days) if days > 0 else None
    return None


URGENT_DAYS = 30


def priority(amount: Money, deadline: datetime.date | None, today: datetime.date) -> tuple[int, int, int]:
    """Sort key of the work queue: items due within 30 days (or overdue) first, soonest first; then by money at
    stake, largest first; items without a deadline last among equals."""
    if deadline is not None and (deadline - today).days <= URGENT_DAYS:
        return (0, (deadline - today).days, -amount.cents)
    return (1, -amount.cents, (deadline - today).days if deadline else 10**6)


class Urgency(StrEnum):
    """How pressing an item is on a day: the work queue's filter (its sort is ``priority``)."""

    OVERDUE = "overdue"  # the deadline passed
    DUE_SOON = "due_soon"  # due within URGENT_DAYS
    LATER = "later"
    NO_DEADLINE = "no_deadline"


def urgency(deadline: datetime.date | None, today: datetime.date) -> Urgency:
    """The urgency of an item due on ``deadline``: a deadline 30 days away is still due soon, today is not
    overdue."""
    if deadline is None:
        return Urgency.NO_DEADLINE
    left = (deadline - today).days
    if left < 0:
        return Urgency.OVERDUE
    return Urgency.DUE_SOON if left <= URGENT_DAYS else Urgency.LATER
