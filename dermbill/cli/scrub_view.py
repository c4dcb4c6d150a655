"""``dermbill scrub``: findings for claim files, JSON Lines, or the claims stored in a database."""

from __future__ import annotations

import datetime
from collections import Counter

from rich.console import Console
from rich.table import Table

from dermbill.cli.files import jsonl_lines, read_input, write_json, write_jsonl
from dermbill.cli.progress import StageProgress
from dermbill.core.scrubber.findings import ScrubResult
from dermbill.services.schema import connect, require_current_schema
from dermbill.services.scrubbing import edit_releases_note, scrub_lines, scrub_stored_claims, scrub_text


def run_scrub_file(out: Console, path: str, *, as_json: bool, jsonl: bool, as_of: datetime.date) -> None:
    text = read_input(path)
    if jsonl:
        write_jsonl(scrub_lines(jsonl_lines(text), as_of=as_of))
        return
    scrubbed = scrub_text(text, as_of=as_of)
    if as_json:
        write_json(scrubbed.to_json())
        return
    print_findings(out, scrubbed)
    out.print(edit_releases_note(as_of))


def print_findings(out: Console, result: ScrubResult, title: str = "Scrubber findings") -> None:
    if not result.findings:
        out.print("Clean: no findings.")
        return
    table = Table(title=title, title_justify="left", show_lines=True)
    for heading in ("severity", "rule", "lines", "what is wrong", "fix"):
        table.add_column(heading, overflow="fold")
    for finding in result.findings:
        table.add_row(finding.severity.value, finding.rule, ", ".join(map(str, finding.lines)) or "claim",
                      finding.message, finding.fix)
    out.print(table)
    out.print("Clean (no errors; warnings to review)." if result.clean else "Not clean: fix the errors before "
              "the claim is sent.")


def run_scrub_stored(
    out: Console, url: str, *, claims: list[str], everything: bool, fix: bool, as_of: datetime.date,
    as_json: bool,
) -> None:
    database = connect(url)
    try:
        require_current_schema(database)
        with StageProgress(Console(stderr=True)) as bars:
            outcomes = scrub_stored_claims(database, claim_ids=claims, everything=everything, fix=fix,
                                           as_of=as_of, progress=lambda done, total: bars.report("scrubbing", done,
                                                                                                  total))
    finally:
        database.dispose()
    if as_json:
        write_json({"claims": [{"claim": o.patient_control_number, "id": o.claim_id, "practice": o.practice,
                                "status": o.status, "fixes": list(o.fixes), **o.result.to_json()} for o in outcomes]})
        return
    if len(outcomes) == 1:
        outcome = outcomes[0]
        print_findings(out, outcome.result, title=f"Claim {outcome.patient_control_number} ({outcome.practice})")
        for applied in outcome.fixes:
            out.print(f"fixed: {applied}")
        out.print(f"status: {outcome.status}")
        return
    clean = sum(o.result.clean for o in outcomes)
    fixes = sum(len(o.fixes) for o in outcomes)
    out.print(f"Scrubbed {len(outcomes)} claims: {clean} ready, {len(outcomes) - clean} with errors"
              + (f"; {fixes} certain fixes applied" if fix else ""))
    print_top_findings(out, Counter(f.rule for o in outcomes for f in o.result.findings if f.severity.value == "error"))
    out.print(edit_releases_note(as_of))


def print_top_findings(out: Console, counts: Counter[str], limit: int = 8) -> None:
    if not counts:
        return
    table = Table(title="Most common errors", title_justify="left")
    table.add_column("rule")
    table.add_column("findings", justify="right")
    for rule, count in counts.most_common(limit):
        table.add_row(rule, str(count))
    out.print(table)
