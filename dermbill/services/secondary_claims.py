"""Secondary claims: after the primary payer, what it left to the patient goes to the next payer, if any.

A secondary claim is a new claim to the secondary coverage, with the same lines (each bills the charged
line of the primary claim again, so every posting still names the line that was charged) and the
primary's adjudication in its COB loops (2320/2430, built from the stored line adjudications).
Opening it moves the primary's patient share of each line from the patient (1200) to the insurer
(1100, with the secondary payer): the patient owes it only once the last payer has answered.
A crossover (the primary answered CLP02 19: it forwarded the claim itself) opens the secondary claim as
already submitted, so nobody sends it a second time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from dermbill.core.claims import ClaimStatus
from dermbill.core.ledger import INSURANCE_AR, PATIENT_AR, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    CoverageRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    PostingRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now

NEXT_ORDER = {"primary": "secondary", "secondary": "tertiary"}
SETTLED = (ClaimStatus.PAID.value, ClaimStatus.PARTIALLY_PAID.value)


@dataclass(slots=True)
class SecondaryReport:
    queued: list[str] = field(default_factory=list)  # new secondary claims, ready to send
    crossovers: list[str] = field(default_factory=list)  # forwarded by the primary: opened as submitted
    patient_owes: list[str] = field(default_factory=list)  # no next payer: the balance stays the patient's


def create_secondary_claims(database: Database, *, now: datetime.datetime | None = None,
                            actor: str = "secondary") -> SecondaryReport:
    """Open the secondary claim of every settled claim that left a patient share and has a next payer."""
    moment = now or utc_now()
    report = SecondaryReport()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        for practice_id in list(uow.session.scalars(select(PracticeRow.id).order_by(PracticeRow.id))):
            repo = uow.practice(practice_id)
            opened = {c.primary_claim_id for c in repo.rows(ClaimRow, ClaimRow.primary_claim_id.is_not(None))}
            for claim in repo.rows(ClaimRow, ClaimRow.status.in_(SETTLED)):
                if claim.id in opened or not patient_share_by_line(repo, claim):
                    continue
                crossover = any(a.status_code == "19" for a in repo.rows(
                    LineAdjudicationRow, LineAdjudicationRow.claim_id == claim.id))
                secondary = open_secondary_claim(repo, claim, crossover=crossover)
                if secondary is None:
                    report.patient_owes.append(claim.patient_control_number)
                else:
                    (report.crossovers if crossover else report.queued).append(secondary.patient_control_number)
        uow.commit()
    return report


def patient_share_by_line(repo: PracticeRepository, claim: ClaimRow) -> dict[int, Money]:
    """What the patient owes on each charged line of the claim (its 1200 balance), where positive."""
    rows = repo.session.execute(
        select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.claim_id == claim.id,
               LedgerAccountRow.code == PATIENT_AR, PostingRow.claim_line_id.is_not(None))
        .group_by(PostingRow.claim_line_id))
    return {int(line): Money(int(total)) for line, total in rows if line is not None and total and total > 0}


def next_coverage(repo: PracticeRepository, claim: ClaimRow) -> CoverageRow | None:
    """The coverage after the claim's own, in force on the first date of service."""
    if claim.coverage_id is None:
        return None
    current = repo.get(CoverageRow, claim.coverage_id)
    wanted = NEXT_ORDER.get(current.coverage_order)
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id)
    day = min((line.service_date_from for line in lines), default=None)
    if wanted is None or day is None:
        return None
    for coverage in repo.rows(CoverageRow, CoverageRow.patient_id == claim.patient_id,
                              CoverageRow.coverage_order == wanted):
        if coverage.effective_date <= day and (coverage.termination_date is None or day <= coverage.termination_date):
            return coverage
    return None


def open_secondary_claim(repo: PracticeRepository, primary: ClaimRow, *, crossover: bool) -> ClaimRow | None:
    """The next payer's claim for ``primary``, with the patient share moved to it; None without a next payer."""
    coverage = next_coverage(repo, primary)
    shares = patient_share_by_line(repo, primary)
    if coverage is None or not shares:
        return None
    now = repo.uow.clock()
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == primary.id, order_by=ClaimLineRow.line_number)
    status = ClaimStatus.SUBMITTED if crossover else ClaimStatus.READY
    secondary = repo.add(ClaimRow(
        patient_id=primary.patient_id, encounter_id=primary.encounter_id, coverage_id=coverage.id,
        payer_id=coverage.payer_id, rendering_provider_id=primary.rendering_provider_id,
        location_id=primary.location_id, status=status.value, frequency_code="1",
        patient_control_number=f"{primary.patient_control_number}-S", primary_claim_id=primary.id,
        prior_authorization=primary.prior_authorization, diagnosis_codes=list(primary.diagnosis_codes),
        total_charge_cents=primary.total_charge_cents, date_of_service=primary.date_of_service, created_at=now,
        updated_at=now))
    repo.flush()
    copies = [repo.add(ClaimLineRow(
        claim_id=secondary.id, line_number=line.line_number, procedure_code=line.procedure_code,
        modifiers=list(line.modifiers), units=line.units, charge_cents=line.charge_cents,
        diagnosis_pointers=list(line.diagnosis_pointers), service_date_from=line.service_date_from,
        service_date_to=line.service_date_to, rendering_provider_id=line.rendering_provider_id,
        billed_line_id=line.charged_line_id)) for line in lines]
    why = "forwarded by the primary payer (crossover)" if crossover else "the primary left a patient share"
    repo.add(ClaimStatusEventRow(claim_id=secondary.id, from_status="draft", to_status=status.value,
                                 actor=repo.uow.actor, reason=why, occurred_at=now))
    postings = []
    for copy in copies:
        share = shares.get(copy.billed_line_id or 0)
        if share:
            postings += [Posting(INSURANCE_AR, share, patient_id=primary.patient_id, payer_id=coverage.payer_id,
                                 claim_id=secondary.id, claim_line_id=copy.billed_line_id),
                         Posting(PATIENT_AR, -share, patient_id=primary.patient_id, payer_id=coverage.payer_id,
                                 claim_id=primary.id, claim_line_id=copy.billed_line_id)]
    repo.open_standard_chart()
    repo.post(JournalEntry(now.date(), f"patient share of claim {primary.patient_control_number} billed to the "
                           "secondary payer", tuple(postings), idempotency_key=f"secondary:claim:{primary.id}",
                           kind="transfer"))
    repo.audit("claim.secondary_opened", "claim", secondary.id, {"primary": primary.patient_control_number,
                                                                 "crossover": crossover})
    return secondary


@dataclass(slots=True)
class NetAdjudication:
    """A payer's last word on a line: its adjudications summed, so a reversal cancels what it reverses."""

    paid_cents: int
    code: str
    modifiers: list[str]
    units: int
    adjudicated_on: datetime.date
    adjustments: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))


def primary_adjudication(repo: PracticeRepository, secondary: ClaimRow) -> dict[int, NetAdjudication]:
    """The primary payer's net adjudication of each charged line, for the secondary claim's COB loops."""
    if secondary.primary_claim_id is None:
        return {}
    result: dict[int, NetAdjudication] = {}
    for row in repo.rows(LineAdjudicationRow, LineAdjudicationRow.claim_id == secondary.primary_claim_id,
                         order_by=LineAdjudicationRow.id):
        net = result.setdefault(row.claim_line_id, NetAdjudication(0, row.code, list(row.modifiers), row.units,
                                                                   row.adjudicated_on))
        net.paid_cents += row.paid_cents
        if row.status_code != "22":  # the latest decision names the code, units and date
            net.code, net.modifiers, net.units, net.adjudicated_on = (row.code, list(row.modifiers),
                                                                      max(row.units, 1), row.adjudicated_on)
        for adjustment in row.adjustments:
            net.adjustments[(adjustment["group"], adjustment["reason"])] += int(adjustment["cents"])
    return result
