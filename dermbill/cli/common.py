"""What every command shares: the consoles, the one-line error, the --db option, opening a database, and who
runs the command (the operating-system login, or the user named with the global ``--as``)."""

from __future__ import annotations

import datetime
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from dermbill.settings import load_settings

if TYPE_CHECKING:
    from dermbill.db.engine import Database

# Wide enough for the summary tables when output goes to a file or a pipe (Rich assumes 80 there).
# markup=False: what commands print comes largely from outside (835 trace and claim numbers, payer names,
# file names, denial text), and Rich would read "[/x]" in it as a closing tag and fail. With markup off,
# every string printed here, and every str cell or title of a Table printed here, shows literally; no
# command uses Rich's [style] markup. Style, where wanted, goes through Text/Style objects instead.
out = Console(highlight=False, soft_wrap=True, markup=False, width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, highlight=False, markup=False)


def say_error(message: str) -> None:
    """One line on stderr, never wrapped, whatever the terminal width."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    sys.stderr.flush()


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///path.db or postgresql+psycopg://user@host/db); "
        "default $DERMBILL_DATABASE_URL or sqlite:///var/dermbill.db.",
        show_default=False,
    ),
]


def database_url(ctx: typer.Context, db: str | None) -> str:
    """The URL from the command's --db, else the global --db, else the environment or default."""
    return db or ctx.obj or load_settings().database_url


# The e-mail given with the global --as: the user every action of this command is recorded as.
_acting_as: ContextVar[str | None] = ContextVar("dermbill_acting_as", default=None)


@contextmanager
def acting_as(email: str | None) -> Iterator[None]:
    """Within the block, the command acts as the user ``email`` (checked when it opens its database)."""
    token = _acting_as.set(email.strip().lower() if email and email.strip() else None)
    try:
        yield
    finally:
        _acting_as.reset(token)


@contextmanager
def current_database(ctx: typer.Context, db: str | None) -> Iterator[Database]:
    """The database of the command, checked to have the current schema and, with ``--as``, to hold that user
    (enabled); closed afterwards. Within it, what services do under a job's name is the command's person's."""
    from dermbill.services.audit import audit_origin
    from dermbill.services.schema import connect, require_current_schema

    database = connect(database_url(ctx, db))
    try:
        require_current_schema(database)
        check_acting_user(database)
        with audit_origin(command_source(ctx), person=human_actor()):
            yield database
    finally:
        database.dispose()


def check_acting_user(database: Database) -> None:
    """With ``--as``: the user must exist and be enabled in ``database`` (InvalidInput otherwise)."""
    email = _acting_as.get()
    if email is not None:
        from dermbill.services.users import require_acting_user  # password hashing and all: only for --as

        require_acting_user(database, email)


def command_source(ctx: typer.Context) -> str:
    """What the audit trail records as the source of a command's changes: ``cli: era post``."""
    words = ctx.command_path.split()
    return "cli: " + " ".join(words[1:] if len(words) > 1 else words)


AsOf = Annotated[str | None, typer.Option("--as-of", help="Today (YYYY-MM-DD) for deadlines; default today.")]
By = Annotated[str | None, typer.Option("--by", help="Who does it (recorded in the audit trail); default the "
                                                     "user of dermbill --as, else your login name.")]


def as_of_day(as_of: str | None) -> datetime.date:
    """The day given with --as-of, else today (dermbill's clock)."""
    from dermbill import clock
    from dermbill.core.dates import parse_iso_date

    return parse_iso_date(as_of, field="--as-of") if as_of else clock.today()


def human_actor() -> str | None:
    """Who runs the command: the ``--as`` user's e-mail, else the operating-system login (None without one)."""
    email = _acting_as.get()
    if email is not None:
        return email
    try:
        return getpass.getuser() or None
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return None


def actor_name(by: str | None, *, fallback: str = "cli") -> str:
    """Who does it, for the audit trail: --by, else the ``--as`` user, else the login name (``fallback`` when
    there is none)."""
    if by and by.strip():
        return by.strip()
    return human_actor() or fallback
