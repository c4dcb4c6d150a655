"""What a payer's eligibility answer (271, 005010X279A1) means for the front desk: the outcome, the benefits kept,
and for each error the fix in words.

The answer for one patient (``x12.eligibility_271.read_271``'s person, with its benefits, dates and AAA errors)
becomes one ``EligibilityAnswer``:

- ``active``: covered on the date asked for; the benefits are kept (plan dates, deductible and what is left of it,
  the out-of-pocket maximum and what is left, the copay and coinsurance of a specialist's office visit, EB03 98,
  else the plan's, EB03 30);
- ``inactive``: EB*6, the plan is not in force on that date (billing it would be denied CO-27);
- ``other_payer_primary``: covered, but EB*R names another payer as primary (billing this one first: CO-22);
- ``not_found`` (AAA 75, 78, 67), ``invalid_member_id`` (72, 64), ``name_mismatch`` (73, 65),
  ``birth_date_mismatch`` (71, 58): the patient cannot be identified as the payer's member (CO-31);
- ``cannot_process``: the payer could not answer (AAA 42 unable to respond now, a provider or date problem, an
  answer with neither coverage nor an error);
- ``no_answer``: nothing came back for the inquiry.

Example: an answer with ``AAA*Y**72*C`` is ``invalid_member_id`` with the fix "Check the member ID on the front of
the insurance card ... then run eligibility again".
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money


class Outcome(Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    NOT_FOUND = "not_found"
    INVALID_MEMBER_ID = "invalid_member_id"
    NAME_MISMATCH = "name_mismatch"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"
    OTHER_PAYER_PRIMARY = "other_payer_primary"
    CANNOT_PROCESS = "cannot_process"
    NO_ANSWER = "no_answer"

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def needs_a_person(self) -> bool:
        """Whether the front desk must act before the visit (everything but active coverage)."""
        return self is not Outcome.ACTIVE

    @property
    def prevented_denial(self) -> str | None:
        """The denial a claim billed without this answer would have met (CARC), if any."""
        return PREVENTED.get(self)


LABELS = {
    Outcome.ACTIVE: "active", Outcome.INACTIVE: "coverage ended", Outcome.NOT_FOUND: "member not found",
    Outcome.INVALID_MEMBER_ID: "invalid member ID", Outcome.NAME_MISMATCH: "name does not match",
    Outcome.BIRTH_DATE_MISMATCH: "birth date does not match", Outcome.OTHER_PAYER_PRIMARY: "another payer is primary",
    Outcome.CANNOT_PROCESS: "payer could not answer", Outcome.NO_ANSWER: "no answer",
}
IDENTITY = (Outcome.NOT_FOUND, Outcome.INVALID_MEMBER_ID, Outcome.NAME_MISMATCH, Outcome.BIRTH_DATE_MISMATCH)
PREVENTED = {Outcome.INACTIVE: "CO-27", Outcome.OTHER_PAYER_PRIMARY: "CO-22",
             **{outcome: "CO-31" for outcome in IDENTITY}}

CARD = "the patient's insurance card"
_MEMBER_ID_FIX = ("Check the member ID on the front of the insurance card, character by character (letters, "
                  "digits and any prefix; 0 and O, 1 and I are often swapped), correct it on the coverage, then run "
                  "eligibility again.")
_NOT_FOUND_FIX = ("The payer has no member with this ID and name. Ask the patient for their current insurance card: "
                  "check that the plan is this payer (its name, and the payer ID or phone on the back), the member ID "
                  "and the subscriber's name; if the card is another plan's, add that coverage. Then run eligibility "
                  "again.")
_NAME_FIX = ("The member ID is known, the subscriber's name is not the payer's. Check the name printed on the card "
             "(the policy holder, who may not be the patient): spelling, a hyphenated or former last name, no "
             "nickname; correct the patient's (or the subscriber's) name, then run eligibility again.")
_BIRTH_FIX = ("The payer has another date of birth for this member. Ask the patient to confirm their date of birth "
              "(and the subscriber's, when the patient is a dependent) against a photo ID, correct it, then run "
              "eligibility again.")
_AGAIN_LATER = ("The payer could not answer now. Run eligibility again later; if it still cannot, call the provider "
                "line on the back of the card and note the answer.")
_PROVIDER_FIX = ("The payer does not recognise the provider asked for (NPI, specialty or enrollment). Check the "
                 "provider's NPI and the practice's enrollment with this payer before the visit.")
_DATE_FIX = ("The payer refused the date asked about (in the future, too far back, or before the birth date). "
             "Check the appointment date and the patient's date of birth, then run eligibility again.")
_CALL_FIX = ("The payer's answer says neither active nor inactive. Call the provider line on the back of the card "
             "and note the answer.")

# AAA03 (request validation reject reason codes of 2100C/2100D): (outcome, what it says, the fix).
AAA_REASONS: dict[str, tuple[Outcome, str, str]] = {
    "15": (Outcome.CANNOT_PROCESS, "required application data missing", _CALL_FIX),
    "35": (Outcome.CANNOT_PROCESS, "out of network", _PROVIDER_FIX),
    "42": (Outcome.CANNOT_PROCESS, "unable to respond at current time", _AGAIN_LATER),
    "43": (Outcome.CANNOT_PROCESS, "invalid or missing provider identification", _PROVIDER_FIX),
    "45": (Outcome.CANNOT_PROCESS, "invalid or missing provider specialty", _PROVIDER_FIX),
    "47": (Outcome.CANNOT_PROCESS, "invalid or missing provider state", _PROVIDER_FIX),
    "48": (Outcome.CANNOT_PROCESS, "invalid or missing referring provider identification", _PROVIDER_FIX),
    "49": (Outcome.CANNOT_PROCESS, "provider is not the primary care physician", _PROVIDER_FIX),
    "51": (Outcome.CANNOT_PROCESS, "provider not on file", _PROVIDER_FIX),
    "52": (Outcome.CANNOT_PROCESS, "service dates not within provider plan enrollment", _PROVIDER_FIX),
    "56": (Outcome.CANNOT_PROCESS, "inappropriate date", _DATE_FIX),
    "57": (Outcome.CANNOT_PROCESS, "invalid or missing date(s) of service", _DATE_FIX),
    "58": (Outcome.BIRTH_DATE_MISMATCH, "invalid or missing date of birth", _BIRTH_FIX),
    "60": (Outcome.CANNOT_PROCESS, "date of birth follows date(s) of service", _DATE_FIX),
    "61": (Outcome.CANNOT_PROCESS, "date of death precedes date(s) of service", _CALL_FIX),
    "62": (Outcome.CANNOT_PROCESS, "date of service not within allowable inquiry period", _DATE_FIX),
    "63": (Outcome.CANNOT_PROCESS, "date of service in future", _DATE_FIX),
    "64": (Outcome.INVALID_MEMBER_ID, "invalid or missing patient ID", _MEMBER_ID_FIX),
    "65": (Outcome.NAME_MISMATCH, "invalid or missing patient name", _NAME_FIX),
    "66": (Outcome.CANNOT_PROCESS, "invalid or missing patient gender", "Check the patient's sex as the payer has "
           "it (ask the patient), correct it, then run eligibility again."),
    "67": (Outcome.NOT_FOUND, "patient not found", _NOT_FOUND_FIX),
    "68": (Outcome.CANNOT_PROCESS, "duplicate patient ID number", _CALL_FIX),
    "71": (Outcome.BIRTH_DATE_MISMATCH, "patient birth date does not match that for the patient on the database",
           _BIRTH_FIX),
    "72": (Outcome.INVALID_MEMBER_ID, "invalid or missing subscriber/insured ID", _MEMBER_ID_FIX),
    "73": (Outcome.NAME_MISMATCH, "invalid or missing subscriber/insured name", _NAME_FIX),
    "74": (Outcome.CANNOT_PROCESS, "invalid or missing subscriber/insured gender code", "Check the subscriber's "
           "sex as the payer has it (ask the patient), correct it, then run eligibility again."),
    "75": (Outcome.NOT_FOUND, "subscriber/insured not found", _NOT_FOUND_FIX),
    "76": (Outcome.CANNOT_PROCESS, "duplicate subscriber/insured ID number", _CALL_FIX),
    "78": (Outcome.NOT_FOUND, "subscriber/insured not in group/plan identified", _NOT_FOUND_FIX),
}
FOLLOW_UP = {"C": "correct and resubmit", "N": "do not resubmit", "P": "please resubmit original transaction",
             "R": "resubmission allowed", "S": "do not resubmit; inquiry initiated to a third party",
             "W": "please wait 30 days and resubmit", "X": "please wait 10 days and resubmit",
             "Y": "do not resubmit; we will hold your request and respond again shortly"}
OTHER_PAYER_CODES = ("PRP", "PR", "SEP", "TTP")  # 2120C NM101 on EB*R: primary, other, secondary, tertiary payer


@dataclass(frozen=True, slots=True)
class Benefits:
    """What the plan covers, as the answer says (None: not said)."""

    plan_name: str | None = None
    plan_begin: datetime.date | None = None
    plan_end: datetime.date | None = None
    deductible: Money | None = None
    deductible_remaining: Money | None = None
    out_of_pocket: Money | None = None
    out_of_pocket_remaining: Money | None = None
    copay: Money | None = None  # a specialist's office visit (EB03 98), else the plan's
    coinsurance_percent: int | None = None  # the patient's share, whole percent
    in_network: bool | None = None

    def to_json(self) -> dict[str, Any]:
        def money(value: Money | None) -> str | None:
            return value.plain() if value is not None else None

        def day(value: datetime.date | None) -> str | None:
            return value.isoformat() if value is not None else None

        return {"plan_name": self.plan_name, "plan_begin": day(self.plan_begin), "plan_end": day(self.plan_end),
                "deductible": money(self.deductible), "deductible_remaining": money(self.deductible_remaining),
                "out_of_pocket": money(self.out_of_pocket),
                "out_of_pocket_remaining": money(self.out_of_pocket_remaining), "copay": money(self.copay),
                "coinsurance_percent": self.coinsurance_percent, "in_network": self.in_network}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Benefits:
        def money(name: str) -> Money | None:
            value = data.get(name)
            return Money.parse(str(value)) if value is not None else None

        def day(name: str) -> datetime.date | None:
            value = data.get(name)
            return datetime.date.fromisoformat(str(value)) if value else None

        percent = data.get("coinsurance_percent")
        return cls(data.get("plan_name"), day("plan_begin"), day("plan_end"), money("deductible"),
                   money("deductible_remaining"), money("out_of_pocket"), money("out_of_pocket_remaining"),
                   money("copay"), int(percent) if percent is not None else None, data.get("in_network"))


@dataclass(frozen=True, slots=True)
class AnswerError:
    """One AAA segment of the answer, in words."""

    reason: str  # AAA03
    follow_up: str  # AAA04
    meaning: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"reason": self.reason, "follow_up": self.follow_up, "meaning": self.meaning, "fix": self.fix}


@dataclass(frozen=True, slots=True)
class EligibilityAnswer:
    """The outcome of one eligibility check, the benefits kept, the errors and what the front desk should do."""

    outcome: Outcome
    benefits: Benefits
    errors: tuple[AnswerError, ...] = ()
    fix: str = ""  # empty for active coverage
    other_payer_name: str | None = None
    other_payer_identifier: str | None = None

    @property
    def covered(self) -> bool:
        """Covered on the date asked for (by this payer, whatever the order)."""
        return self.outcome in (Outcome.ACTIVE, Outcome.OTHER_PAYER_PRIMARY)


def no_answer() -> EligibilityAnswer:
    """The answer of an inquiry nothing came back for."""
    return EligibilityAnswer(Outcome.NO_ANSWER, Benefits(), fix=(
        "No answer came from the payer. Run eligibility again; before the visit, call the provider line on the back "
        "of the card and note the answer."))


def answer_of(people: Sequence[Mapping[str, Any]], errors: Sequence[Mapping[str, Any]] = (), *,
              trace_number: str | None = None) -> EligibilityAnswer:
    """The answer for the patient of one 271 transaction set: its ``subscribers`` (the subscriber, then the
    dependent when the patient is one) and its errors outside them (``errors``). With ``trace_number``, the
    patient is the person whose loop echoes it; otherwise the last person (the dependent, when there is one)."""
    patient = _patient(people, trace_number)
    found_errors = [*errors, *(e for person in people for e in person.get("errors") or [])]
    if found_errors:
        return _rejected(found_errors, patient)
    if patient is None:
        return EligibilityAnswer(Outcome.CANNOT_PROCESS, Benefits(), fix=_CALL_FIX)
    benefits = [b for b in patient.get("benefits") or [] if isinstance(b, Mapping)]
    kept = _benefits(patient, benefits)
    other = _other_payer(benefits)
    codes = {str(b.get("code") or "") for b in benefits}
    other_name, other_id = other if other else (None, None)
    if "1" in codes:
        if other is not None:
            who = other_name or other_id or "another payer"
            return EligibilityAnswer(Outcome.OTHER_PAYER_PRIMARY, kept, fix=(
                f"The payer says {who} is primary. Ask the patient about their other insurance (Medicare, an "
                f"employer's plan, a spouse's or parent's plan) and accept the proposed order change, so that claims "
                f"go to {who} first (billing this payer first would be denied CO-22). Add the coverage if the "
                f"patient has none with {who}."), other_payer_name=other_name, other_payer_identifier=other_id)
        return EligibilityAnswer(Outcome.ACTIVE, kept)
    if "6" in codes:
        ended = f" on {kept.plan_end.isoformat()}" if kept.plan_end else ""
        return EligibilityAnswer(Outcome.INACTIVE, kept, fix=(
            f"The plan ended{ended}, or is not in force on the visit date. Ask the patient for their new insurance "
            "card before the visit: add the new coverage (and end this one on its last day), or tell the patient "
            "the visit is self-pay. A claim to this payer would be denied CO-27."),
            other_payer_name=other_name, other_payer_identifier=other_id)
    return EligibilityAnswer(Outcome.CANNOT_PROCESS, kept, fix=_CALL_FIX)


def _patient(people: Sequence[Mapping[str, Any]], trace_number: str | None) -> Mapping[str, Any] | None:
    if trace_number:
        traced = [p for p in people if p.get("trace_number") == trace_number]
        if traced:
            return traced[-1]
    return people[-1] if people else None


def _rejected(errors: Sequence[Mapping[str, Any]], patient: Mapping[str, Any] | None) -> EligibilityAnswer:
    read = []
    for error in errors:
        reason = str(error.get("reason") or "")
        follow_up = str(error.get("follow_up") or "")
        outcome, meaning, fix = AAA_REASONS.get(reason, (Outcome.CANNOT_PROCESS, f"reject reason {reason or '?'}",
                                                         _CALL_FIX))
        if follow_up in FOLLOW_UP:
            meaning = f"{meaning} ({FOLLOW_UP[follow_up]})"
        read.append((outcome, AnswerError(reason, follow_up, meaning, fix)))
    # The patient's identity first (what the desk can fix), then what only time or a call fixes.
    outcome, first = min(read, key=lambda item: 0 if item[0] in IDENTITY else 1)
    kept = _benefits(patient, []) if patient is not None else Benefits()
    return EligibilityAnswer(outcome, kept, tuple(error for _, error in read), first.fix)


def _benefits(patient: Mapping[str, Any], benefits: Sequence[Mapping[str, Any]]) -> Benefits:
    dates = patient.get("dates") or {}
    plan = next((b for b in benefits if b.get("code") in ("1", "6")), None)

    def pick(code: str, period: str | None = None) -> Mapping[str, Any] | None:
        """The benefit of this code (and time period) for a specialist visit (98), else the plan (30), else any;
        in network, or saying nothing of the network, before out of network."""
        found = [b for b in benefits if b.get("code") == code and (period is None or b.get("time_period") == period)
                 and (b.get("coverage_level") in (None, "IND"))]
        found.sort(key=lambda b: (b.get("network") == "out of network",
                                  0 if "98" in (b.get("service_types") or []) else
                                  1 if "30" in (b.get("service_types") or []) else 2))
        return found[0] if found else None

    copay = pick("B")
    coinsurance = pick("A")
    network = next((b.get("network") for b in (copay, coinsurance) if b is not None and b.get("network")), None)
    return Benefits(
        plan_name=(plan.get("plan") or None) if plan else None,
        plan_begin=_day(dates.get("346") or dates.get("356")), plan_end=_day(dates.get("347") or dates.get("357")),
        deductible=_amount(pick("C", "23")), deductible_remaining=_amount(pick("C", "29")),
        out_of_pocket=_amount(pick("G", "23")), out_of_pocket_remaining=_amount(pick("G", "29")),
        copay=_amount(copay), coinsurance_percent=_percent(coinsurance),
        in_network=None if network is None else network == "in network")


def _other_payer(benefits: Sequence[Mapping[str, Any]]) -> tuple[str | None, str | None] | None:
    for benefit in benefits:
        if benefit.get("code") != "R":
            continue
        for entity in benefit.get("entities") or []:
            if entity.get("code") in OTHER_PAYER_CODES:
                return (entity.get("name") or None, entity.get("identifier") or None)
        return (None, None)  # another payer, not named
    return None


def _amount(benefit: Mapping[str, Any] | None) -> Money | None:
    if benefit is None or benefit.get("amount") in (None, ""):
        return None
    try:
        return Money.parse(str(benefit["amount"]))
    except InvalidInput:
        return None


def _percent(benefit: Mapping[str, Any] | None) -> int | None:
    """EB08 is a fraction (0.2 is 20 percent); a share that is not a whole percent is rounded half up."""
    if benefit is None or benefit.get("percent") in (None, ""):
        return None
    try:
        value = Decimal(str(benefit["percent"])) * 100
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= 100:
        return None
    return int(value.to_integral_value(rounding="ROUND_HALF_UP"))


def _day(text: object) -> datetime.date | None:
    if not isinstance(text, str) or len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def age_in_words(since: datetime.datetime, now: datetime.datetime) -> str:
    """How old an answer is, for the schedule: "12 min", "5 h", "3 days"."""
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400 * 2:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"
