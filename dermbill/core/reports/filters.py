"""What a report is about: which practices, payer and provider, which period, and the day it is as of."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, replace

from dermbill.core.reports.periods import Period, default_period


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """``practice_ids`` is never empty: the practices the person may see (a billing company's all of them).

    ``as_of`` is the day balances are read on (postings dated after it are not counted); ``period`` is the range
    the flow figures count (charges, payments, denials, submissions ...). Both come from the caller, never the
    clock.
    """

    practice_ids: frozenset[int]
    as_of: datetime.date
    period: Period
    payer_id: int | None = None
    provider_id: int | None = None

    @classmethod
    def of(cls, practice_ids: Collection[int], as_of: datetime.date, period: Period | None = None, *,
           payer_id: int | None = None, provider_id: int | None = None) -> ReportFilter:
        return cls(frozenset(practice_ids), as_of, period or default_period(as_of), payer_id, provider_id)

    def previous(self) -> ReportFilter:
        """The same filter over the period before (balances as of the day before it starts)."""
        before = self.period.previous()
        return replace(self, period=before, as_of=min(self.as_of, before.end))

    def to_json(self) -> dict[str, object]:
        return {"practice_ids": sorted(self.practice_ids), "as_of": self.as_of.isoformat(),
                "period": self.period.to_json(), "payer_id": self.payer_id, "provider_id": self.provider_id}
