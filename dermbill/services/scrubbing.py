"""Scrubbing the claims stored in a database (claim documents and files: ``services.document_scrubbing``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from dermbill.core.claims import ClaimStatus
from dermbill.core.dates import age_on
from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.money import Money
from dermbill.core.resubmission import REJECTION_RULE, UNCHANGED_RULE
from dermbill.core.scrubber.claim import parse_claim
from dermbill.core.scrubber.findings import ScrubResult
from dermbill.core.scrubber.registry import scrub_claim
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    EncounterRow,
    PatientRow,
    PayerRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.services.claim_lifecycle import move_claim
from dermbill.services.claim_lookup import find_claims
from dermbill.services.learned_rules import payer_tables_with_learned_rules
from dermbill.services.reference_releases import tables_in_force
from dermbill.services.resubmission import approve_unchanged, rejected_before


@dataclass(frozen=True, slots=True)
class StoredScrub:
    """The outcome of scrubbing one stored claim."""

    claim_id: int
    practice: str
    patient_control_number: str
    status: str
    result: ScrubResult
    fixes: tuple[str, ...]


SCRUBBABLE = ("coded", "scrub_errors", "ready", "rejected", "corrected")  # not sent, or sent back to be fixed
GLOBAL_LOOKBACK_DAYS = 90


def scrub_stored_claims(
    database: Database,
    *,
    claim_ids: Sequence[int | str] = (),
    everything: bool = False,
    fix: bool = False,
    as_of: datetime.date,
    actor: str = "scrubber",
    progress: Callable[[int, int], None] | None = None,
    resubmit_unchanged: bool = False,
) -> list[StoredScrub]:
    """Scrub stored claims (claim numbers or ids, or every claim not yet sent), store the findings and set ready or
    scrub_errors.

    A rejected claim that has not changed since its rejection stays rejected (in the fix queue) with a
    ``rejected-unchanged`` error, unless ``resubmit_unchanged``: a person (``actor``, audited) approves sending
    the claims named by ``claim_ids`` again as they are."""
    if resubmit_unchanged and (everything or not claim_ids):
        raise InvalidInput("--resubmit-unchanged: name each rejected claim to send again as it was with --claim; "
                           "it is never applied to --all")
    tables = tables_in_force(database)  # the shipped tables and the CMS releases loaded (dermbill reference update)
    outcomes = []
    with UnitOfWork(database, actor=actor) as uow:
        targets = _targets(uow, claim_ids, everything)
        by_practice: dict[int, ScrubTables] = {}
        for done, (practice_id, claim) in enumerate(targets, start=1):
            repo = uow.practice(practice_id)
            if practice_id not in by_practice:  # the payer rules the organization learned from denials, too
                by_practice[practice_id] = payer_tables_with_learned_rules(repo, tables)
            if resubmit_unchanged:
                approve_unchanged(repo, claim)
            outcomes.append(_scrub_one(repo, claim, by_practice[practice_id], fix=fix, as_of=as_of))
            if progress:
                progress(done, len(targets))
        uow.commit()
    return outcomes


def scrub_claim_row(repo: PracticeRepository, claim: ClaimRow, *, as_of: datetime.date,
                    tables: ScrubTables | None = None) -> StoredScrub:
    """Scrub one stored claim within the caller's unit of work (the caller commits): its findings stored, the claim
    made ready or scrub_errors; a rejected claim unchanged since its rejection stays rejected."""
    if claim.status not in SCRUBBABLE:
        raise InvalidTransition(f"claim {claim.patient_control_number} is {claim.status.replace('_', ' ')}; only "
                                "claims not yet sent, or rejected, are scrubbed")
    learned = payer_tables_with_learned_rules(repo, tables or scrub_tables())
    return _scrub_one(repo, claim, learned, fix=False, as_of=as_of)


def _targets(uow: UnitOfWork, claim_ids: Sequence[int | str], everything: bool) -> list[tuple[int, ClaimRow]]:
    if everything:
        rows = uow.session.scalars(select(ClaimRow).where(ClaimRow.status.in_(SCRUBBABLE)).order_by(ClaimRow.id))
        return [(row.practice_id, row) for row in rows]
    numbers = [ref for ref in claim_ids if isinstance(ref, int)]
    for start in range(0, len(numbers), 500):  # one read for many ids (a batch job names thousands), not one each
        list(uow.session.scalars(select(ClaimRow).where(ClaimRow.id.in_(numbers[start:start + 500]))))
    found = []
    for row in find_claims(uow, claim_ids):
        if row.status not in SCRUBBABLE:
            raise InvalidTransition(f"claim {row.patient_control_number} is {row.status}; only claims not yet sent, "
                                    "or rejected, are scrubbed")
        found.append((row.practice_id, row))
    return found


def _scrub_one(repo: PracticeRepository, claim: ClaimRow, tables: ScrubTables, *, fix: bool,
               as_of: datetime.date) -> StoredScrub:
    payer = repo.session.get(PayerRow, claim.payer_id) if claim.payer_id else None
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
    document = stored_claim_document(repo, claim, lines, payer, as_of=as_of)
    payer_key = payer.payer_identifier if payer else None
    result = scrub_claim(parse_claim(document), tables, as_of=as_of, payer_key=payer_key,
                         rejection=rejected_before(repo, claim))
    applied: list[str] = []
    if fix:
        for finding in result.findings:
            if finding.autofix is None:
                continue
            line = next(x for x in lines if x.line_number == finding.autofix.line)
            removed = [m for m in line.modifiers if m in finding.autofix.remove_modifiers]
            if finding.autofix.add_modifier not in line.modifiers or removed:
                kept = [m for m in line.modifiers if m not in removed]
                line.modifiers = [*kept, finding.autofix.add_modifier][:4] \
                    if finding.autofix.add_modifier not in kept else kept
                instead = f" in place of {', '.join(removed)}" if removed else ""
                applied.append(f"line {line.line_number}: added {finding.autofix.add_modifier}{instead} "
                               f"({finding.rule})")
                repo.audit("claim.fixed", "claim", claim.id, {"line": line.line_number, "rule": finding.rule,
                                                              "added_modifier": finding.autofix.add_modifier,
                                                              "removed_modifiers": removed})
        if applied:
            repo.flush()
            document = stored_claim_document(repo, claim, lines, payer, as_of=as_of)
            result = scrub_claim(parse_claim(document), tables, as_of=as_of, payer_key=payer_key,
                                 rejection=rejected_before(repo, claim))
    now = repo.uow.clock()
    # Nothing changed since the rejection: the claim stays rejected, in the fix queue with the rejection's fix.
    unchanged = claim.status == ClaimStatus.REJECTED.value and any(f.rule == UNCHANGED_RULE for f in result.findings)
    stale = delete(ClaimFindingRow).where(ClaimFindingRow.practice_id == repo.practice_id,
                                          ClaimFindingRow.claim_id == claim.id)
    repo.session.execute(stale.where(ClaimFindingRow.rule != REJECTION_RULE) if unchanged else stale)
    repo.add_all(ClaimFindingRow(claim_id=claim.id, rule=f.rule, severity=f.severity.value, lines=list(f.lines),
                                 message=f.message, fix=f.fix, scrubbed_at=now) for f in result.findings)
    status = ClaimStatus.READY if result.clean else ClaimStatus.SCRUB_ERRORS
    errors = sum(f.severity.value != "warning" for f in result.findings)
    if not unchanged:
        if claim.status == ClaimStatus.REJECTED.value:  # the payer never took it: once fixed it goes out as new
            move_claim(repo, claim, ClaimStatus.CORRECTED, "re-scrubbed after the rejection")
        move_claim(repo, claim, status, "scrubbed clean" if result.clean else f"scrubbed: {errors} error(s)")
    return StoredScrub(claim.id, repo.practice.code, claim.patient_control_number, claim.status, result,
                       tuple(applied))


def stored_claim_document(
    repo: PracticeRepository, claim: ClaimRow, lines: Sequence[ClaimLineRow], payer: PayerRow | None, *,
    as_of: datetime.date,
) -> dict[str, Any]:
    """A stored claim in the claim format (docs/claim-format.md), with its documentation and this patient's earlier
    procedures."""
    patient = repo.get(PatientRow, claim.patient_id)
    provider = repo.get(ProviderRow, claim.rendering_provider_id)
    location = repo.get(ServiceLocationRow, claim.location_id)
    encounter = repo.get(EncounterRow, claim.encounter_id) if claim.encounter_id else None
    day = lines[0].service_date_from if lines else (encounter.date_of_service if encounter else as_of)
    earlier = repo.session.execute(
        select(ClaimLineRow.procedure_code, ClaimLineRow.service_date_from)
        .join(ClaimRow, (ClaimRow.id == ClaimLineRow.claim_id) & (ClaimRow.practice_id == ClaimLineRow.practice_id))
        .where(ClaimRow.practice_id == repo.practice_id, ClaimRow.patient_id == claim.patient_id,
               ClaimRow.id != claim.id, ClaimRow.frequency_code != "8",
               # the same charges billed again (a corrected, rebilled or secondary claim) are not earlier services
               func.coalesce(ClaimLineRow.billed_line_id, ClaimLineRow.id).not_in(
                   [line.charged_line_id for line in lines if line.id is not None]),
               ClaimLineRow.service_date_from <= day,
               ClaimLineRow.service_date_from >= day - datetime.timedelta(days=GLOBAL_LOOKBACK_DAYS))
    ).all()
    documentation = encounter.documentation if encounter else None
    return {
        "date_of_service": day.isoformat(),
        "payer": payer.kind if payer else "self_pay",
        "patient": {"age": age_on(patient.date_of_birth, day), "sex": patient.sex},
        "billing_provider": {"npi": repo.practice.billing_npi, "taxonomy": repo.practice.taxonomy},
        "rendering_provider": {"npi": provider.npi, "taxonomy": provider.taxonomy},
        "place_of_service": location.place_of_service,
        "diagnoses": list(claim.diagnosis_codes),
        "lines": [{"code": line.procedure_code, "units": line.units, "modifiers": list(line.modifiers),
                   "diagnoses": list(line.diagnosis_pointers), "charge": Money(line.charge_cents).plain()}
                  for line in lines],
        "documentation": documentation,
        "prior_procedures": [{"date_of_service": when.isoformat(), "code": code} for code, when in earlier],
        "submitted_on": max(as_of, day).isoformat(),
        "prior_authorization": claim.prior_authorization,
    }
