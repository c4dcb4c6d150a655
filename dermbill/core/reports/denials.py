"""Denials and recoveries, coding and patient collections: the pure parts of those reports.

The service (``services.report_denials``) reads the period's denial items and the payer cash on their lines; this
module decides how an item's money came back (its route), caps the recovery at the item's amount and groups the
items into the report's tables. Nothing here reads a database or the clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from dermbill.core.money import Money
from dermbill.core.reports.figures import percent
from dermbill.core.reports.table import Cell, Column, ColumnKind, ReportTable, Row


class Route(StrEnum):
    """How denied or underpaid money came back."""

    CORRECTED = "corrected"  # a replacement claim (frequency 7) followed the item
    REBILLED = "rebilled"  # a claim to another payer followed the item
    APPEAL = "appeal"  # an appeal for the item was won
    LATER = "later"  # paid later without any of these

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self]


ROUTE_LABELS = {
    Route.CORRECTED: "Corrected claim",
    Route.REBILLED: "Rebilled to another payer",
    Route.APPEAL: "Appeal won",
    Route.LATER: "Paid later without action",
}


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The claim that followed an item: whether it replaced the original, and its payer."""

    replacement: bool
    payer_id: int | None


def route(item_payer_id: int | None, follow_up: FollowUp | None, appeal_won: bool) -> Route:
    """The route of an item's recovery, first that applies: a corrected (replacement) claim, a claim to another
    payer, a won appeal, else paid later without action."""
    if follow_up is not None:
        if follow_up.replacement:
            return Route.CORRECTED
        if follow_up.payer_id is not None and follow_up.payer_id != item_payer_id:
            return Route.REBILLED
    if appeal_won:
        return Route.APPEAL
    return Route.LATER


@dataclass(frozen=True, slots=True)
class Cash:
    """Payer cash posted on a charged line by one journal entry (``entry_id``: entries are numbered in the order
    they are written)."""

    line_id: int
    on: datetime.date
    cents: int
    entry_id: int = 0


def recovered_cents(amount_cents: int, line_ids: Iterable[int], adjudicated_on: datetime.date,
                    cash_by_line: Mapping[int, Sequence[Cash]], *, denied_by_entry: int | None = None) -> int:
    """Payer cash on the item's lines posted after the denial, capped at the item's amount and never below zero.

    After the denial: written after the last journal entry of the remittance that denied it (``denied_by_entry``),
    so a corrected claim sent and paid the same day counts and the denying remittance's own cash does not; when
    that entry is not known, dated after the adjudication day. The caller passes cash up to the as-of day only."""
    def after(c: Cash) -> bool:
        return c.entry_id > denied_by_entry if denied_by_entry is not None else c.on > adjudicated_on

    total = sum(c.cents for line in set(line_ids) for c in cash_by_line.get(line, ()) if after(c))
    return max(0, min(total, amount_cents))


@dataclass(frozen=True, slots=True)
class DenialFact:
    """One denial item, as the report counts it."""

    item_id: int
    claim_id: int
    kind: str  # "denial" | "underpayment"
    category: str
    carc: str  # "CO-97", or "" for an underpayment
    payer_id: int | None
    provider_id: int | None
    codes: tuple[str, ...]
    amount_cents: int
    recovered_cents: int
    is_open: bool
    route: Route


@dataclass
class _Group:
    items: int = 0
    claims: set[int] | None = None
    denied: int = 0
    recovered: int = 0
    open: int = 0

    def add(self, fact: DenialFact) -> None:
        if self.claims is None:
            self.claims = set()
        self.items += 1
        self.claims.add(fact.claim_id)
        self.denied += fact.amount_cents
        self.recovered += fact.recovered_cents
        self.open += fact.is_open


GROUP_COLUMNS = (Column("items", "Items", ColumnKind.COUNT), Column("claims", "Claims", ColumnKind.COUNT),
                 Column("denied", "Denied", ColumnKind.MONEY), Column("share", "Share of denied", ColumnKind.PERCENT),
                 Column("recovered", "Recovered", ColumnKind.MONEY), Column("open", "Open items", ColumnKind.COUNT))


def grouped_table(key: str, title: str, dimension: str, heading: str, facts: Sequence[DenialFact],
                  keys_of: Callable[[DenialFact], Iterable[str]], label_of: Callable[[str], str],
                  note: str) -> ReportTable:
    """Denial items grouped by one dimension (an item with two codes counts under each): items, claims, denied and
    recovered dollars, share of the period's denied dollars, open items; most denied dollars first; a total row
    over the items themselves (each once)."""
    groups: dict[str, _Group] = {}
    total = _Group()
    for fact in facts:
        total.add(fact)
        for value in dict.fromkeys(keys_of(fact)):
            groups.setdefault(value, _Group()).add(fact)

    def cells(name: str, group: _Group) -> tuple[Cell, ...]:
        return (name, group.items, len(group.claims or ()), Money(group.denied),
                percent(group.denied, total.denied), Money(group.recovered), group.open)

    ordered = sorted(groups.items(), key=lambda kv: (-kv[1].denied, label_of(kv[0])))
    rows = tuple(Row(cells(label_of(value), group), {"report": "denials", dimension: value})
                 for value, group in ordered)
    return ReportTable(key, title, (Column(dimension, heading), *GROUP_COLUMNS), rows,
                       Row(cells("Total", total)), note, "denials")


def recovered_table(facts: Sequence[DenialFact]) -> ReportTable:
    """How denied and underpaid money came back: items with any money recovered, and the dollars, per route."""
    counts = {r: [0, 0] for r in Route}
    for fact in facts:
        if fact.recovered_cents > 0:
            counts[fact.route][0] += 1
            counts[fact.route][1] += fact.recovered_cents
    rows = tuple(Row((r.label, n, Money(cents)), {"report": "denials", "route": r.value})
                 for r, (n, cents) in counts.items())
    total = Row(("Total", sum(n for n, _ in counts.values()), Money(sum(c for _, c in counts.values()))))
    return ReportTable("recovered", "Denied and underpaid money recovered",
                       (Column("route", "Route"), Column("items", "Items", ColumnKind.COUNT),
                        Column("recovered", "Recovered", ColumnKind.MONEY)), rows, total,
                       "Denial and underpayment items adjudicated in the period with payer cash after the "
                       "adjudication, by how it came back", "denials")


def carc_key(group: str | None, carc: str | None) -> str:
    """ "CO-97"; the CARC alone when no group is known."""
    if not carc:
        return ""
    return f"{group}-{carc}" if group else carc


@dataclass(frozen=True, slots=True)
class FamilyReview:
    family: str
    accepted: int
    changed: int


def coding_rows(reviews: Sequence[FamilyReview]) -> tuple[tuple[Row, ...], Row]:
    """Per code family: lines reviewed, accepted as the engine coded them, changed, and the acceptance rate."""
    def cells(name: str, accepted: int, changed: int) -> tuple[Cell, ...]:
        return (name, accepted + changed, accepted, changed, percent(accepted, accepted + changed))
    rows = tuple(Row(cells(r.family, r.accepted, r.changed), {"report": "coding", "family": r.family})
                 for r in sorted(reviews, key=lambda r: r.family))
    total = Row(cells("Total", sum(r.accepted for r in reviews), sum(r.changed for r in reviews)))
    return rows, total
