"""A practice's repository reads and writes its own rows only; the database refuses cross-tenant links."""

from __future__ import annotations

import pytest
from tenant_records import DOS, NOW, TwoPractices

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.models import TENANT_ROWS, CoverageRow, EncounterRow, PatientRow
from dermbill.db.repositories import UnitOfWork


def test_every_tenant_table_is_covered_by_the_fixture(two_practices: TwoPractices) -> None:
    tables = {row.__tablename__ for row in TENANT_ROWS} - {"ledger_account", "journal_entry", "posting"}
    assert tables == set(two_practices.records[0])


@pytest.mark.parametrize("row_type", TENANT_ROWS, ids=lambda r: r.__tablename__)
def test_lists_and_counts_return_only_the_practices_own_rows(two_practices: TwoPractices, row_type: type) -> None:
    with UnitOfWork(two_practices.database, actor="test") as uow:
        for practice_id in two_practices.practice_ids:
            rows = uow.practice(practice_id).rows(row_type)
            assert all(row.practice_id == practice_id for row in rows)
            assert uow.practice(practice_id).count(row_type) == len(rows)
        if row_type.__tablename__ in two_practices.records[0]:
            assert all(len(uow.practice(p).rows(row_type)) == 1 for p in two_practices.practice_ids)


@pytest.mark.parametrize("table", ["provider", "service_location", "patient", "coverage", "encounter", "claim",
                                   "claim_line", "claim_finding", "submission_batch", "fee_schedule",
                                   "fee_schedule_item", "claim_status_event", "remittance",
                                   "unmatched_remittance", "line_adjudication", "denial_item", "appeal"])
def test_another_practices_row_is_not_found(two_practices: TwoPractices, table: str) -> None:
    row_type = next(r for r in TENANT_ROWS if r.__tablename__ == table)
    first, second = two_practices.practice_ids
    own_id, other_id = two_practices.records[0][table], two_practices.records[1][table]
    with UnitOfWork(two_practices.database, actor="test") as uow:
        assert uow.practice(first).get(row_type, own_id).id == own_id
        with pytest.raises(NotFound, match="not found in practice P1"):
            uow.practice(first).get(row_type, other_id)
        assert uow.practice(second).get(row_type, other_id).practice_id == second


def test_a_row_of_another_practice_cannot_be_added_through_this_one(two_practices: TwoPractices) -> None:
    first, second = two_practices.practice_ids
    with UnitOfWork(two_practices.database, actor="test") as uow:
        row = PatientRow(practice_id=second, account_number="X", last_name="TEST", first_name="X",
                         date_of_birth=DOS, sex="M", address_line1="1", city="A", state="PA", zip_code="19099",
                         created_at=NOW)
        with pytest.raises(InvalidInput, match="belongs to practice"):
            uow.practice(first).add(row)


@pytest.mark.parametrize("link", ["patient_id", "provider_id", "location_id"])
def test_database_refuses_an_encounter_that_points_into_another_practice(two_practices: TwoPractices,
                                                                          link: str) -> None:
    own, other = two_practices.records
    values = {"patient_id": own["patient"], "provider_id": own["provider"], "location_id": own["service_location"]}
    values[link] = other[{"patient_id": "patient", "provider_id": "provider", "location_id": "service_location"}[link]]
    with UnitOfWork(two_practices.database, actor="test") as uow:
        uow.practice(two_practices.practice_ids[0]).add(
            EncounterRow(date_of_service=DOS, documentation={}, created_at=NOW, **values)
        )
        with pytest.raises(InvalidInput, match="refused"):
            uow.flush()


def test_database_refuses_a_coverage_for_another_practices_patient(two_practices: TwoPractices) -> None:
    with UnitOfWork(two_practices.database, actor="test") as uow:
        uow.practice(two_practices.practice_ids[0]).add(
            CoverageRow(patient_id=two_practices.records[1]["patient"], payer_id=two_practices.payer_id,
                        member_id="X", coverage_order="primary", relationship_code="18", effective_date=DOS)
        )
        with pytest.raises(InvalidInput, match="refused"):
            uow.commit()


def test_payers_are_shared_by_the_organizations_practices(two_practices: TwoPractices) -> None:
    with UnitOfWork(two_practices.database, actor="test") as uow:
        for practice_id in two_practices.practice_ids:
            assert [p.id for p in uow.practice(practice_id).payers()] == [two_practices.payer_id]
