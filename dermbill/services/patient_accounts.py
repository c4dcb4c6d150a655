"""A practice's guarantor accounts on a day, as the statement run reads them (issue 16): what the soft-collections
team works from, so the call list, the agency hand-off and the statements always show the same figures.

This is ``services.statements``' reading (the ledger's sums by charged line, the statement history's first-billed
dates, the holds every registered source reports), not a copy of it: its book is read with ``_read_book`` and
planned with ``_plan`` (private to that module until it offers a public reader; see the note in the report).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from dermbill.core.money import Money
from dermbill.core.statements import Account, Policy
from dermbill.db.repositories import PracticeRepository
from dermbill.services.statements import _Patient, _plan, _read_book


@dataclass(frozen=True, slots=True)
class PatientAccount:
    patient: _Patient  # the run's plain values of the patient (id, account number, name, phone, address)
    account: Account


def read_accounts(repo: PracticeRepository, day: datetime.date, policy: Policy, *,
                  patient_ids: Collection[int] | None = None) -> dict[int, PatientAccount]:
    """Every patient of the practice (or of ``patient_ids``) with a patient balance or credit, by patient id, with
    the account as ``core.statements`` takes it (visits up to ``day``, credit, last statement, holds). Not audited
    here: the caller audits what it shows or does."""
    book = _read_book(repo.uow, repo.practice, policy)
    _plan(book, day, cycle_billing=False)
    wanted = None if patient_ids is None else set(patient_ids)
    accounts = {}
    for planned, guarantor in book.planned:
        patient = guarantor.patient
        if wanted is not None and patient.id not in wanted:
            continue
        accounts[patient.id] = PatientAccount(patient, Account(
            planned.account_number, planned.visits, credit=Money(planned.credit.cents),
            last_statement=book.last_statement.get(patient.id),
            holds=tuple(sorted(book.holds.get(patient.id, set())))))
    return accounts
