"""The reports on a billing company of 200 practices and 5,000,000 claim lines on PostgreSQL (issue 17's goal: aging
and the key figures for a month under 2 s each, the dashboard under 1 s).

The company is ``benchmarks.report_company`` (built once into the schema ``bench_reports`` and reused; ``--quick``:
10 practices and 100,000 lines in ``bench_reports_quick``). Timed, the median of N runs each (after one warm-up
run, so the figures are those of a server with the data in its cache, as a billing company's is during the day):
aging as of 2026-11-30 for the whole company and for one practice, the key figures of November 2026 (with
October's beside them) for both, the denial report of November for the whole company, and the dashboard
(``services.report_dashboard.dashboard`` when that module exists, else the aging summary and the key figures),
computed (the dashboards the process keeps forgotten before each run: the first read after a change) and kept
(read again while nothing was written).
"""

from __future__ import annotations

import datetime
import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks import report_company

AS_OF = report_company.END
MONTH = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
FULL = ("bench_reports", 200, 5_000_000)
QUICK = ("bench_reports_quick", 10, 100_000)


@dataclass(frozen=True, slots=True)
class Timing:
    operation: str
    scope: str
    seconds: float
    target: float

    def cells(self) -> tuple[str, ...]:
        return (self.operation, self.scope, f"{self.seconds:.3f}", f"< {self.target:g} s",
                "pass" if self.seconds < self.target else "FAIL")


def _dashboard() -> Callable[[Any, Any], Any] | None:
    try:
        module = importlib.import_module("dermbill.services.report_dashboard")
    except ImportError:
        return None
    found: Callable[[Any, Any], Any] | None = getattr(module, "dashboard", None)
    return found


def _forget_kept_dashboards() -> Callable[[], None]:
    """What empties the dashboards this process keeps (before ``forget_kept`` existed: nothing to do)."""
    module = importlib.import_module("dermbill.services.report_dashboard")
    forget: Callable[[], None] = getattr(module, "forget_kept", lambda: None)
    return forget


def _median(call: Callable[[], object], runs: int) -> float:
    call()  # warm-up: plans cached, pages in the server's cache
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def run(*, quick: bool = False, runs: int = 5) -> tuple[str, list[Timing]]:
    """Build or reuse the company, then time each report; returns a title and the timings."""
    from dermbill.core.reports.aging import Basis
    from dermbill.core.reports.filters import ReportFilter
    from dermbill.core.reports.periods import Period
    from dermbill.db.engine import open_database
    from dermbill.services.reports import aging_report, denial_report, kpi_report

    schema, practices, lines = QUICK if quick else FULL
    built = report_company.build(schema, practices=practices, lines=lines)
    generated = "reused" if built is None else f"generated in {built:.0f} s"
    database = open_database(report_company.schema_url(schema))
    try:
        everyone = ReportFilter.of(range(1, practices + 1), AS_OF, Period(*MONTH))
        one = ReportFilter.of({1}, AS_OF, Period(*MONTH))
        dashboard = _dashboard()

        def fallback_dashboard(f: ReportFilter) -> object:
            return aging_report(database, f, dimensions=()), kpi_report(database, f)

        cases: list[tuple[str, str, Callable[[], object], float]] = [
            ("aging (by date of service)", "company", lambda: aging_report(database, everyone), 2.0),
            ("aging (by date of service)", "one practice", lambda: aging_report(database, one), 2.0),
            ("aging (by first billed)", "company",
             lambda: aging_report(database, everyone, basis=Basis.SUBMISSION), 2.0),
            ("key figures, a month", "company", lambda: kpi_report(database, everyone), 2.0),
            ("key figures, a month", "one practice", lambda: kpi_report(database, one), 2.0),
            ("denial report, a month", "company", lambda: denial_report(database, everyone), 2.0),
        ]
        label = "dashboard" if dashboard else "dashboard (aging summary + key figures)"
        forget = _forget_kept_dashboards()
        for scope, f in (("company", everyone), ("one practice", one)):
            if dashboard:
                # computed: what the first read after a change costs (the kept dashboards forgotten each run);
                # kept: a read again while no transaction has written the practices
                cases.append((f"{label}, computed", scope, lambda f=f: (forget(), dashboard(database, f)), 1.0))
                cases.append((f"{label}, kept (nothing written since)", scope,
                              lambda f=f: dashboard(database, f), 1.0))
            else:
                cases.append((label, scope, lambda f=f: fallback_dashboard(f), 1.0))
        timings = []
        for operation, scope, call, target in cases:
            timings.append(Timing(operation, scope, _median(call, runs), target))
            print(f"  {operation}, {scope}: {timings[-1].seconds:.3f} s", flush=True)
    finally:
        database.dispose()
    title = (f"reports: {practices} practices, {lines:,} claim lines on PostgreSQL ({generated}); "
             f"as of {AS_OF.isoformat()}, month {MONTH[0]:%B %Y}; median of {runs} runs")
    return title, timings
