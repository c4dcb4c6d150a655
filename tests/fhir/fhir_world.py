"""A paid claim for the FHIR tests: the ERA world's practice with one claim of two lines, paid by an 835 (CO-45,
a deductible, a denied line with a remark), posted as every 835 is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from era_world import NOW, Claim, add_claim, denied, paid_claim, practice_world, remittance, settled, write

from dermbill.db.engine import Database
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
