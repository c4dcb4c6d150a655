"""``dermbill fhir``: FHIR R4 out (``export``: a claim or a date range as a Bundle) and in (``import``: an EHR's
Bundle of Patient, Coverage, Encounter, Procedure and Condition)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dermbill.cli.common import DbOption, actor_name, as_of_day, current_database, out, say_error
from dermbill.cli.files import write_json

fhir_app = typer.Typer(help="FHIR R4: export claims as a Bundle; import an EHR's Bundle.", no_args_is_help=True)

DEFAULT_BASE = "http://localhost:8000/fhir/R4"


@fhir_app.command("export")
def export_command(
    ctx: typer.Context,
    claim: Annotated[str | None, typer.Option("--claim", help="The claim's number (CLM01).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="First date of service (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last date of service (YYYY-MM-DD).")] = None,
    practice: Annotated[str | None, typer.Option("--practice", help="Only this practice (its code).")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the Bundle here (default: standard output).")]
    = None,
    base: Annotated[str, typer.Option("--base", help="The FHIR base URL of the entries' fullUrl.")] = DEFAULT_BASE,
    db: DbOption = None,
) -> None:
    """Export one claim (--claim) or the claims of a date range (--from and --to) as a FHIR R4 collection
    Bundle: Patient, Coverage, Encounter, Condition, Procedure, Claim, and a ClaimResponse and an
    ExplanationOfBenefit per payer answer; every resource validated."""
    from dermbill.clock import utc_now
    from dermbill.core.dates import parse_iso_date
    from dermbill.core.errors import InvalidInput
    from dermbill.fhir.validation import dumps
    from dermbill.services.fhir_export import export_bundle

    if (claim is None) == (date_from is None and date_to is None) or (claim is None and not (date_from and date_to)):
        raise InvalidInput("give --claim NUMBER, or --from DATE and --to DATE")
    start = parse_iso_date(date_from, field="--from") if date_from else None
    end = parse_iso_date(date_to, field="--to") if date_to else None
    with current_database(ctx, db) as database:
        practice_ids = _practices(database, practice)
        bundle = export_bundle(database, practice_ids, actor=actor_name(None), base=base, now=utc_now(),
                               claim_number=claim, date_from=start, date_to=end)
    text = dumps(bundle) + "\n"
    if out_file is None:
        sys.stdout.write(text)
        return
    out_file.write_text(text, encoding="utf-8")
    out.print(f"wrote {len(bundle.get('entry', []))} resources to {out_file}")


def _practices(database: object, code: str | None) -> list[int]:
    from sqlalchemy import select

    from dermbill.core.errors import NotFound
    from dermbill.db.engine import Database
    from dermbill.db.models import PracticeRow
    from dermbill.db.repositories import UnitOfWork

    assert isinstance(database, Database)
    with UnitOfWork(database, actor="cli") as uow:
        query = select(PracticeRow.id)
        if code is not None:
            query = query.where(PracticeRow.code == code.strip())
        ids = list(uow.session.scalars(query))
    if not ids:
        raise NotFound(f"no practice {code!r}" if code else "no practice in this database")
    return ids


@fhir_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A FHIR R4 Bundle (JSON): collection, transaction or searchset.")],
    practice: Annotated[str | None, typer.Option("--practice", help="The practice (code) to import into; needed "
                                                                    "when the database has several.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report everything; save nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Today (YYYY-MM-DD) for the date checks.")] = None,
    db: DbOption = None,
) -> None:
    """Import patients, coverage and visits with their charges from an EHR's Bundle. A Bundle with any problem
    saves nothing: each problem is printed at its resource and field (Patient/p1.birthDate: ...), exit 1."""
    from dermbill.cli.files import read_input
    from dermbill.core.errors import InvalidFields
    from dermbill.fhir.validation import loads
    from dermbill.services.fhir_import import import_bundle

    data = loads(read_input(str(file)))
    with current_database(ctx, db) as database:
        try:
            outcome = import_bundle(database, data, actor=actor_name(None), as_of=as_of_day(as_of),
                                    practice=practice, dry_run=dry_run)
        except InvalidFields as refused:
            if as_json:
                write_json({"imported": False, "problems": [{"where": p.field, "message": p.message}
                                                            for p in refused.problems]})
            else:
                for problem in refused.problems:
                    say_error(f"{problem.field}: {problem.message}")
                say_error(f"{file}: {refused.summary} ({len(refused.problems)} problem(s))")
            raise typer.Exit(1) from None
    if as_json:
        write_json({"imported": not dry_run, **outcome.to_json()})
        return
    verb = "would be" if dry_run else "were"
    out.print(f"practice {outcome.practice}{' (dry run: nothing saved)' if dry_run else ''}")
    out.print(f"patients: {_counts(outcome.patients)}; coverage: {_counts(outcome.coverages)}")
    for visit in outcome.visits:
        made = f", claim {visit.claim}" if visit.claim else ""
        notes = f" ({'; '.join(visit.notes)})" if visit.notes else ""
        out.print(f"{visit.resource} (visit {visit.visit_id}): {visit.status}, {visit.lines} line(s){made}{notes}")
    for skipped in outcome.skipped:
        out.print(skipped)
    out.print(f"{len(outcome.visits)} visit(s) {verb} read")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items())


__all__ = ["fhir_app"]
