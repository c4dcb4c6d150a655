"""``dermbill training ...``: training modules assigned to staff from the practice's own denials."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, out
from dermbill.cli.files import write_json

training_app = typer.Typer(help="Staff training from the practice's own denials: modules, assignments, scores.",
                           no_args_is_help=True)

PracticeOption = Annotated[str | None, typer.Option("--practice", help="Only this practice (its code, e.g. D1).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@training_app.command("list")
def list_command(ctx: typer.Context, db: DbOption = None, practice: PracticeOption = None,
                 user: Annotated[str | None, typer.Option("--user", help="Only this staff member (e-mail).")] = None,
                 as_json: JsonOption = False) -> None:
    """Modules assigned to staff: to whom, why (the denials that caused it), progress and score."""
    from dermbill.services.training import list_assignments

    with current_database(ctx, db) as database:
        found = list_assignments(database, practice=practice, email=user, actor=actor_name(None))
    if as_json:
        write_json({"assignments": [a.to_json() for a in found]})
        return
    if not found:
        out.print("No training assigned. `dermbill training assign` assigns modules from the last 90 days' "
                  "denials.")
        return
    table = Table(title=f"Training assigned ({len(found)})", title_justify="left", box=box.SIMPLE_HEAD)
    for heading in ("#", "practice", "staff", "module", "why", "due", "progress", "score"):
        table.add_column(heading, overflow="fold", no_wrap=heading in ("staff", "due", "progress"))
    for a in found:
        table.add_row(str(a.id), a.practice, a.email, a.module.title, a.why(), a.due_on.isoformat(),
                      f"{a.answered}/3 {a.status}", "" if a.score is None else str(a.score))
    out.print(table)


@training_app.command("assign")
def assign_command(ctx: typer.Context, db: DbOption = None, practice: PracticeOption = None, as_of: AsOf = None,
                   by: By = None, as_json: JsonOption = False) -> None:
    """Assign modules to each staff member from the denials their step caused in the last 90 days (idempotent:
    nobody gets a module twice while it is open)."""
    from dermbill.services.training import assign_from_denials

    with current_database(ctx, db) as database:
        report = assign_from_denials(database, as_of=as_of_day(as_of), actor=actor_name(by), practice=practice)
    if as_json:
        write_json(report.to_json())
        return
    steps = ", ".join(f"{step.replace('_', ' ')} {count}" for step, count in sorted(report.by_step.items()))
    out.print(f"Denials of the last 90 days read: {report.denials_read}" + (f" ({steps})" if steps else ""))
    if not report.assigned:
        out.print("Nothing new to assign: every module the denials call for is already open for its people.")
    for a in report.assigned:
        out.print(f"  {a.practice} {a.email}: {a.module.title} ({a.why()}), due {a.due_on}")


@training_app.command("modules")
def modules_command(
    ctx: typer.Context, as_json: JsonOption = False, db: DbOption = None,
    from_period: Annotated[str | None, typer.Option(
        "--from", help="With --to: also the modules generated from what changed in the CMS releases between two "
                       "periods (2026q3, FY2026).")] = None,
    to_period: Annotated[str | None, typer.Option("--to", help="The later period (2026q4, FY2027).")] = None,
    practice: Annotated[str | None, typer.Option(
        "--practice", help="With --from/--to: only the codes this practice billed in the last year.")] = None,
    as_of: AsOf = None,
) -> None:
    """The modules: the step they train, the denial they prevent, and their lesson; with --from and --to, also the
    modules generated from a CMS release's changes, with their questions and answers."""
    from dermbill.core.errors import InvalidInput
    from dermbill.services.training import module_catalogue

    if (from_period is None) != (to_period is None):
        raise InvalidInput("give both --from and --to (e.g. --from 2026q3 --to 2026q4) for the release modules")
    catalogue = module_catalogue()
    released = []
    if from_period is not None and to_period is not None:
        from dermbill.services.reference_releases import release_changes, release_training

        with current_database(ctx, db) as database:
            report = release_changes(database, from_period, to_period, practice=practice, as_of=as_of_day(as_of))
        released = release_training(report)
    if as_json:
        write_json({"modules": catalogue, "release_modules": [m.as_dict() for m in released]})
        return
    for entry in catalogue:
        out.print(f"{entry['module']}: {entry['title']} ({str(entry['step']).replace('_', ' ')}, "
                  f"prevents {entry['denial']})")
    if from_period is not None and not released:
        out.print(f"No change from {from_period} to {to_period} to train on.")
    for generated in released:
        out.print(f"{generated.key}: {generated.title} ({generated.audience}, from the release's changes)")
        for number, question in enumerate(generated.questions, start=1):
            out.print(f"  {number}. {question.prompt} ({' / '.join(question.choices)})")
            out.print(f"     answer: {question.answer}. {question.explanation}")


@training_app.command("report")
def report_command(ctx: typer.Context, db: DbOption = None, practice: PracticeOption = None,
                   as_json: JsonOption = False) -> None:
    """The manager's report: per person, modules assigned and completed and scores; the front-desk denial rate
    in the 90 days before the first completed module and from it on."""
    from dermbill.services.training import training_report

    with current_database(ctx, db) as database:
        report = training_report(database, practice=practice, actor=actor_name(None))
    if as_json:
        write_json({"practices": [p.to_json() for p in report]})
        return
    for entry in report:
        out.print(entry.practice)
        for person in entry.people:
            mean = "-" if person.mean_score is None else str(person.mean_score)
            out.print(f"  {person.email}: {person.completed} of {person.assigned} completed, mean score {mean}")
        if entry.before and entry.after:
            out.print(f"  front-desk denial rate: {entry.before.percent} before ({entry.before.start} to "
                      f"{entry.before.end}), {entry.after.percent} after ({entry.after.start} on)")
        else:
            out.print("  front-desk denial rate before and after: once a module is completed")
