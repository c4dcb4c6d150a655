"""Run every benchmark and print one table."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console
from rich.table import Table

from benchmarks import (
    claim_api,
    coding,
    company_scale,
    denial_queue,
    eligibility,
    era_posting,
    hl7_listener,
    insert_encounters,
    notes,
    reports,
    scrubbing,
    startup,
    statements,
    x12,
)
from benchmarks.goals import GOALS


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--encounters", type=int, default=10_000, help="encounters per case (default 10000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case; the best is reported")
    parser.add_argument("--era-claims", type=int, default=60_000, help="claim payments in the 835 to post")
    parser.add_argument("--denial-claims", type=int, default=20_000,
                        help="claims in the 835 the denial queue is built from (every 20th has a denial)")
    parser.add_argument("--api-claims", type=int, default=claim_api.DEFAULT_CLAIMS,
                        help="claims in the claim API benchmark's database (default $DERMBILL_BENCH_API_CLAIMS "
                             "or 1000000; loaded once, reused while the count is the same)")
    parser.add_argument("--api-clients", type=int, default=12, help="concurrent clients of the claim API")
    parser.add_argument("--api-seconds", type=float, default=20.0, help="seconds of requests per API endpoint")
    parser.add_argument("--hl7-messages", type=int, default=3000,
                        help="DFT^P03 messages sent through the HL7 listener (default 3000)")
    parser.add_argument("--eligibility-appointments", type=int, default=5000,
                        help="booked appointments the eligibility run asks about (default 5000)")
    parser.add_argument("--statement-guarantors", type=int, default=100_000,
                        help="guarantors billed by the statement run (default 100000; also measured at a fifth)")
    parser.add_argument("--only", choices=("api", "batch", "hl7", "eligibility", "statements", "reports", "company",
                                           "notes"),
                        help="run only the claim API benchmark, only the HL7 listener, only the eligibility run, "
                             "only the statement run, only the reports, only the billing company at scale (posting, "
                             "scrubbing, the claim board and the reports with two workers), only the note reader on "
                             "the development notes, or only the others")
    parser.add_argument("--quick", action="store_true",
                        help="a run under 3 minutes: start-up, coding, scrubbing, the 835 read (25 MB) and posting "
                             "10,000 claim payments on each backend, then the goals table (with --only reports or "
                             "--only company: a company of 10 practices and 100,000 claim lines instead of 200 and "
                             "5,000,000)")
    parser.add_argument("--report-runs", type=int, default=5, help="reports: timed runs per report (the median)")
    parser.add_argument("--company-files", type=int, default=10,
                        help="company: 835 files posted as post_835 jobs (one per payer; default 10)")
    parser.add_argument("--company-claims-per-file", type=int, default=3000,
                        help="company: claim payments in each 835 (default 3000)")
    args = parser.parse_args()
    console = Console(width=None if sys.stdout.isatty() else 120)
    if args.only == "notes":
        notes.report(console)
        return
    if args.quick and args.only is None:
        _quick(console, args)
        return
    if args.only == "reports" or (args.only is None and not args.quick):
        title, timings = reports.run(quick=args.quick, runs=args.report_runs)
        timed = Table(title=title, title_justify="left")
        for heading in ("operation", "scope", "median (s)", "target", "result"):
            timed.add_column(heading, justify="right" if heading == "median (s)" else "left")
        for timing in timings:
            timed.add_row(*timing.cells())
        console.print(timed)
    if args.only == "company" or (args.only is None and not args.quick):
        title, measures = company_scale.run(quick=args.quick, files=args.company_files,
                                            per_file=args.company_claims_per_file, report_runs=args.report_runs)
        console.print(company_scale.table(title, measures))
    if args.only in (None, "batch", "hl7", "eligibility", "statements"):
        table = Table(title="dermbill benchmarks", title_justify="left")
        for heading in ("benchmark", "backend", "patients", "items", "seconds", "rate", "peak RSS (MiB)"):
            table.add_column(heading, justify="left" if heading in ("benchmark", "backend") else "right")
        results = []
        if args.only not in ("hl7", "eligibility", "statements"):
            results += startup.run(runs=max(args.repeat, 5))
            results += insert_encounters.run_all(encounters=args.encounters, repeat=args.repeat)
            results += coding.run(encounters=args.encounters * 2, repeat=max(args.repeat, 3))
            results += scrubbing.run(claims=args.encounters, repeat=max(args.repeat, 2))
            results += x12.run(claims=args.encounters * 5, quick=args.quick)
            results += era_posting.run(claims=args.era_claims)
            results += denial_queue.run(claims=args.denial_claims)
        if args.only not in ("eligibility", "statements"):
            results += hl7_listener.run(messages=args.hl7_messages)
        if args.only in (None, "batch", "eligibility"):
            results += eligibility.run(appointments=args.eligibility_appointments)
        if args.only in (None, "batch", "statements"):
            results += statements.run(guarantors=args.statement_guarantors)
        for result in results:
            table.add_row(*result.cells())
        console.print(table)
    if args.only in (None, "api"):
        rows = claim_api.run(claims=args.api_claims, clients=args.api_clients, seconds=args.api_seconds)
        api = Table(title=f"claim API: {args.api_claims:,} claims, {args.api_clients} clients, dermbill serve "
                          "--workers 2 (goal: p95 < 150 ms)", title_justify="left")
        for heading in ("endpoint", "requests", "errors", "requests/s", "p50 (ms)", "p95 (ms)"):
            api.add_column(heading, justify="left" if heading == "endpoint" else "right")
        if isinstance(rows, str):
            api.add_row("claim API", "-", "-", "-", "-", rows)
        else:
            for row in rows:
                api.add_row(*row.cells())
        console.print(api)
    if args.only is None:
        notes.report(console)
    _print_goals(console)


def _quick(console: Console, args: argparse.Namespace) -> None:
    """The quick run: the measures with a goal, at sizes that finish in under 3 minutes."""
    table = Table(title="dermbill benchmarks (--quick)", title_justify="left")
    for heading in ("benchmark", "backend", "patients", "items", "seconds", "rate", "peak RSS (MiB)"):
        table.add_column(heading, justify="left" if heading in ("benchmark", "backend") else "right")
    results = startup.run(runs=3)
    results += coding.run(encounters=2000, repeat=1)
    results += scrubbing.run(claims=1000, repeat=1)
    results += x12.run(claims=10_000, quick=True)
    results += era_posting.run(claims=min(args.era_claims, 10_000), concurrent=False)
    for result in results:
        table.add_row(*result.cells())
    console.print(table)
    _print_goals(console)


def _print_goals(console: Console) -> None:
    if not GOALS:
        return
    table = Table(title="goals (issue 19): dermbill against the reference measured in the same run",
                  title_justify="left")
    for heading in ("measure", "dermbill", "reference", "ratio", "goal", "result"):
        table.add_column(heading)
    for goal in GOALS:
        table.add_row(*goal.cells())
    console.print(table)


if __name__ == "__main__":
    main()
