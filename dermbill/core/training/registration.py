"""Front-desk scenarios: a registration with one planted error, the rules that find it, and the grader.

A scenario is what the desk has on screen (the patient, the coverages in order, the appointment with its planned
procedures, the authorization number and whether an ABN was signed) and what the desk can check it against (each
insurance card, the payer's eligibility answer, the plan's authorization approval, the signed forms in the chart).
The generator draws a consistent registration from a seed, then plants exactly one error of the module's kind:

- ``member_id``: two adjacent digits of a member ID swapped (the card prints the right one);
- ``coverage_ended``: the payer's answer says the plan ended last month, the registration has no end date;
- ``mohs_authorization``: an HMO patient booked for Mohs with no authorization number on the appointment;
- ``abn``: a Medicare patient booked for a cosmetic removal with no ABN recorded (the signed form is in the chart);
- ``payer_order``: the plan the payer names primary is listed as secondary.

``registration_findings`` checks a registration with the rules dermbill runs on real work: each coverage goes
through the desk's coverage edit rules (``core.patient_edits.new_coverage``: member ID form, the Medicare MBI,
dates in order); the claim the visit would make goes through the scrubber's ``prior_authorization`` (payer rules)
and ``coverage`` (Medicare's coverage policies, where GA marks a signed ABN) rules; and the registration is
compared with the card and the payer's answer. A correct fix leaves no finding; that is how the grader scores.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dermbill.core.errors import InvalidFields, InvalidInput
from dermbill.core.patient_edits import new_coverage
from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.claim import Claim, ClaimLine
from dermbill.core.scrubber.rules.diagnoses import coverage as coverage_policy_rule
from dermbill.core.scrubber.rules.fields import prior_authorization as authorization_rule
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.core.training.modules import Module

MOHS_CODES = frozenset({"17311", "17312", "17313", "17314", "17315"})
FRONT_DESK_MODULES = ("coverage_ended", "member_id", "mohs_authorization", "abn", "payer_order")
# Scenario dates are drawn from the seed, never from today: one seed is one scenario on any day.
FIRST_DAY = datetime.date(2026, 1, 5)
DAYS = 360


@dataclass(frozen=True, slots=True)
class TrainingPayer:
    """A payer scenarios may use: its electronic payer ID, name, kind (medicare, medicaid, commercial), plan type."""

    identifier: str
    name: str
    kind: str
    is_hmo: bool = False


@dataclass(frozen=True, slots=True)
class PlannedService:
    """A procedure planned for the appointment, with its diagnosis and dermbill's own short words for it."""

    code: str
    diagnosis: str
    words: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CoverageEntry:
    """A coverage as the registration holds it."""

    payer: TrainingPayer
    member_id: str
    order: str  # primary, secondary
    effective_date: datetime.date
    termination_date: datetime.date | None = None

    def in_force(self, day: datetime.date) -> bool:
        """In force on ``day`` (dates out of order are the coverage edit rule's to report: never in force)."""
        return self.effective_date <= day and (self.termination_date is None or day <= self.termination_date)


@dataclass(frozen=True, slots=True)
class Registration:
    """What the desk has on screen for the visit."""

    patient_name: str
    date_of_birth: datetime.date
    sex: str
    appointment_date: datetime.date
    visit_type: str
    coverages: tuple[CoverageEntry, ...]
    planned: tuple[PlannedService, ...]
    prior_authorization: str | None = None
    abn_signed: bool = False

    def coverage(self, identifier: str) -> CoverageEntry:
        return next(c for c in self.coverages if c.payer.identifier == identifier)

    def primary_in_force(self) -> CoverageEntry | None:
        """The first coverage in order that is in force on the appointment date."""
        ordered = sorted(self.coverages, key=lambda c: ("primary", "secondary", "tertiary").index(c.order))
        return next((c for c in ordered if c.in_force(self.appointment_date)), None)


@dataclass(frozen=True, slots=True)
class PayerAnswer:
    """What the card and the payer say about one coverage: the printed member ID and the eligibility answer."""

    payer: TrainingPayer
    card_member_id: str
    ended_on: datetime.date | None = None  # the plan ended on this day (the 271 says inactive for the visit)
    other_payer_primary: str | None = None  # the payer ID the answer names as primary (coordination of benefits)

    def words(self, names: Mapping[str, str]) -> str:
        if self.ended_on is not None:
            return f"{self.payer.name}: inactive; the plan ended on {self.ended_on.isoformat()}"
        if self.other_payer_primary is not None:
            return (f"{self.payer.name}: active; other payer primary: "
                    f"{names.get(self.other_payer_primary, self.other_payer_primary)}")
        return f"{self.payer.name}: active on the visit date"


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """What the registration can be checked against."""

    answers: tuple[PayerAnswer, ...]
    authorization_approved: str | None = None  # the plan's approval number for the planned service
    abn_in_chart: bool = False  # the patient signed the ABN (CMS-R-131) for the planned service

    def answer(self, identifier: str) -> PayerAnswer | None:
        return next((a for a in self.answers if a.payer.identifier == identifier), None)

    def lines(self) -> list[str]:
        """The facts in plain words, as the trainee reads them."""
        names = {a.payer.identifier: a.payer.name for a in self.answers}
        found = [f"Insurance card, {a.payer.name}: member ID {a.card_member_id}" for a in self.answers]
        found += [f"Eligibility answer (271), {a.words(names)}" for a in self.answers]
        found.append(f"Authorization from the plan: approved, number {self.authorization_approved}"
                     if self.authorization_approved else "Authorization from the plan: none requested")
        found.append("Chart: ABN (CMS-R-131) signed by the patient for the planned removal, option 1"
                     if self.abn_in_chart else "Chart: no ABN signed")
        return found


@dataclass(frozen=True, slots=True)
class Field:
    """A field the trainee may correct: its key (what an answer names) and its label."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class PlantedError:
    """The error the generator planted: the field, the value that fixes it, and why."""

    field: str
    fix: str
    why: str


@dataclass(frozen=True, slots=True)
class FrontDeskScenario:
    module: str
    seed: int
    registration: Registration
    facts: SourceFacts
    planted: PlantedError


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's result on a registration: the rule, the field to correct, what is wrong, what to do."""

    rule: str
    field: str
    message: str
    fix: str


@dataclass(frozen=True, slots=True)
class RegistrationRules:
    """The rules a registration is checked with: the scrubber's tables (payer rules with the codes each payer
    wants authorized, Medicare's coverage policies) and the payers the billing company bills."""

    tables: ScrubTables
    payers: tuple[TrainingPayer, ...]

    @property
    def payer_ids(self) -> frozenset[str]:
        return frozenset(p.identifier for p in self.payers)

    @property
    def medicare_ids(self) -> frozenset[str]:
        return frozenset(p.identifier for p in self.payers if p.kind == "medicare")


def registration_rules(tables: ScrubTables, payers: Sequence[TrainingPayer]) -> RegistrationRules:
    """The rules, with each HMO's payer rule wanting Mohs authorized when the practice's rules do not say it yet
    (dermbill learns it from the HMO's CO-197 denials; a trainee should not have to wait for them)."""
    rules = dict(tables.payer_rules)
    for payer in payers:
        if payer.is_hmo:
            own = tables.payer_rule(payer.identifier, payer.kind)
            rules[payer.identifier] = dataclasses.replace(
                own, payer=payer.identifier, authorization_codes=own.authorization_codes | MOHS_CODES)
    return RegistrationRules(dataclasses.replace(tables, payer_rules=rules), tuple(payers))


# --- the rules --------------------------------------------------------------------------------------------------

def coverage_field(identifier: str, name: str) -> str:
    return f"coverage:{identifier}:{name}"


def registration_findings(registration: Registration, facts: SourceFacts, rules: RegistrationRules) -> list[Finding]:
    """Every problem with the registration, by the rules dermbill runs on a real one (see the module docstring)."""
    found: list[Finding] = []
    for entry in registration.coverages:
        found += _edit_rule_findings(registration, entry, rules)
        answer = facts.answer(entry.payer.identifier)
        if answer is None:
            continue
        if entry.member_id != answer.card_member_id:
            found.append(Finding("FD-MEMBER-ID", coverage_field(entry.payer.identifier, "member_id"),
                                 f"{entry.payer.name}: the member ID on file ({entry.member_id}) is not the one on "
                                 f"the card ({answer.card_member_id}); the payer would answer 'invalid member ID' "
                                 "(AAA 72) and deny the claim (CO-31)",
                                 "key the member ID exactly as the card prints it"))
        if answer.ended_on is not None and answer.ended_on < registration.appointment_date \
                and entry.termination_date != answer.ended_on:
            found.append(Finding("FD-COVERAGE-ENDED", coverage_field(entry.payer.identifier, "termination_date"),
                                 f"{entry.payer.name}: the payer says the plan ended on {answer.ended_on}, before the "
                                 f"visit on {registration.appointment_date}; the registration shows it "
                                 + (f"ending {entry.termination_date}" if entry.termination_date else "still open")
                                 + " (a claim to it is denied CO-27)",
                                 f"record the end date {answer.ended_on} and ask the patient for the current plan"))
    found += _order_findings(registration, facts)
    found += _claim_rule_findings(registration, facts, rules)
    return found


def _edit_rule_findings(registration: Registration, entry: CoverageEntry, rules: RegistrationRules) -> list[Finding]:
    values = {"payer": entry.payer.identifier, "member_id": entry.member_id, "coverage_order": entry.order,
              "relationship_code": "18", "effective_date": entry.effective_date,
              "termination_date": entry.termination_date}
    try:
        new_coverage(entry.payer.name, values, payers=rules.payer_ids, medicare_payers=rules.medicare_ids,
                     as_of=registration.appointment_date)
    except InvalidFields as refused:
        return [Finding("FD-EDIT", coverage_field(entry.payer.identifier, problem.field),
                        f"{entry.payer.name}: {problem.field}: {problem.message}", "correct the field")
                for problem in refused.problems]
    return []


def _order_findings(registration: Registration, facts: SourceFacts) -> list[Finding]:
    primary = registration.primary_in_force()
    if primary is None:
        return []
    in_force = {c.payer.identifier for c in registration.coverages if c.in_force(registration.appointment_date)}
    for answer in facts.answers:
        named = answer.other_payer_primary
        if answer.ended_on is None and named in in_force and named != primary.payer.identifier:
            other = registration.coverage(named).payer.name
            return [Finding("FD-PAYER-ORDER", "primary",
                            f"{answer.payer.name} says {other} pays first, but the registration lists "
                            f"{primary.payer.name} as primary (a claim to it is denied CO-22)",
                            f"make {other} primary and {primary.payer.name} secondary")]
    return []


def _claim_rule_findings(registration: Registration, facts: SourceFacts, rules: RegistrationRules) -> list[Finding]:
    """The scrubber's payer-authorization and coverage-policy rules on the claim the visit would make."""
    primary = registration.primary_in_force()
    if primary is None or not registration.planned:
        return []
    diagnoses = tuple(dict.fromkeys(service.diagnosis for service in registration.planned))
    lines = tuple(ClaimLine(number, service.code, 1,
                            service.modifiers + (("GA",) if registration.abn_signed and primary.payer.kind ==
                                                 "medicare" else ()),
                            (diagnoses.index(service.diagnosis) + 1,), None, ())
                  for number, service in enumerate(registration.planned, start=1))
    claim = Claim(date_of_service=registration.appointment_date, payer=primary.payer.kind, age=None, sex=None,
                  billing_npi=None, billing_taxonomy=None, rendering_npi=None, rendering_taxonomy=None,
                  place_of_service="11", diagnoses=diagnoses, lines=lines, documentation=None, prior_procedures=(),
                  submitted_on=None, problems=(), prior_authorization=registration.prior_authorization)
    check = Check(claim, rules.tables, registration.appointment_date, payer_key=primary.payer.identifier)
    found = [Finding(f.rule, "prior_authorization", f"{primary.payer.name}: {f.message}", f.fix)
             for f in authorization_rule(check)]
    if registration.prior_authorization and facts.authorization_approved \
            and registration.prior_authorization != facts.authorization_approved:
        found.append(Finding("FD-AUTH-NUMBER", "prior_authorization",
                             f"the authorization number on the appointment ({registration.prior_authorization}) is "
                             f"not the one the plan approved ({facts.authorization_approved})",
                             "enter the number exactly as the plan issued it"))
    found += [Finding(f.rule, "abn", f"{primary.payer.name}: {f.message}",
                      "give the patient an ABN (CMS-R-131) before the service and record it (the line then "
                      "carries GA)") for f in coverage_policy_rule(check)]
    return found


# --- the answer and the grade ----------------------------------------------------------------------------------

def fields_of(registration: Registration) -> list[Field]:
    """The fields a trainee may correct, in the order the registration shows them."""
    found = []
    for entry in registration.coverages:
        found.append(Field(coverage_field(entry.payer.identifier, "member_id"), f"{entry.payer.name}: member ID"))
        found.append(Field(coverage_field(entry.payer.identifier, "termination_date"),
                           f"{entry.payer.name}: end date"))
    found.append(Field("primary", "Primary payer (coverage order)"))
    found.append(Field("prior_authorization", "Appointment: authorization number"))
    found.append(Field("abn", "Appointment: ABN signed (yes or no)"))
    return found


@dataclass(frozen=True, slots=True)
class FixAnswer:
    """The trainee's answer: the field they correct and the value they give it."""

    field: str
    value: str


def apply_fix(registration: Registration, answer: FixAnswer) -> Registration:
    """The registration with the trainee's correction, or InvalidInput saying what the value should look like."""
    value = answer.value.strip()
    keys = {f.key for f in fields_of(registration)}
    if answer.field not in keys:
        raise InvalidInput(f"field: '{answer.field}' is not a field of this registration")
    if answer.field == "primary":
        chosen = _payer_named(registration, value)
        coverages = tuple(dataclasses.replace(c, order="primary" if c.payer.identifier == chosen else "secondary")
                          for c in registration.coverages)
        return dataclasses.replace(registration, coverages=coverages)
    if answer.field == "prior_authorization":
        return dataclasses.replace(registration, prior_authorization=value or None)
    if answer.field == "abn":
        if value.lower() not in ("yes", "no", "signed", "not signed", "y", "n"):
            raise InvalidInput("value: answer yes (the ABN was signed) or no")
        return dataclasses.replace(registration, abn_signed=value.lower() in ("yes", "signed", "y"))
    _, identifier, name = answer.field.split(":")
    entry = registration.coverage(identifier)
    if name == "member_id":
        changed = dataclasses.replace(entry, member_id=value.upper())
    else:
        changed = dataclasses.replace(entry, termination_date=_day(value) if value else None)
    return dataclasses.replace(registration, coverages=tuple(changed if c is entry else c
                                                             for c in registration.coverages))


def _payer_named(registration: Registration, text: str) -> str:
    for entry in registration.coverages:
        if text.upper() in (entry.payer.identifier.upper(), entry.payer.name.upper()):
            return entry.payer.identifier
    choices = ", ".join(f"{c.payer.identifier} ({c.payer.name})" for c in registration.coverages)
    raise InvalidInput(f"value: '{text}' is not one of the patient's payers ({choices})")


def _day(text: str) -> datetime.date:
    for form in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(text, form).date()
        except ValueError:
            continue
    raise InvalidInput(f"value: '{text}' is not a date (YYYY-MM-DD or MM/DD/YYYY)")


@dataclass(frozen=True, slots=True)
class FrontDeskGrade:
    """The score (0-100), what the trainee got right, and the explanation of the right answer."""

    score: int
    right_field: bool
    fixed: bool
    feedback: str
    explanation: str
    remaining: tuple[Finding, ...] = ()


def grade_front_desk(scenario: FrontDeskScenario, answer: FixAnswer, rules: RegistrationRules) -> FrontDeskGrade:
    """Score an answer: the right field and a fix that leaves the registration clean by the same rules is 100; the
    right field with a fix the rules still refuse is 50; any other field is 0."""
    planted = scenario.planted
    right_field = answer.field == planted.field
    try:
        fixed_registration = apply_fix(scenario.registration, answer)
    except InvalidInput as refused:
        remaining: tuple[Finding, ...] = ()
        fixed, problem = False, str(refused)
    else:
        remaining = tuple(registration_findings(fixed_registration, scenario.facts, rules))
        fixed, problem = not remaining, ""
    label = next(f.label for f in fields_of(scenario.registration) if f.key == planted.field)
    explanation = f"The error: {planted.why}. The fix: {label}: {planted.fix}."
    if right_field and fixed:
        return FrontDeskGrade(100, True, True, "Right: the registration is clean now.", explanation)
    if right_field:
        why = problem or "; ".join(f.message for f in remaining)
        return FrontDeskGrade(50, True, False, f"Right field, but the fix is not right yet: {why}", explanation,
                              remaining)
    return FrontDeskGrade(0, False, False, "That field was not the problem.", explanation, remaining)


# --- the generator -----------------------------------------------------------------------------------------------

LAST_NAMES = ("TEST", "SAMPLE", "EXAMPLE", "DEMO", "PRACTICE", "TRAINING")
FIRST_NAMES = ("ALPHA", "BETA", "GAMMA", "DELTA", "EPSILON", "ZETA", "ETA", "THETA", "IOTA", "KAPPA")
PLAIN_VISITS = (
    PlannedService("99213", "L57.0", "follow-up visit for actinic keratoses"),
    PlannedService("99214", "L40.0", "follow-up visit for psoriasis"),
    PlannedService("99203", "L30.9", "new patient visit for a rash"),
)
MOHS_SERVICES = (
    PlannedService("17311", "C44.311", "Mohs surgery on the nose, first stage (basal cell carcinoma)"),
    PlannedService("17311", "C44.319", "Mohs surgery on the cheek, first stage (basal cell carcinoma)"),
)
COSMETIC_REMOVALS = (
    PlannedService("17110", "L82.1", "destruction of seborrheic keratoses on the back; no itching, bleeding or "
                                     "inflammation"),
    PlannedService("11301", "L82.1", "shave removal of a 0.8 cm seborrheic keratosis of the forearm, no symptoms"),
)
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
SITUATIONS = ("visit", "two_plans", "hmo_mohs", "medicare_cosmetic")
# The situations a module's error can be planted in.
MODULE_SITUATIONS = {
    "member_id": SITUATIONS,
    "coverage_ended": ("visit",),
    "mohs_authorization": ("hmo_mohs",),
    "abn": ("medicare_cosmetic",),
    "payer_order": ("two_plans",),
}


def front_desk_scenario(module: Module, seed: int, payers: Sequence[TrainingPayer]) -> FrontDeskScenario:
    """A registration with exactly one planted error of ``module``'s kind; the same seed gives the same scenario."""
    if module.key not in MODULE_SITUATIONS:
        raise InvalidInput(f"'{module.key}' is not a front-desk module (those: {', '.join(FRONT_DESK_MODULES)})")
    rng = random.Random(f"{module.key}:{seed}")
    situation = rng.choice(MODULE_SITUATIONS[module.key])
    registration, facts = _clean(rng, situation, payers)
    registration, facts, planted = _PLANTERS[module.key](rng, registration, facts)
    return FrontDeskScenario(module.key, seed, registration, facts, planted)


def _by_kind(payers: Sequence[TrainingPayer], kind: str, *, hmo: bool | None = False) -> list[TrainingPayer]:
    return [p for p in payers if p.kind == kind and (hmo is None or p.is_hmo == hmo)]


def _member_id(rng: random.Random, payer: TrainingPayer) -> str:
    """A member ID whose two last digits differ (so swapping them makes a different ID); an MBI for Medicare."""
    last = rng.sample("0123456789", 2)
    if payer.kind == "medicare":
        letter = _MBI_LETTERS
        head = (f"{rng.choice('123456789')}{rng.choice(letter)}{rng.choice(letter + '0123456789')}"
                f"{rng.choice('0123456789')}{rng.choice(letter)}{rng.choice(letter + '0123456789')}"
                f"{rng.choice('0123456789')}{rng.choice(letter)}{rng.choice(letter)}")
        return head + "".join(last)
    prefix = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
    return prefix + "".join(rng.choice("0123456789") for _ in range(7)) + "".join(last)


def _clean(rng: random.Random, situation: str, payers: Sequence[TrainingPayer]
           ) -> tuple[Registration, SourceFacts]:
    day = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
    day -= datetime.timedelta(days=day.weekday() // 5 * (day.weekday() - 4))  # a weekday
    medicare_age = situation in ("two_plans", "medicare_cosmetic")
    age = rng.randint(66, 84) if medicare_age else rng.randint(24, 63)
    birth = datetime.date(day.year - age, rng.randint(1, 12), rng.randint(1, 28))
    name = f"{rng.choice(LAST_NAMES)}, {rng.choice(FIRST_NAMES)}"
    since = datetime.date(day.year - rng.randint(1, 6), 1, 1)
    authorization: str | None = None
    abn = False
    if situation == "hmo_mohs":
        plans = [rng.choice(_by_kind(payers, "commercial", hmo=True))]
        planned = (rng.choice(MOHS_SERVICES),)
        authorization = f"PA{rng.randrange(10**7, 10**8)}"
        visit_type = "Mohs surgery"
    elif situation == "medicare_cosmetic":
        plans = [rng.choice(_by_kind(payers, "medicare"))]
        planned = (rng.choice(COSMETIC_REMOVALS),)
        abn = True
        visit_type = "procedure"
    elif situation == "two_plans":  # still working: the employer plan pays first, Medicare second
        plans = [rng.choice(_by_kind(payers, "commercial")), rng.choice(_by_kind(payers, "medicare"))]
        planned = (rng.choice(PLAIN_VISITS),)
        visit_type = "follow-up"
    else:
        plans = [rng.choice(_by_kind(payers, "commercial") + _by_kind(payers, "medicaid"))]
        planned = (rng.choice(PLAIN_VISITS),)
        visit_type = "follow-up" if planned[0].code != "99203" else "new patient"
    coverages = []
    answers = []
    for index, payer in enumerate(plans):
        member = _member_id(rng, payer)
        coverages.append(CoverageEntry(payer, member, "primary" if index == 0 else "secondary", since))
        other = plans[0].identifier if index > 0 else None
        answers.append(PayerAnswer(payer, member, other_payer_primary=other))
    registration = Registration(name, birth, rng.choice("FM"), day, visit_type, tuple(coverages), planned,
                                prior_authorization=authorization, abn_signed=abn)
    return registration, SourceFacts(tuple(answers), authorization_approved=authorization, abn_in_chart=abn)


Planted = tuple[Registration, SourceFacts, PlantedError]


def _replace_coverage(registration: Registration, old: CoverageEntry, new: CoverageEntry) -> Registration:
    return dataclasses.replace(registration, coverages=tuple(new if c is old else c for c in registration.coverages))


def _plant_member_id(rng: random.Random, registration: Registration, facts: SourceFacts) -> Planted:
    entry = rng.choice(registration.coverages)
    right = entry.member_id
    swapped = right[:-2] + right[-1] + right[-2]
    planted = _replace_coverage(registration, entry, dataclasses.replace(entry, member_id=swapped))
    return planted, facts, PlantedError(coverage_field(entry.payer.identifier, "member_id"), right,
                                        f"the member ID of {entry.payer.name} was keyed {swapped}: the last two "
                                        f"digits are swapped; the card prints {right}")


def _plant_coverage_ended(rng: random.Random, registration: Registration, facts: SourceFacts) -> Planted:
    entry = registration.coverages[0]
    ended = registration.appointment_date.replace(day=1) - datetime.timedelta(days=1)  # last month's last day
    answers = tuple(dataclasses.replace(a, ended_on=ended) if a.payer == entry.payer else a for a in facts.answers)
    return registration, dataclasses.replace(facts, answers=answers), PlantedError(
        coverage_field(entry.payer.identifier, "termination_date"), ended.isoformat(),
        f"{entry.payer.name} ended on {ended}, the month before the visit, and the registration still shows it "
        "open; record the end date and ask for the new plan's card")


def _plant_authorization(rng: random.Random, registration: Registration, facts: SourceFacts) -> Planted:
    number = facts.authorization_approved or ""
    return dataclasses.replace(registration, prior_authorization=None), facts, PlantedError(
        "prior_authorization", number,
        f"{registration.coverages[0].payer.name} is an HMO and wants Mohs authorized; the plan approved {number}, "
        "but the appointment does not carry the number")


def _plant_abn(rng: random.Random, registration: Registration, facts: SourceFacts) -> Planted:
    return dataclasses.replace(registration, abn_signed=False), facts, PlantedError(
        "abn", "yes", "the removal is cosmetic under Medicare's benign lesion policy; the patient signed the ABN, "
                      "but the appointment does not record it, so the claim would go without GA and be denied "
                      "with nobody to bill")


def _plant_payer_order(rng: random.Random, registration: Registration, facts: SourceFacts) -> Planted:
    first, second = registration.coverages
    swapped = (dataclasses.replace(first, order="secondary"), dataclasses.replace(second, order="primary"))
    return dataclasses.replace(registration, coverages=swapped), facts, PlantedError(
        "primary", first.payer.identifier,
        f"{second.payer.name} says {first.payer.name} pays first (the patient still works), but the registration "
        f"lists {second.payer.name} as primary")


_PLANTERS = {
    "member_id": _plant_member_id,
    "coverage_ended": _plant_coverage_ended,
    "mohs_authorization": _plant_authorization,
    "abn": _plant_abn,
    "payer_order": _plant_payer_order,
}
