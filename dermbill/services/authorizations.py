"""Referrals and prior authorizations on file for a patient with a payer (recorded at check-in), and the one a claim
carries: a prior authorization valid on the date of service covering one of the claim's codes goes into the claim's
``prior_authorization`` (837P 2300 REF*G1) when the claim is made from the visit's charges.

A referral number is kept for the check-in checklist only: dermbill's claim has no referral field (837P REF*9F).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from dermbill.core.check_in import AuthorizationKind, AuthorizationOnFile
from dermbill.core.dates import DateRange
from dermbill.db.models import AuthorizationRow
from dermbill.db.repositories import PracticeRepository


def authorizations_on_file(repo: PracticeRepository, patient_id: int, payer_id: int) -> list[AuthorizationRow]:
    return repo.rows(AuthorizationRow, AuthorizationRow.patient_id == patient_id, AuthorizationRow.payer_id == payer_id,
                     order_by=AuthorizationRow.valid_from)


def as_core(row: AuthorizationRow) -> AuthorizationOnFile:
    return AuthorizationOnFile(AuthorizationKind(row.kind), row.number, frozenset(row.codes),
                               DateRange(row.valid_from, row.valid_to))


def authorization_for_claim(repo: PracticeRepository, patient_id: int, payer_id: int | None, day: datetime.date,
                            codes: Collection[str]) -> str | None:
    """The prior authorization number on file for the patient with this payer, valid on the day, covering one of
    the claim's codes (or any code): what the claim's REF*G1 carries. None when there is none."""
    if payer_id is None:
        return None
    for row in authorizations_on_file(repo, patient_id, payer_id):
        found = as_core(row)
        if found.kind is AuthorizationKind.PRIOR_AUTHORIZATION and found.valid.contains(day) and (
                not found.codes or found.codes & set(codes)):
            return found.number
    return None
