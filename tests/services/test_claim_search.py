"""The claim search: each filter returns exactly the claims the world's facts say, only of the user's practices,
newest date of service first; paging walks every match once; every search is audited; the board counts by state."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from claim_world import World, claim_world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dermbill.core.claim_search import ClaimSearch, Cursor, InvalidSearch, parse_search
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import claim_search
from dermbill.services.claim_search import ClaimListItem, claim_board, search_claims

Facts = Callable[[object], bool]


@pytest.fixture
def world(database: Database) -> World:
    return claim_world(database)


def search(world: World, *, practices: tuple[str, ...] = ("ERA",), limit: int = 500, after: Cursor | None = None,
           **filters: str) -> list[ClaimListItem]:
    return search_claims(world.database, {world.ids[p] for p in practices}, parse_search(**filters), limit=limit,
                         after=after, actor="tester@era.test")


def expected(world: World, keep: Callable[..., bool], practices: tuple[str, ...] = ("ERA",)) -> list[str]:
    chosen = [c for c in world.of(*practices) if keep(c)]
    return [c.number for c in sorted(chosen, key=lambda c: (c.date_of_service, c.id), reverse=True)]


def numbers(found: list[ClaimListItem]) -> list[str]:
    return [c.claim_number for c in found]


def test_without_filters_every_claim_of_the_users_practices_newest_date_of_service_first(world: World) -> None:
    found = search(world)
    assert numbers(found) == expected(world, lambda c: True)
    assert len(found) == 24 and {c.practice for c in found} == {"ERA"}
    days = [c.date_of_service for c in found]
    assert days == sorted(days, reverse=True) and days[0] > days[-1]


def test_q_is_a_claim_number_prefix_in_either_case(world: World) -> None:
    assert numbers(search(world, q="ERA001")) == expected(world, lambda c: c.number.startswith("ERA001"))
    assert numbers(search(world, q="era001")) == numbers(search(world, q="ERA001"))
    assert len(search(world, q="ERA001")) == 10
    assert numbers(search(world, q="ERA0023")) == ["ERA0023"]
    assert search(world, q="OTH0001") == []  # another company's claim number: nothing


def test_q_is_a_patient_last_name_prefix_whatever_the_case(world: World) -> None:
    smith = expected(world, lambda c: c.patient.upper().startswith("SMITH"))
    assert numbers(search(world, q="smith")) == smith
    assert {c.patient for c in search(world, q="SMITH")} == {"SMITH, JOHN", "Smithers, anna"}
    assert numbers(search(world, q="Smithe")) == expected(world, lambda c: c.patient.startswith("Smithers"))
    assert numbers(search(world, q="smith, jo")) == expected(world, lambda c: c.patient == "SMITH, JOHN")
    assert search(world, q="smith, zz") == []


def test_a_name_with_a_like_wildcard_matches_only_itself(world: World) -> None:
    assert {c.patient for c in search(world, q="O_")} == {"O_NEIL, PAT"}
    assert search(world, q="%") == []


def test_patient_is_an_account_number_or_a_name(world: World) -> None:
    assert numbers(search(world, patient="A-3")) == expected(world, lambda c: c.account == "A-3")
    assert numbers(search(world, patient="doe")) == expected(world, lambda c: c.patient.startswith("DOE"))
    assert search(world, patient="ERA0001") == []  # a claim number is not a patient


def test_dates_of_service_are_inclusive_on_both_ends(world: World) -> None:
    start, end = datetime.date(2026, 1, 12), datetime.date(2026, 2, 16)
    inside = expected(world, lambda c: start <= c.date_of_service <= end)
    assert numbers(search(world, date_from="2026-01-12", date_to="2026-02-16")) == inside
    assert any(c.date_of_service == start for c in world.of("ERA"))
    assert any(c.date_of_service == end for c in world.of("ERA"))
    assert numbers(search(world, date_from="2026-02-16")) == expected(world, lambda c: c.date_of_service >= end)
    assert numbers(search(world, date_to="2026-01-12")) == expected(world, lambda c: c.date_of_service <= start)
    one_day = search(world, date_from="2026-01-12", date_to="2026-01-12")
    assert one_day and {c.date_of_service for c in one_day} == {start}


def test_payer_by_payer_id_or_name(world: World) -> None:
    acme = expected(world, lambda c: c.payer_id == "ACME01")
    assert 0 < len(acme) < 24
    assert numbers(search(world, payer="ACME01")) == acme
    assert numbers(search(world, payer="acme")) == acme
    assert numbers(search(world, payer="tstmcr")) == expected(world, lambda c: c.payer_id == "TSTMCR")
    assert search(world, payer="NOBODY") == []


def test_provider_by_rendering_npi_or_name_or_the_billing_npi(world: World) -> None:
    mole = expected(world, lambda c: c.provider_name == "MOLE")
    assert 0 < len(mole) < 24
    assert numbers(search(world, provider="1326047788")) == mole
    assert numbers(search(world, provider="mole")) == mole
    assert numbers(search(world, provider="1234567893")) == expected(  # TESTDOC's NPI, also ERA's billing NPI
        world, lambda c: True)
    assert numbers(search(world, provider="ERA TEST DERM")) == expected(world, lambda c: True)  # billing name
    assert search(world, provider="1245319599") == []  # ERB's billing NPI: not the user's practice


def test_status_one_or_several(world: World) -> None:
    assert numbers(search(world, status="ready")) == expected(world, lambda c: c.status == "ready")
    assert numbers(search(world, status="REJECTED, denied")) == expected(
        world, lambda c: c.status in ("rejected", "denied"))
    assert search(world, status="held") == []


def test_practice_narrows_to_one_of_the_users_practices_and_refuses_another(world: World) -> None:
    both = ("ERA", "ERB")
    assert numbers(search(world, practices=both)) == expected(world, lambda c: True, both)
    assert numbers(search(world, practices=both, practice="erb")) == expected(world, lambda c: True, ("ERB",))
    with pytest.raises(InvalidSearch) as refused:
        search(world, practice="OTH")
    assert refused.value.field == "practice" and "one of: ERA" in str(refused.value)


def test_filters_combine(world: World) -> None:
    found = search(world, q="smith", date_from="2026-01-20", status="ready,submitted,paid", payer="TSTMCR")
    assert numbers(found) == expected(world, lambda c: c.patient.upper().startswith("SMITH")
                                      and c.date_of_service >= datetime.date(2026, 1, 20)
                                      and c.status in ("ready", "submitted", "paid") and c.payer_id == "TSTMCR")


def test_another_practices_claims_are_never_returned_whatever_the_filter(world: World) -> None:
    theirs = {c.number for c in world.of("ERB", "OTH")}
    for filters in ({}, {"q": "doe"}, {"patient": "A-2"}, {"q": "O"}, {"provider": "1234567893"},
                    {"payer": "TSTMCR"}, {"status": "ready"}, {"date_from": "2026-01-01"}):
        found = numbers(search(world, **filters))
        assert found and not theirs & set(found), filters


def test_a_user_without_practices_finds_nothing(world: World) -> None:
    assert search_claims(world.database, set(), ClaimSearch(), limit=10, after=None, actor="x") == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(min_value=1, max_value=9),
       filters=st.fixed_dictionaries({}, optional={"q": st.sampled_from(["SMITH", "ERA00", "doe"]),
                                                   "status": st.sampled_from(["ready", "ready,submitted,paid"]),
                                                   "date_from": st.sampled_from(["2026-01-19", "2026-02-02"]),
                                                   "payer": st.sampled_from(["ACME01", "TSTMCR"])}),
       practices=st.sampled_from([("ERA",), ("ERA", "ERB")]))
def test_paging_walks_every_match_once_in_order(world: World, limit: int, filters: dict[str, str],
                                                practices: tuple[str, ...]) -> None:
    everything = search(world, practices=practices, **filters)
    walked: list[str] = []
    after = None
    for _ in range(100):
        page = search(world, practices=practices, limit=limit, after=after, **filters)
        walked += numbers(page)
        if len(page) < limit:
            break
        after = page[-1].cursor
    assert walked == numbers(everything)
    assert len(set(walked)) == len(walked)


def test_a_claim_added_while_paging_is_neither_skipped_before_nor_repeated(world: World) -> None:
    first = search(world, limit=5)
    with UnitOfWork(world.database, actor="test") as uow:  # a new claim on the newest date: before the cursor
        row = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == first[0].claim_number)
                                  ).one()
        copy = {c.name: getattr(row, c.name) for c in ClaimRow.__table__.columns if c.name != "id"}
        uow.session.add(ClaimRow(**{**copy, "patient_control_number": "ERA9999"}))
        uow.commit()
    rest = search(world, after=first[-1].cursor)
    assert numbers(first) + numbers(rest) == expected(world, lambda c: True)


def test_every_search_is_audited_with_the_claims_it_returned(world: World) -> None:
    found = search(world, q="smith", status="ready")
    with UnitOfWork(world.database, actor="test") as uow:
        event = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "claim.list")).one()
        actor, detail = event.actor, event.detail
    assert actor == "tester@era.test"
    assert detail["claims"] == numbers(found) and found
    assert detail["search"] == {"q": "smith", "status": ["ready"]}


def test_the_board_counts_and_sums_every_state_of_the_users_practices(world: World) -> None:
    board = {c.status.value: (c.claims, c.total_charge.cents)
             for c in claim_board(world.database, {world.ids["ERA"]}, actor="x")}
    for status, (count, cents) in board.items():
        mine = [c for c in world.of("ERA") if c.status == status]
        assert (count, cents) == (len(mine), sum(c.charge_cents for c in mine)), status
    assert sum(count for count, _ in board.values()) == 24
    assert board["held"] == (0, 0)
    both = claim_board(world.database, {world.ids["ERA"], world.ids["ERB"]}, actor="x")
    assert sum(c.claims for c in both) == 48
    assert all(c.claims == 0 for c in claim_board(world.database, set(), actor="x"))


def test_the_board_is_kept_for_a_few_seconds_and_counted_again_when_asked_fresh(world: World) -> None:
    era = {world.ids["ERA"]}
    before = {c.status.value: c.claims for c in claim_board(world.database, era, actor="x")}
    with UnitOfWork(world.database, actor="test") as uow:
        row = uow.session.scalars(select(ClaimRow).where(ClaimRow.status == "ready",
                                                         ClaimRow.practice_id == world.ids["ERA"])).first()
        assert row is not None
        row.status = "held"
        uow.commit()
    kept = {c.status.value: c.claims for c in claim_board(world.database, era, actor="x")}
    fresh = {c.status.value: c.claims for c in claim_board(world.database, era, actor="x", max_age=0)}
    assert kept == before
    assert fresh["held"] == before["held"] + 1 and fresh["ready"] == before["ready"] - 1


def test_names_matching_many_patients_are_joined_with_the_same_result(world: World,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    few = [numbers(search(world, q="smith")), numbers(search(world, q="smith", patient="A-3")),
           numbers(search(world, q="o", patient="smith"))]
    monkeypatch.setattr(claim_search, "PATIENT_LIST_CAP", 1)
    many = [numbers(search(world, q="smith")), numbers(search(world, q="smith", patient="A-3")),
            numbers(search(world, q="o", patient="smith"))]
    assert many == few
    assert few[1] == expected(world, lambda c: c.account == "A-3")
    assert few[2] == []  # no patient is both O... and SMITH...
    assert few[0] == expected(world, lambda c: c.patient.upper().startswith("SMITH"))
