"""A billing company at scale (issue 19): posting, scrubbing, the claim board and the reports with two workers.

The company is ``benchmarks.report_company`` (200 practices, 5,000,000 claim lines, about 2,000,000 claims, in the
schema ``bench_reports``; built once and reused, as the reports benchmark does; ``--quick``: 10 practices and
100,000 lines). ``dermbill worker`` processes (``--no-schedule``) run against that schema; the jobs are deferred
as ``dermbill jobs defer`` defers them (``services.job_queue.defer_job``). Timed by the jobs' own start and end:

1. posting: ``files`` 835s, one per payer (payer BP001 ... answers the claims of the practices that bill it, one
   transaction set per practice, paid on 2026-12-01), each paying up to ``per_file`` open claims (status accepted,
   spread over the practices; every 25th denied with CO-50), each deferred as a ``post_835`` job: claim payments/s
   from the first job's start to the last one's end. Then exactly once: each transaction set is a posted
   remittance, each claim has one adjudication per line and is paid or denied, each new journal entry balances,
   the cash is the files' total and the claims' insurance A/R is zero;
2. scrubbing: a ``scrub_batch`` job per practice (every claim not yet sent: the company's last days), claims/s;
3. the reports: a ``report_refresh`` job with nothing kept (every practice summed, as the nightly job does), then
   ``aging_report``, ``kpi_report`` and ``dashboard`` for the company after a posting to one practice (median s);
4. the claim board (``services.claim_search``, what the claims page and ``/api/v1/claims`` run: ``claim_board``
   counted each time, and the list's first page of 50, unfiltered and by status) for one practice and for the
   whole company: median ms of N runs.

Posting and scrubbing are measured with one worker first (the first ``ALONE`` of the files and of the practices,
the reference measured in the same run), then with two (the others); the refresh with two running; the board
and the report services with the workers stopped.

The run changes the company as a day's work would (the claims it pays stay paid; the payments are dated after the
reports benchmark's day, so its figures do not move); each run pays other open claims, and when fewer open claims
are left than a run needs, the company is built again.

Run: ``PYTHONPATH=. python -m benchmarks --only company`` (``--quick``: the small company).
"""

from __future__ import annotations

import datetime
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import report_company
from benchmarks.reports import FULL, QUICK, raise_version

ROOT = Path(__file__).resolve().parents[1]
PAID_ON = datetime.date(2026, 12, 1)  # the day after the company's last postings
SCRUB_DAY = "2026-12-01"
WORKERS = 2
DENY_EVERY = 25
ORGANIZATION = "TEST BILLING COMPANY"
LIST_TARGET_MS = 150
ALONE = 0.4  # the share of the files and of the practices posted and scrubbed with one worker (the reference)


@dataclass(frozen=True, slots=True)
class Measure:
    measure: str
    scope: str
    figure: str
    check: str  # what was verified, or the target
    result: str  # pass, FAIL, or -

    def cells(self) -> tuple[str, ...]:
        return (self.measure, self.scope, self.figure, self.check, self.result)


@dataclass(frozen=True, slots=True)
class Remit:
    """One 835 file written for the run: its path, sets, claims, lines, total paid and the claims' ids."""

    path: Path
    sets: int
    claims: int
    lines: int
    paid_cents: int
    claim_ids: tuple[int, ...]


@contextmanager
def _sql(schema: str) -> Iterator[Any]:
    import psycopg

    with psycopg.connect(report_company._libpq(schema), autocommit=True) as connection:
        yield connection


def _open_claims(schema: str, payers: int) -> int:
    """The open claims (accepted, not answered) of the ``payers`` payers that have the most."""
    with _sql(schema) as connection:
        return int(connection.execute(
            "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM claim WHERE status = 'accepted' "
            "GROUP BY payer_id ORDER BY n DESC LIMIT %s) x", (payers,)).fetchone()[0])


def write_remittances(schema: str, folder: Path, *, files: int, per_file: int, stamp: str) -> list[Remit]:
    """One 835 per payer (the ``files`` payers with the most open claims), each paying up to ``per_file`` of its open
    claims spread over the practices that bill it (one transaction set per practice); written with dermbill's
    writer."""
    from dermbill.core.money import Money
    from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
    from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, Remittance, write_835

    out = []
    with _sql(schema) as connection:
        practices = {row[0]: (row[1], row[2]) for row in connection.execute(
            "SELECT id, legal_name, billing_npi FROM practice")}
        payers = connection.execute(
            "SELECT p.id, p.name, p.payer_identifier, p.claim_filing_indicator_code FROM payer p JOIN claim c ON "
            "c.payer_id = p.id AND c.status = 'accepted' GROUP BY p.id ORDER BY count(*) DESC, p.id LIMIT %s",
            (files,)).fetchall()
        for number, (payer_id, payer_name, payer_identifier, indicator) in enumerate(payers, start=1):
            billing = int(connection.execute("SELECT count(DISTINCT practice_id) FROM claim WHERE payer_id = %s "
                                             "AND status = 'accepted'", (payer_id,)).fetchone()[0])
            each = -(-per_file // max(billing, 1))
            claims = connection.execute(
                "WITH ranked AS (SELECT c.id, c.practice_id, c.patient_control_number, c.patient_id, "
                "row_number() OVER (PARTITION BY c.practice_id ORDER BY c.id) AS n FROM claim c "
                "WHERE c.payer_id = %s AND c.status = 'accepted') "
                "SELECT r.id, r.practice_id, r.patient_control_number, p.last_name, p.first_name, p.account_number "
                "FROM ranked r JOIN patient p ON p.id = r.patient_id WHERE r.n <= %s "
                "ORDER BY r.practice_id, r.id LIMIT %s", (payer_id, each, per_file)).fetchall()
            ids = [row[0] for row in claims]
            lines: dict[int, list[tuple[Any, ...]]] = {}
            for claim_id, *line in connection.execute(
                    "SELECT claim_id, line_number, procedure_code, modifiers, units, charge_cents, service_date_from "
                    "FROM claim_line WHERE claim_id = ANY(%s) ORDER BY claim_id, line_number", (ids,)):
                lines.setdefault(claim_id, []).append(tuple(line))
            by_practice: dict[int, list[PaidClaim]] = {}
            line_count = 0
            for index, (claim_id, practice_id, pcn, last, first, account) in enumerate(claims):
                denied = index % DENY_EVERY == DENY_EVERY - 1
                paid_lines = []
                for line_number, code, modifiers, units, charge, day in lines[claim_id]:
                    allowed = charge * 7 // 10
                    adjustments = ((Adjusted("CO", "50", Money(charge)),) if denied else
                                   (Adjusted("CO", "45", Money(charge - allowed)),
                                    Adjusted("PR", "2", Money(allowed // 5))))
                    paid_lines.append(PaidLine(code, tuple(modifiers), Money(charge), units, day, adjustments,
                                               control_number=f"{pcn}-{line_number}"))
                line_count += len(paid_lines)
                by_practice.setdefault(practice_id, []).append(PaidClaim(
                    pcn, "4" if denied else "1", indicator, f"ICN{claim_id:012d}", last, first, account,
                    tuple(paid_lines)))
            remittances = tuple(
                Remittance(payer_name, payer_identifier, practices[practice_id][0], practices[practice_id][1],
                           f"S{stamp}-{number:02d}-{practice_id:03d}", PAID_ON, tuple(paid))
                for practice_id, paid in sorted(by_practice.items()))
            profile = ClearinghouseProfile(payer_identifier, payer_name, "EDI", "2155550100", "BENCH", "TEST BILLING")
            path = folder / f"payer{number:02d}.835"
            now = datetime.datetime.combine(PAID_ON, datetime.time(6), tzinfo=datetime.UTC)
            path.write_text(write_835(remittances, profile, ControlNumbers(number, number, 1), now))
            out.append(Remit(path, len(remittances), len(claims), line_count,
                             sum(r.total.cents for r in remittances), tuple(ids)))
    return out


def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "dermbill", "--db", url, "worker", "--no-schedule"], cwd=ROOT,
                                stdout=sink, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _defer(url: str, jobs: list[tuple[str, dict[str, Any], str | None]]) -> tuple[list[int], float]:
    """Defer the jobs (kind, arguments, practice code); their ids and the moment the first was deferred."""
    from dermbill.db.engine import open_database
    from dermbill.services.job_queue import defer_job

    database = open_database(url)
    try:
        start = time.perf_counter()
        ids = [defer_job(database, kind, arguments, practice=practice, requested_by="bench")[0].id
               for kind, arguments, practice in jobs]
        return ids, start
    finally:
        database.dispose()


@dataclass(frozen=True, slots=True)
class Finished:
    statuses: dict[str, int]
    span: float  # the first job's start to the last job's end (their own clocks: the database's rows)
    wall: float  # the first defer to the last job seen finished
    summaries: list[dict[str, Any]]
    errors: list[str]


def _wait(schema: str, ids: list[int], deferred_at: float, workers: list[subprocess.Popen[bytes]],
          timeout: float = 7200) -> Finished:
    deadline = time.monotonic() + timeout
    while True:
        with _sql(schema) as connection:
            rows = connection.execute("SELECT status, started_at, finished_at, summary, error FROM background_job "
                                      "WHERE id = ANY(%s)", (ids,)).fetchall()
        if all(row[0] in ("succeeded", "failed") for row in rows) and len(rows) == len(ids):
            break
        if any(worker.poll() is not None for worker in workers):
            raise SystemExit("a worker stopped during the run (see its log)")
        if time.monotonic() > deadline:
            raise SystemExit(f"jobs {ids[0]}..{ids[-1]} not finished after {timeout:g} s")
        time.sleep(0.2)
    wall = time.perf_counter() - deferred_at
    statuses: dict[str, int] = {}
    for row in rows:
        statuses[row[0]] = statuses.get(row[0], 0) + 1
    started = min(row[1] for row in rows if row[1] is not None)
    finished = max(row[2] for row in rows if row[2] is not None)
    return Finished(statuses, (finished - started).total_seconds(), wall, [row[3] or {} for row in rows],
                    [row[4] for row in rows if row[4]])


def _posted_once(schema: str, stamp: str, remits: list[Remit], entries_before: int) -> list[str]:
    """What is wrong with the posting (empty: every set and claim posted exactly once, the ledger balanced)."""
    wrong = []
    ids = [i for r in remits for i in r.claim_ids]
    with _sql(schema) as connection:
        statuses = dict(connection.execute("SELECT status, count(*) FROM remittance WHERE trace_number LIKE %s "
                                           "GROUP BY status", (f"S{stamp}-%",)).fetchall())
        if statuses != {"posted": sum(r.sets for r in remits)}:
            wrong.append(f"remittances {statuses}, expected {sum(r.sets for r in remits)} posted")
        lines, claims = connection.execute(
            "SELECT count(*), count(DISTINCT claim_id) FROM line_adjudication WHERE remittance_id IN "
            "(SELECT id FROM remittance WHERE trace_number LIKE %s)", (f"S{stamp}-%",)).fetchone()
        if (lines, claims) != (sum(r.lines for r in remits), len(ids)):
            wrong.append(f"{lines} line adjudications of {claims} claims, expected {sum(r.lines for r in remits)} "
                         f"of {len(ids)}")
        settled = dict(connection.execute("SELECT status, count(*) FROM claim WHERE id = ANY(%s) GROUP BY status",
                                          (ids,)).fetchall())
        if settled.get("paid", 0) + settled.get("denied", 0) != len(ids):
            wrong.append(f"claim statuses {settled}")
        unbalanced = connection.execute(
            "SELECT count(*) FROM (SELECT journal_entry_id FROM posting WHERE journal_entry_id > %s "
            "GROUP BY journal_entry_id HAVING sum(amount_cents) <> 0) x", (entries_before,)).fetchone()[0]
        if unbalanced:
            wrong.append(f"{unbalanced} journal entries do not balance")
        cash = connection.execute(
            "SELECT coalesce(sum(p.amount_cents), 0) FROM posting p JOIN ledger_account a ON a.id = p.account_id "
            "WHERE p.journal_entry_id > %s AND a.code = '1000'", (entries_before,)).fetchone()[0]
        if cash != sum(r.paid_cents for r in remits):
            wrong.append(f"cash {cash} cents, the files pay {sum(r.paid_cents for r in remits)}")
        owed = connection.execute(
            "SELECT coalesce(sum(p.amount_cents), 0) FROM posting p JOIN ledger_account a ON a.id = p.account_id "
            "WHERE p.claim_id = ANY(%s) AND a.code = '1100'", (ids,)).fetchone()[0]
        if owed:
            wrong.append(f"the paid claims still show {owed} cents of insurance A/R")
    return wrong


def _median_ms(call: Callable[[], object], runs: int) -> float:
    call()  # warm-up: plans cached, pages in the server's cache
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds) * 1000


def _board(url: str, practices: int, runs: int) -> list[Measure]:
    from dermbill.core.claim_search import parse_search
    from dermbill.db.engine import open_database
    from dermbill.services.claim_search import BOARD_MAX_AGE, claim_board, search_claims

    database = open_database(url)
    out = []
    try:
        for scope, ids in (("one practice", [1]), (f"company ({practices} practices)", list(range(1, practices + 1)))):
            for measure, call in (
                    ("claim board: claims and charges by state (counted, not kept)",
                     lambda ids=ids: claim_board(database, ids, actor="bench", max_age=0)),
                    ("claims list: first page of 50, newest first",
                     lambda ids=ids: search_claims(database, ids, parse_search(), limit=51, after=None,
                                                   actor="bench")),
                    ("claims list: first page of 50, status denied",
                     lambda ids=ids: search_claims(database, ids, parse_search(status="denied"), limit=51, after=None,
                                                   actor="bench"))):
                ms = _median_ms(call, runs)
                print(f"  {measure}, {scope}: {ms:.1f} ms", flush=True)
                if measure.startswith("claim board"):  # the page counts at most every BOARD_MAX_AGE s per process
                    out.append(Measure(measure, scope, f"{ms:.1f} ms (median of {runs})",
                                       f"counted at most every {BOARD_MAX_AGE:g} s per process", "-"))
                else:
                    out.append(Measure(measure, scope, f"{ms:.1f} ms (median of {runs})",
                                       f"< {LIST_TARGET_MS} ms (the claim API's p95 goal)",
                                       "pass" if ms < LIST_TARGET_MS else "FAIL"))
    finally:
        database.dispose()
    return out


def _reports(url: str, practices: int, runs: int) -> list[Measure]:
    from dermbill.core.reports.filters import ReportFilter
    from dermbill.core.reports.periods import Period
    from dermbill.db.engine import open_database
    from dermbill.services.report_dashboard import dashboard
    from dermbill.services.reports import aging_report, kpi_report

    database = open_database(url)
    out = []
    try:
        everyone = ReportFilter.of(range(1, practices + 1), PAID_ON,
                                   Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)))
        for measure, call, target in (
                ("aging (by date of service) after a posting to one practice",
                 lambda: aging_report(database, everyone), 2.0),
                ("key figures, November, after a posting to one practice", lambda: kpi_report(database, everyone),
                 2.0),
                ("dashboard after a posting to one practice", lambda: dashboard(database, everyone), 1.0)):
            raise_version(database, 1)
            call()  # warm-up
            seconds = []
            for _ in range(runs):
                raise_version(database, 1)
                start = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - start)
            median = statistics.median(seconds)
            print(f"  {measure}: {median:.3f} s", flush=True)
            out.append(Measure(measure, f"company ({practices} practices)", f"{median:.3f} s (median of {runs})",
                               f"< {target:g} s", "pass" if median < target else "FAIL"))
    finally:
        database.dispose()
    return out


def _forget_parts(url: str) -> None:
    """Nothing kept: the refresh sums every practice's report parts again."""
    from sqlalchemy import delete

    from dermbill.db.engine import open_database
    from dermbill.db.models import ReportAgingPartsRow, ReportPartsRow
    from dermbill.db.repositories import UnitOfWork

    database = open_database(url)
    try:
        with UnitOfWork(database, actor="bench") as uow:
            uow.session.execute(delete(ReportPartsRow))
            uow.session.execute(delete(ReportAgingPartsRow))
            uow.commit()
    finally:
        database.dispose()


def _post(url: str, schema: str, remits: list[Remit], workers: list[subprocess.Popen[bytes]]) -> tuple[int, Finished]:
    """Defer an post_835 job per file and wait for them; the claims posted and how the jobs ended."""
    ids, deferred = _defer(url, [("post_835", {"file": str(r.path), "organization": ORGANIZATION}, None)
                                 for r in remits])
    done = _wait(schema, ids, deferred, workers)
    posted = sum(int(s.get("claims_posted", 0)) for s in done.summaries)
    print(f"  {len(workers)} worker(s): posted {posted:,} claim payments of {len(remits)} files in {done.span:.1f} s "
          f"({_rate(posted, done):,.0f}/s)", flush=True)
    return posted, done


def _scrub(url: str, schema: str, ready: dict[str, int], workers: list[subprocess.Popen[bytes]]
           ) -> tuple[int, Finished, list[str]]:
    """Defer a scrub_batch job per practice and wait for them; the claims scrubbed, how the jobs ended, and what
    is wrong (a job failed, a claim not scrubbed)."""
    ids, deferred = _defer(url, [("scrub_batch", {"day": SCRUB_DAY}, code) for code in sorted(ready)])
    done = _wait(schema, ids, deferred, workers)
    scrubbed = sum(int(s.get("scrubbed", 0)) for s in done.summaries)
    statuses: dict[str, int] = {}
    for summary in done.summaries:
        for status, count in summary.get("by_status", {}).items():
            statuses[status] = statuses.get(status, 0) + int(count)
    print(f"  {len(workers)} worker(s): scrubbed {scrubbed:,} claims of {len(ready)} practices in {done.span:.1f} s "
          f"({_rate(scrubbed, done):,.0f}/s): {statuses}", flush=True)
    wrong = [*done.errors[:3]]
    if done.statuses != {"succeeded": len(ids)}:
        wrong.insert(0, f"jobs {done.statuses}")
    if scrubbed != sum(ready.values()):
        wrong.append(f"{scrubbed:,} scrubbed of {sum(ready.values()):,}")
    return scrubbed, done, wrong


def _rate(count: int, done: Finished) -> float:
    return count / done.span if done.span > 0 else 0.0


def _stop(workers: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker, log in zip(workers, logs, strict=False):
        try:
            worker.wait(timeout=120)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        if worker.returncode not in (0, -signal.SIGTERM):
            print(f"worker log {log.name}:\n{log.read_text()[-3000:]}", flush=True)


def run(*, quick: bool = False, files: int = 10, per_file: int = 3000, board_runs: int = 20,
        report_runs: int = 5) -> tuple[str, list[Measure]]:
    """Build or reuse the company, then with one worker and then two time posting and scrubbing, with two the report
    refresh, then the claim board and the report services; returns a title and the measures.

    The reference measured in the same run is one worker: the first ``ALONE`` of the files and of the practices
    are posted and scrubbed with one worker running, the others with two."""
    schema, practices, lines = QUICK if quick else FULL
    if quick:
        files, per_file = min(files, 4), min(per_file, 250)
    built = report_company.build(schema, practices=practices, lines=lines)
    if _open_claims(schema, files) < files * per_file:  # this run would find too few: a new company
        report_company.forget(schema)
        built = report_company.build(schema, practices=practices, lines=lines)
    generated = "reused" if built is None else f"generated in {built:.0f} s"
    url = report_company.schema_url(schema)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%y%m%d%H%M%S")
    measures: list[Measure] = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print(f"company scale: writing {files} 835s of up to {per_file:,} claim payments", flush=True)
        remits = write_remittances(schema, folder, files=files, per_file=per_file, stamp=stamp)
        with _sql(schema) as connection:
            entries_before = int(connection.execute("SELECT coalesce(max(id), 0) FROM journal_entry").fetchone()[0])
            ready = dict(connection.execute("SELECT p.code, count(c.id) FROM practice p LEFT JOIN claim c ON "
                                            "c.practice_id = p.id AND c.status IN ('coded', 'scrub_errors', 'ready', "
                                            "'rejected', 'corrected') GROUP BY p.code").fetchall())
        codes = sorted(ready)
        split_files, split_practices = max(1, round(len(remits) * ALONE)), max(1, round(len(codes) * ALONE))
        logs = [folder / f"worker{n}.log" for n in range(1, WORKERS + 1)]
        workers = [_worker(url, logs[0])]
        try:
            time.sleep(3)  # started and listening (not timed: the jobs' own clocks are)
            print(f"  posting {sum(r.claims for r in remits):,} claim payments in {len(remits)} files "
                  f"({sum(r.sets for r in remits)} transaction sets); scrubbing {sum(ready.values()):,} claims not "
                  f"yet sent (a scrub_batch job per practice)", flush=True)
            alone_posted, alone_posting = _post(url, schema, remits[:split_files], workers)
            alone_scrubbed, alone_scrub, alone_wrong = _scrub(
                url, schema, {code: ready[code] for code in codes[:split_practices]}, workers)
            workers.append(_worker(url, logs[1]))
            time.sleep(3)
            posted, posting = _post(url, schema, remits[split_files:], workers)
            wrong = _posted_once(schema, stamp, remits, entries_before) + alone_posting.errors + posting.errors
            print(f"  posting: {'; '.join(wrong) or 'every set and claim posted exactly once'}", flush=True)
            scrubbed, scrub, scrub_wrong = _scrub(
                url, schema, {code: ready[code] for code in codes[split_practices:]}, workers)
            # The nightly report refresh with nothing kept.
            _forget_parts(url)
            ids, deferred = _defer(url, [("report_refresh", {"day": PAID_ON.isoformat()}, None)])
            refresh = _wait(schema, ids, deferred, workers)
            print(f"  report_refresh in {refresh.span:.1f} s: {refresh.summaries[0]}", flush=True)
        finally:
            _stop(workers, logs)
    one, two = _rate(alone_posted, alone_posting), _rate(posted, posting)
    claims_in = f"{sum(r.claims for r in remits[split_files:]):,} claim payments"
    measures.append(Measure(
        f"posting: {len(remits) - split_files} 835s as post_835 jobs, {WORKERS} workers",
        f"{claims_in}, {sum(r.sets for r in remits[split_files:])} sets",
        f"{two:,.0f} claim payments/s ({posting.span:.1f} s); 1 worker: {one:,.0f}/s "
        f"({split_files} files); {two / max(one, 1e-9):.2f} x",
        "every set and claim of the run's files posted once, ledger balanced",
        "FAIL: " + "; ".join(wrong) if wrong else "pass"))
    one, two = _rate(alone_scrubbed, alone_scrub), _rate(scrubbed, scrub)
    measures.append(Measure(
        f"scrubbing: {len(codes) - split_practices} scrub_batch jobs (one per practice), {WORKERS} workers",
        f"{scrubbed:,} claims not yet sent", f"{two:,.0f} claims/s ({scrub.span:.1f} s); 1 worker: {one:,.0f}/s "
        f"({split_practices} practices); {two / max(one, 1e-9):.2f} x", "every claim scrubbed, every job succeeded",
        "FAIL: " + "; ".join(alone_wrong + scrub_wrong) if alone_wrong or scrub_wrong else "pass"))
    measures.append(Measure(
        "reports: report_refresh job, nothing kept (every practice summed)", f"company ({practices} practices)",
        f"{refresh.span:.1f} s", "succeeded",
        "pass" if refresh.statuses == {"succeeded": 1} else f"FAIL: {'; '.join(refresh.errors)}"))
    # The claim board and the report services, the workers stopped (nothing else of the run's running).
    measures += _board(url, practices, board_runs)
    measures += _reports(url, practices, report_runs)
    title = (f"a billing company at scale: {practices} practices, {lines:,} claim lines on PostgreSQL ({generated}); "
             f"{WORKERS} dermbill workers; load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
             f"({os.cpu_count()} cores)")
    return title, measures


def table(title: str, measures: list[Measure]) -> Table:
    """The measures as the benchmarks print them."""
    out = Table(title=title, title_justify="left")
    for heading in ("measure", "scope", "figure", "checked / target", "result"):
        out.add_column(heading)
    for measure in measures:
        out.add_row(*measure.cells())
    return out


def main() -> None:
    title, measures = run(quick="--quick" in sys.argv)
    Console(width=None if sys.stdout.isatty() else 140).print(table(title, measures))


if __name__ == "__main__":
    main()
