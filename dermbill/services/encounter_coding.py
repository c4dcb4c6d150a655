"""The coder's workspace: enter an encounter's documentation and code it, query the provider about a gap, and review
the engine's lines as a second coder.

- ``preview`` codes a document as it is typed (no database): the lines, the diagnoses and every gap in words.
- ``save_encounter`` keeps the documentation as an encounter and codes it with the same engine as ``dermbill
  code``. Nothing waiting, it makes the claim (``make_claim``, as the pathology inbox does); a pending pathology
  report or an open query holds the encounter instead, and its claim is made when the last of them is resolved.
- ``send_query`` stores a gap as a question to the encounter's provider; ``answer_query`` records the answer.
- ``record_review`` keeps a second coder's decision on each engine line (who, why); ``agreement_rates`` counts
  how often the engine was right, per code family, for the reports.

Every read of an encounter or patient and every change is audited; every query is scoped to the caller's practices.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from dermbill.core.coding.body_map import BodyMap, body_map, site_words
from dermbill.core.coding.encounter import Encounter
from dermbill.core.coding.engine import code_encounter
from dermbill.core.coding.entry import beyond_the_form, in_words
from dermbill.core.coding.gaps import Gap, gaps_of
from dermbill.core.coding.result import CodedLine, CodingResult
from dermbill.core.coding.review import FamilyAgreement, LineDecision, agreement_by_family, code_family, is_change
from dermbill.core.coding.tables import CodingTables
from dermbill.core.dates import age_on
from dermbill.core.errors import DermbillError, InvalidFields, InvalidTransition, NotFound, Problem
from dermbill.db.engine import Database
from dermbill.db.models import (
    AuditEventRow,
    ClaimRow,
    CodingQueryRow,
    CodingReviewRow,
    EncounterRow,
    PatientRow,
    PayerRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.reference.coding_tables import coding_tables
from dermbill.services.authorizations import authorization_for_claim
from dermbill.services.charges_in import claim_number, practice_prices, primary_coverage
from dermbill.services.coding import claim_rows, parse_document

EDITABLE = ("documented", "held")  # an encounter whose documentation may still change (no claim yet)
ENTERED = ("encounter.entered", "encounter.changed")


@dataclass(frozen=True, slots=True)
class Coded:
    """What the engine made of a document: its result and the gaps in words, or the error that stops it."""

    result: CodingResult | None
    gaps: tuple[Gap, ...]
    error: str | None = None


def site_map(tables: CodingTables | None = None) -> BodyMap:
    """The body map of the engine's site table."""
    tables = tables or coding_tables()
    return body_map((site, info.paired) for site, info in tables.sites.sites.items())


def coded(document: Any, tables: CodingTables | None = None) -> Coded:
    """Code a document; an error names the lesion and field in the screen's words."""
    tables = tables or coding_tables()
    ids = [str(lesion.get("id", "")) for lesion in document.get("lesions") or [] if isinstance(lesion, dict)] \
        if isinstance(document, dict) else []
    try:
        encounter = parse_document(document)
        result = code_encounter(encounter, tables)
    except (DermbillError, LookupError) as exc:
        return Coded(None, (), in_words(str(exc), ids))
    return Coded(result, tuple(gaps_of(result, _places(encounter), _services(encounter))))


def preview(document: Any) -> Coded:
    """The live result of the entry screen."""
    return coded(document)


def _places(encounter: Encounter) -> dict[str, str]:
    return {lesion.id: site_words(lesion.site, lesion.laterality) for lesion in encounter.lesions}


def _services(encounter: Encounter) -> dict[str, str]:
    return {service.where: service.type for service in encounter.services}


# --- the entry screen's patient --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EntryPatient:
    patient_id: int
    practice: str
    account_number: str
    name: str
    age: int
    sex: str
    payer: str  # the kind of the primary coverage's payer on the day, or self_pay
    providers: tuple[tuple[int, str], ...]  # (id, name) of the practice's active providers
    locations: tuple[tuple[int, str], ...]


def entry_patient(database: Database, practice_ids: Collection[int], patient: str, day: datetime.date, *,
                  actor: str) -> EntryPatient:
    """The patient an encounter is entered for (by id, or account number), with what the document needs of them
    on the day; NotFound outside the caller's practices."""
    with UnitOfWork(database, actor=actor) as uow:
        query = select(PatientRow).where(PatientRow.practice_id.in_(list(practice_ids)))
        text = patient.strip()
        if text.isdigit() and len(text) < 10:
            query = query.where(PatientRow.id == int(text))
        else:
            query = query.where(PatientRow.account_number == text[:40])
        found = list(uow.session.scalars(query.limit(2)))
        if len(found) != 1:
            raise NotFound(f"no patient {text[:40]!r} among your practices' patients"
                           if not found else f"account {text[:40]!r} is in two of your practices: open the "
                                             "patient from the patients page")
        row = found[0]
        repo = uow.practice(row.practice_id)
        coverage = primary_coverage(repo, row.id, day)
        payer = "self_pay"
        if coverage is not None:
            kind = uow.session.scalars(select(PayerRow.kind).where(PayerRow.id == coverage.payer_id)).first()
            payer = kind or "commercial"
        providers = tuple((p.id, f"{p.last_name}, {p.first_name}") for p in
                          repo.rows(ProviderRow, ProviderRow.active.is_(True)))
        locations = tuple((loc.id, loc.name) for loc in repo.rows(ServiceLocationRow))
        repo.audit("patient.read", "patient", row.id, {"patient": row.account_number, "for": "encounter entry"})
        uow.commit()
        return EntryPatient(row.id, repo.practice.code, row.account_number, f"{row.last_name}, {row.first_name}",
                            age_on(row.date_of_birth, day), row.sex, payer, providers, locations)


# --- saving ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SavedEncounter:
    encounter_id: int
    status: str
    claim_number: str | None
    queries: int  # queries sent with it


def make_claim(repo: PracticeRepository, encounter: EncounterRow, result: CodingResult) -> str | None:
    """The claim (state ``coded``) of an encounter nothing holds any more, in the caller's unit of work; the encounter
    becomes ``coded``. No claim when nothing is billable or the patient had no coverage on the day (self-pay)."""
    encounter.status = "coded"
    coverage = primary_coverage(repo, encounter.patient_id, encounter.date_of_service)
    if not result.lines or coverage is None:
        return None
    claim, lines = claim_rows(encounter, result, coverage=coverage,
                              charges=practice_prices(repo, encounter.date_of_service),
                              patient_control_number=claim_number(repo, encounter), now=repo.uow.clock())
    claim.prior_authorization = authorization_for_claim(repo, encounter.patient_id, claim.payer_id,
                                                        encounter.date_of_service, [r.procedure_code for r in lines])
    repo.add(claim)
    repo.flush()
    for line in lines:
        line.claim_id = claim.id
    repo.add_all(lines)
    repo.flush()
    return claim.patient_control_number


def open_queries(repo: PracticeRepository, encounter_id: int) -> int:
    return repo.count(CodingQueryRow, CodingQueryRow.encounter_id == encounter_id, CodingQueryRow.status == "open")


def save_encounter(database: Database, practice_ids: Collection[int], *, patient_id: int, provider_id: int | None,
                   location_id: int | None, document: Mapping[str, Any], actor: str,
                   encounter_id: int | None = None, ask: Sequence[tuple[str | None, str]] = ()) -> SavedEncounter:
    """Save (or correct, ``encounter_id``) an encounter's documentation and code it; ``ask`` names gaps
    ((lesion, gap kind)) to send the provider as queries at once. InvalidFields naming every problem, nothing
    saved."""
    tables = coding_tables()
    with UnitOfWork(database, actor=actor) as uow:
        patient = uow.session.get(PatientRow, patient_id)
        if patient is None or patient.practice_id not in practice_ids:
            raise NotFound(f"no patient {patient_id} among your practices' patients")
        repo = uow.practice(patient.practice_id)
        problems: list[Problem] = []
        provider = _tenant(repo, ProviderRow, provider_id, "provider", problems)
        location = _tenant(repo, ServiceLocationRow, location_id, "location", problems)
        outcome = coded(dict(document), tables)
        if outcome.error is not None:
            problems.append(Problem("documentation", outcome.error))
        if problems:
            raise InvalidFields("the encounter was not saved", tuple(problems))
        assert outcome.result is not None and provider is not None and location is not None
        encounter = _encounter_to_save(repo, encounter_id, patient_id)
        encounter.provider_id, encounter.location_id = provider.id, location.id
        encounter.date_of_service = datetime.date.fromisoformat(str(document["date_of_service"]))
        encounter.documentation = dict(document)
        new = encounter.id is None
        repo.add(encounter)
        repo.flush()
        asked = [_query(repo, encounter, outcome.gaps, lesion, gap) for lesion, gap in ask]
        number = None
        if outcome.result.holds or open_queries(repo, encounter.id):
            encounter.status = "held"
        else:
            number = make_claim(repo, encounter, outcome.result)
        repo.audit(ENTERED[0] if new else ENTERED[1], "encounter", encounter.id, {
            "patient": patient.account_number, "lines": [line.code for line in outcome.result.lines],
            "status": encounter.status, "claim": number, "queries": [q.id for q in asked]})
        uow.commit()
        return SavedEncounter(encounter.id, encounter.status, number, len(asked))


def _tenant(repo: PracticeRepository, row_type: type[ProviderRow] | type[ServiceLocationRow], row_id: int | None,
            name: str, problems: list[Problem]) -> Any:
    if row_id is None:
        problems.append(Problem(name, f"choose the {name}"))
        return None
    try:
        return repo.get(row_type, row_id)
    except NotFound:
        problems.append(Problem(name, f"choose a {name} of practice {repo.practice.code}"))
        return None


def _encounter_to_save(repo: PracticeRepository, encounter_id: int | None, patient_id: int) -> EncounterRow:
    if encounter_id is None:
        return EncounterRow(patient_id=patient_id, status="documented", created_at=repo.uow.clock())
    encounter = repo.get(EncounterRow, encounter_id)
    if encounter.patient_id != patient_id:
        raise InvalidFields("the encounter was not saved", (Problem("patient", "an encounter's patient does not "
                                                                    "change: enter a new encounter instead"),))
    if encounter.status not in EDITABLE:
        raise InvalidTransition(f"encounter {encounter.id} is {encounter.status} and has its claim: correct the "
                                "claim instead of the documentation")
    lost = beyond_the_form(encounter.documentation or {})
    if lost:
        raise InvalidTransition(f"encounter {encounter.id} documents what this screen has no field for "
                                f"({', '.join(lost[:5])}{' ...' if len(lost) > 5 else ''}): saving it here would "
                                "lose those facts; correct it where it was documented and send it again")
    return encounter


def _query(repo: PracticeRepository, encounter: EncounterRow, gaps: Sequence[Gap], lesion: str | None,
           kind: str) -> CodingQueryRow:
    gap = next((g for g in gaps if g.askable and g.kind == kind and g.lesion == lesion), None)
    if gap is None:
        where = f"lesion {lesion}" if lesion else "the encounter"
        raise InvalidFields("the query was not sent", (Problem("gap", f"{where} has no such documentation gap now "
                                                               "(it may have been documented since)"),))
    already = repo.rows(CodingQueryRow, CodingQueryRow.encounter_id == encounter.id, CodingQueryRow.status == "open",
                        CodingQueryRow.gap == kind)
    same = next((q for q in already if q.lesion == lesion), None)
    if same is not None:
        return same
    query = CodingQueryRow(encounter_id=encounter.id, lesion=lesion, gap=kind, question=gap.sentence, status="open",
                           asked_by=repo.uow.actor, asked_at=repo.uow.clock())
    repo.add(query)
    repo.flush()
    repo.audit("coding_query.sent", "coding_query", query.id, {"encounter": encounter.id, "gap": kind,
                                                                "lesion": lesion})
    return query


# --- one encounter ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class QueryView:
    query_id: int
    encounter_id: int
    practice: str
    patient_name: str
    date_of_service: datetime.date
    lesion: str | None
    gap: str
    question: str
    status: str
    asked_by: str
    asked_at: datetime.datetime
    answer: str | None
    answered_by: str | None


@dataclass(frozen=True, slots=True)
class EncounterView:
    encounter_id: int
    practice: str
    patient: EntryPatient
    provider_id: int
    location_id: int
    date_of_service: datetime.date
    status: str
    documentation: dict[str, Any]
    coded: Coded
    claim_number: str | None
    claim_status: str | None
    queries: tuple[QueryView, ...]
    entered_by: str | None
    reviews: int  # lines reviewed

    @property
    def beyond_the_form(self) -> list[str]:
        """What the documentation holds that the entry screen has no field for (then it is shown, not corrected)."""
        return beyond_the_form(self.documentation)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE and not self.beyond_the_form


def read_encounter(database: Database, practice_ids: Collection[int], encounter_id: int, *,
                   actor: str) -> EncounterView:
    """An encounter with its codes, claim, queries and reviews (an audited read)."""
    with UnitOfWork(database, actor=actor) as uow:
        encounter, repo = _encounter(uow, practice_ids, encounter_id)
        patient = repo.get(PatientRow, encounter.patient_id)
        claim = _claim(repo, encounter.id)
        queries = tuple(_query_view(repo, q, encounter, patient) for q in
                        repo.rows(CodingQueryRow, CodingQueryRow.encounter_id == encounter.id))
        reviews = repo.count(CodingReviewRow, CodingReviewRow.encounter_id == encounter.id)
        entered_by = _entered_by(uow, encounter)
        repo.audit("encounter.read", "encounter", encounter.id, {"patient": patient.account_number})
        uow.commit()
        day = encounter.date_of_service
        coverage_kind = str((encounter.documentation or {}).get("payer", "self_pay"))
        providers = tuple((p.id, f"{p.last_name}, {p.first_name}") for p in repo.rows(ProviderRow))
        locations = tuple((loc.id, loc.name) for loc in repo.rows(ServiceLocationRow))
        entry = EntryPatient(patient.id, repo.practice.code, patient.account_number,
                             f"{patient.last_name}, {patient.first_name}", age_on(patient.date_of_birth, day),
                             patient.sex, coverage_kind, providers, locations)
        return EncounterView(encounter.id, repo.practice.code, entry, encounter.provider_id, encounter.location_id,
                             day, encounter.status, dict(encounter.documentation or {}),
                             coded(encounter.documentation), claim.patient_control_number if claim else None,
                             claim.status if claim else None, queries, entered_by, reviews)


def _encounter(uow: UnitOfWork, practice_ids: Collection[int], encounter_id: int
               ) -> tuple[EncounterRow, PracticeRepository]:
    encounter = uow.session.get(EncounterRow, encounter_id)
    if encounter is None or encounter.practice_id not in practice_ids:
        raise NotFound(f"encounter {encounter_id} not found among your practices' encounters")
    return encounter, uow.practice(encounter.practice_id)


def _claim(repo: PracticeRepository, encounter_id: int) -> ClaimRow | None:
    found = repo.rows(ClaimRow, ClaimRow.encounter_id == encounter_id, limit=1)
    return found[0] if found else None


def _entered_by(uow: UnitOfWork, encounter: EncounterRow) -> str | None:
    """Who entered (or last corrected) the encounter's documentation here: its coder."""
    return uow.session.scalars(select(AuditEventRow.actor).where(
        AuditEventRow.entity_type == "encounter", AuditEventRow.entity_id == encounter.id,
        AuditEventRow.practice_id == encounter.practice_id, AuditEventRow.action.in_(ENTERED))
        .order_by(AuditEventRow.id.desc())).first()


def _query_view(repo: PracticeRepository, query: CodingQueryRow, encounter: EncounterRow,
                patient: PatientRow) -> QueryView:
    return QueryView(query.id, encounter.id, repo.practice.code, f"{patient.last_name}, {patient.first_name}",
                     encounter.date_of_service, query.lesion, query.gap, query.question, query.status, query.asked_by,
                     query.asked_at, query.answer, query.answered_by)


# --- queries -------------------------------------------------------------------------------------------------

def send_query(database: Database, practice_ids: Collection[int], encounter_id: int, *, lesion: str | None,
               gap: str, actor: str) -> QueryView:
    """Send one gap of a saved encounter to its provider; the encounter's claim waits (a claim not yet scrubbed is
    held) until the query is answered."""
    with UnitOfWork(database, actor=actor) as uow:
        encounter, repo = _encounter(uow, practice_ids, encounter_id)
        claim = _claim(repo, encounter.id)
        if claim is not None and claim.status not in ("coded", "held"):
            raise InvalidTransition(f"claim {claim.patient_control_number} is {claim.status.replace('_', ' ')}: "
                                    "a query can no longer hold it; correct the claim if the answer changes it")
        outcome = coded(encounter.documentation)
        query = _query(repo, encounter, outcome.gaps, lesion or None, gap)
        if claim is not None and claim.status == "coded":
            claim.status = "held"
        elif claim is None and encounter.status == "coded":
            encounter.status = "held"
        patient = repo.get(PatientRow, encounter.patient_id)
        view = _query_view(repo, query, encounter, patient)
        uow.commit()
        return view


@dataclass(frozen=True, slots=True)
class AnsweredQuery:
    encounter_id: int
    released: bool  # nothing waits any more: the claim was made (or released from hold)
    claim_number: str | None
    still_open: int


def answer_query(database: Database, practice_ids: Collection[int], encounter_id: int, query_id: int, *,
                 answer: str, actor: str) -> AnsweredQuery:
    """Record the provider's answer. With no query left open and no pathology pending, the claim is released (made,
    from the documentation as it stands: correct it first when the answer adds a fact)."""
    text = answer.strip()
    if not text:
        raise InvalidFields("the answer was not saved", (Problem("answer", "write the provider's answer"),))
    with UnitOfWork(database, actor=actor) as uow:
        encounter, repo = _encounter(uow, practice_ids, encounter_id)
        query = uow.session.get(CodingQueryRow, query_id)
        if query is None or query.practice_id != encounter.practice_id or query.encounter_id != encounter.id:
            raise NotFound(f"encounter {encounter_id} has no query {query_id}")
        if query.status != "open":
            raise InvalidTransition(f"query {query_id} was answered by {query.answered_by}")
        query.status, query.answer = "answered", text[:4000]
        query.answered_by, query.answered_at = actor, uow.clock()
        repo.flush()
        still = open_queries(repo, encounter.id)
        released, number = False, None
        claim = _claim(repo, encounter.id)
        if not still:
            if claim is not None and claim.status == "held":
                claim.status, released, number = "coded", True, claim.patient_control_number
            elif claim is None and encounter.status == "held":
                outcome = coded(encounter.documentation)
                if outcome.result is not None and not outcome.result.holds:
                    number = make_claim(repo, encounter, outcome.result)
                    released = True
        repo.audit("coding_query.answered", "coding_query", query.id, {"encounter": encounter.id,
                                                                        "released": released, "claim": number})
        uow.commit()
        return AnsweredQuery(encounter.id, released, number, still)


def list_queries(database: Database, practice_ids: Collection[int], *, actor: str, status: str = "open",
                 limit: int = 200) -> list[QueryView]:
    """The queries of these practices (open ones by default), oldest first: the provider's and the coder's list."""
    with UnitOfWork(database, actor=actor) as uow:
        rows = uow.session.execute(
            select(CodingQueryRow, EncounterRow, PatientRow)
            .join(EncounterRow, (EncounterRow.id == CodingQueryRow.encounter_id)
                  & (EncounterRow.practice_id == CodingQueryRow.practice_id))
            .join(PatientRow, (PatientRow.id == EncounterRow.patient_id)
                  & (PatientRow.practice_id == EncounterRow.practice_id))
            .where(CodingQueryRow.practice_id.in_(list(practice_ids)), CodingQueryRow.status == status)
            .order_by(CodingQueryRow.asked_at, CodingQueryRow.id).limit(limit)).all()
        codes = {p: uow.practice(p).practice.code for p in {q.practice_id for q, _, _ in rows}}
        found = [QueryView(q.id, e.id, codes[q.practice_id], f"{p.last_name}, {p.first_name}", e.date_of_service,
                           q.lesion, q.gap, q.question, q.status, q.asked_by, q.asked_at, q.answer, q.answered_by)
                 for q, e, p in rows]
        uow.audit_practices("coding_query.listed", "coding_query", practice_ids or [0],
                            detail={"queries": [q.query_id for q in found]})
        uow.commit()
        return found


# --- review --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LineChoice:
    """A reviewer's decision on engine line ``line_number``: accept it, or the line as it should be and why."""

    line_number: int
    accept: bool
    code: str = ""
    units: str = ""
    modifiers: str = ""  # "XS 59"
    diagnoses: str = ""  # "C44.612 D48.5"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReviewedLine:
    encounter_id: int
    practice: str
    line_number: int
    family: str
    engine: str  # "11602 x1 (C44.612)"
    reviewed: str
    accepted: bool
    reason: str | None
    reviewer: str
    reviewed_at: datetime.datetime


def _line_json(line: CodedLine) -> dict[str, Any]:
    return {"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
            "diagnoses": list(line.diagnoses)}


def _said(line: Mapping[str, Any]) -> str:
    modifiers = "".join(f"-{m}" for m in line.get("modifiers") or [])
    return f"{line.get('code')}{modifiers} x{line.get('units')} ({', '.join(line.get('diagnoses') or [])})"


def record_review(database: Database, practice_ids: Collection[int], encounter_id: int,
                  choices: Sequence[LineChoice], *, actor: str) -> list[ReviewedLine]:
    """Keep a second coder's decision on every engine line of the encounter. The reviewer may not be the coder who
    entered it; a change says why. InvalidFields (``lines.N.field``) naming every problem, nothing saved."""
    tables = coding_tables()
    with UnitOfWork(database, actor=actor) as uow:
        encounter, repo = _encounter(uow, practice_ids, encounter_id)
        if _entered_by(uow, encounter) == actor:
            raise InvalidTransition(f"you entered encounter {encounter.id}: a second coder reviews it")
        outcome = coded(encounter.documentation, tables)
        if outcome.result is None or not outcome.result.lines:
            raise InvalidTransition(f"encounter {encounter.id} has no coded line to review"
                                    + (f" ({outcome.error})" if outcome.error else ""))
        lines = outcome.result.lines
        chosen = {c.line_number: c for c in choices}
        problems: list[Problem] = []
        rows: list[CodingReviewRow] = []
        for number, line in enumerate(lines, start=1):
            choice = chosen.get(number)
            if choice is None:
                problems.append(Problem(f"lines.{number}", f"accept or change line {number} ({line.code})"))
                continue
            engine = _line_json(line)
            reviewed = engine if choice.accept else _reviewed(choice, number, problems)
            if reviewed is None:
                continue
            accepted = not is_change((line.code, line.units, line.modifiers, line.diagnoses),
                                     (reviewed["code"], reviewed["units"], tuple(reviewed["modifiers"]),
                                      tuple(reviewed["diagnoses"])))
            if not accepted and not choice.reason.strip():
                problems.append(Problem(f"lines.{number}.reason", "say why the line changes"))
                continue
            rows.append(CodingReviewRow(
                encounter_id=encounter.id, line_number=number,
                family=code_family(line.code, tables.rules, encounter.date_of_service), engine_line=engine,
                reviewed_line=reviewed, accepted=accepted, reason=None if accepted else choice.reason.strip()[:2000],
                reviewer=actor, reviewed_at=uow.clock()))
        if problems:
            raise InvalidFields("the review was not saved", tuple(problems))
        repo.add_all(rows)
        repo.flush()
        repo.audit("encounter.reviewed", "encounter", encounter.id, {
            "accepted": [r.line_number for r in rows if r.accepted],
            "changed": [r.line_number for r in rows if not r.accepted]})
        uow.commit()
        return [_reviewed_line(row, repo.practice.code) for row in rows]


def _reviewed(choice: LineChoice, number: int, problems: list[Problem]) -> dict[str, Any] | None:
    code = choice.code.strip().upper()
    where = f"lines.{number}"
    before = len(problems)
    if not (len(code) == 5 and code.isalnum()):
        problems.append(Problem(f"{where}.code", f"'{code[:12]}' is not a CPT/HCPCS code (five characters)"))
    units_text = choice.units.strip() or "1"
    if not units_text.isdigit() or not 1 <= int(units_text) <= 999:
        problems.append(Problem(f"{where}.units", f"'{units_text[:12]}' is not a number of units (1 to 999)"))
    modifiers = [m.upper() for m in choice.modifiers.replace(",", " ").split()]
    if any(len(m) != 2 or not m.isalnum() for m in modifiers) or len(modifiers) > 4:
        problems.append(Problem(f"{where}.modifiers", "give up to four two-character modifiers, e.g. 'XS 59'"))
    diagnoses = [d.upper() for d in choice.diagnoses.replace(",", " ").split()]
    if not diagnoses or len(diagnoses) > 4:
        problems.append(Problem(f"{where}.diagnoses", "give one to four ICD-10-CM codes, the primary first"))
    if len(problems) > before:
        return None
    return {"code": code, "units": int(units_text), "modifiers": modifiers, "diagnoses": diagnoses}


def _reviewed_line(row: CodingReviewRow, practice: str) -> ReviewedLine:
    return ReviewedLine(row.encounter_id, practice, row.line_number, row.family, _said(row.engine_line),
                        _said(row.reviewed_line), row.accepted, row.reason, row.reviewer, row.reviewed_at)


def review_changes(database: Database, practice_ids: Collection[int], *, actor: str,
                   limit: int = 200) -> list[ReviewedLine]:
    """The lines reviewers changed, newest first: what the engine said, what the reviewer made of it, who and why."""
    with UnitOfWork(database, actor=actor) as uow:
        rows = list(uow.session.scalars(select(CodingReviewRow).where(
            CodingReviewRow.practice_id.in_(list(practice_ids)), CodingReviewRow.accepted.is_(False))
            .order_by(CodingReviewRow.reviewed_at.desc(), CodingReviewRow.id.desc()).limit(limit)))
        codes = {p: uow.practice(p).practice.code for p in {r.practice_id for r in rows}}
        uow.audit_practices("coding_review.listed", "coding_review", practice_ids or [0],
                            detail={"reviews": [r.id for r in rows]})
        uow.commit()
        return [_reviewed_line(row, codes[row.practice_id]) for row in rows]


def agreement_rates(database: Database, practice_ids: Collection[int], *, actor: str,
                    since: datetime.date | None = None, until: datetime.date | None = None) -> list[FamilyAgreement]:
    """The engine's agreement rate per code family over the reviews of these practices (reviewed on ``since`` ..
    ``until`` inclusive, when given): for the coding review page and the reports. No PHI."""
    with UnitOfWork(database, actor=actor) as uow:
        query = select(CodingReviewRow.family, CodingReviewRow.accepted, func.count()).where(
            CodingReviewRow.practice_id.in_(list(practice_ids))).group_by(CodingReviewRow.family,
                                                                          CodingReviewRow.accepted)
        if since is not None:
            query = query.where(CodingReviewRow.reviewed_at >= datetime.datetime.combine(
                since, datetime.time(), tzinfo=datetime.UTC))
        if until is not None:
            query = query.where(CodingReviewRow.reviewed_at < datetime.datetime.combine(
                until + datetime.timedelta(days=1), datetime.time(), tzinfo=datetime.UTC))
        decisions = [LineDecision(family, bool(accepted)) for family, accepted, count in uow.session.execute(query)
                     for _ in range(int(count))]
    return agreement_by_family(decisions)


def to_review(database: Database, practice_ids: Collection[int], *, actor: str, limit: int = 50
              ) -> list[tuple[int, str, datetime.date, str | None]]:
    """Encounters entered here and coded that no one has reviewed yet, newest first: (id, practice, day, coder)."""
    with UnitOfWork(database, actor=actor) as uow:
        reviewed = select(CodingReviewRow.encounter_id).where(CodingReviewRow.practice_id.in_(list(practice_ids)))
        entered = select(AuditEventRow.entity_id, AuditEventRow.actor).where(
            AuditEventRow.entity_type == "encounter", AuditEventRow.action == ENTERED[0],
            AuditEventRow.practice_id.in_(list(practice_ids))).order_by(AuditEventRow.id.desc()).limit(500)
        coders = {int(entity): str(who) for entity, who in uow.session.execute(entered) if entity is not None}
        rows = list(uow.session.scalars(select(EncounterRow).where(
            EncounterRow.id.in_(list(coders)), EncounterRow.practice_id.in_(list(practice_ids)),
            EncounterRow.status.in_(("coded", "billed")), EncounterRow.id.not_in(reviewed))
            .order_by(EncounterRow.id.desc()).limit(limit)))
        codes = {p: uow.practice(p).practice.code for p in {r.practice_id for r in rows}}
        uow.audit_practices("encounter.review_listed", "encounter", practice_ids or [0],
                            detail={"encounters": [r.id for r in rows]})
        uow.commit()
        return [(r.id, codes[r.practice_id], r.date_of_service, coders.get(r.id)) for r in rows]

