"""``dermbill users ...``: staff accounts, their roles and practices, passwords and personal access tokens.

A generated password or a token is printed once, on the last line, so a script can take it with ``tail -n 1``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import By, DbOption, actor_name, current_database, out
from dermbill.cli.files import write_json
from dermbill.core.access import Role
from dermbill.core.errors import InvalidInput

users_app = typer.Typer(help="Staff accounts: roles, practices, passwords, API tokens.", no_args_is_help=True)
token_app = typer.Typer(help="Personal access tokens for API clients (Authorization: Bearer <token>).",
                        no_args_is_help=True)
users_app.add_typer(token_app, name="token")

EmailArg = Annotated[str, typer.Argument(help="The user's e-mail address.")]
ROLE_NAMES = ", ".join(role.value for role in Role)


@users_app.command("add")
def add_command(
    ctx: typer.Context,
    email: EmailArg,
    company: Annotated[str, typer.Option("--company", help="The billing company the user works for.")],
    role: Annotated[list[str], typer.Option("--role", help=f"A role (repeat for several): {ROLE_NAMES}.")],
    practice: Annotated[list[str] | None, typer.Option(
        "--practice", help="A practice code of the company the user may work on (repeat for several).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The user's name as shown (default: the e-mail).")]
    = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (else one is generated and printed).")]
    = False,
    db: DbOption = None,
    by: By = None,
) -> None:
    """Add a user; without --password-stdin a one-time password is printed on the last line."""
    from dermbill.services.users import add_user

    password = _password_from_stdin() if password_stdin else None
    with current_database(ctx, db) as database:
        added = add_user(database, company=company, email=email, display_name=name or "", roles=role,
                         practices=practice or [], password=password, actor=actor_name(by))
    user = added.user
    out.print(f"added {user.email} to {user.company}: roles {', '.join(sorted(r.value for r in user.roles))}; "
              f"practices {', '.join(user.practices) or 'none'}")
    if added.password is not None:
        out.print("one-time password (to be changed at the first sign-in):")
        sys.stdout.write(added.password + "\n")


def _password_from_stdin() -> str:
    text = sys.stdin.readline().rstrip("\r\n")
    if not text:
        raise InvalidInput("--password-stdin: standard input held no password (give it on the first line)")
    return text


@users_app.command("list")
def list_command(
    ctx: typer.Context,
    company: Annotated[str | None, typer.Option("--company", help="Only the users of this billing company.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"users\": [...]} as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The users: e-mail, roles, practices, whether disabled and whether a second factor is set up."""
    from dermbill.services.users import list_users

    with current_database(ctx, db) as database:
        users = list_users(database, company=company)
    if as_json:
        write_json({"users": [user.to_json() for user in users]})
        return
    if not users:
        out.print("no users; add one with `dermbill users add EMAIL --company NAME --role ROLE --practice CODE`")
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("e-mail", "name", "company", "roles", "practices", "status", "2nd factor"):
        table.add_column(column)
    for user in users:
        second = "on" if user.totp_enabled else ("REQUIRED, not set up" if user.totp_required else "off")
        table.add_row(user.email, user.display_name, user.company, ", ".join(sorted(r.value for r in user.roles)),
                      ", ".join(user.practices) or "none", "disabled" if user.disabled else "active", second)
    out.print(table)


@users_app.command("disable")
def disable_command(ctx: typer.Context, email: EmailArg, db: DbOption = None, by: By = None) -> None:
    """Disable a user: no sign-in, and none of their tokens works."""
    from dermbill.services.users import disable_user

    with current_database(ctx, db) as database:
        user = disable_user(database, email, actor=actor_name(by))
    out.print(f"disabled {user.email}")


@users_app.command("enable")
def enable_command(ctx: typer.Context, email: EmailArg, db: DbOption = None, by: By = None) -> None:
    """Enable a disabled user again."""
    from dermbill.services.users import enable_user

    with current_database(ctx, db) as database:
        user = enable_user(database, email, actor=actor_name(by))
    out.print(f"enabled {user.email}")


@users_app.command("reset-password")
def reset_password_command(ctx: typer.Context, email: EmailArg, db: DbOption = None, by: By = None) -> None:
    """Give a user a new one-time password (printed on the last line); their sessions end."""
    from dermbill.services.users import reset_password

    with current_database(ctx, db) as database:
        password = reset_password(database, email, actor=actor_name(by))
    out.print(f"new one-time password for {email.strip().lower()} (to be changed at the next sign-in):")
    sys.stdout.write(password + "\n")


@token_app.command("create")
def token_create_command(
    ctx: typer.Context,
    email: EmailArg,
    name: Annotated[str, typer.Option("--name", help="What the token is for (shown in lists).")] = "api",
    db: DbOption = None,
    by: By = None,
) -> None:
    """Create a personal access token; it is printed once, on the last line (only its hash is kept)."""
    from dermbill.services.users import create_token

    with current_database(ctx, db) as database:
        created = create_token(database, email, name=name, actor=actor_name(by))
    out.print(f"token {created.id} ({created.name}) for {email.strip().lower()}; it is shown only now:")
    sys.stdout.write(created.token + "\n")


@token_app.command("revoke")
def token_revoke_command(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (printed when it was created).")],
    db: DbOption = None,
    by: By = None,
) -> None:
    """Revoke a token: it never works again."""
    from dermbill.services.users import revoke_token

    with current_database(ctx, db) as database:
        revoke_token(database, token_id, actor=actor_name(by))
    out.print(f"revoked token {token_id}")


@token_app.command("list")
def token_list_command(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"tokens\": [...]} as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """The tokens (never the tokens themselves): id, user, name, created, last used, revoked."""
    from dermbill.services.users import list_tokens

    with current_database(ctx, db) as database:
        tokens = list_tokens(database, email)
    if as_json:
        write_json({"tokens": [token.to_json() for token in tokens]})
        return
    if not tokens:
        out.print("no API tokens")
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("id", "e-mail", "name", "created", "last used", "revoked"):
        table.add_column(column)
    for token in tokens:
        table.add_row(str(token.id), token.email, token.name, f"{token.created_at:%Y-%m-%d %H:%M}",
                      f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
                      f"{token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "")
    out.print(table)
