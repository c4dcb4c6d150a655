"""The filter of a report page, scoped to what the person may see.

``scoped_filter`` turns what a page's form sends (a practice code, a payer ID, a provider NPI, the period's first
and last days, the as-of day) into a ``ReportFilter`` whose practices are only the person's: none chosen means all
of theirs; a practice, payer or provider that is not theirs is refused as unknown (never revealed as someone
else's). ``report_choices`` lists what the form offers.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from dermbill.core.errors import InvalidInput
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import Period, default_period
from dermbill.db.engine import Database
from dermbill.db.models import PayerRow, PracticeRow, ProviderRow
from dermbill.db.repositories import UnitOfWork


@dataclass(frozen=True, slots=True)
class Choice:
    value: str  # what the form sends: a practice code, a payer ID, an NPI
    label: str


@dataclass(frozen=True, slots=True)
class ReportChoices:
    practices: tuple[Choice, ...]
    payers: tuple[Choice, ...]
    providers: tuple[Choice, ...]


def report_choices(database: Database, practice_ids: Collection[int]) -> ReportChoices:
    """The practices, payers (of their billing companies) and providers a person may filter on."""
    ids = set(practice_ids)
    if not ids:
        return ReportChoices((), (), ())
    with UnitOfWork(database, actor="reports") as uow:
        session = uow.session
        practices = session.execute(select(PracticeRow.code, PracticeRow.legal_name, PracticeRow.organization_id)
                                    .where(PracticeRow.id.in_(ids)).order_by(PracticeRow.code)).all()
        companies = {company for _, _, company in practices}
        payers = session.execute(select(PayerRow.payer_identifier, PayerRow.name)
                                 .where(PayerRow.organization_id.in_(companies))
                                 .order_by(PayerRow.name, PayerRow.payer_identifier)).all()
        providers = session.execute(select(ProviderRow.npi, ProviderRow.last_name, ProviderRow.first_name)
                                    .where(ProviderRow.practice_id.in_(ids))
                                    .order_by(ProviderRow.last_name, ProviderRow.first_name)).all()
    return ReportChoices(
        tuple(Choice(code, f"{code} {name}") for code, name, _ in practices),
        tuple(Choice(key, f"{name} ({key})") for key, name in dict.fromkeys(payers)),
        tuple(Choice(npi, f"{last}, {first} ({npi})") for npi, last, first in dict.fromkeys(providers)))


def scoped_filter(database: Database, practice_ids: Collection[int], *, as_of: datetime.date,
                  practice: str | None = None, payer: str | None = None, provider: str | None = None,
                  start: datetime.date | None = None, end: datetime.date | None = None) -> ReportFilter:
    """The filter for a person who may see ``practice_ids`` (InvalidInput for anything not theirs)."""
    ids = frozenset(practice_ids)
    if not ids:
        raise InvalidInput("you have no practice to report on; ask your administrator for access")
    with UnitOfWork(database, actor="reports") as uow:
        session = uow.session
        if practice:
            chosen = session.scalar(select(PracticeRow.id).where(PracticeRow.code == practice.strip(),
                                                                 PracticeRow.id.in_(ids)))
            if chosen is None:
                raise InvalidInput(f"practice {practice.strip()[:20]!r} is not one of yours")
            ids = frozenset({chosen})
        companies = set(session.scalars(select(PracticeRow.organization_id).where(PracticeRow.id.in_(ids))))
        payer_id = provider_id = None
        if payer:
            payer_id = session.scalar(select(PayerRow.id).where(PayerRow.payer_identifier == payer.strip(),
                                                                PayerRow.organization_id.in_(companies))
                                      .order_by(PayerRow.id).limit(1))
            if payer_id is None:
                raise InvalidInput(f"no payer with the ID {payer.strip()[:20]!r} among your payers")
        if provider:
            provider_id = session.scalar(select(ProviderRow.id).where(ProviderRow.npi == provider.strip(),
                                                                      ProviderRow.practice_id.in_(ids))
                                         .order_by(ProviderRow.id).limit(1))
            if provider_id is None:
                raise InvalidInput(f"no provider with the NPI {provider.strip()[:10]!r} in "
                                   + ("this practice" if practice else "your practices"))
    if start is None and end is None:
        period = default_period(as_of)
    elif start is None or end is None:
        raise InvalidInput("give both the first and the last day of the period, or neither (the 30 days ending "
                           "on the as-of day)")
    else:
        period = Period(start, end)
    return ReportFilter(ids, as_of, period, payer_id, provider_id)
