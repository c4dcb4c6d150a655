"""Staff accounts: adding and disabling users, passwords, the second factor, API tokens, and signing in.

A user belongs to one billing company and is granted some of its practices; ``practice_ids_for`` is what every
query of theirs is scoped to. The decisions (the permission matrix, the password policy, the lockout) are in
``dermbill.core.access``; the secrets in ``dermbill.credentials``. Every change is audited, and no password, token,
TOTP secret or recovery code is ever written to the audit trail.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import delete, select, update

from dermbill import credentials
from dermbill.core.access import (
    LOCKOUT_LOOKBACK,
    LoginAttempt,
    LoginOutcome,
    Role,
    check_password,
    locked_until,
    parse_role,
    totp_required,
)
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.engine import Database
from dermbill.db.models import (
    ApiTokenRow,
    LoginAttemptRow,
    OrganizationRow,
    PracticeRow,
    RecoveryCodeRow,
    UserAccountRow,
    UserPracticeRow,
    UserRoleRow,
    WebSessionRow,
)
from dermbill.db.repositories import UnitOfWork

EMAIL_LENGTH = 254
TOKEN_TOUCH_INTERVAL = datetime.timedelta(minutes=1)  # last_used_at is written at most once a minute


@dataclass(frozen=True, slots=True)
class User:
    """A user as the application sees them: who, which company, which roles and practices."""

    id: int
    organization_id: int
    company: str
    email: str
    display_name: str
    roles: frozenset[Role]
    practices: tuple[str, ...]  # practice codes, sorted
    practice_ids: frozenset[int]
    disabled: bool
    totp_enabled: bool
    totp_required: bool
    password_must_change: bool
    password_changed_at: datetime.datetime

    def to_json(self) -> dict[str, object]:
        return {"email": self.email, "name": self.display_name, "company": self.company,
                "roles": sorted(role.value for role in self.roles), "practices": list(self.practices),
                "disabled": self.disabled, "totp": self.totp_enabled, "totp_required": self.totp_required}


@dataclass(frozen=True, slots=True)
class AddedUser:
    user: User
    password: str | None  # the generated one-time password, when none was given


@dataclass(frozen=True, slots=True)
class CreatedToken:
    id: int
    name: str
    token: str  # shown once; only its hash is stored


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never the token itself."""

    id: int
    email: str
    name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None

    def to_json(self) -> dict[str, object]:
        def moment(value: datetime.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {"id": self.id, "email": self.email, "name": self.name, "created_at": moment(self.created_at),
                "last_used_at": moment(self.last_used_at), "revoked_at": moment(self.revoked_at)}


@dataclass(frozen=True, slots=True)
class TotpEnrollment:
    secret: str
    provisioning_uri: str


class Refusal(Enum):
    WRONG = "wrong"  # unknown e-mail, wrong password or wrong code: the same answer for all three
    LOCKED = "locked"
    DISABLED = "disabled"
    TOTP_REQUIRED = "totp_required"


@dataclass(frozen=True, slots=True)
class LoginRefused:
    reason: Refusal
    locked_until: datetime.datetime | None = None


@dataclass(frozen=True, slots=True)
class Authenticated:
    user: User
    must_change_password: bool  # signed in with a one-time password: the next step is a new one
    must_enroll_totp: bool  # a second factor is required and not set up yet: the next step is to set it up


def normalized_email(email: str) -> str:
    return email.strip().lower()


def _valid_email(email: str) -> str:
    address = normalized_email(email)
    local, at, domain = address.partition("@")
    if not (at and local and "." in domain and len(address) <= EMAIL_LENGTH) or any(ch.isspace() for ch in address):
        raise InvalidInput(f"'{email}' is not an e-mail address (like jane.doe@example.com)")
    return address


def _company(uow: UnitOfWork, name: str) -> OrganizationRow:
    found = uow.find_organization(name)
    if found is None:
        raise NotFound(f"no billing company is named {name!r}; there are: "
                       f"{', '.join(uow.organization_names()) or 'none'}")
    return found


def _user_row(uow: UnitOfWork, email: str) -> UserAccountRow:
    row = uow.session.scalars(select(UserAccountRow).where(UserAccountRow.email == normalized_email(email))).first()
    if row is None:
        raise NotFound(f"no user {normalized_email(email)}; `dermbill users list` shows them")
    return row


def user_view(uow: UnitOfWork, row: UserAccountRow) -> User:
    organization = uow.session.get(OrganizationRow, row.organization_id)
    assert organization is not None  # a foreign key
    roles = frozenset(Role(role) for role in uow.session.scalars(
        select(UserRoleRow.role).where(UserRoleRow.user_id == row.id)))
    practices = uow.session.execute(
        select(PracticeRow.id, PracticeRow.code).join(UserPracticeRow, UserPracticeRow.practice_id == PracticeRow.id)
        .where(UserPracticeRow.user_id == row.id, PracticeRow.organization_id == row.organization_id)
        .order_by(PracticeRow.code)).all()
    return User(id=row.id, organization_id=row.organization_id, company=organization.name, email=row.email,
                display_name=row.display_name, roles=roles, practices=tuple(code for _, code in practices),
                practice_ids=frozenset(practice_id for practice_id, _ in practices), disabled=row.disabled,
                totp_enabled=row.totp_enabled,
                totp_required=totp_required(roles, company_requires_totp=organization.require_totp),
                password_must_change=row.password_must_change, password_changed_at=row.password_changed_at)


def _practices(uow: UnitOfWork, organization: OrganizationRow, codes: Sequence[str]) -> list[PracticeRow]:
    rows = []
    for code in dict.fromkeys(c.strip() for c in codes):
        row = uow.session.scalars(select(PracticeRow).where(PracticeRow.organization_id == organization.id,
                                                           PracticeRow.code == code)).first()
        if row is None:
            theirs = uow.session.scalars(select(PracticeRow.code).where(
                PracticeRow.organization_id == organization.id).order_by(PracticeRow.code))
            raise InvalidInput(f"practice '{code}' is not a practice of {organization.name} (its practices: "
                               f"{', '.join(theirs) or 'none'})")
        rows.append(row)
    return rows


def add_user(database: Database, *, company: str, email: str, display_name: str, roles: Sequence[str | Role],
             practices: Sequence[str], password: str | None = None, actor: str) -> AddedUser:
    """Add a user of ``company`` with ``roles`` and ``practices`` (codes of that company's practices).

    Without ``password`` a one-time password is generated and returned, to be changed at the first sign-in.
    """
    address = _valid_email(email)
    granted = sorted({role if isinstance(role, Role) else parse_role(role) for role in roles}, key=lambda r: r.value)
    if not granted:
        raise InvalidInput(f"give {address} at least one role: {', '.join(r.value for r in Role)}")
    name = display_name.strip() or address
    if password is not None:
        check_password(password, email=address)
    chosen = password if password is not None else credentials.generated_password()
    with UnitOfWork(database, actor=actor) as uow:
        organization = _company(uow, company)
        practice_rows = _practices(uow, organization, practices)
        if uow.session.scalars(select(UserAccountRow.id).where(UserAccountRow.email == address)).first() is not None:
            raise InvalidInput(f"there is already a user {address}")
        now = uow.clock()
        row = UserAccountRow(organization_id=organization.id, email=address, display_name=name[:200],
                             password_hash=credentials.hash_password(chosen), password_must_change=password is None,
                             password_changed_at=now, disabled=False, totp_secret=None, totp_enabled=False,
                             totp_last_step=None, created_at=now)
        uow.session.add(row)
        uow.flush()
        uow.session.add_all([UserRoleRow(user_id=row.id, role=role.value) for role in granted])
        uow.session.add_all([UserPracticeRow(user_id=row.id, practice_id=p.id) for p in practice_rows])
        uow.audit("user.added", "user_account", row.id, organization_id=organization.id,
                  detail={"email": address, "roles": [r.value for r in granted],
                          "practices": sorted(p.code for p in practice_rows)})
        uow.flush()
        user = user_view(uow, row)
        uow.commit()
    return AddedUser(user=user, password=None if password is not None else chosen)


def list_users(database: Database, *, company: str | None = None) -> list[User]:
    """Every user (of ``company`` when given), by e-mail."""
    with UnitOfWork(database, actor="users") as uow:
        query = select(UserAccountRow).order_by(UserAccountRow.email)
        if company is not None:
            query = query.where(UserAccountRow.organization_id == _company(uow, company).id)
        return [user_view(uow, row) for row in uow.session.scalars(query)]


def get_user(database: Database, email: str) -> User:
    with UnitOfWork(database, actor="users") as uow:
        return user_view(uow, _user_row(uow, email))


def require_acting_user(database: Database, email: str) -> User:
    """The user a command acts as (``dermbill --as EMAIL``): InvalidInput unless they exist and are enabled."""
    address = normalized_email(email)[:EMAIL_LENGTH]
    with UnitOfWork(database, actor="users") as uow:
        row = uow.session.scalars(select(UserAccountRow).where(UserAccountRow.email == address)).first()
        if row is None:
            raise InvalidInput(f"--as {address}: there is no such user in {database.url} (`dermbill users list` "
                               "shows them)")
        if row.disabled:
            raise InvalidInput(f"--as {address}: the user is disabled; act as an enabled user, or enable them "
                               "(`dermbill users enable`)")
        return user_view(uow, row)


def disable_user(database: Database, email: str, *, actor: str) -> User:
    """Disable a user: no sign-in, no token works (their tokens stay, revoked by being theirs)."""
    return _set_disabled(database, email, disabled=True, actor=actor)


def enable_user(database: Database, email: str, *, actor: str) -> User:
    return _set_disabled(database, email, disabled=False, actor=actor)


def _set_disabled(database: Database, email: str, *, disabled: bool, actor: str) -> User:
    with UnitOfWork(database, actor=actor) as uow:
        row = _user_row(uow, email)
        if row.disabled != disabled:
            row.disabled = disabled
            if disabled:
                revoke_sessions(uow, row.id, uow.clock())
            uow.audit("user.disabled" if disabled else "user.enabled", "user_account", row.id,
                      organization_id=row.organization_id, detail={"email": row.email})
        uow.flush()
        user = user_view(uow, row)
        uow.commit()
    return user


def reset_password(database: Database, email: str, *, actor: str) -> str:
    """Give a user a generated one-time password (returned); sessions signed in before now end."""
    password = credentials.generated_password()
    with UnitOfWork(database, actor=actor) as uow:
        row = _user_row(uow, email)
        row.password_hash = credentials.hash_password(password)
        row.password_must_change = True
        row.password_changed_at = uow.clock()
        revoke_sessions(uow, row.id, row.password_changed_at)
        uow.audit("user.password_reset", "user_account", row.id, organization_id=row.organization_id,
                  detail={"email": row.email})
        uow.commit()
    return password


def change_password(database: Database, user_id: int, new_password: str, *, actor: str) -> None:
    """A user's own new password (after a one-time one), checked against the policy."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _row_by_id(uow, user_id)
        check_password(new_password, email=row.email)
        if credentials.password_matches(row.password_hash, new_password):
            raise InvalidInput("the new password is the current one; choose another")
        row.password_hash = credentials.hash_password(new_password)
        row.password_must_change = False
        row.password_changed_at = uow.clock()
        revoke_sessions(uow, row.id, row.password_changed_at)
        uow.audit("user.password_changed", "user_account", row.id, organization_id=row.organization_id,
                  detail={"email": row.email})
        uow.commit()


def _row_by_id(uow: UnitOfWork, user_id: int) -> UserAccountRow:
    row = uow.session.get(UserAccountRow, user_id)
    if row is None:
        raise NotFound(f"no user {user_id}")
    return row


def set_company_totp(database: Database, company: str, *, required: bool, actor: str) -> None:
    """Require a second factor of a billing company's staff who see PHI, or not (for a demo company)."""
    with UnitOfWork(database, actor=actor) as uow:
        organization = _company(uow, company)
        if organization.require_totp != required:
            organization.require_totp = required
            uow.audit("organization.totp_required" if required else "organization.totp_not_required",
                      "organization", organization.id, organization_id=organization.id)
        uow.commit()


def begin_totp_enrollment(database: Database, user_id: int, *, actor: str) -> TotpEnrollment:
    """A new TOTP secret for the user's authenticator; it takes effect once a code from it is confirmed."""
    secret = credentials.new_totp_secret()
    with UnitOfWork(database, actor=actor) as uow:
        row = _row_by_id(uow, user_id)
        if row.totp_enabled:
            raise InvalidInput(f"{row.email} already has a second factor; an administrator resets it first")
        row.totp_secret = secret
        uow.commit()
        return TotpEnrollment(secret=secret, provisioning_uri=credentials.totp_provisioning_uri(secret, row.email))


def confirm_totp(database: Database, user_id: int, code: str, *, now: datetime.datetime, actor: str) -> list[str]:
    """Turn the second factor on with a code from the authenticator; returns 10 new recovery codes (shown once)."""
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        row = _row_by_id(uow, user_id)
        if row.totp_secret is None or row.totp_enabled:
            raise InvalidInput(f"{row.email} has no second factor being set up")
        step = credentials.totp_step(row.totp_secret, code, now)
        if step is None:
            raise InvalidInput("the code is not the authenticator's current one; check the phone's clock and "
                               "give the code it shows now")
        row.totp_enabled = True
        row.totp_last_step = step
        codes = _replace_recovery_codes(uow, row)
        uow.audit("user.totp_enabled", "user_account", row.id, organization_id=row.organization_id,
                  detail={"email": row.email})
        uow.commit()
    return codes


def new_recovery_codes(database: Database, user_id: int, *, actor: str) -> list[str]:
    """Replace a user's recovery codes with 10 new ones (shown once)."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _row_by_id(uow, user_id)
        if not row.totp_enabled:
            raise InvalidInput(f"{row.email} has no second factor; recovery codes come with one")
        codes = _replace_recovery_codes(uow, row)
        uow.audit("user.recovery_codes_issued", "user_account", row.id, organization_id=row.organization_id,
                  detail={"email": row.email})
        uow.commit()
    return codes


def _replace_recovery_codes(uow: UnitOfWork, row: UserAccountRow) -> list[str]:
    codes = credentials.new_recovery_codes()
    uow.session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == row.id))
    now = uow.clock()
    uow.session.add_all([RecoveryCodeRow(user_id=row.id, code_hash=credentials.secret_hash(code), created_at=now)
                         for code in codes])
    return codes


def create_token(database: Database, email: str, *, name: str = "api", actor: str) -> CreatedToken:
    """A personal access token for the user (returned once; only its SHA-256 is kept)."""
    token = credentials.new_token()
    label = name.strip()[:100] or "api"
    with UnitOfWork(database, actor=actor) as uow:
        user = _user_row(uow, email)
        if user.disabled:
            raise InvalidInput(f"{user.email} is disabled; enable the user before creating a token")
        row = ApiTokenRow(user_id=user.id, name=label, token_hash=credentials.secret_hash(token),
                          created_at=uow.clock(), last_used_at=None, revoked_at=None)
        uow.session.add(row)
        uow.flush()
        uow.audit("api_token.created", "api_token", row.id, organization_id=user.organization_id,
                  detail={"email": user.email, "name": label})
        uow.commit()
        return CreatedToken(id=row.id, name=label, token=token)


def revoke_token(database: Database, token_id: int, *, actor: str) -> None:
    """Revoke a token by its id (a revoked token never works again)."""
    with UnitOfWork(database, actor=actor) as uow:
        row = uow.session.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFound(f"no API token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = uow.clock()
            user = _row_by_id(uow, row.user_id)
            uow.audit("api_token.revoked", "api_token", row.id, organization_id=user.organization_id,
                      detail={"email": user.email, "name": row.name})
        uow.commit()


def list_tokens(database: Database, email: str | None = None) -> list[TokenInfo]:
    """The personal access tokens (of ``email`` when given), revoked ones too, oldest first."""
    with UnitOfWork(database, actor="users") as uow:
        query = select(ApiTokenRow, UserAccountRow.email).join(UserAccountRow, UserAccountRow.id == ApiTokenRow.user_id)
        if email is not None:
            query = query.where(ApiTokenRow.user_id == _user_row(uow, email).id)
        return [TokenInfo(id=row.id, email=address, name=row.name, created_at=row.created_at,
                          last_used_at=row.last_used_at, revoked_at=row.revoked_at)
                for row, address in uow.session.execute(query.order_by(ApiTokenRow.id))]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token.startswith(credentials.TOKEN_PREFIX) else None


def token_user(database: Database, token: str, *, now: datetime.datetime) -> User | None:
    """The user a personal access token belongs to, or None (unknown, revoked, or the user disabled)."""
    if not token.startswith(credentials.TOKEN_PREFIX):
        return None
    with UnitOfWork(database, actor="api", clock=lambda: now) as uow:
        row = uow.session.scalars(select(ApiTokenRow).where(
            ApiTokenRow.token_hash == credentials.secret_hash(token))).first()
        if row is None or row.revoked_at is not None:
            return None
        user = _row_by_id(uow, row.user_id)
        if user.disabled:
            return None
        if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_INTERVAL:
            row.last_used_at = now
        view = user_view(uow, user)
        uow.commit()
    return view


def practice_ids_for(database: Database, user_id: int) -> frozenset[int]:
    """The practices a user's every query is scoped to: those granted, of their own company; none when disabled."""
    with UnitOfWork(database, actor="users") as uow:
        row = _row_by_id(uow, user_id)
        if row.disabled:
            return frozenset()
        return frozenset(uow.session.scalars(
            select(PracticeRow.id).join(UserPracticeRow, UserPracticeRow.practice_id == PracticeRow.id)
            .where(UserPracticeRow.user_id == row.id, PracticeRow.organization_id == row.organization_id)))


def authenticate(database: Database, email: str, password: str, totp_code: str | None, *,
                 now: datetime.datetime) -> Authenticated | LoginRefused:
    """Sign in with e-mail, password and (when set up) a TOTP or recovery code; every attempt is logged.

    Order: a locked account is refused before the password is checked; a wrong password (or an unknown e-mail)
    is WRONG; then a disabled user is DISABLED; then a missing code is TOTP_REQUIRED and a wrong one WRONG.
    """
    address = normalized_email(email)[:EMAIL_LENGTH]
    # The e-mail given is whatever was typed: cut to the columns' lengths (the audit's actor holds 100).
    with UnitOfWork(database, actor=address[:100] or "anonymous", clock=lambda: now) as uow:
        row = uow.session.scalars(select(UserAccountRow).where(UserAccountRow.email == address)).first()
        history = [LoginAttempt(at, LoginOutcome(outcome)) for at, outcome in uow.session.execute(
            select(LoginAttemptRow.attempted_at, LoginAttemptRow.outcome)
            .where(LoginAttemptRow.email == address, LoginAttemptRow.attempted_at > now - LOCKOUT_LOOKBACK))]
        result = _decide(uow, row, password, totp_code, now, locked_until(history, now))
        outcome = LoginOutcome.SUCCEEDED if isinstance(result, Authenticated) else LoginOutcome(result.reason.value)
        uow.session.add(LoginAttemptRow(email=address, user_id=row.id if row else None, outcome=outcome.value,
                                        attempted_at=now))
        if outcome is LoginOutcome.WRONG:
            lock = locked_until([*history, LoginAttempt(now, outcome)], now)
            if lock is not None:  # this failure locked the account: the audit trail says so
                uow.audit("user.locked", "user_account", row.id if row else None,
                          organization_id=row.organization_id if row else None,
                          detail={"email": address, "until": lock.isoformat()})
        uow.commit()
    return result


def _decide(uow: UnitOfWork, row: UserAccountRow | None, password: str, totp_code: str | None,
            now: datetime.datetime, lock: datetime.datetime | None) -> Authenticated | LoginRefused:
    if lock is not None:
        return LoginRefused(Refusal.LOCKED, locked_until=lock)
    if row is None:
        credentials.password_matches(credentials.unknown_user_hash(), password)  # the same time as a wrong one
        return LoginRefused(Refusal.WRONG)
    if not credentials.password_matches(row.password_hash, password):
        return LoginRefused(Refusal.WRONG)
    if row.disabled:
        return LoginRefused(Refusal.DISABLED)
    if credentials.needs_rehash(row.password_hash):
        row.password_hash = credentials.hash_password(password)
    if row.totp_enabled and row.totp_secret is not None:
        code = (totp_code or "").strip()
        if not code:
            return LoginRefused(Refusal.TOTP_REQUIRED)
        if not _second_factor_ok(uow, row, code, now):
            return LoginRefused(Refusal.WRONG)
    user = user_view(uow, row)
    return Authenticated(user=user, must_change_password=row.password_must_change,
                         must_enroll_totp=user.totp_required and not row.totp_enabled)


def _second_factor_ok(uow: UnitOfWork, row: UserAccountRow, code: str, now: datetime.datetime) -> bool:
    assert row.totp_secret is not None
    if credentials.looks_like_recovery_code(code):
        recovery = uow.session.scalars(select(RecoveryCodeRow).where(
            RecoveryCodeRow.user_id == row.id, RecoveryCodeRow.used_at.is_(None),
            RecoveryCodeRow.code_hash == credentials.secret_hash(credentials.normalized_recovery_code(code)))).first()
        if recovery is None:
            return False
        recovery.used_at = now
        uow.audit("user.recovery_code_used", "user_account", row.id, organization_id=row.organization_id,
                  detail={"email": row.email})
        return True
    step = credentials.totp_step(row.totp_secret, code, now)
    if step is None or (row.totp_last_step is not None and step <= row.totp_last_step):
        return False  # wrong, or used before (a replayed code)
    row.totp_last_step = step
    return True


def revoke_sessions(uow: UnitOfWork, user_id: int, now: datetime.datetime) -> int:
    """End every live web session of a user (password changed or reset, user disabled); how many there were."""
    result = uow.session.execute(update(WebSessionRow)
                                 .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked_at.is_(None))
                                 .values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


def password_is(database: Database, user_id: int, password: str) -> bool:
    """Whether this is the user's current password (asked again before it is changed)."""
    with UnitOfWork(database, actor="users") as uow:
        return credentials.password_matches(_row_by_id(uow, user_id).password_hash, password)


@dataclass(frozen=True, slots=True)
class PracticeChoice:
    code: str
    name: str


def company_practices(database: Database, organization_id: int) -> list[PracticeChoice]:
    """The practices of a billing company, by code: what an administrator may grant."""
    with UnitOfWork(database, actor="users") as uow:
        return [PracticeChoice(code, name) for code, name in uow.session.execute(
            select(PracticeRow.code, PracticeRow.legal_name).where(PracticeRow.organization_id == organization_id)
            .order_by(PracticeRow.code))]


def company_user(database: Database, organization_id: int, email: str) -> User:
    """A user of this billing company (NotFound for anyone else's: an administrator sees only their own)."""
    with UnitOfWork(database, actor="users") as uow:
        row = uow.session.scalars(select(UserAccountRow).where(
            UserAccountRow.email == normalized_email(email)[:EMAIL_LENGTH],
            UserAccountRow.organization_id == organization_id)).first()
        if row is None:
            raise NotFound(f"no user {normalized_email(email)[:EMAIL_LENGTH]} in your billing company")
        return user_view(uow, row)


def set_access(database: Database, email: str, *, roles: Sequence[str | Role], practices: Sequence[str],
               actor: str) -> User:
    """Replace a user's roles and practices (at least one role); audited with before and after."""
    granted = sorted({role if isinstance(role, Role) else parse_role(role) for role in roles}, key=lambda r: r.value)
    if not granted:
        raise InvalidInput(f"give {normalized_email(email)} at least one role: {', '.join(r.value for r in Role)}")
    with UnitOfWork(database, actor=actor) as uow:
        row = _user_row(uow, email)
        organization = uow.session.get(OrganizationRow, row.organization_id)
        assert organization is not None  # a foreign key
        practice_rows = _practices(uow, organization, practices)
        before = user_view(uow, row)
        uow.session.execute(delete(UserRoleRow).where(UserRoleRow.user_id == row.id))
        uow.session.execute(delete(UserPracticeRow).where(UserPracticeRow.user_id == row.id))
        uow.session.add_all([UserRoleRow(user_id=row.id, role=role.value) for role in granted])
        uow.session.add_all([UserPracticeRow(user_id=row.id, practice_id=p.id) for p in practice_rows])
        uow.flush()
        after = user_view(uow, row)
        if (before.roles, before.practices) != (after.roles, after.practices):
            uow.audit("user.access_changed", "user_account", row.id, organization_id=row.organization_id,
                      detail={"email": row.email,
                              "before": {"roles": sorted(r.value for r in before.roles),
                                         "practices": list(before.practices)},
                              "after": {"roles": sorted(r.value for r in after.roles),
                                        "practices": list(after.practices)}})
        uow.commit()
    return after


def reset_second_factor(database: Database, email: str, *, actor: str) -> User:
    """Turn a user's second factor off (a lost phone): they set it up again at their next sign-in."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _user_row(uow, email)
        row.totp_enabled, row.totp_secret, row.totp_last_step = False, None, None
        uow.session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == row.id))
        revoke_sessions(uow, row.id, uow.clock())
        uow.audit("user.totp_reset", "user_account", row.id, organization_id=row.organization_id,
                  detail={"email": row.email})
        uow.flush()
        user = user_view(uow, row)
        uow.commit()
    return user
