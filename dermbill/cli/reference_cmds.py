"""``dermbill reference update|changes|rescrub|bulletin``: load CMS releases, say what changed, act on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, out
from dermbill.cli.files import write_json

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
FromOption = Annotated[str, typer.Option("--from", help="The earlier period: a quarter (2026q3) or FY2026.")]
ToOption = Annotated[str, typer.Option("--to", help="The later period: a quarter (2026q4) or FY2027.")]
PracticeOption = Annotated[str | None, typer.Option(
    "--practice", help="Only the codes this practice billed in the last year, with the fee effect at its volume.")]


def update_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(metavar="DIR|FILE...", help="CMS files, folders of them, or zips.")],
    db: DbOption = None, by: By = None, as_json: JsonOption = False,
) -> None:
    """Load CMS releases (NCCI PTP and MUE, PFS RVU, HCPCS, ICD-10-CM), each placed by its name and content. The
    same period with other content is kept as a new revision; the same content again changes nothing."""
    from dermbill.services.reference_releases import update_releases

    with current_database(ctx, db) as database:
        outcomes = update_releases(database, paths, actor=actor_name(by))
    if as_json:
        write_json({"releases": [{"kind": o.kind, "period": o.period, "revision": o.revision, "outcome": o.outcome,
                                  "name": o.name, "entries": o.entries, "files": list(o.files),
                                  "message": o.message} for o in outcomes]})
        return
    for outcome in outcomes:
        out.print(outcome.message)
    if any(o.outcome != "unchanged" for o in outcomes):
        out.print("Next: `dermbill reference changes --from <before> --to <period>` to see what changed, and "
                  "`dermbill reference rescrub` to check the claims not yet sent.")


def changes_command(ctx: typer.Context, from_period: FromOption, to_period: ToOption, db: DbOption = None,
                    practice: PracticeOption = None, as_of: AsOf = None, as_json: JsonOption = False) -> None:
    """What changed between two periods that matters to a dermatology practice, release by release."""
    from dermbill.services.reference_releases import release_changes

    with current_database(ctx, db) as database:
        report = release_changes(database, from_period, to_period, practice=practice, as_of=as_of_day(as_of))
    if as_json:
        write_json(report.as_dict())
        return
    for kind in report.kinds:
        out.print(kind.releases)
        if not kind.changes:
            out.print("  no change")
        for change in kind.changes:
            out.print(f"  - {change.describe()}")
    if report.engine_codes_missing:
        out.print("Codes the coding engine suggests that the ICD-10-CM release in force lacks: "
                  + ", ".join(report.engine_codes_missing))


def rescrub_command(ctx: typer.Context, db: DbOption = None, as_of: AsOf = None, by: By = None,
                    as_json: JsonOption = False) -> None:
    """Scrub the claims not yet sent again, each against the releases in force for its date of service; list those
    whose findings changed, and the held encounters coded with a deleted ICD-10-CM code."""
    from dermbill.services.reference_releases import held_encounters_with_deleted_codes, rescrub_unsent_claims

    with current_database(ctx, db) as database:
        changed = rescrub_unsent_claims(database, as_of=as_of_day(as_of), actor=actor_name(by))
        held = held_encounters_with_deleted_codes(database)
    if as_json:
        write_json({"claims_changed": [c.as_dict() for c in changed], "held_encounters": [h.as_dict() for h in held]})
        return
    out.print(f"Claims not yet sent whose scrub changed: {len(changed)}")
    for c in changed:
        added = f" new: {'; '.join(c.findings_added)}" if c.findings_added else ""
        gone = f" gone: {'; '.join(c.findings_removed)}" if c.findings_removed else ""
        out.print(f"  {c.practice} {c.claim} ({c.date_of_service}): {c.status_before} -> {c.status_after}.{added}"
                  f"{gone}")
    out.print(f"Held encounters coded with a deleted ICD-10-CM code: {len(held)}")
    for h in held:
        out.print(f"  {h.practice} encounter {h.encounter_id} ({h.date_of_service}): {', '.join(h.deleted_codes)} "
                  f"not in {h.release}")


def bulletin_command(ctx: typer.Context, from_period: FromOption, to_period: ToOption,
                     out_file: Annotated[Path, typer.Option("--out", help="The PDF to write (never over a file).")],
                     db: DbOption = None, practice: PracticeOption = None, as_of: AsOf = None,
                     training: Annotated[bool, typer.Option(
                         "--training", help="Add the training modules generated from the changes (coders; front "
                                            "desk and billers): questions, then answers.")] = False) -> None:
    """Write the staff bulletin (PDF) of what changed between two periods, by who must act on it."""
    from dermbill.core.releases import counted
    from dermbill.services.reference_releases import release_changes, write_release_bulletin

    with current_database(ctx, db) as database:
        report = release_changes(database, from_period, to_period, practice=practice, as_of=as_of_day(as_of))
    write_release_bulletin(report, out_file, training=training)
    with_training = " with its training modules" if training else ""
    out.print(f"wrote the bulletin for {report.from_period} to {report.to_period} "
              f"({counted(len(report.changes), 'change')}){with_training} to {out_file}")
