"""A practice's guarantor accounts as the ledger and the statement history have them on a day (issue 16): what the
statement run, the dunning cadence and the collections team read.

Per patient with a patient balance (1200, by claim) or a patient credit (2100): one visit per claim with what the
patient owes on it, whether a payer still owes on it (insurance A/R 1100 or denied A/R 1150 not zero), and the day
it was first on a statement (the earliest ``statement_claim`` row's statement date on or before the day: the start
of its aging and of the cadence); the unapplied credit; the last statement; and the open holds on the cadence
(``collection_hold``). The figures are the ledger's sums, to the cent.

The ledger reading is the same as ``services.statements``' plan (which does not know statement history or holds
yet): the two can share this module once merged.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, select

from dermbill.core.ledger import DENIED_AR, INSURANCE_AR, PATIENT_AR, PATIENT_CREDIT
from dermbill.core.money import Money
from dermbill.core.statements import Account, Hold, Visit
from dermbill.db.models import (
    ClaimRow,
    CollectionHoldRow,
    LedgerAccountRow,
    PatientRow,
    PostingRow,
    StatementClaimRow,
    StatementRow,
)
from dermbill.db.repositories import PracticeRepository

_ACCOUNTS = (PATIENT_AR, PATIENT_CREDIT, INSURANCE_AR, DENIED_AR)


@dataclass(frozen=True, slots=True)
class ClaimBalance:
    """One claim (visit) of the account: its row id with the visit as the core takes it."""

    claim_id: int
    visit: Visit


@dataclass(frozen=True, slots=True)
class PatientAccount:
    patient: PatientRow
    account: Account
    claims: tuple[ClaimBalance, ...]  # by date of service, the same visits as ``account.visits``


def read_accounts(repo: PracticeRepository, day: datetime.date, *,
                  patient_ids: Collection[int] | None = None) -> dict[int, PatientAccount]:
    """Every patient of the practice (or of ``patient_ids``) with a patient balance or credit, by patient id. Not
    audited here: the caller audits what it shows or does."""
    session = repo.session
    query = (select(PostingRow.patient_id, PostingRow.claim_id, LedgerAccountRow.code,
                    func.sum(PostingRow.amount_cents))
             .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
             .where(PostingRow.practice_id == repo.practice_id, LedgerAccountRow.practice_id == repo.practice_id,
                    LedgerAccountRow.code.in_(_ACCOUNTS))
             .group_by(PostingRow.patient_id, PostingRow.claim_id, LedgerAccountRow.code))
    if patient_ids is not None:
        query = query.where(PostingRow.patient_id.in_(list(patient_ids)))
    by_claim: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    credit: dict[int, int] = defaultdict(int)
    for patient_id, claim_id, code, cents in session.execute(query):
        if code == PATIENT_CREDIT and patient_id is not None:
            credit[patient_id] += -int(cents)  # a liability: credits are negative postings
        elif claim_id is not None:
            by_claim[claim_id][code] += int(cents)
    open_claims = {claim_id for claim_id, codes in by_claim.items()
                   if codes[PATIENT_AR] or codes[INSURANCE_AR] or codes[DENIED_AR]}
    claims = {c.id: c for c in repo.rows(ClaimRow, ClaimRow.id.in_(list(open_claims)))} if open_claims else {}
    first_billed = _first_billed(repo, list(claims), day)
    visits: dict[int, list[ClaimBalance]] = defaultdict(list)
    for claim_id, claim in claims.items():
        codes = by_claim[claim_id]
        visits[claim.patient_id].append(ClaimBalance(claim_id, Visit(
            claim.date_of_service, Money(codes[PATIENT_AR]), payer_pending=bool(codes[INSURANCE_AR] or
                                                                                codes[DENIED_AR]),
            first_billed=first_billed.get(claim_id))))
    people = [p for p in set(visits) | set(credit)
              if any(c.visit.patient_balance.cents for c in visits.get(p, [])) or credit.get(p)]
    if not people:
        return {}
    patients = {p.id: p for p in repo.rows(PatientRow, PatientRow.id.in_(people))}
    last_statement = dict(session.execute(
        select(StatementRow.patient_id, func.max(StatementRow.statement_date))
        .where(StatementRow.practice_id == repo.practice_id, StatementRow.patient_id.in_(people),
               StatementRow.statement_date <= day)
        .group_by(StatementRow.patient_id)).all())
    holds: dict[int, set[Hold]] = defaultdict(set)
    for hold in repo.rows(CollectionHoldRow, CollectionHoldRow.patient_id.in_(people),
                          CollectionHoldRow.released_at.is_(None)):
        holds[hold.patient_id].add(Hold(hold.kind))
    accounts = {}
    for patient_id, patient in patients.items():
        own = tuple(sorted(visits.get(patient_id, []), key=lambda c: (c.visit.date_of_service, c.claim_id)))
        accounts[patient_id] = PatientAccount(patient, Account(
            patient.account_number, tuple(c.visit for c in own), credit=Money(credit.get(patient_id, 0)),
            last_statement=last_statement.get(patient_id),
            holds=tuple(sorted(holds.get(patient_id, set())))), own)
    return accounts


def _first_billed(repo: PracticeRepository, claim_ids: list[int], day: datetime.date) -> dict[int, datetime.date]:
    """Each claim's first statement date on or before ``day`` (claims never billed are absent)."""
    if not claim_ids:
        return {}
    return dict(repo.session.execute(
        select(StatementClaimRow.claim_id, func.min(StatementRow.statement_date))
        .join(StatementRow, (StatementRow.id == StatementClaimRow.statement_id)
              & (StatementRow.practice_id == StatementClaimRow.practice_id))
        .where(StatementClaimRow.practice_id == repo.practice_id, StatementClaimRow.claim_id.in_(claim_ids),
               StatementRow.statement_date <= day)
        .group_by(StatementClaimRow.claim_id)).all())
