"""The reports on a billing company of 200 practices and 5,000,000 claim lines on PostgreSQL (issue 17's goal: aging
and the key figures for a month under 2 s each, the dashboard under 1 s).

The company is ``benchmarks.report_company`` (built once into the schema ``bench_reports`` and reused; ``--quick``:
10 practices and 100,000 lines in ``bench_reports_quick``). Timed, the median of N runs each (after one warm-up
run, so the figures are those of a server with the data in its cache, as a billing company's is during the day):
aging as of 2026-11-30 for the whole company with nothing kept (once), after a posting to one practice and kept, for
one practice after a posting, and by first billed after a posting; the key figures of November 2026 (with
October's beside them) for the company with nothing kept (every practice's parts summed: once), after a posting to
one practice (its data version raised before each run, so that practice alone is summed again) and kept; the same
after a posting for one practice; the denial report and the dashboard of November after a posting to one practice;
the dashboard read again while nothing was written (kept in the process).
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from benchmarks import report_company

if TYPE_CHECKING:
    from dermbill.db.engine import Database

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


def _median(call: Callable[[], object], runs: int, before: Callable[[], object] = lambda: None) -> float:
    before()
    call()  # warm-up: plans cached, pages in the server's cache
    seconds = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def _once(call: Callable[[], object], before: Callable[[], object]) -> float:
    before()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def raise_version(database: Database, practice_id: int) -> None:
    """What a commit that wrote a practice leaves for the reports: its data version raised (as
    ``UnitOfWork.commit`` raises it), so its kept parts are stale and it is summed again."""
    from sqlalchemy import update
    from sqlalchemy.dialects.postgresql import insert

    from dermbill.db.models import ReportVersionRow
    from dermbill.db.repositories import UnitOfWork
    from dermbill.services.report_dashboard import forget_kept

    forget_kept()
    with UnitOfWork(database, actor="bench") as uow:
        uow.session.execute(insert(ReportVersionRow).values(practice_id=practice_id, version=1)
                            .on_conflict_do_nothing())
        uow.session.execute(update(ReportVersionRow).where(ReportVersionRow.practice_id == practice_id)
                            .values(version=ReportVersionRow.version + 1))
        uow.commit()


def run(*, quick: bool = False, runs: int = 5) -> tuple[str, list[Timing]]:
    """Build or reuse the company, then time each report; returns a title and the timings."""
    from sqlalchemy import delete

    from dermbill.core.reports.aging import Basis
    from dermbill.core.reports.filters import ReportFilter
    from dermbill.core.reports.periods import Period
    from dermbill.db.engine import open_database
    from dermbill.db.models import ReportAgingPartsRow, ReportPartsRow
    from dermbill.db.repositories import UnitOfWork
    from dermbill.services.report_dashboard import dashboard, forget_kept
    from dermbill.services.reports import aging_report, denial_report, kpi_report

    schema, practices, lines = QUICK if quick else FULL
    built = report_company.build(schema, practices=practices, lines=lines)
    generated = "reused" if built is None else f"generated in {built:.0f} s"
    database = open_database(report_company.schema_url(schema))

    def forget_parts() -> None:
        """Nothing kept: every practice's parts are summed again (the first read of a month)."""
        forget_kept()
        with UnitOfWork(database, actor="bench") as uow:
            uow.session.execute(delete(ReportPartsRow))
            uow.session.execute(delete(ReportAgingPartsRow))
            uow.commit()

    def posting_to_one_practice() -> None:
        raise_version(database, 1)

    try:
        everyone = ReportFilter.of(range(1, practices + 1), AS_OF, Period(*MONTH))
        one = ReportFilter.of({1}, AS_OF, Period(*MONTH))
        timings = []

        def timed(operation: str, scope: str, seconds: float, target: float) -> None:
            timings.append(Timing(operation, scope, seconds, target))
            print(f"  {operation}, {scope}: {seconds:.3f} s", flush=True)

        # Aging: once with nothing kept (every practice summed), then after a posting to one practice, then kept.
        timed("aging (by date of service): nothing kept (every practice summed)", "company",
              _once(lambda: aging_report(database, everyone), forget_parts), 2.0)
        for operation, scope, call, before, target in [
            ("aging (by date of service): after a posting to one practice", "company",
             lambda: aging_report(database, everyone), posting_to_one_practice, 2.0),
            ("aging (by date of service): kept (nothing written since)", "company",
             lambda: aging_report(database, everyone), lambda: None, 2.0),
            ("aging (by date of service): after a posting", "one practice",
             lambda: aging_report(database, one), posting_to_one_practice, 2.0),
            ("aging (by first billed): after a posting to one practice", "company",
             lambda: aging_report(database, everyone, basis=Basis.SUBMISSION), posting_to_one_practice, 2.0),
        ]:
            timed(operation, scope, _median(call, runs, before), target)
        # The key figures: first the read with nothing kept (every practice summed: what a nightly refresh or the
        # month's first reader pays, once), then after a posting to one practice, then read again unchanged.
        timed("key figures, a month: nothing kept (every practice summed)", "company",
              _once(lambda: kpi_report(database, everyone), forget_parts), 2.0)
        for operation, scope, read, prepare, target in [
            ("key figures, a month: after a posting to one practice", "company",
             lambda: kpi_report(database, everyone), posting_to_one_practice, 2.0),
            ("key figures, a month: kept (nothing written since)", "company",
             lambda: kpi_report(database, everyone), forget_kept, 2.0),
            ("key figures, a month: after a posting", "one practice",
             lambda: kpi_report(database, one), posting_to_one_practice, 2.0),
            ("denial report, a month: after a posting to one practice", "company",
             lambda: denial_report(database, everyone), posting_to_one_practice, 2.0),
            ("dashboard: after a posting to one practice", "company",
             lambda: dashboard(database, everyone), posting_to_one_practice, 1.0),
            ("dashboard: kept in the process (nothing written since)", "company",
             lambda: dashboard(database, everyone), lambda: None, 1.0),
            ("dashboard: after a posting", "one practice",
             lambda: dashboard(database, one), posting_to_one_practice, 1.0),
        ]:
            timed(operation, scope, _median(read, runs, prepare), target)
    finally:
        database.dispose()
    title = (f"reports: {practices} practices, {lines:,} claim lines on PostgreSQL ({generated}); "
             f"as of {AS_OF.isoformat()}, month {MONTH[0]:%B %Y}; median of {runs} runs")
    return title, timings
