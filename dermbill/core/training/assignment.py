"""Who gets which module, from the practice's own denials; and the front-desk denial rate before and after.

A denial is attributed to the step that caused it (``modules.cause_of_denial``), then to a person: whoever the
audit trail shows doing that step for the claim (registering or editing the patient's coverage for the front desk,
entering or changing the encounter's coding for coding), when that person is on the practice's staff; otherwise
everyone on the practice's staff who holds the step's role. Each person gets each module once while it is open:
new denials for an open module are not a second assignment.

Worked example: two CO-27 denials in the last 90 days, the coverage of one registered by frontdesk@..., the other
imported by a script: frontdesk@... is assigned ``coverage_ended`` once, with both denials as the reason (the
second falls to every front-desk person, and frontdesk@... is one).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from dermbill.core.training.modules import Step, cause_of_denial

LOOKBACK_DAYS = 90
DUE_DAYS = 14


@dataclass(frozen=True, slots=True)
class DenialFact:
    """One denial work item as the assignment needs it."""

    item_id: int
    claim_number: str
    category: str
    carc: str | None
    action: str
    adjudicated_on: datetime.date
    front_desk_actors: tuple[str, ...] = ()  # who registered or edited the claim's coverage (audit trail)
    coding_actors: tuple[str, ...] = ()  # who entered or changed the encounter's coding
    group: str | None = "CO"  # the CAS group code of the denial

    def reason(self) -> dict[str, object]:
        """What the assignment stores as its reason."""
        return {"denial_item": self.item_id, "claim": self.claim_number, "group": self.group, "carc": self.carc,
                "category": self.category, "adjudicated_on": self.adjudicated_on.isoformat()}


@dataclass(frozen=True, slots=True)
class StaffMember:
    user_id: int
    email: str
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class NewAssignment:
    user_id: int
    module: str
    reasons: tuple[dict[str, object], ...]
    due_on: datetime.date


def in_window(fact: DenialFact, as_of: datetime.date, days: int = LOOKBACK_DAYS) -> bool:
    """Adjudicated within the last ``days`` days up to ``as_of`` (both ends included)."""
    return as_of - datetime.timedelta(days=days) <= fact.adjudicated_on <= as_of


def people_for(fact: DenialFact, step: Step, staff: Sequence[StaffMember]) -> list[StaffMember]:
    """The staff a denial is attributed to: the audit trail's person for the step, else the step's role."""
    actors = fact.front_desk_actors if step is Step.FRONT_DESK else fact.coding_actors if step is Step.CODING else ()
    named = [member for member in staff if member.email in actors]
    if named:
        return named
    return [member for member in staff if step.role in member.roles]


def assignments_from_denials(denials: Iterable[DenialFact], staff: Sequence[StaffMember], *,
                             open_modules: Collection[tuple[int, str]], as_of: datetime.date
                             ) -> list[NewAssignment]:
    """The assignments to make: per person and module, the denials of the last 90 days that call for it, unless
    that person already has the module open (``open_modules``: (user id, module))."""
    grouped: dict[tuple[int, str], list[dict[str, object]]] = {}
    for fact in sorted(denials, key=lambda f: (f.adjudicated_on, f.item_id)):
        if not in_window(fact, as_of):
            continue
        cause = cause_of_denial(fact.category, fact.carc, fact.action)
        if cause.step is None or cause.module is None:
            continue
        for member in people_for(fact, cause.step, staff):
            key = (member.user_id, cause.module)
            if key not in open_modules:
                grouped.setdefault(key, []).append(fact.reason())
    due = as_of + datetime.timedelta(days=DUE_DAYS)
    return [NewAssignment(user, module, tuple(reasons), due) for (user, module), reasons in sorted(grouped.items())]


@dataclass(frozen=True, slots=True)
class Rate:
    """Claims with a front-desk denial, of the claims adjudicated, in a window of days."""

    denied: int
    adjudicated: int
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def percent(self) -> str:
        """'4.2%' (one decimal, half up, from whole numbers: no float)."""
        if not self.adjudicated:
            return "n/a"
        tenths = (self.denied * 1000 * 2 + self.adjudicated) // (2 * self.adjudicated)
        return f"{tenths // 10}.{tenths % 10}%"

    def to_json(self) -> dict[str, object]:
        return {"claims_denied_front_desk": self.denied, "claims_adjudicated": self.adjudicated,
                "from": self.start.isoformat(), "to": self.end.isoformat(), "rate": self.percent}


def front_desk_rates(adjudicated: Mapping[int, datetime.date], front_desk_denied: Mapping[int, datetime.date],
                     first_completion: datetime.date, days: int = LOOKBACK_DAYS) -> tuple[Rate, Rate]:
    """The front-desk denial rate in the ``days`` days before the first training completion and from it on.

    ``adjudicated``: claim -> the day its payer first answered; ``front_desk_denied``: claim -> the day of its
    first denial caused at the front desk. A claim counts in the window its first answer falls in."""
    before = (first_completion - datetime.timedelta(days=days), first_completion - datetime.timedelta(days=1))
    after = (first_completion, first_completion + datetime.timedelta(days=days - 1))

    def rate(start: datetime.date, end: datetime.date) -> Rate:
        claims = {claim for claim, day in adjudicated.items() if start <= day <= end}
        return Rate(len(claims & set(front_desk_denied)), len(claims), start, end)

    return rate(*before), rate(*after)
