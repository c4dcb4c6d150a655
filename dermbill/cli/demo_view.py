"""``dermbill demo``: run the demo service with a progress bar and print its summary."""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dermbill.cli.progress import StageProgress
from dermbill.cli.scrub_view import print_top_findings
from dermbill.services.demo import DemoOptions, DemoSummary, build_demo, reset_demo
from dermbill.services.demo_cycle import CycleSummary
from dermbill.services.schema import connect, initialize_schema


def run_demo(
    out: Console, err: Console, url: str, *, out_dir: Path, patients: int, seed: int, as_of: datetime.date,
    months: int, reset: bool,
) -> None:
    options = DemoOptions(out_dir=out_dir, as_of=as_of, patients=patients, seed=seed, months=months)
    database = connect(url)
    try:
        if reset:
            reset_demo(database, out_dir)
            out.print(f"reset: deleted all data in {database.url} and the demo's files in {out_dir}, and created "
                      "the schema again", markup=False)
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
    if summary.cycle is not None:
        print_cycle(out, summary.cycle, options.out_dir)
    for line in summary.front_desk.lines() if summary.front_desk else []:
        out.print(line)
    for line in summary.statements.lines() if summary.statements else []:
        out.print(line)
    for line in summary.figures.lines() if summary.figures else []:
        out.print(line, markup=False)
    if summary.training is not None:
        t = summary.training
        steps = ", ".join(f"{count} {step.replace('_', ' ')}" for step, count in sorted(t.by_step.items()))
        people = len({a.email for a in t.assigned})
        out.print(f"Training: {len(t.assigned)} module(s) assigned to {people} staff member(s) from the "
                  f"{t.denials_read} denials of the last 90 days ({steps or 'none'}, by the step that caused them). "
                  "See dermbill training list, or Training in the staff application.")
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
    if summary.logins is not None:
        out.print(f"Staff logins (a user per role and a coder of one practice; passwords of this build, no second "
                  f"factor): {summary.logins}; sign in with `dermbill serve --db {summary.database_url}` "
                  "(make demo serves it)", markup=False)


def print_cycle(out: Console, cycle: CycleSummary, out_dir: Path) -> None:
    """What happened to the claims at the simulated payer, and where the money is now."""
    out.print(f"Claims to the simulated payer: {cycle.submitted} claims sent in {len(cycle.files_sent)} 837P files "
              f"(primary and secondary), {len(cycle.files_received)} files back (999, 277CA, 835).")
    statuses = Table(title="Claims by status after the cycle", title_justify="left")
    statuses.add_column("status")
    statuses.add_column("claims", justify="right")
    for status, count in sorted(cycle.claims_by_status.items(), key=lambda item: -item[1]):
        statuses.add_row(status.replace("_", " "), str(count))
    out.print(statuses)
    out.print(f"277CA: {cycle.accepted} accepted, {len(cycle.rejected)} rejected into the fix queue "
              f"({cycle.mis_keyed} member IDs were mis-keyed on purpose; the payer also ended "
              f"{cycle.ended_unknown} coverages the practice did not know about).")
    for claim, why in cycle.rejected[:5]:
        out.print(f"  {claim}: {why}", markup=False)
    out.print(f"835: ${cycle.paid} paid; {cycle.secondary_queued} secondary claims sent with the primary's "
              f"adjudication, {cycle.crossovers} crossed over by Medicare (not sent again); "
              f"{cycle.unmatched} payments unmatched.")
    if cycle.denials:
        denials = Table(title="Denied lines by reason (CARC)", title_justify="left")
        denials.add_column("reason")
        denials.add_column("lines", justify="right")
        for reason, count in cycle.denials.most_common():
            denials.add_row(reason, str(count))
        out.print(denials)
    _print_denial_work(out, cycle, out_dir)
    ar = Table(title="A/R by payer", title_justify="left")
    for heading in ("payer", "insurance balance", "denied, being worked"):
        ar.add_column(heading, justify="left" if heading == "payer" else "right")
    for payer, open_balance, denied in cycle.ar_by_payer:
        ar.add_row(payer, f"${open_balance}", f"${denied}")
    out.print(ar)
    out.print(f"Patient balances: ${cycle.patient_balance} (after ${cycle.credits_applied} of check-in copays "
              "were applied).")
    if cycle.ledger is not None:
        verdict = "clean" if cycle.ledger.clean else f"{len(cycle.ledger.violations)} VIOLATION(S)"
        out.print(f"Ledger check: {verdict} ({cycle.ledger.entries} entries, {cycle.ledger.postings} postings, "
                  f"{cycle.ledger.lines_checked} claim lines).")
    out.print(f"Every X12 file sent is in {out_dir / '837p'}; every file received in {out_dir / 'x12-received'}. "
              "Posting an 835 again changes nothing: dermbill era post FILE --db ...")
    out.print(f"Fix the rejected claims (dermbill claims fix-queue), re-scrub them, then send them again: "
              f"dermbill claims submit --config {out_dir / 'dermbill.toml'} --outbox {out_dir / '837p'} and "
              f"dermbill clearinghouse sync --config {out_dir / 'dermbill.toml'} --inbox {out_dir / 'x12-received'}")


def _print_denial_work(out: Console, cycle: CycleSummary, out_dir: Path) -> None:
    work = cycle.work
    if not work.items:
        return
    queue = Table(title=f"Denial work queue: {work.items} items ({work.underpayments} underpaid lines)",
                  title_justify="left")
    queue.add_column("root cause")
    queue.add_column("items", justify="right")
    for category, count in work.by_category.most_common():
        queue.add_row(category.replace("_", " "), str(count))
    out.print(queue)
    actions = ", ".join(f"{action.replace('_', ' ')} {count}" for action, count in work.by_action.most_common())
    out.print(f"Next actions: {actions}.")
    out.print(f"Worked: {work.corrected} corrected claims sent ({work.corrected_paid} paid in the next cycle), "
              f"{len(work.appeals)} appeal letters written to {out_dir / 'appeals'}, ${work.written_off} written "
              f"off, ${work.billed_to_patients} billed to patients; {work.still_open} items still open "
              "(eligibility checks, authorizations, appeals awaiting an answer).")
    for rule in work.rules_accepted:
        out.print(f"Learned and accepted: {rule}.", markup=False)
    before, after = work.rate_before, work.rate_after
    out.print(f"Denial rate: {_rate(before)} of the first claims; {_rate(after)} of the last month's claims, sent "
              f"after learning ({work.fixed_by_learned_rules} fixed and {work.held_by_learned_rules} held for "
              "authorization by the learned rules).")
    out.print("Work the queue: dermbill denials list|show|assign|resolve|correct|appeal --db ...")


def _rate(pair: tuple[int, int]) -> str:
    denied, total = pair
    return f"{denied}/{total} ({100 * denied / total:.1f}%)" if total else "no claims"
