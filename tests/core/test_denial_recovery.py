"""The pure parts of the denial report: recovery routes, the cap on recoveries, grouping by code."""

from __future__ import annotations

import datetime
from decimal import Decimal

from dermbill.core.money import Money
from dermbill.core.reports.denials import (
    Cash,
    DenialFact,
    FollowUp,
    Route,
    carc_key,
    grouped_table,
    recovered_cents,
    route,
)

D = datetime.date(2026, 6, 10)


def test_route_first_that_applies() -> None:
    # A replacement wins over a won appeal; a new claim to the same payer is no rebill (then the appeal counts).
    assert route(1, FollowUp(True, 1), appeal_won=True) is Route.CORRECTED
    assert route(1, FollowUp(False, 2), appeal_won=True) is Route.REBILLED
    assert route(1, FollowUp(False, 1), appeal_won=True) is Route.APPEAL
    assert route(1, FollowUp(False, 1), appeal_won=False) is Route.LATER
    assert route(1, None, appeal_won=False) is Route.LATER


def test_recovered_counts_cash_after_the_denial_on_its_lines_capped() -> None:
    cash = {7: [Cash(7, D, 500), Cash(7, D + datetime.timedelta(days=1), 3000)],
            8: [Cash(8, D + datetime.timedelta(days=2), 1000)], 9: [Cash(9, D + datetime.timedelta(days=3), 99)]}
    # Line 7: $30 after (the $5 on the day is not after); line 8: $10; line 9 is not the item's -> $40.
    assert recovered_cents(10000, [7, 8], D, cash) == 4000
    assert recovered_cents(2500, [7, 8, 8], D, cash) == 2500  # capped at the item's amount; a line counted once
    assert recovered_cents(2500, [7], D, {7: [Cash(7, D + datetime.timedelta(days=1), -800)]}) == 0  # refunded


def test_recovered_after_the_denying_remittance_when_its_entries_are_known() -> None:
    """Everything on one day: the denying remittance wrote entry 20 (with $5 on line 7); a corrected claim's payment
    wrote entry 31; entry 12 came before the denial."""
    cash = {7: [Cash(7, D, 1200, entry_id=12), Cash(7, D, 500, entry_id=20), Cash(7, D, 3000, entry_id=31)]}
    assert recovered_cents(10000, [7], D, cash, denied_by_entry=20) == 3000
    assert recovered_cents(10000, [7], D, cash) == 0  # by day alone nothing is after the denial


def _fact(item: int, claim: int, codes: tuple[str, ...], cents: int, recovered: int) -> DenialFact:
    return DenialFact(item, claim, "denial", "coding_bundling", "CO-97", 1, 1, codes, cents, recovered, True,
                      Route.LATER)


def test_an_item_with_two_codes_counts_under_each_and_once_in_the_total() -> None:
    # Item 1 (11102 + 17000, $100) and item 2 on the same claim (11102, $300): 11102 has both ($400 of $400 = 100%),
    # 17000 item 1 ($100 = 25%); the total counts each item once: 2 items, 1 claim, $400.
    facts = [_fact(1, 5, ("11102", "17000"), 10000, 0), _fact(2, 5, ("11102",), 30000, 1000)]
    table = grouped_table("t", "T", "code", "Code", facts, lambda x: x.codes, str, "")
    assert [r.cells for r in table.rows] == [
        ("11102", 2, 1, Money(40000), Decimal("100.00"), Money(1000), 2),
        ("17000", 1, 1, Money(10000), Decimal("25.00"), Money(0), 1)]
    assert table.total is not None
    assert table.total.cells == ("Total", 2, 1, Money(40000), Decimal("100.00"), Money(1000), 2)
    empty = grouped_table("t", "T", "code", "Code", [], lambda x: x.codes, str, "")
    assert empty.rows == () and empty.total is not None and empty.total.cells[4] is None  # no share of nothing


def test_carc_key() -> None:
    assert (carc_key("CO", "97"), carc_key(None, "97"), carc_key(None, None)) == ("CO-97", "97", "")
