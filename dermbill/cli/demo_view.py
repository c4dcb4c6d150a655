"""``dermbill demo``: run the demo service with a progress bar and print its summary."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dermbill.cli.progress import StageProgress
from dermbill.cli.scrub_view import print_top_findings
from dermbill.services.demo import DemoOptions, DemoSummary, build_demo, reset_demo_database
from dermbill.services.schema import connect, initialize_schema


def run_demo(
    out: Console, err: Console, url: str, *, out_dir: Path, patients: int, seed: int, as_of: datetime.date,
    months: int, reset: bool,
) -> None:
    options = DemoOptions(out_dir=out_dir, as_of=as_of, patients=patients, seed=seed, months=months)
    database = connect(url)
    try:
        if reset:
            reset_demo_database(database)
            out.print(f"reset: deleted all data in {database.url} and created the schema again")
        else:
            initialize_schema(database)
        with StageProgress(err) as bars:
            summary = build_demo(database, options, progress=bars.report)
    finally:
        database.dispose()
    print_summary(out, summary, options)


def print_summary(out: Console, summary: DemoSummary, options: DemoOptions) -> None:
    out.print(
        f"Demo billing company '{summary.organization}': {summary.patients} patients, {summary.encounters} "
        f"encounters from {summary.period_start} to {summary.period_end} (seed {options.seed}), "
        f"{summary.payers} payers."
    )
    for p in summary.practices:
        out.print(f"  {p.code}: {p.legal_name}")
    table = Table(title="Demo practices", title_justify="left")
    for heading in ("practice", "providers", "locations", "patients", "coverages", "encounters", "charges",
                    "copays"):
        table.add_column(heading, justify="left" if heading == "practice" else "right")
    for p in summary.practices:
        table.add_row(p.code, str(p.providers), str(p.locations), str(p.patients),
                      str(p.coverages), str(p.encounters), str(p.fee_schedule_items), f"${p.copays_collected}")
    out.print(table)
    coding = Table(title="Coding (every encounter coded by the engine)", title_justify="left")
    for heading in ("practice", "coded", "held for pathology", "flagged for review", "nothing billable", "claims",
                    "charges"):
        coding.add_column(heading, justify="left" if heading == "practice" else "right")
    for p in summary.practices:
        coding.add_row(p.code, str(p.coded), str(p.held), str(p.flagged), str(p.no_lines), str(p.claims),
                       f"${p.charges}")
    out.print(coding)
    outside = sum(p.outside_code_set for p in summary.practices)
    if outside:
        out.print(f"{outside} encounters have dates of service after the newest loaded ICD-10-CM release; their "
                  "diagnoses were checked against it. Load the current release with 'dermbill reference "
                  "load-icd10cm FILE' (see 'dermbill reference list').")
    out.print(f"Scrubber: {summary.scrub_clean} of {summary.scrubbed} claims clean (ready to send), "
              f"{summary.scrubbed - summary.scrub_clean} with errors to fix.")
    if summary.top_findings:
        print_top_findings(out, Counter(dict(summary.top_findings)))
    if summary.submitted:
        out.print(f"837P: {summary.submitted} ready claims written as X12 005010X222A1 files (one per practice) "
                  "and marked submitted; the files are listed below.")
    kinds = Table(title="Encounters by what was done (first procedure documented)", title_justify="left")
    kinds.add_column("kind")
    for p in summary.practices:
        kinds.add_column(p.code, justify="right")
    all_kinds = sorted({k for p in summary.practices for k in p.encounters_by_kind})
    for kind in all_kinds:
        kinds.add_row(kind, *(str(p.encounters_by_kind.get(kind, 0)) for p in summary.practices))
    out.print(kinds)
    payers = Table(title="Encounters by primary payer on the date of service", title_justify="left")
    payers.add_column("payer")
    for p in summary.practices:
        payers.add_column(p.code, justify="right")
    for kind in ("medicare", "medicaid", "commercial", "self_pay"):
        payers.add_row(kind, *(str(p.encounters_by_payer.get(kind, 0)) for p in summary.practices))
    out.print(payers)
    out.print(f"Database: {summary.database_url}")
    for path in summary.files:
        out.print(f"Wrote {path}")
