"""One resolver for a claim a person names: its claim number (what every output shows) or its internal id."""

from __future__ import annotations

import pytest
from era_world import World, add_claim, practice_world
from sqlalchemy import update

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, OrganizationRow, PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.claim_lookup import find_claim, find_claims

LINE = [("11102", (), 15000)]


def _two_practices(database: Database) -> tuple[World, World]:
    """Practices ERA and ERB (two billing companies), each with claims ERA-1 and ERA-2."""
    first = practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.execute(update(OrganizationRow).values(name="ERA TEST BILLING ONE"))
        uow.commit()
    second = practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.execute(update(PracticeRow).where(PracticeRow.id == second.practice_id).values(code="ERB"))
        uow.commit()
    for world in (first, first, second, second):
        add_claim(world, LINE, submit=False)
    return first, second


def _pcn_and_practice(database: Database, ref: int | str) -> tuple[str, int]:
    with UnitOfWork(database, actor="test") as uow:
        row = find_claim(uow, ref)
        return row.patient_control_number, row.practice_id


def test_a_claim_is_found_by_its_number_its_qualified_number_or_its_id(database: Database) -> None:
    first, second = _two_practices(database)
    with UnitOfWork(database, actor="test") as uow:
        ids = {(row.practice_id, row.patient_control_number): row.id for row in uow.session.query(ClaimRow)}
        uow.session.execute(update(ClaimRow).where(ClaimRow.id == ids[(second.practice_id, "ERA-2")])
                            .values(patient_control_number="ERB-2"))
        uow.commit()
    assert _pcn_and_practice(database, "ERB-2") == ("ERB-2", second.practice_id)
    assert _pcn_and_practice(database, " erb-2 ") == ("ERB-2", second.practice_id)  # as typed, case aside
    assert _pcn_and_practice(database, "ERA:ERA-1") == ("ERA-1", first.practice_id)
    assert _pcn_and_practice(database, "erb:ERA-1") == ("ERA-1", second.practice_id)
    assert _pcn_and_practice(database, ids[(first.practice_id, "ERA-2")]) == ("ERA-2", first.practice_id)
    assert _pcn_and_practice(database, str(ids[(first.practice_id, "ERA-2")])) == ("ERA-2", first.practice_id)
    with UnitOfWork(database, actor="test") as uow:
        both = find_claims(uow, ["ERB-2", "ERA:ERA-2", "ERB-2"])
        assert [row.patient_control_number for row in both] == ["ERB-2", "ERA-2"]


def test_an_unknown_claim_says_what_claim_numbers_look_like(database: Database) -> None:
    with UnitOfWork(database, actor="test") as uow, pytest.raises(NotFound, match="no claims in this database"):
        find_claim(uow, "D1E0000999")
    world = practice_world(database)
    add_claim(world, LINE, submit=False)
    with UnitOfWork(database, actor="test") as uow:
        with pytest.raises(NotFound, match=r"^no claim D1E0000999; claim numbers look like ERA-1 "):
            find_claim(uow, "D1E0000999")
        with pytest.raises(NotFound, match=r"^no claim 999999; claim numbers look like ERA-1"):
            find_claim(uow, "999999")
        with pytest.raises(NotFound, match="no claim 999999;"):
            find_claim(uow, 999999)
        with pytest.raises(NotFound, match="no practice 'ZZ' in 'ZZ:ERA-1'; the practices are ERA"):
            find_claim(uow, "ZZ:ERA-1")
        with pytest.raises(NotFound, match="no claim ERA:ERA-9;"):
            find_claim(uow, "ERA:ERA-9")
        with pytest.raises(InvalidInput, match="empty"):
            find_claim(uow, "  ")


def test_an_ambiguous_reference_is_refused_with_the_names_that_are_not(database: Database) -> None:
    first, _ = _two_practices(database)
    with UnitOfWork(database, actor="test") as uow, pytest.raises(
            InvalidInput, match=r"'ERA-1' names 2 claims: ERA:ERA-1, ERB:ERA-1 \(practice:claim number\)"):
        find_claim(uow, "ERA-1")
    # Digits that are one claim's number and another claim's id.
    with UnitOfWork(database, actor="test") as uow:
        era_2 = uow.session.query(ClaimRow).filter_by(practice_id=first.practice_id,
                                                      patient_control_number="ERA-2").one()
        era_1 = uow.session.query(ClaimRow).filter_by(practice_id=first.practice_id,
                                                      patient_control_number="ERA-1").one()
        era_1.patient_control_number = str(era_2.id)
        uow.commit()
        digits = str(era_2.id)
    with UnitOfWork(database, actor="test") as uow, pytest.raises(
            InvalidInput, match=rf"'{digits}' names 2 claims: ERA:{digits}, ERA:ERA-2"):
        find_claim(uow, digits)
    assert _pcn_and_practice(database, f"ERA:{digits}") == (digits, first.practice_id)
    assert _pcn_and_practice(database, "ERA:ERA-2") == ("ERA-2", first.practice_id)


def test_a_claim_number_may_hold_a_colon(database: Database) -> None:
    world = practice_world(database)
    claim = add_claim(world, LINE, submit=False)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.execute(update(ClaimRow).where(ClaimRow.id == claim.id).values(patient_control_number="A:1"))
        uow.commit()
    assert _pcn_and_practice(database, "A:1") == ("A:1", world.practice_id)
