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
def modules_command(as_json: JsonOption = False) -> None:
    """The modules: the step they train, the denial they prevent, and their lesson."""
    from dermbill.services.training import module_catalogue

    catalogue = module_catalogue()
    if as_json:
        write_json({"modules": catalogue})
        return
    for entry in catalogue:
        out.print(f"{entry['module']}: {entry['title']} ({str(entry['step']).replace('_', ' ')}, "
                  f"prevents {entry['denial']})")


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
