"""The references of postings (entry, account, patient, claim, claim line, payer) and line adjudications (claim,
claim line, remittance, payer) hold on both backends: foreign keys on SQLite, triggers checking once per statement
on PostgreSQL (migration 0038). Each test would fail if a reference went unchecked, or a row referred to could be
deleted or re-keyed under a row referring to it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from tenant_records import DOS, NOW, TwoPractices, fixed_clock

from dermbill.core.errors import InvalidInput
from dermbill.db.engine import Database
from dermbill.db.ledger_guards import STATEMENT_CHECKED_KEYS
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    JournalEntryRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    PatientRow,
    PayerRow,
    PostingRow,
    RemittanceRow,
    TenantRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork

MISSING = 987_654
SERIAL = itertools.count(1)  # distinct names for the new rows


def _entry(uow: UnitOfWork, practice_id: int) -> int:
    entry = JournalEntryRow(practice_id=practice_id, entry_date=DOS, kind="general", memo="raw", created_at=NOW,
                            created_by="test")
    uow.session.add(entry)
    uow.flush()
    return entry.id


def _postings(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices, **naming: int) -> list[dict[str, Any]]:
    """A balanced pair of postings of a new entry; the debit names the practice's patient, payer, claim and line, or
    what ``naming`` says."""
    own, accounts = two.records[0], repo.account_ids()
    entry_id = _entry(uow, repo.practice_id)
    debit = {"journal_entry_id": entry_id, "account_id": accounts["1100"], "amount_cents": 500,
             "patient_id": own["patient"], "payer_id": two.payer_id, "claim_id": own["claim"],
             "claim_line_id": own["claim_line"], **naming}
    credit = {"journal_entry_id": entry_id, "account_id": accounts["4000"], "amount_cents": -500, "patient_id": None,
              "payer_id": None, "claim_id": None, "claim_line_id": None}
    return [debit, credit]


def _adjudications(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices,
                   **naming: int) -> list[dict[str, Any]]:
    """One line adjudication naming the practice's claim, line, remittance and payer, or what ``naming`` says."""
    own = two.records[0]
    return [{"claim_id": own["claim"], "claim_line_id": own["claim_line"], "remittance_id": own["remittance"],
             "payer_id": two.payer_id, "status_code": "1", "payer_claim_number": "ICN9", "code": "11642",
             "modifiers": [], "units": 1, "paid_cents": 100, "allowed_cents": 100, "adjustments": [], "remarks": [],
             "adjudicated_on": DOS, **naming}]


Rows = Callable[..., list[dict[str, Any]]]
TABLES: dict[str, tuple[type[TenantRow], Rows]] = {"posting": (PostingRow, _postings),
                                                   "line_adjudication": (LineAdjudicationRow, _adjudications)}

# (table, column, what the wrong value names: another practice's row, or none at all)
WRONG = [("posting", "journal_entry_id", "other"), ("posting", "journal_entry_id", "missing"),
         ("posting", "account_id", "other"), ("posting", "patient_id", "other"), ("posting", "patient_id", "missing"),
         ("posting", "claim_id", "other"), ("posting", "claim_line_id", "other"),
         ("posting", "claim_line_id", "missing"), ("posting", "payer_id", "missing"),
         ("line_adjudication", "claim_id", "other"), ("line_adjudication", "claim_line_id", "other"),
         ("line_adjudication", "claim_line_id", "missing"), ("line_adjudication", "remittance_id", "other"),
         ("line_adjudication", "payer_id", "missing")]


def _wrong_value(uow: UnitOfWork, two: TwoPractices, column: str, which: str) -> int:
    if which == "missing":
        return MISSING
    other = two.practice_ids[1]
    if column == "journal_entry_id":
        return _entry(uow, other)
    if column == "account_id":
        return uow.practice(other).account_ids()["1100"]
    return two.records[1][column.removesuffix("_id")]


@pytest.mark.parametrize("table", TABLES)
def test_every_declared_reference_is_kept_on_postgresql(table: str) -> None:
    """The triggers cover every foreign key the model declares on the table."""
    declared = {constraint.name for constraint in TABLES[table][0].__table__.foreign_key_constraints}
    assert {name for checked, name, _, _, _ in STATEMENT_CHECKED_KEYS if checked == table} == declared


@pytest.mark.parametrize("how", ["bulk", "orm"])
@pytest.mark.parametrize(("table", "column", "which"), WRONG)
def test_a_row_naming_a_row_that_is_not_the_practices_is_refused(two_practices: TwoPractices, table: str,
                                                                 column: str, which: str, how: str) -> None:
    practice_id = two_practices.practice_ids[0]
    row_type, rows_of = TABLES[table]
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        rows = rows_of(uow, repo, two_practices, **{column: _wrong_value(uow, two_practices, column, which)})
        with pytest.raises(InvalidInput, match="refused"):
            if how == "bulk":  # COPY on PostgreSQL, executemany on SQLite
                repo.insert_rows(row_type, rows)
            else:  # INSERT of mapped rows
                uow.session.add_all(row_type(practice_id=practice_id, **row) for row in rows)
                uow.flush()
    with UnitOfWork(two_practices.database, actor="test") as uow:
        assert uow.practice(practice_id).count(PostingRow) == 0
        assert uow.practice(practice_id).count(LineAdjudicationRow) == 1  # the fixture's


@pytest.mark.parametrize("table", TABLES)
def test_rows_naming_the_practices_own_rows_are_kept(two_practices: TwoPractices, table: str) -> None:
    """The same statements with every reference right (the control of the test above), COPY and INSERT."""
    practice_id = two_practices.practice_ids[0]
    row_type, rows_of = TABLES[table]
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        before = repo.count(row_type)
        rows = rows_of(uow, repo, two_practices)
        repo.insert_rows(row_type, rows)
        uow.session.add_all(row_type(practice_id=practice_id, **row) for row in rows_of(uow, repo, two_practices))
        uow.commit()
    with UnitOfWork(two_practices.database, actor="test") as uow:
        assert uow.practice(practice_id).count(row_type) == before + 2 * len(rows)


def test_a_line_adjudication_cannot_be_moved_to_another_practices_line(two_practices: TwoPractices) -> None:
    """Line adjudications are not append-only: an UPDATE of a reference is checked as an INSERT is."""
    other_line = two_practices.records[1]["claim_line"]
    adjudication = two_practices.records[0]["line_adjudication"]
    assert _refused(two_practices.database, "UPDATE line_adjudication SET claim_line_id = :line WHERE id = :id",
                    line=other_line, id=adjudication)
    assert not _refused(two_practices.database, "UPDATE line_adjudication SET paid_cents = 7 WHERE id = :id",
                        id=adjudication)


# A new row of each table referred to (but the entry, never deleted), with nothing else referring to it.
Fresh = Callable[[UnitOfWork, PracticeRepository, TwoPractices], int]


def _fresh_patient(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices) -> int:
    patient = repo.add(PatientRow(account_number=f"NEW-{next(SERIAL)}", last_name="NEW", first_name="ROW",
                                  date_of_birth=DOS, sex="F", address_line1="1 ST", city="TOWN", state="PA",
                                  zip_code="19099", created_at=NOW))
    repo.flush()
    return patient.id


def _fresh_claim(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices) -> int:
    own = two.records[0]
    claim = repo.add(ClaimRow(patient_id=own["patient"], encounter_id=own["encounter"], coverage_id=own["coverage"],
                              payer_id=two.payer_id, rendering_provider_id=own["provider"],
                              location_id=own["service_location"], patient_control_number=f"NEW-{next(SERIAL)}",
                              diagnosis_codes=["L57.0"], total_charge_cents=100, date_of_service=DOS,
                              created_at=NOW, updated_at=NOW))
    repo.flush()
    return claim.id


def _fresh_claim_line(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices) -> int:
    line = repo.add(ClaimLineRow(claim_id=two.records[0]["claim"], line_number=1 + next(SERIAL),
                                 procedure_code="17000", modifiers=[], units=1, charge_cents=100,
                                 diagnosis_pointers=[1], service_date_from=DOS))
    repo.flush()
    return line.id


def _fresh_account(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices) -> int:
    account = repo.add(LedgerAccountRow(code=f"19{next(SERIAL):02d}", name="new", kind="asset"))
    repo.flush()
    return account.id


def _fresh_payer(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices) -> int:
    serial = next(SERIAL)
    payer = PayerRow(organization_id=two.organization_id, name=f"NEW PAYER {serial}", payer_identifier=f"NEW{serial}",
                     kind="commercial", claim_filing_indicator_code="CI", timely_filing_days=90)
    uow.add_payers([payer])
    return payer.id


def _fresh_remittance(uow: UnitOfWork, repo: PracticeRepository, two: TwoPractices) -> int:
    serial = next(SERIAL)
    remittance = repo.add(RemittanceRow(payer_identifier="TSTMCR", trace_number=f"NEW{serial}",
                                        content_hash=f"{serial:064d}", payment_cents=0, payment_date=DOS,
                                        status="posted", problems=[], file_name="r.835", received_at=NOW))
    repo.flush()
    return remittance.id


FRESH: dict[str, Fresh] = {"patient": _fresh_patient, "claim": _fresh_claim, "claim_line": _fresh_claim_line,
                           "ledger_account": _fresh_account, "payer": _fresh_payer, "remittance": _fresh_remittance}
# (referring table, its column, the table referred to), for every reference but to the entry
PARENTS = [(table, columns[-1], parent) for table, _, columns, parent, _ in STATEMENT_CHECKED_KEYS
           if parent != "journal_entry"]


def _refused(database: Database, statement: str, **values: Any) -> bool:
    try:
        with database.engine.begin() as connection:
            connection.execute(text(statement), values)
    except DBAPIError as exc:
        assert "foreign key" in str(exc.orig).lower(), exc.orig
        return True
    return False


@pytest.mark.parametrize(("table", "column", "parent"), PARENTS, ids=[f"{p[0]}-{p[2]}" for p in PARENTS])
def test_a_row_referred_to_cannot_be_deleted_nor_rekeyed(two_practices: TwoPractices, table: str, column: str,
                                                         parent: str) -> None:
    practice_id = two_practices.practice_ids[0]
    row_type, rows_of = TABLES[table]
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        referred, unreferred = FRESH[parent](uow, repo, two_practices), FRESH[parent](uow, repo, two_practices)
        repo.insert_rows(row_type, rows_of(uow, repo, two_practices, **{column: referred}))
        uow.commit()
    database = two_practices.database
    assert _refused(database, f"DELETE FROM {parent} WHERE id = :id", id=referred)
    assert _refused(database, f"UPDATE {parent} SET id = :new WHERE id = :id", id=referred, new=MISSING)
    if parent != "payer":  # the others' keys include the practice
        assert _refused(database, f"UPDATE {parent} SET practice_id = :other WHERE id = :id", id=referred,
                        other=two_practices.practice_ids[1])
    # the control: the row nothing refers to goes
    assert not _refused(database, f"DELETE FROM {parent} WHERE id = :id", id=unreferred)


def test_postgresql_a_delete_waits_for_the_posting_transaction_then_is_refused(two_practices: TwoPractices) -> None:
    """The statement's check locks the rows it names FOR KEY SHARE, as a foreign key's check does: a claim line
    deleted while a transaction posts to it waits for that transaction; once it commits, the delete is refused (and
    were it rolled back, the delete would go)."""
    database = two_practices.database
    if database.backend != "postgresql":
        pytest.skip("SQLite writes one transaction at a time")
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        kept, dropped = _fresh_claim_line(uow, repo, two_practices), _fresh_claim_line(uow, repo, two_practices)
        uow.commit()
    for line_id, commit in ((kept, True), (dropped, False)):
        with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
            repo = uow.practice(practice_id)
            repo.insert_rows(PostingRow, _postings(uow, repo, two_practices, claim_line_id=line_id))
            with database.engine.connect() as other:
                other.execute(text("SET lock_timeout = '200ms'"))
                with pytest.raises(OperationalError) as waited:
                    other.execute(text("DELETE FROM claim_line WHERE id = :id"), {"id": line_id})
                assert isinstance(waited.value.orig, psycopg.errors.LockNotAvailable)
            if commit:
                uow.commit()
        assert _refused(database, "DELETE FROM claim_line WHERE id = :id", id=line_id) is commit
