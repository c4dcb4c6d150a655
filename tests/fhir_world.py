"""A paid claim for the FHIR tests: the ERA world's practice with one claim of two lines, paid by an 835 (CO-45,
a deductible, a denied line with a remark), posted as every 835 is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from era_world import (
    NOW,
    NPI,
    PAYER_ID,
    Claim,
    add_claim,
    clock,
    denied,
    paid_claim,
    practice_world,
    remittance,
    settled,
    write,
)

from dermbill.db.engine import Database
from dermbill.db.models import PayerRow, PracticeRow, ProviderRow, ServiceLocationRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file


@dataclass(frozen=True)
class PaidWorld:
    database: Database
    practice_id: int
    claim: Claim


def paid_world(database: Database, folder: Path) -> PaidWorld:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000), ("17000", ("59",), 9000)])
    first, second = claim.lines
    answer = paid_claim(claim, (settled(first, 10000, patient=(("1", 2000),)),
                                denied(second, "CO", "97", remarks=("N130",))))
    post_era_file(database, write(folder / "paid.835", (remittance((answer,)),)), now=NOW)
    return PaidWorld(database, world.practice_id, claim)


def empty_practice(database: Database) -> int:
    """A practice of another billing company with the same payer, provider and office, and no patient yet."""
    with UnitOfWork(database, actor="test", clock=clock) as uow:
        organization = uow.add_organization("FHIR IMPORT BILLING")
        uow.add_payers([PayerRow(organization_id=organization.id, name="TEST MEDICARE", payer_identifier=PAYER_ID,
                                 kind="medicare", claim_filing_indicator_code="MB", timely_filing_days=365)])
        practice = uow.add_practice(PracticeRow(
            organization_id=organization.id, code="NEW", legal_name="NEW TEST DERMATOLOGY", tin="990000002",
            billing_npi=NPI, taxonomy="207N00000X", address_line1="1 TEST ST", city="ANYTOWN", state="PA",
            zip_code="19099"))
        repo = uow.practice(practice.id)
        repo.open_standard_chart()
        repo.add(ProviderRow(last_name="TESTDOC", first_name="ANN", npi=NPI, taxonomy="207N00000X"))
        repo.add(ServiceLocationRow(name="OFFICE", place_of_service="11", address_line1="1 TEST ST",
                                    city="ANYTOWN", state="PA", zip_code="19099"))
        uow.commit()
        return practice.id
