"""The ``dermbill`` command: entry point, global options, error handling."""

from __future__ import annotations

import datetime
import os
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dermbill import __version__, clock
from dermbill.cli.audit_cmds import audit_app
from dermbill.cli.balances_cmds import balances_app
from dermbill.cli.check_in_cmds import check_in_app
from dermbill.cli.clearinghouse_cmds import (
    clearinghouse_app,
    fix_queue_command,
    inbox_command,
    submit_command,
    sync_command,
)
from dermbill.cli.collections_cmds import collections_app
from dermbill.cli.common import DbOption, acting_as, actor_name, current_database, database_url, err, out, say_error
from dermbill.cli.denials_cmds import denials_app
from dermbill.cli.eligibility_cmds import eligibility_app
from dermbill.cli.fhir_cmds import fhir_app
from dermbill.cli.follow_up_cmds import follow_up_command, jobs_app
from dermbill.cli.hl7_cmds import hl7_app
from dermbill.cli.import_cmds import import_command
from dermbill.cli.jobs_cmds import defer_command, worker_command
from dermbill.cli.payments import era_app, ledger_app
from dermbill.cli.reference_cmds import bulletin_command, changes_command, rescrub_command, update_command
from dermbill.cli.reports_cmds import reports_app
from dermbill.cli.statements_cmds import statements_app
from dermbill.cli.training_cmds import training_app
from dermbill.cli.users_cmds import users_app
from dermbill.core.errors import DermbillError, InvalidInput
from dermbill.settings import DEFAULT_DEMO_OUT

if TYPE_CHECKING:
    from dermbill.services.reference import SavedQuarter

# Typer ships its own click in newer releases; reach its exception classes through a public name.
_USAGE_ERROR: type[Exception] = typer.BadParameter.__mro__[1]
_CLICK_EXCEPTION: type[Exception] = _USAGE_ERROR.__mro__[1]
ERROR_LOG_NAME = "dermbill-errors.log"

app = typer.Typer(
    name="dermbill",
    help="Dermatology coding and billing: from documented lesions to paid claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
def _version(value: bool) -> None:
    if value:
        out.print(f"dermbill {__version__}")
        raise typer.Exit()


# Commands that do not act for a user of the database: the web application's staff sign in themselves, and the
# demo's history is its fictional staff's.
NOT_AS_A_USER = {"serve": "staff sign in to the web application themselves",
                 "demo": "the demo records its own fictional staff"}


@app.callback()
def root(
    ctx: typer.Context,
    db: DbOption = None,
    acting: Annotated[str | None, typer.Option(
        "--as", metavar="EMAIL", show_default=False,
        help="Act as this user of the database (existing, enabled): the audit trail records their e-mail; "
             "default your login name. A command's --by still names who does that one thing.")] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Dermatology coding and billing: from documented lesions to paid claims."""
    from dermbill.db.audit_origin import audit_origin

    ctx.obj = db
    if acting is not None:
        if not acting.strip():
            raise InvalidInput("--as: give the e-mail of a user of the database")
        if ctx.invoked_subcommand in NOT_AS_A_USER:
            raise InvalidInput(f"--as does not apply to {ctx.invoked_subcommand}: "
                               f"{NOT_AS_A_USER[ctx.invoked_subcommand]}")
        ctx.with_resource(acting_as(acting))
    if ctx.invoked_subcommand:  # a command that opens a database names itself fully (cli.common.current_database)
        ctx.with_resource(audit_origin(f"cli: {ctx.invoked_subcommand}"))


@app.command()
def init(ctx: typer.Context, db: DbOption = None) -> None:
    """Create the schema in an empty database, or upgrade an older one."""
    from dermbill.services.schema import connect, initialize_schema

    database = connect(database_url(ctx, db))
    try:
        result = initialize_schema(database)
    finally:
        database.dispose()
    if result.changed:
        before = result.revision_before or "empty"
        out.print(f"schema of {result.url} ({result.backend}) upgraded from {before} to {result.revision_after}")
    else:
        out.print(f"schema of {result.url} ({result.backend}) is current ({result.revision_after})")


@app.command()
def demo(
    ctx: typer.Context,
    db: DbOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for every file the demo writes.")] = Path(
        DEFAULT_DEMO_OUT
    ),
    patients: Annotated[int, typer.Option("--patients", min=1, max=200_000, help="Number of patients.")] = 500,
    seed: Annotated[int, typer.Option("--seed", help="Seed: the same seed and --as-of give the same data.")] = 7,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The demo's 'today' (YYYY-MM-DD); default today.")
    ] = None,
    months: Annotated[int, typer.Option("--months", min=1, max=24, help="Months of encounters.")] = 3,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete all data in the database first and start over.")
    ] = False,
) -> None:
    """Build a synthetic billing company with two dermatology practices, and print a summary."""
    from dermbill.cli.demo_view import run_demo

    today = _parse_date(as_of, "--as-of") if as_of else clock.today()
    run_demo(out, err, database_url(ctx, db), out_dir=out_dir, patients=patients, seed=seed, as_of=today,
             months=months, reset=reset)


SchemaOption = Annotated[bool, typer.Option("--schema", help="Print the JSON Schema of the input format and exit.")]


@app.command()
def serve(
    ctx: typer.Context,
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes (PostgreSQL for more than 1).")]
    = 1,
) -> None:
    """Serve the staff web application (and its API under /api/v1) with uvicorn."""
    import os

    import uvicorn

    os.environ["DERMBILL_DATABASE_URL"] = database_url(ctx, db)  # for the workers' create_app()

    out.print(f"dermbill is serving on http://{host}:{port}/ (Ctrl-C stops it)")
    uvicorn.run("dermbill.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, server_header=False)


@app.command()
def code(
    file: Annotated[str | None, typer.Argument(
        help="An encounter document or record (JSON, docs/encounter-format.md), or - for standard input.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="FILE holds one encounter per line; print one JSON result per line.")
    ] = False,
    schema: SchemaOption = False,
    note: Annotated[bool, typer.Option(
        "--note", help="FILE is a free-text procedure note (with --jsonl: one {\"note\": ...} object per line).")
    ] = False,
    dos: Annotated[str | None, typer.Option("--dos", help="Date of service of the note (YYYY-MM-DD).")] = None,
    payer: Annotated[str | None, typer.Option(
        "--payer", help="medicare, medicaid, commercial or self_pay (overrides the note).")] = None,
    age: Annotated[int | None, typer.Option("--age", help="Patient age (overrides the note).")] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="F, M or U (overrides the note).")] = None,
) -> None:
    """Code an encounter (or, with --note, a provider's note): CPT/HCPCS lines with units, modifiers,
    ICD-10-CM and why."""
    if schema:
        from dermbill.services.coding import encounter_schema_text

        sys.stdout.write(encounter_schema_text())
        return
    if file is None:
        raise typer.BadParameter("give an encounter FILE (or - for standard input), or --schema")
    if note:
        from dermbill.cli.coding_view import run_code_note

        run_code_note(out, file, as_json=as_json, jsonl=jsonl, dos=dos, payer=payer, age=age, sex=sex)
        return
    from dermbill.cli.coding_view import run_code

    run_code(out, file, as_json=as_json, jsonl=jsonl)


@app.command()
def scrub(
    ctx: typer.Context,
    file: Annotated[
        str | None, typer.Argument(help="A claim (JSON, docs/claim-format.md), or - for standard input.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="FILE holds one claim per line; print one JSON result per line.")
    ] = False,
    db: DbOption = None,
    all_claims: Annotated[bool, typer.Option("--all", help="Scrub every coded claim stored in the database.")] = False,
    claim: Annotated[list[str] | None, typer.Option(
        "--claim", metavar="NUMBER",
        help="Scrub this stored claim: its claim number, e.g. D1E0000537, or id (repeatable).")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the certain fixes to stored claims (recorded).")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day the claim would be sent (YYYY-MM-DD); default today.")
    ] = None,
    resubmit_unchanged: Annotated[bool, typer.Option(
        "--resubmit-unchanged", help="With --claim: let these rejected claims go out again as they are (the fix "
        "was outside the claim); recorded in the audit trail.")] = False,
    by: Annotated[str | None, typer.Option(
        "--by", help="Who approves --resubmit-unchanged (audit trail); default the user of dermbill --as, else "
        "your login name.")] = None,
    schema: SchemaOption = False,
) -> int:
    """Check claims the way payers will: NCCI, MUE, global periods, coverage, modifiers, completeness. Exit status 0
    when every claim is clean, 1 when one has an error finding, 2 for input that cannot be read."""
    if schema:
        from dermbill.services.document_scrubbing import claim_schema_text

        sys.stdout.write(claim_schema_text())
        return 0
    day = _parse_date(as_of, "--as-of") if as_of else clock.today()
    if file is not None:
        from dermbill.cli.scrub_view import run_scrub_file

        if all_claims or claim or fix:
            raise typer.BadParameter("give a FILE, or --all / --claim NUMBER with --db, not both")
        return run_scrub_file(out, file, as_json=as_json, jsonl=jsonl, as_of=day)
    if not all_claims and not claim:
        raise typer.BadParameter("give a claim FILE, or --all or --claim NUMBER to scrub stored claims")
    from dermbill.cli.scrub_view import run_scrub_stored

    with current_database(ctx, db) as database:
        return run_scrub_stored(out, database, claims=claim or [], everything=all_claims, fix=fix, as_of=day,
                                as_json=as_json, resubmit_unchanged=resubmit_unchanged, by=by)


x12_app = typer.Typer(help="HIPAA X12 005010 files: parse and validate.", no_args_is_help=True)
app.add_typer(x12_app, name="x12")


@x12_app.command("parse")
def x12_parse(
    file: Annotated[str, typer.Argument(help="An X12 file: 835, 999, 277CA, 277, 271 (others as segments).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the parsed file as JSON.")] = False,
) -> None:
    """Read an X12 file; one entry per transaction set."""
    from dermbill.cli.x12_view import run_parse

    run_parse(out, file, as_json=as_json)


@x12_app.command("validate")
def x12_validate(file: Annotated[str, typer.Argument(help="An X12 file.")]) -> int:
    """Check an X12 file: envelopes, counts and control numbers, 835 balancing, NPIs; one finding per line.

    Exit status 1 when a problem is found, 0 when the file is clean, 2 when it cannot be read.
    """
    from dermbill.cli.x12_view import run_validate

    return run_validate(out, file)


claims_app = typer.Typer(help="Claims: send them to the clearinghouse.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")


@claims_app.command("export-837p")
def export_837p_command(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the 837P files.")],
    db: DbOption = None,
    profile: Annotated[str | None, typer.Option("--profile", help="Clearinghouse profile name.")] = None,
) -> None:
    """Write 837P files for the scrub-clean, ready claims (one per practice) and mark them submitted."""
    from dermbill.services.submission import export_837p

    with current_database(ctx, db) as database:
        files = export_837p(database, out_dir, profile_name=profile, actor=actor_name(None))
    if not files:
        out.print("No claims are ready to send (scrub them first: dermbill scrub --all).")
    for exported in files:
        out.print(f"{exported.practice}: {exported.claims} claims, ${exported.total_charge}, interchange "
                  f"{exported.interchange_control_number} -> {exported.path}")


@claims_app.command("print")
def print_claim_command(
    ctx: typer.Context,
    claims: Annotated[list[str], typer.Argument(
        metavar="NUMBER", help="The claim number(s) to print, e.g. D1E0000537 (or ids).")],
    out_file: Annotated[Path, typer.Option("--out", help="The PDF to write.")],
    db: DbOption = None,
    red_form: Annotated[
        bool, typer.Option("--red-form", help="Values only, to print on the pre-printed red CMS-1500.")
    ] = False,
) -> None:
    """Print claims on the CMS-1500 (02/12) form as a PDF (the full form by default)."""
    from dermbill.services.printing import print_claims

    with current_database(ctx, db) as database:
        count = print_claims(database, claims, out_file, full_form=not red_form, actor=actor_name(None))
    out.print(f"wrote {count} claim(s) to {out_file} ({'red-form values' if red_form else 'full form'})")


reference_app = typer.Typer(help="Reference data: code sets and edit tables by date of service.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")
reference_app.command("update")(update_command)
reference_app.command("changes")(changes_command)
reference_app.command("rescrub")(rescrub_command)
reference_app.command("bulletin")(bulletin_command)
app.add_typer(era_app, name="era")
app.add_typer(clearinghouse_app, name="clearinghouse")
clearinghouse_app.command("sync")(sync_command)
clearinghouse_app.command("inbox")(inbox_command)
claims_app.command("submit")(submit_command)
claims_app.command("fix-queue")(fix_queue_command)
claims_app.command("follow-up")(follow_up_command)
app.add_typer(jobs_app, name="jobs")
jobs_app.command("defer")(defer_command)
app.command("worker")(worker_command)
app.add_typer(ledger_app, name="ledger")
app.add_typer(denials_app, name="denials")
app.add_typer(users_app, name="users")
app.add_typer(hl7_app, name="hl7")
app.add_typer(fhir_app, name="fhir")
app.add_typer(audit_app, name="audit")
app.add_typer(check_in_app, name="check-in")
app.add_typer(training_app, name="training")
app.add_typer(statements_app, name="statements")
app.add_typer(balances_app, name="balances")
app.add_typer(eligibility_app, name="eligibility")
app.add_typer(collections_app, name="collections")
app.add_typer(reports_app, name="reports")
app.command("import")(import_command)


@reference_app.command("load-icd10cm")
def load_icd10cm(
    file: Annotated[str, typer.Argument(help="CMS's icd10cm-codes-YYYY.txt or icd10cm-order-YYYY.txt.")],
    fiscal_year: Annotated[
        int | None, typer.Option("--fiscal-year", help="The fiscal year (default: the year in the file name).")
    ] = None,
    effective_from: Annotated[
        str | None, typer.Option("--effective-from", help="First date of service (an April update: YYYY-04-01).")
    ] = None,
) -> None:
    """Load a newer ICD-10-CM release from CMS's code file (kept in $DERMBILL_REFERENCE_DIR, var/reference)."""
    from dermbill.services.reference import load_icd10cm_release

    start = _parse_date(effective_from, "--effective-from") if effective_from else None
    saved = load_icd10cm_release(Path(file), fiscal_year=fiscal_year, effective_from=start)
    out.print(f"loaded {saved.name}: {saved.billable:,} billable codes, dates of service {saved.effective_from} to "
              f"{saved.effective_to}; saved to {saved.path}")


QuarterOption = Annotated[
    str | None, typer.Option("--quarter", help="The quarter the file is for, e.g. 2026q4 (default: from the name).")
]


@reference_app.command("load-ncci")
def load_ncci(
    file: Annotated[str, typer.Argument(help="CMS's practitioner PTP file (ccipra-*.txt) or a CSV export.")],
    quarter: QuarterOption = None,
) -> None:
    """Load a quarter of NCCI procedure-to-procedure edits (every loaded quarter is kept)."""
    from dermbill.services.reference import load_ncci_file

    _report_quarter(load_ncci_file(Path(file), kind="ptp", quarter=quarter), "edits")


@reference_app.command("load-mue")
def load_mue(
    file: Annotated[str, typer.Argument(help="CMS's practitioner services MUE table (CSV).")],
    quarter: QuarterOption = None,
) -> None:
    """Load a quarter of medically unlikely edits (every loaded quarter is kept)."""
    from dermbill.services.reference import load_ncci_file

    _report_quarter(load_ncci_file(Path(file), kind="mue", quarter=quarter), "codes")


def _report_quarter(saved: SavedQuarter, what: str) -> None:
    out.print(f"loaded {saved.name}: {saved.entries:,} {what} for dates of service from {saved.starts}; saved to "
              f"{saved.path}")


@reference_app.command("list")
def list_reference() -> None:
    """Show the reference releases in use and the dates of service each covers."""
    from dermbill.services.reference import reference_releases

    for release in reference_releases():
        out.print(f"{release.kind:<14} {release.name}  ({release.coverage})")


def _parse_date(text: str, option: str) -> datetime.date:
    from dermbill.core.dates import parse_iso_date

    return parse_iso_date(text, field=option)


def _command_names() -> set[str]:
    """Every command and group name of the CLI: the words of a command line that are safe to log."""
    names: set[str] = set()
    pending = [typer.main.get_command(app)]
    while pending:
        command = pending.pop()
        for name, sub in (getattr(command, "commands", None) or {}).items():
            names.add(name)
            pending.append(sub)
    return names


def _append_private(directory: Path, name: str, text: str) -> Path:
    """Append to ``directory/name``: the folder is created 0700, the file is (made) 0600, no symlink followed."""
    if not directory.is_dir():
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is filtered by the umask
    path = directory / name
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as log:
        os.fchmod(log.fileno(), 0o600)  # an older log may have been created 0644
        log.write(text)
    return path


def _report_unexpected(exc: BaseException, argv: list[str] | None = None) -> int:
    """Log the traceback with a reference id; show the user one line, never the trace.

    The log holds no secret and no patient data: see ``dermbill.cli.redaction``.
    """
    from dermbill.cli.redaction import redact_argv, redacted_traceback
    from dermbill.settings import load_settings

    ref = uuid.uuid4().hex[:8]
    where = "the error log (which could not be written)"
    stamp = clock.utc_now().isoformat(timespec="seconds")
    try:
        command_line = redact_argv(sys.argv[1:] if argv is None else argv, _command_names())
        trace = redacted_traceback(exc)
        entry = f"{stamp} ref {ref}: dermbill {__version__} {command_line}\n{trace}\n"
        where = str(_append_private(Path(load_settings().log_dir), ERROR_LOG_NAME, entry))
    except OSError:
        pass
    say_error(f"something went wrong (ref {ref}); details are in {where}")
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 unexpected failure, 2 bad input or usage)."""
    try:
        result: Any = app(args=argv, prog_name="dermbill", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except DermbillError as exc:
        say_error(str(exc))
        return 2
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except (typer.Abort, KeyboardInterrupt):
        say_error("interrupted")
        return 130
    except _USAGE_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            context = getattr(exc, "ctx", None)
            out.print(context.get_help() if context is not None else "usage: dermbill COMMAND [OPTIONS]", markup=False)
            return 0
        message = exc.format_message()  # type: ignore[attr-defined]
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "dermbill"
        say_error(f"{message} (see '{command} --help')")
        return 2
    except _CLICK_EXCEPTION as exc:
        say_error(exc.format_message())  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", 1))
    except Exception as exc:
        return _report_unexpected(exc, argv)


if __name__ == "__main__":
    sys.exit(main())
