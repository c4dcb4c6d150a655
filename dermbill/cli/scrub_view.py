"""``dermbill scrub``: findings for claim files, JSON Lines, or the claims stored in a database."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from dermbill.cli.common import actor_name
from dermbill.cli.files import jsonl_lines, read_input, write_json, write_jsonl
from dermbill.cli.progress import StageProgress
from dermbill.core.resubmission import UNCHANGED_RULE
from dermbill.core.scrubber.findings import ScrubResult
from dermbill.services.document_scrubbing import edit_releases_note, scrub_lines, scrub_text

if TYPE_CHECKING:
    from dermbill.db.engine import Database

DIRTY = 1  # the exit status when a claim has an error finding (or a JSON Lines line could not be scrubbed)


def run_scrub_file(out: Console, path: str, *, as_json: bool, jsonl: bool, as_of: datetime.date) -> int:
    """Scrub a claim file; the exit status is 0 when every claim is clean, DIRTY otherwise."""
    text = read_input(path)
    if jsonl:
        dirty = False
        for result in scrub_lines(jsonl_lines(text), as_of=as_of):
            dirty = dirty or not result.get("clean", False)
            write_jsonl([result])
        return DIRTY if dirty else 0
    scrubbed = scrub_text(text, as_of=as_of)
    if as_json:
        write_json(scrubbed.to_json())
    else:
        print_findings(out, scrubbed)
        out.print(edit_releases_note(as_of))
    return 0 if scrubbed.clean else DIRTY


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
    out: Console, database: Database, *, claims: list[str], everything: bool, fix: bool, as_of: datetime.date,
    as_json: bool, resubmit_unchanged: bool = False, by: str | None = None,
) -> int:
    """Scrub stored claims; the exit status is 0 when every claim scrubbed is clean, DIRTY otherwise."""
    from dermbill.services.scrubbing import scrub_stored_claims

    with StageProgress(Console(stderr=True, markup=False)) as bars:
        outcomes = scrub_stored_claims(database, claim_ids=claims, everything=everything, fix=fix, as_of=as_of,
                                       progress=lambda done, total: bars.report("scrubbing", done, total),
                                       resubmit_unchanged=resubmit_unchanged, actor=actor_name(by))
    status = 0 if all(o.result.clean for o in outcomes) else DIRTY
    if as_json:
        write_json({"claims": [{"claim": o.patient_control_number, "id": o.claim_id, "practice": o.practice,
                                "status": o.status, "fixes": list(o.fixes), **o.result.to_json()} for o in outcomes]})
        return status
    if len(outcomes) == 1:
        outcome = outcomes[0]
        print_findings(out, outcome.result, title=f"Claim {outcome.patient_control_number} ({outcome.practice})")
        for applied in outcome.fixes:
            out.print(f"fixed: {applied}")
        if resubmit_unchanged:
            approver = actor_name(by)
            out.print(f"approved to go out again unchanged (recorded as {approver})", markup=False)
        out.print(f"status: {outcome.status}")
        return status
    clean = sum(o.result.clean for o in outcomes)
    fixes = sum(len(o.fixes) for o in outcomes)
    held = sum(any(f.rule == UNCHANGED_RULE for f in o.result.findings) for o in outcomes)
    out.print(f"Scrubbed {len(outcomes)} claims: {clean} ready, {len(outcomes) - clean} with errors"
              + (f" ({held} rejected and not changed since: kept in the fix queue)" if held else "")
              + (f"; {fixes} certain fixes applied" if fix else ""))
    print_top_findings(out, Counter(f.rule for o in outcomes for f in o.result.findings if f.severity.value == "error"))
    out.print(edit_releases_note(as_of))
    return status



def print_top_findings(out: Console, counts: Counter[str], limit: int = 8) -> None:
    if not counts:
        return
    table = Table(title="Most common errors", title_justify="left")
    table.add_column("rule")
    table.add_column("findings", justify="right")
    for rule, count in counts.most_common(limit):
        table.add_row(rule, str(count))
    out.print(table)
