"""What the root cause of a denial needs to know about a claim: its lines, the lesions each line treated (the
encounter's documentation coded again), the payer's rules and policies, and, for the denials that need them,
another coverage in force, the first submission and a paid duplicate. Read from the database; used by the work
queue and by the appeal letters."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sqlalchemy import func, select

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.denial_codes import DenialCategory
from dermbill.core.denials import ClaimFacts, LesionFacts, LineFacts
from dermbill.core.errors import DermbillError
from dermbill.core.money import Money
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    CoverageRow,
    EncounterRow,
    LineAdjudicationRow,
    PayerRow,
)
from dermbill.db.repositories import PracticeRepository
from dermbill.services.coding import code_document


def claim_facts(repo: PracticeRepository, claim: ClaimRow, lines: Sequence[ClaimLineRow], tables: ScrubTables,
                payers: dict[int, PayerRow], *, category: DenialCategory | None = None) -> ClaimFacts:
    """What the root cause needs to know about a claim, from the database and the encounter's documentation.
    The facts only one kind of denial needs (other coverage, first submission, a paid duplicate) are looked up
    for that kind only."""
    payer = payers.get(claim.payer_id or 0)
    day = min((line.service_date_from for line in lines), default=claim.created_at.date())
    lesions, lesions_by_line, separately = _documented_lesions(repo, claim, lines)
    rule = tables.payer_rule(payer.payer_identifier, payer.kind) if payer else tables.payer_rule(None)
    policies = tuple(dict.fromkeys((line.procedure_code, f"{p.policy_id}: {p.title}") for line in lines
                                   for p in tables.policies_for(payer.kind if payer else None, line.procedure_code,
                                                                day)))
    return ClaimFacts(
        claim_number=claim.patient_control_number, payer_name=payer.name if payer else "self-pay",
        payer_kind=payer.kind if payer else "self_pay", date_of_service=day,
        lines=tuple(LineFacts(line.line_number, line.procedure_code, tuple(line.modifiers), line.units,
                              Money(line.charge_cents), lesions_by_line.get(line.line_number, ()))
                    for line in lines),
        lesions=lesions, visit_separately_identifiable=separately,
        has_prior_authorization=bool(claim.prior_authorization), distinct_modifier=rule.distinct_modifier,
        other_coverage=_other_coverage(repo, claim, day, payers)
        if category is DenialCategory.ELIGIBILITY_COVERAGE else None,
        first_sent_on=_first_sent(repo, claim) if category is DenialCategory.TIMELY_FILING else None,
        timely_filing_days=payer.timely_filing_days if payer else 0,
        duplicate_of=_paid_elsewhere(repo, claim, lines) if category is DenialCategory.DUPLICATE else None,
        policies=policies)


def _documented_lesions(repo: PracticeRepository, claim: ClaimRow, lines: Sequence[ClaimLineRow]
                        ) -> tuple[tuple[LesionFacts, ...], dict[int, tuple[str, ...]], bool | None]:
    """The encounter's lesions, the lesions each line treated (by coding the documentation again) and whether the
    visit was separately identifiable. Empty when the claim has no documentation the engine can read."""
    if claim.encounter_id is None:
        return (), {}, None
    documentation = repo.get(EncounterRow, claim.encounter_id).documentation
    try:
        encounter = parse_encounter(documentation)
        result = code_document(documentation)
    except (DermbillError, LookupError, ValueError):
        return (), {}, None
    lesions = tuple(LesionFacts(
        lesion.id, lesion.site, lesion.laterality, str(lesion.diameter_cm) if lesion.diameter_cm else None,
        lesion.diagnosis, lesion.pathology, tuple(sorted(lesion.symptoms)),
        tuple(procedure.type for procedure in lesion.procedures), lesion.count) for lesion in encounter.lesions)
    coded = {index: line for index, line in enumerate(result.lines, start=1)}
    by_line = {line.line_number: coded[line.line_number].lesions for line in lines
               if line.line_number in coded and coded[line.line_number].code == line.procedure_code}
    visit = documentation.get("visit") if isinstance(documentation, dict) else None
    separately = bool(visit.get("separately_identifiable")) if isinstance(visit, dict) else None
    return lesions, by_line, separately


def _other_coverage(repo: PracticeRepository, claim: ClaimRow, day: datetime.date,
                    payers: dict[int, PayerRow]) -> str | None:
    """Another primary coverage of the patient in force on the day (a plan change the claim missed)."""
    if claim.primary_claim_id is not None:
        return None
    for coverage in repo.rows(CoverageRow, CoverageRow.patient_id == claim.patient_id,
                              CoverageRow.coverage_order == "primary"):
        if coverage.id != claim.coverage_id and coverage.payer_id != claim.payer_id \
                and coverage.effective_date <= day and (coverage.termination_date is None
                                                        or day <= coverage.termination_date):
            return payers[coverage.payer_id].name
    return None


def _first_sent(repo: PracticeRepository, claim: ClaimRow) -> datetime.date | None:
    ids = [claim.id] + ([claim.original_claim_id] if claim.original_claim_id else [])
    first = repo.session.scalar(select(func.min(ClaimStatusEventRow.occurred_at)).where(
        ClaimStatusEventRow.practice_id == repo.practice_id, ClaimStatusEventRow.claim_id.in_(ids),
        ClaimStatusEventRow.to_status == "submitted"))
    return first.date() if first else None


def _paid_elsewhere(repo: PracticeRepository, claim: ClaimRow, lines: Sequence[ClaimLineRow]) -> str | None:
    """Our other claim of the same patient and payer on which the payer paid one of these codes that day."""
    days = {line.service_date_from for line in lines}
    found = repo.session.execute(
        select(ClaimRow.patient_control_number, ClaimLineRow.procedure_code, ClaimLineRow.service_date_from)
        .join(LineAdjudicationRow, (LineAdjudicationRow.claim_id == ClaimRow.id)
              & (LineAdjudicationRow.practice_id == ClaimRow.practice_id))
        .join(ClaimLineRow, (ClaimLineRow.id == LineAdjudicationRow.claim_line_id)
              & (ClaimLineRow.practice_id == LineAdjudicationRow.practice_id))
        .where(ClaimRow.practice_id == repo.practice_id, ClaimRow.patient_id == claim.patient_id,
               ClaimRow.payer_id == claim.payer_id, ClaimRow.id != claim.id, LineAdjudicationRow.paid_cents > 0,
               ClaimLineRow.service_date_from.in_(days))).all()
    codes = {line.procedure_code for line in lines}
    return next((number for number, code, _ in found if code in codes), None)
