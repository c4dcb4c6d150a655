"""``dermbill claims submit``, ``dermbill clearinghouse sync`` and ``inbox``, and ``dermbill claims fix-queue``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dermbill.cli.common import DbOption, actor_name, current_database, out
from dermbill.cli.files import write_json
from dermbill.settings import DEFAULT_INBOX, DEFAULT_OUTBOX, load_settings

if TYPE_CHECKING:
    from dermbill.clearinghouse.config import ClearinghouseConfig

clearinghouse_app = typer.Typer(help="Clearinghouse connections: fetch and process what came back.",
                                no_args_is_help=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="The connections and routes (TOML); default $DERMBILL_CONFIG or dermbill.toml.",
                 show_default=False),
]


def _config(path: Path | None) -> ClearinghouseConfig:
    from dermbill.clearinghouse.config import read_config

    return read_config(path or Path(load_settings().config_path))


def submit_command(
    ctx: typer.Context,
    db: DbOption = None,
    via: Annotated[str | None, typer.Option("--via", help="Send every claim through this connection.")] = None,
    config: ConfigOption = None,
    outbox: Annotated[Path, typer.Option("--outbox", help="Where the 837P files are kept.")] = Path(DEFAULT_OUTBOX),
    batch_size: Annotated[int, typer.Option("--batch-size", help="At most this many claims per file.")] = 5000,
) -> None:
    """Send every ready claim, in batches, through the connection its route (or --via) names."""
    from dermbill.services.transmission import submit_claims

    settings = _config(config)
    with current_database(ctx, db) as database:
        report = submit_claims(database, settings, outbox, via=via, batch_size=batch_size,
                               actor=actor_name(None))
    for name in report.resent:
        out.print(f"{name}: written earlier but not delivered; delivered now")
    for exported in report.files:
        out.print(f"{exported.practice}: {exported.claims} claims, ${exported.total_charge} -> {exported.path.name} "
                  f"via {exported.connection}")
    if not report.files and not report.resent:
        out.print("No claims are ready to send (scrub them first: dermbill scrub --all).")
    if report.already_there:
        out.print(f"{len(report.already_there)} file(s) were already at the clearinghouse; not sent again")


def sync_command(
    ctx: typer.Context,
    db: DbOption = None,
    config: ConfigOption = None,
    inbox: Annotated[Path, typer.Option("--inbox", help="Where fetched files are kept.")] = Path(DEFAULT_INBOX),
) -> int:
    """Fetch what every connection has for us and process it: 999, 277CA, 835. Exit status 1 if any file was
    quarantined (it could not be processed: see dermbill clearinghouse inbox) or an 835 was not posted whole."""
    from dermbill.services.transmission import sync

    settings = _config(config)
    with current_database(ctx, db) as database:
        report = sync(database, settings, inbox)
    out.print(f"{len(report.fetched)} file(s) fetched, {len(report.skipped)} already processed before")
    if report.picked_up:
        out.print(f"{len(report.picked_up)} file(s) received by an earlier sync and not processed then: "
                  "processed now")
    for refused in report.refused:
        out.print(f"warning: {refused}", markup=False)
    for missing in report.missing:
        out.print(f"warning: {missing}", markup=False)
    for name, verdict in sorted(report.batches_acknowledged.items()):
        out.print(f"999: {name} {verdict}", markup=False)
    out.print(f"277CA: {len(report.accepted)} claim(s) accepted, {len(report.rejected)} rejected")
    for claim, why in report.rejected[:20]:
        out.print(f"  rejected {claim}: {why}", markup=False)
    not_posted = 0
    for outcome in report.remittances:
        out.print(f"835 {outcome.trace_number} from {outcome.payer}: {outcome.status}, {outcome.claims_posted} "
                  f"claim payment(s), ${outcome.paid} paid, {len(outcome.denied)} denied, "
                  f"{len(outcome.unmatched)} held for a person", markup=False)
        for problem in outcome.problems[:10]:
            out.print(f"  {problem}", markup=False)
        not_posted += outcome.status not in ("posted", "already posted") or bool(outcome.unmatched)
    if report.secondary.queued:
        out.print(f"{len(report.secondary.queued)} secondary claim(s) are ready to send (dermbill claims submit)")
    if not_posted:
        out.print(f"{not_posted} 835(s) not posted whole: see dermbill era problems (files in conflict or "
                  "quarantined) and dermbill era unmatched (claim payments held for a person)")
    if not report.quarantined:
        return 1 if not_posted else 0
    for name, reason in report.quarantined:
        out.print(f"quarantined {name}: {reason}", markup=False)
    out.print(f"{len(report.quarantined)} file(s) quarantined: not processed, kept in the inbox (dermbill "
              "clearinghouse inbox lists them); the others were processed. Ask the sender for a corrected file: it is "
              "processed when it arrives.")
    return 1


def inbox_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"files\": [...]} as JSON.")] = False,
) -> None:
    """Inbound files not processed: received (the next sync processes them) or quarantined, with the reason."""
    from dermbill.services.transmission import inbox_files

    with current_database(ctx, db) as database:
        files = inbox_files(database)
    if as_json:
        write_json({"files": files})
        return
    if not files:
        out.print("Every inbound file has been processed.")
    for item in files:
        out.print(f"{item['file']} ({item['connection']}): {item['status']} at {item['received_at']}", markup=False)
        if item["reason"]:
            out.print(f"  {item['reason']}", markup=False)


def fix_queue_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"items\": [...]} as JSON.")] = False,
) -> None:
    """Claims the clearinghouse or payer rejected, with what is wrong and how to fix it."""
    from dermbill.services.transmission import fix_queue

    with current_database(ctx, db) as database:
        items = fix_queue(database)
    if as_json:
        write_json({"items": items})
        return
    if not items:
        out.print("The fix queue is empty: no rejected claims.")
    for item in items:
        out.print(f"{item['practice']} {item['claim']} ({item['payer']}): {item['field']}: {item['message']}",
                  markup=False)
        out.print(f"  fix: {item['fix']}", markup=False)
