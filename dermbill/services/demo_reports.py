"""The demo's key figures: the reports run over the whole demo period once every stage has posted, beside the
ledger's own totals, so a reader sees the reports and the ledger agree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dermbill.core.money import Money
from dermbill.core.reports.aging import Kind
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import Period
from dermbill.db.engine import Database
from dermbill.services.ledger_check import LedgerReport, check_ledger
from dermbill.services.reports import AgingReport, KpiReport, aging_report, kpi_report, report_filter

# What the demo prints, in reading order (every figure is in summary.json).
SHOWN = ("charges", "payments", "days_in_ar", "clean_claim_rate", "first_pass_resolution_rate", "denial_rate_count",
         "denial_rate_dollars", "net_collection_rate", "gross_collection_rate", "charge_lag_days", "denied_dollars",
         "recovered_total", "statements_sent")


@dataclass(frozen=True, slots=True)
class DemoFigures:
    filter: ReportFilter
    kpis: KpiReport
    aging: AgingReport
    ledger: LedgerReport  # the ledger's totals after the last stage

    def to_json(self) -> dict[str, object]:
        totals = self.ledger.totals
        return {
            "period": self.filter.period.to_json(), "as_of": self.filter.as_of.isoformat(),
            "figures": {f.key: None if f.value is None else str(f.value) for f in self.kpis.figures},
            "aging": {kind.value: self.aging.totals[kind].to_json() for kind in Kind},
            "ledger": {"charges": totals["charges"].plain(), "cash": totals["cash"].plain(),
                       "insurance_and_denied": (totals["insurance_balance"] + totals["denied_balance"]).plain(),
                       "patient_balance": totals["patient_balance"].plain()},
        }

    def lines(self) -> list[str]:
        shown = "; ".join(f"{f.label} {f.shown()}" for f in (self.kpis.figure(k) for k in SHOWN))
        insurance, patient = (self.aging.totals[kind] for kind in (Kind.INSURANCE, Kind.PATIENT))
        over_90 = Money(sum(row.buckets[i].cents for row in (insurance, patient) for i in (3, 4)))
        return [
            f"Key figures, {self.filter.period.label} (dermbill reports kpis; definitions in docs/reports.md): "
            f"{shown}.",
            f"A/R aging as of {self.filter.as_of.isoformat()} (dermbill reports aging): insurance ${insurance.total}, "
            f"patients ${patient.total}, over 90 days ${over_90}; the ledger's insurance and denied balances "
            f"${self.ledger.totals['insurance_balance'] + self.ledger.totals['denied_balance']} and patient balance "
            f"${self.ledger.totals['patient_balance']}.",
        ]


def demo_figures(database: Database, *, start: datetime.date, as_of: datetime.date) -> DemoFigures:
    """The key figures for the demo's whole period (its first visit to the as-of day, when its claims were sent
    and paid), aging as of that day, and the ledger's totals."""
    f = report_filter(database, as_of=as_of)
    f = ReportFilter.of(f.practice_ids, as_of, Period(start, as_of))
    return DemoFigures(f, kpi_report(database, f), aging_report(database, f, dimensions=()), check_ledger(database))
