"""Training use cases: assign modules from the practice's denials, take them, grade them, report on them.

``assign_from_denials`` reads the denial work queue of the last 90 days (adjudicated up to ``as_of``), finds who
did the step that caused each denial in the audit trail (who registered or edited the patient's coverage; who
entered or changed the encounter's coding) and falls back to the practice's staff with that step's role; it makes
one assignment per person and module unless one is open (idempotent). Scenarios are generated from a seed derived
from the assignment and the scenario's place in it, so the trainee, the grader and a test all see the same one;
front-desk scenarios are checked with the same rules the software runs (``core.training.registration``), coder
vignettes come from the synthetic encounter generator and are graded against the coding engine. The payers of
scenarios are the demo's fictional payers and the patients are made up: no PHI is shown or stored by training.
"""

from __future__ import annotations

import datetime
import functools
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dermbill.core.access import Permission, Role, require
from dermbill.core.coding.result import CodingResult
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.training.assignment import (
    LOOKBACK_DAYS,
    DenialFact,
    Rate,
    StaffMember,
    assignments_from_denials,
    front_desk_rates,
)
from dermbill.core.training.coder import (
    AnswerLine,
    CoderGrade,
    CoderScenario,
    coder_scenario,
    grade_coding,
    usable,
)
from dermbill.core.training.modules import MODULES, SCENARIOS_PER_MODULE, Module, Step, cause_of_denial, module
from dermbill.core.training.registration import (
    FIRST_DAY,
    FixAnswer,
    FrontDeskGrade,
    FrontDeskScenario,
    RegistrationRules,
    TrainingPayer,
    fields_of,
    front_desk_scenario,
    grade_front_desk,
    registration_rules,
)
from dermbill.db.engine import Database
from dermbill.db.models import (
    AuditEventRow,
    ClaimRow,
    CoverageRow,
    DenialItemRow,
    LineAdjudicationRow,
    PracticeRow,
    TrainingAssignmentRow,
    TrainingAttemptRow,
    UserAccountRow,
    UserPracticeRow,
    UserRoleRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.services.coding import code_document
from dermbill.services.users import User
from dermbill.synthetic.encounters import document_encounter
from dermbill.synthetic.people import PAYERS

# What the audit trail records when a person does a step (services/intake.py, patients.py, encounter_coding.py).
FRONT_DESK_ACTIONS = ("patient.registered", "coverage.registered", "coverage.edited")
CODING_ACTIONS = ("encounter.entered", "encounter.changed", "encounter.reviewed")
MAX_DRAWS = 60  # coder vignettes: encounters drawn until one is billable and not on hold


# --- scenarios ---------------------------------------------------------------------------------------------------

def training_payers() -> tuple[TrainingPayer, ...]:
    """The fictional payers scenarios use (the demo's): an HM filing indicator (X12 SBR09) marks the HMO."""
    return tuple(TrainingPayer(p.payer_identifier, p.name, p.kind, is_hmo=p.claim_filing_indicator_code == "HM")
                 for p in PAYERS)


@functools.cache
def training_rules() -> RegistrationRules:
    """The rules front-desk scenarios are checked with: the shipped scrubber tables and the payers."""
    return registration_rules(scrub_tables(), training_payers())


def scenario_seed(assignment_id: int, number: int) -> int:
    """The seed of an assignment's scenario ``number`` (1-based): fixed, so a page reload shows the same one."""
    return assignment_id * 1009 + number


Scenario = FrontDeskScenario | CoderScenario


def scenario_for(module_key: str, seed: int) -> Scenario:
    """The scenario of a module for a seed (the same seed, the same scenario)."""
    found = module(module_key)
    if found.is_front_desk:
        return front_desk_scenario(found, seed, training_payers())
    return coder_vignette(found, seed)


def coder_vignette(found: Module, seed: int) -> CoderScenario:
    """A vignette from the synthetic encounter generator, with the coding engine's result as the answer."""
    rng = random.Random(f"{found.key}:{seed}")
    result: CodingResult | None = None
    for _ in range(MAX_DRAWS):
        kind = rng.choice(found.encounter_kinds)
        age = rng.randint(30, 88)
        payer = "medicare" if age >= 65 else rng.choice(("commercial", "medicaid"))
        day = FIRST_DAY + datetime.timedelta(days=rng.randrange(300))
        document = document_encounter(rng, date_of_service=day, age=age, sex=rng.choice("FM"), payer=payer,
                                      kind=kind)
        result = code_document(document)
        if usable(result):
            return coder_scenario(found.key, seed, document, result)
    raise InvalidInput(f"no billable vignette for module {found.key} from seed {seed}; try another seed")


# --- views -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AttemptView:
    scenario: int
    seed: int
    score: int
    completed_at: datetime.datetime


@dataclass(frozen=True, slots=True)
class AssignmentView:
    id: int
    practice: str
    user_id: int
    email: str
    name: str
    module: Module
    reasons: tuple[dict[str, Any], ...]
    assigned_at: datetime.datetime
    due_on: datetime.date
    status: str
    score: int | None
    completed_at: datetime.datetime | None
    attempts: tuple[AttemptView, ...] = ()

    @property
    def answered(self) -> int:
        return len(self.attempts)

    @property
    def next_scenario(self) -> int | None:
        """The place of the next scenario to answer, or None when every one is answered."""
        done = {a.scenario for a in self.attempts}
        return next((n for n in range(1, SCENARIOS_PER_MODULE + 1) if n not in done), None)

    def why(self) -> str:
        """The denials that caused it, in short: "CO-27 on claims D1-..., D1-... (2 denials)"."""
        carcs = sorted({f"{r.get('group') or 'CO'}-{r['carc']}" if r.get("carc") else str(r.get("category"))
                        for r in self.reasons})
        claims = [str(r["claim"]) for r in self.reasons[:3]]
        more = f" and {len(self.reasons) - 3} more" if len(self.reasons) > 3 else ""
        return f"{', '.join(carcs)} on claim{'s' if len(self.reasons) > 1 else ''} {', '.join(claims)}{more}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "practice": self.practice, "user": self.email, "name": self.name,
                "module": self.module.key, "title": self.module.title, "step": self.module.step.value,
                "denial": self.module.denial, "why": self.why(), "denials": list(self.reasons),
                "assigned_at": self.assigned_at.isoformat(), "due_on": self.due_on.isoformat(),
                "status": self.status, "progress": f"{self.answered}/{SCENARIOS_PER_MODULE}",
                "score": self.score,
                "completed_at": self.completed_at.isoformat() if self.completed_at else None,
                "scenarios": [{"scenario": a.scenario, "seed": a.seed, "score": a.score} for a in self.attempts]}


def _views(uow: UnitOfWork, rows: Sequence[TrainingAssignmentRow]) -> list[AssignmentView]:
    if not rows:
        return []
    users = {u.id: u for u in uow.session.scalars(select(UserAccountRow).where(
        UserAccountRow.id.in_({r.user_id for r in rows})))}
    codes = {pid: code for pid, code in uow.session.execute(select(PracticeRow.id, PracticeRow.code).where(
        PracticeRow.id.in_({r.practice_id for r in rows})))}
    attempts: dict[int, list[AttemptView]] = {}
    for attempt in uow.session.scalars(select(TrainingAttemptRow).where(
            TrainingAttemptRow.assignment_id.in_([r.id for r in rows])).order_by(TrainingAttemptRow.scenario)):
        attempts.setdefault(attempt.assignment_id, []).append(
            AttemptView(attempt.scenario, attempt.seed, attempt.score, attempt.completed_at))
    return [AssignmentView(r.id, codes[r.practice_id], r.user_id, users[r.user_id].email,
                           users[r.user_id].display_name, module(r.module), tuple(r.reasons), r.assigned_at,
                           r.due_on, r.status, r.score, r.completed_at, tuple(attempts.get(r.id, ())))
            for r in rows]


def _practice_ids(uow: UnitOfWork, organization_id: int | None, practice: str | None,
                  allowed: Collection[int] | None) -> list[int]:
    query = select(PracticeRow.id, PracticeRow.code).order_by(PracticeRow.code)
    if organization_id is not None:
        query = query.where(PracticeRow.organization_id == organization_id)
    found = [(pid, code) for pid, code in uow.session.execute(query)
             if allowed is None or pid in allowed]
    if practice is not None:
        chosen = [pid for pid, code in found if code == practice.strip().upper()]
        if not chosen:
            raise InvalidInput(f"practice: '{practice}' is not a practice you can see "
                               f"(practices: {', '.join(code for _, code in found) or 'none'})")
        return chosen
    return [pid for pid, _ in found]


def list_assignments(database: Database, *, practice: str | None = None, email: str | None = None,
                     practice_ids: Collection[int] | None = None, actor: str) -> list[AssignmentView]:
    """Assignments of the practices (``practice_ids``: those the caller may see; None: every one), newest first,
    optionally of one practice code and one user's e-mail."""
    with UnitOfWork(database, actor=actor) as uow:
        ids = _practice_ids(uow, None, practice, practice_ids)
        query = select(TrainingAssignmentRow).where(TrainingAssignmentRow.practice_id.in_(ids))
        if email is not None:
            user = uow.session.scalars(select(UserAccountRow).where(
                UserAccountRow.email == email.strip().lower())).first()
            if user is None:
                raise InvalidInput(f"user: no staff member has the e-mail '{email}'")
            query = query.where(TrainingAssignmentRow.user_id == user.id)
        rows = list(uow.session.scalars(query.order_by(TrainingAssignmentRow.assigned_at.desc(),
                                                       TrainingAssignmentRow.id.desc())))
        views = _views(uow, rows)
        if ids:
            uow.audit_practices("training.listed", "training_assignment", ids, detail={"assignments": len(views)})
        uow.commit()
    return views


def my_assignments(database: Database, user: User) -> list[AssignmentView]:
    """The signed-in user's own assignments, open ones first."""
    require(user.roles, Permission.TAKE_TRAINING)
    if not user.practice_ids:
        return []
    with UnitOfWork(database, actor=user.email) as uow:
        rows = list(uow.session.scalars(select(TrainingAssignmentRow).where(
            TrainingAssignmentRow.user_id == user.id,
            TrainingAssignmentRow.practice_id.in_(user.practice_ids)).order_by(
            TrainingAssignmentRow.status.desc(), TrainingAssignmentRow.due_on, TrainingAssignmentRow.id)))
        views = _views(uow, rows)
        # The reasons name claims: a read of them is recorded, as the denial queue's are.
        uow.audit_practices("training.listed", "training_assignment", user.practice_ids,
                            detail={"assignments": len(views), "own": True})
        uow.commit()
    return views


def _own_assignment(uow: UnitOfWork, user: User, assignment_id: int) -> TrainingAssignmentRow:
    row = uow.session.get(TrainingAssignmentRow, assignment_id)
    if row is None or row.user_id != user.id or row.practice_id not in user.practice_ids:
        raise NotFound(f"training assignment {assignment_id} is not one of yours")
    return row


def my_assignment(database: Database, user: User, assignment_id: int) -> AssignmentView:
    """One of the user's own assignments (another person's is NotFound)."""
    require(user.roles, Permission.TAKE_TRAINING)
    with UnitOfWork(database, actor=user.email) as uow:
        return _views(uow, [_own_assignment(uow, user, assignment_id)])[0]


# --- answering ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Answered:
    assignment: AssignmentView
    scenario: Scenario
    grade: FrontDeskGrade | CoderGrade


def _record(database: Database, user: User, assignment_id: int, number: int, answers: dict[str, Any],
            grade_of: Any) -> Answered:
    require(user.roles, Permission.TAKE_TRAINING)
    if not 1 <= number <= SCENARIOS_PER_MODULE:
        raise InvalidInput(f"scenario: {number} is not a scenario of the module (1 to {SCENARIOS_PER_MODULE})")
    with UnitOfWork(database, actor=user.email) as uow:
        row = _own_assignment(uow, user, assignment_id)
        repo = uow.practice(row.practice_id)
        done = repo.rows(TrainingAttemptRow, TrainingAttemptRow.assignment_id == row.id)
        if any(a.scenario == number for a in done):
            raise InvalidInput(f"scenario: scenario {number} of this module is already answered; go on to the next")
        seed = scenario_seed(row.id, number)
        scenario = scenario_for(row.module, seed)
        grade = grade_of(scenario)
        now = uow.clock()
        repo.add(TrainingAttemptRow(assignment_id=row.id, scenario=number, seed=seed, answers=answers,
                                    score=grade.score, completed_at=now))
        scores = [a.score for a in done] + [grade.score]
        if len(scores) >= SCENARIOS_PER_MODULE and row.status == "open":
            row.status, row.completed_at, row.score = "completed", now, sum(scores) // len(scores)
        repo.audit("training.answered", "training_assignment", row.id,
                   {"module": row.module, "scenario": number, "score": grade.score, "status": row.status})
        repo.flush()
        view = _views(uow, [row])[0]
        uow.commit()
    return Answered(view, scenario, grade)


def answer_front_desk(database: Database, user: User, assignment_id: int, number: int,
                      answer: FixAnswer) -> Answered:
    """Grade and keep the trainee's fix for a front-desk scenario."""
    def grade(scenario: Scenario) -> FrontDeskGrade:
        if not isinstance(scenario, FrontDeskScenario):
            raise InvalidInput("answer: this module's scenarios are coded, not corrected: enter code lines")
        if answer.field not in {f.key for f in fields_of(scenario.registration)}:
            raise InvalidInput("field: choose the field that is wrong from the list")
        return grade_front_desk(scenario, answer, training_rules())
    return _record(database, user, assignment_id, number, {"field": answer.field, "value": answer.value}, grade)


def answer_coding(database: Database, user: User, assignment_id: int, number: int,
                  lines: Sequence[AnswerLine]) -> Answered:
    """Grade and keep the trainee's code lines for a coder vignette."""
    if not lines:
        raise InvalidInput("lines: enter at least one line (a procedure code with its units, modifiers and "
                           "diagnoses)")

    def grade(scenario: Scenario) -> CoderGrade:
        if not isinstance(scenario, CoderScenario):
            raise InvalidInput("answer: this module's scenarios are corrected, not coded: choose a field and a fix")
        return grade_coding(scenario.expected, lines)
    answers = {"lines": [{"code": a.code, "units": a.units, "modifiers": list(a.modifiers),
                          "diagnoses": list(a.diagnoses)} for a in lines]}
    return _record(database, user, assignment_id, number, answers, grade)


@dataclass(frozen=True, slots=True)
class ScenarioPage:
    """A scenario of one of the user's assignments, with its grade once answered (graded again from the stored
    answers: the same seed gives the same scenario, so the same grade)."""

    assignment: AssignmentView
    number: int
    scenario: Scenario
    answers: dict[str, Any] | None
    grade: FrontDeskGrade | CoderGrade | None


def my_scenario(database: Database, user: User, assignment_id: int, number: int) -> ScenarioPage:
    """Scenario ``number`` (1-based) of one of the user's own assignments."""
    require(user.roles, Permission.TAKE_TRAINING)
    if not 1 <= number <= SCENARIOS_PER_MODULE:
        raise NotFound(f"scenario {number} is not a scenario of the module (1 to {SCENARIOS_PER_MODULE})")
    with UnitOfWork(database, actor=user.email) as uow:
        row = _own_assignment(uow, user, assignment_id)
        view = _views(uow, [row])[0]
        attempt = next((a for a in uow.practice(row.practice_id).rows(
            TrainingAttemptRow, TrainingAttemptRow.assignment_id == row.id) if a.scenario == number), None)
        answers = dict(attempt.answers) if attempt is not None else None
        module_key = row.module
    scenario = scenario_for(module_key, scenario_seed(assignment_id, number))
    grade: FrontDeskGrade | CoderGrade | None = None
    if answers is not None:
        if isinstance(scenario, FrontDeskScenario):
            grade = grade_front_desk(scenario, FixAnswer(str(answers.get("field", "")), str(answers.get("value", ""))),
                                     training_rules())
        else:
            lines = [AnswerLine(str(a["code"]), int(a["units"]), tuple(a["modifiers"]), tuple(a["diagnoses"]))
                     for a in answers.get("lines", [])]
            grade = grade_coding(scenario.expected, lines)
    return ScenarioPage(view, number, scenario, answers, grade)


# --- assignment from denials ---------------------------------------------------------------------------------------

@dataclass(slots=True)
class AssignReport:
    denials_read: int = 0
    by_step: dict[str, int] = field(default_factory=dict)
    assigned: list[AssignmentView] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"denials_read": self.denials_read, "denials_by_step": self.by_step,
                "assigned": [a.to_json() for a in self.assigned]}


def _actors(uow: UnitOfWork, practice_id: int, entity_type: str, actions: tuple[str, ...],
            ids: Collection[int]) -> dict[int, set[str]]:
    """Who did ``actions`` to these records of the practice, by record id (the audit trail)."""
    if not ids:
        return {}
    found: dict[int, set[str]] = {}
    for entity_id, actor in uow.session.execute(select(AuditEventRow.entity_id, AuditEventRow.actor).where(
            AuditEventRow.practice_id == practice_id, AuditEventRow.entity_type == entity_type,
            AuditEventRow.action.in_(actions), AuditEventRow.entity_id.in_(set(ids)))):
        if entity_id is not None:
            found.setdefault(entity_id, set()).add(actor)
    return found


def _denial_facts(repo: PracticeRepository, as_of: datetime.date) -> list[DenialFact]:
    since = as_of - datetime.timedelta(days=LOOKBACK_DAYS)
    items = repo.rows(DenialItemRow, DenialItemRow.kind == "denial", DenialItemRow.adjudicated_on >= since,
                      DenialItemRow.adjudicated_on <= as_of)
    claims = {c.id: c for c in repo.rows(ClaimRow, ClaimRow.id.in_({i.claim_id for i in items}))} if items else {}
    patients = {c.patient_id for c in claims.values()}
    coverages = repo.rows(CoverageRow, CoverageRow.patient_id.in_(patients)) if patients else []
    coverage_actors = _actors(repo.uow, repo.practice_id, "coverage", FRONT_DESK_ACTIONS, [c.id for c in coverages])
    patient_actors = _actors(repo.uow, repo.practice_id, "patient", FRONT_DESK_ACTIONS, patients)
    encounter_actors = _actors(repo.uow, repo.practice_id, "encounter", CODING_ACTIONS,
                               {c.encounter_id for c in claims.values() if c.encounter_id is not None})
    by_patient: dict[int, set[str]] = {}
    for coverage in coverages:
        by_patient.setdefault(coverage.patient_id, set()).update(coverage_actors.get(coverage.id, set()))
    facts = []
    for item in items:
        claim = claims[item.claim_id]
        desk = by_patient.get(claim.patient_id, set()) | patient_actors.get(claim.patient_id, set())
        coding = encounter_actors.get(claim.encounter_id, set()) if claim.encounter_id is not None else set()
        facts.append(DenialFact(item.id, claim.patient_control_number, item.category, item.carc, item.action,
                                item.adjudicated_on, tuple(sorted(desk)), tuple(sorted(coding)), item.group_code))
    return facts


def _staff(uow: UnitOfWork, practice_id: int) -> list[StaffMember]:
    """The practice's active staff with their roles."""
    users = list(uow.session.scalars(select(UserAccountRow).join(
        UserPracticeRow, UserPracticeRow.user_id == UserAccountRow.id).where(
        UserPracticeRow.practice_id == practice_id, UserAccountRow.disabled.is_(False)).order_by(UserAccountRow.id)))
    roles: dict[int, set[str]] = {}
    if users:
        for user_id, role in uow.session.execute(select(UserRoleRow.user_id, UserRoleRow.role).where(
                UserRoleRow.user_id.in_([u.id for u in users]))):
            roles.setdefault(user_id, set()).add(role)
    trainable = {role.value for role in Role if role is not Role.AUDITOR}
    return [StaffMember(u.id, u.email, frozenset(roles.get(u.id, set()))) for u in users
            if roles.get(u.id, set()) & trainable]


def assign_from_denials(database: Database, *, as_of: datetime.date, actor: str, practice: str | None = None,
                        practice_ids: Collection[int] | None = None) -> AssignReport:
    """Assign modules to each practice's staff from the denials of the last 90 days (see the module docstring).
    Running it again assigns nothing new until a module is completed or new denials call for another one."""
    report = AssignReport()
    with UnitOfWork(database, actor=actor) as uow:
        made = []
        for practice_id in _practice_ids(uow, None, practice, practice_ids):
            repo = uow.practice(practice_id)
            facts = _denial_facts(repo, as_of)
            report.denials_read += len(facts)
            for fact in facts:
                step = cause_of_denial(fact.category, fact.carc, fact.action).step
                key = step.value if step else "none"
                report.by_step[key] = report.by_step.get(key, 0) + 1
            staff = _staff(uow, practice_id)
            open_modules = {(r.user_id, r.module) for r in repo.rows(
                TrainingAssignmentRow, TrainingAssignmentRow.status == "open")}
            now = uow.clock()
            for new in assignments_from_denials(facts, staff, open_modules=open_modules, as_of=as_of):
                row = repo.add(TrainingAssignmentRow(user_id=new.user_id, module=new.module,
                                                     reasons=list(new.reasons), assigned_by=actor, assigned_at=now,
                                                     due_on=new.due_on, status="open"))
                repo.flush()
                repo.audit("training.assigned", "training_assignment", row.id,
                           {"user": new.user_id, "module": new.module, "denials": len(new.reasons)})
                made.append(row)
        report.assigned = _views(uow, made)
        uow.commit()
    return report


# --- the manager's report ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PersonProgress:
    email: str
    name: str
    assigned: int
    completed: int
    mean_score: int | None
    modules: tuple[AssignmentView, ...]

    def to_json(self) -> dict[str, Any]:
        return {"user": self.email, "name": self.name, "assigned": self.assigned, "completed": self.completed,
                "mean_score": self.mean_score,
                "modules": [{"module": m.module.key, "status": m.status, "score": m.score,
                             "progress": f"{m.answered}/{SCENARIOS_PER_MODULE}"} for m in self.modules]}


@dataclass(frozen=True, slots=True)
class PracticeTraining:
    practice: str
    people: tuple[PersonProgress, ...]
    first_completion: datetime.date | None
    before: Rate | None
    after: Rate | None

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "people": [p.to_json() for p in self.people],
                "first_completion": self.first_completion.isoformat() if self.first_completion else None,
                "front_desk_denial_rate_before": self.before.to_json() if self.before else None,
                "front_desk_denial_rate_after": self.after.to_json() if self.after else None}


def training_report(database: Database, user: User | None = None, *, practice: str | None = None,
                    actor: str) -> list[PracticeTraining]:
    """Per practice: each person's modules assigned and completed and mean score; the front-desk denial rate in the
    90 days before the first completed module and from it on (None before any completion). ``user``: a manager
    of the staff application (their practices only); None: the CLI."""
    if user is not None:
        require(user.roles, Permission.MANAGE_TRAINING)
    allowed = user.practice_ids if user is not None else None
    result = []
    with UnitOfWork(database, actor=actor) as uow:
        ids = _practice_ids(uow, user.organization_id if user else None, practice, allowed)
        for practice_id in ids:
            repo = uow.practice(practice_id)
            views = _views(uow, repo.rows(TrainingAssignmentRow, order_by=TrainingAssignmentRow.id))
            people = []
            for email in sorted({v.email for v in views}):
                own = tuple(v for v in views if v.email == email)
                scores = [v.score for v in own if v.score is not None]
                people.append(PersonProgress(email, own[0].name, len(own),
                                             sum(v.status == "completed" for v in own),
                                             sum(scores) // len(scores) if scores else None, own))
            completions = [v.completed_at for v in views if v.completed_at is not None]
            first = min(completions).date() if completions else None
            before = after = None
            if first is not None:
                before, after = front_desk_rates(*_claims_adjudicated(repo), first)
            result.append(PracticeTraining(repo.practice.code, tuple(people), first, before, after))
        if ids:
            uow.audit_practices("training.report", "training_assignment", ids)
        uow.commit()
    return result


def _claims_adjudicated(repo: PracticeRepository) -> tuple[dict[int, datetime.date], dict[int, datetime.date]]:
    """claim -> first adjudication day; claim -> first front-desk denial day (status 22, reversals, left out)."""
    adjudicated: dict[int, datetime.date] = {}
    for claim_id, day in repo.session.execute(select(LineAdjudicationRow.claim_id, LineAdjudicationRow.adjudicated_on)
                                              .where(LineAdjudicationRow.practice_id == repo.practice_id,
                                                     LineAdjudicationRow.status_code != "22")):
        adjudicated[claim_id] = min(day, adjudicated.get(claim_id, day))
    denied: dict[int, datetime.date] = {}
    for item in repo.rows(DenialItemRow, DenialItemRow.kind == "denial"):
        if cause_of_denial(item.category, item.carc, item.action).step is Step.FRONT_DESK:
            denied[item.claim_id] = min(item.adjudicated_on, denied.get(item.claim_id, item.adjudicated_on))
    return adjudicated, denied


def module_catalogue() -> list[dict[str, Any]]:
    """Every module: key, title, step, the denial it prevents, its lesson."""
    return [{"module": m.key, "title": m.title, "step": m.step.value, "denial": m.denial, "lesson": list(m.lesson),
             "scenarios": SCENARIOS_PER_MODULE} for m in MODULES]


def assign_demo_training(database: Database, *, as_of: datetime.date) -> AssignReport:
    """The demo's call: assign modules to its staff from the denials its revenue cycle produced."""
    return assign_from_denials(database, as_of=as_of, actor="demo")


