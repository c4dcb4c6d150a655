"""Who may do what: the staff roles, the permissions of a billing office's screens, the matrix between them, and
the rules of signing in (password policy, lockout, when a second factor is required).

Pure: no clock (``now`` is passed in), no database, no secrets made here (see ``dermbill.credentials``). The
matrix is data (``MATRIX``); ``allowed``/``require`` are the one place it is read, and the README's "Who may do
what" table is generated from it (``permission_matrix_markdown``; a test keeps the two the same).

Example: ``allowed({Role.FRONT_DESK}, Permission.VIEW_REMITTANCES)`` is False; with ``Role.BILLER`` added, True.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from dermbill.core.errors import DermbillError, InvalidInput


class NotPermitted(DermbillError):
    """The user's roles do not allow the action (an interface answers 403)."""


class Role(Enum):
    FRONT_DESK = "front_desk"
    CODER = "coder"
    BILLER = "biller"
    DENIAL_SPECIALIST = "denial_specialist"
    MANAGER = "manager"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class PermissionInfo:
    """What a permission allows, whether it only reads, and whether it shows protected health information."""

    description: str
    reads_only: bool
    shows_phi: bool


class Permission(Enum):
    # Front desk: patients, coverage, eligibility, check-in.
    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENTS = "edit_patients"
    CHECK_ELIGIBILITY = "check_eligibility"
    CHECK_IN = "check_in"
    COLLECT_PATIENT_PAYMENTS = "collect_patient_payments"
    # Coding.
    VIEW_ENCOUNTERS = "view_encounters"
    CODE_ENCOUNTERS = "code_encounters"
    # Claims.
    VIEW_CLAIMS = "view_claims"
    EDIT_CLAIMS = "edit_claims"
    SCRUB_CLAIMS = "scrub_claims"
    SUBMIT_CLAIMS = "submit_claims"
    WORK_FIX_QUEUE = "work_fix_queue"
    # Payments.
    VIEW_REMITTANCES = "view_remittances"
    POST_PAYMENTS = "post_payments"
    ISSUE_REFUNDS = "issue_refunds"
    # Denials.
    VIEW_DENIALS = "view_denials"
    WORK_DENIALS = "work_denials"
    WRITE_APPEALS = "write_appeals"
    CORRECT_CLAIMS = "correct_claims"
    DECIDE_PAYER_RULES = "decide_payer_rules"
    # Oversight.
    VIEW_REPORTS = "view_reports"
    VIEW_AUDIT = "view_audit"
    # Administration.
    VIEW_ADMINISTRATION = "view_administration"
    MANAGE_USERS = "manage_users"
    MANAGE_PRACTICES = "manage_practices"
    MANAGE_PAYERS = "manage_payers"
    MANAGE_CONNECTIONS = "manage_connections"
    # Data in.
    IMPORT_DATA = "import_data"
    # Training (scenarios are fictional: no PHI).
    TAKE_TRAINING = "take_training"
    MANAGE_TRAINING = "manage_training"

    SEND_STATEMENTS = "send_statements"
    WORK_COLLECTIONS = "work_collections"
    APPROVE_PATIENT_ADJUSTMENTS = "approve_patient_adjustments"

    @property
    def info(self) -> PermissionInfo:
        return PERMISSIONS[self]


P = Permission
PERMISSIONS: dict[Permission, PermissionInfo] = {
    P.VIEW_PATIENTS: PermissionInfo("see patients, their coverage and balances", True, True),
    P.EDIT_PATIENTS: PermissionInfo("register patients; edit demographics and coverage", False, True),
    P.CHECK_ELIGIBILITY: PermissionInfo("send eligibility inquiries (270) and read the answers (271)", False, True),
    P.CHECK_IN: PermissionInfo("check patients in for a visit", False, True),
    P.COLLECT_PATIENT_PAYMENTS: PermissionInfo("take copays and patient payments", False, True),
    P.VIEW_ENCOUNTERS: PermissionInfo("see encounter documentation and its codes", True, True),
    P.CODE_ENCOUNTERS: PermissionInfo("code encounters: procedures, units, modifiers, diagnoses", False, True),
    P.VIEW_CLAIMS: PermissionInfo("see claims, their lines, findings and history", True, True),
    P.EDIT_CLAIMS: PermissionInfo("edit claims; hold and release them", False, True),
    P.SCRUB_CLAIMS: PermissionInfo("run the scrubber and act on its findings", False, True),
    P.SUBMIT_CLAIMS: PermissionInfo("send claims (837P) to the clearinghouse", False, True),
    P.WORK_FIX_QUEUE: PermissionInfo("fix claims the clearinghouse or payer rejected (999, 277CA)", False, True),
    P.VIEW_REMITTANCES: PermissionInfo("see remittances (835), payments, adjustments, unmatched payments", True,
                                       True),
    P.POST_PAYMENTS: PermissionInfo("post remittances and patient payments to the ledger", False, True),
    P.ISSUE_REFUNDS: PermissionInfo("refund overpayments to payers and credits to patients", False, True),
    P.VIEW_DENIALS: PermissionInfo("see the denial work queue and appeals", True, True),
    P.WORK_DENIALS: PermissionInfo("assign, note, snooze and resolve denial work items", False, True),
    P.WRITE_APPEALS: PermissionInfo("write and send appeal letters", False, True),
    P.CORRECT_CLAIMS: PermissionInfo("send corrected and replacement claims", False, True),
    P.DECIDE_PAYER_RULES: PermissionInfo("accept or reject payer rules learned from denials", False, False),
    P.VIEW_REPORTS: PermissionInfo("see reports: A/R, aging, denial rates, ledger totals", True, False),
    P.VIEW_AUDIT: PermissionInfo("see the audit log", True, False),
    P.VIEW_ADMINISTRATION: PermissionInfo("see users, practices, payers and connections", True, False),
    P.MANAGE_USERS: PermissionInfo("add and disable users; grant roles and practices; reset passwords", False,
                                   False),
    P.MANAGE_PRACTICES: PermissionInfo("add and edit practices and their providers and locations", False, False),
    P.MANAGE_PAYERS: PermissionInfo("add and edit payers", False, False),
    P.MANAGE_CONNECTIONS: PermissionInfo("set up clearinghouse connections", False, False),
    P.IMPORT_DATA: PermissionInfo("import CSV files: fee schedules and contracted rates, and the practices, payers or "
                                  "patients another permission allows", False, False),
    P.TAKE_TRAINING: PermissionInfo("take the training modules assigned to oneself", False, False),
    P.MANAGE_TRAINING: PermissionInfo("assign training from the practice's denials; see every trainee's scores and "
                                      "the front-desk denial rate before and after", False, False),
    P.SEND_STATEMENTS: PermissionInfo("run patient statements and send them by e-mail or print", False, True),
    P.WORK_COLLECTIONS: PermissionInfo("work the soft-collections call list; log contacts, promises and disputes; "
                                       "set up payment plans; ask for write-offs and refunds", False, True),
    P.APPROVE_PATIENT_ADJUSTMENTS: PermissionInfo("approve a hand-off to a collection agency, a hardship or charity "
                                                  "adjustment, or a patient refund", False, True),
}

READ_ONLY = frozenset(p for p, info in PERMISSIONS.items() if info.reads_only)
_ADMINISTRATION = frozenset({P.MANAGE_USERS, P.MANAGE_PRACTICES, P.MANAGE_PAYERS, P.MANAGE_CONNECTIONS})

MATRIX: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset({P.VIEW_PATIENTS, P.EDIT_PATIENTS, P.CHECK_ELIGIBILITY, P.CHECK_IN,
                                P.COLLECT_PATIENT_PAYMENTS, P.TAKE_TRAINING}),
    Role.CODER: frozenset({P.VIEW_PATIENTS, P.VIEW_ENCOUNTERS, P.CODE_ENCOUNTERS, P.VIEW_CLAIMS, P.EDIT_CLAIMS,
                           P.SCRUB_CLAIMS, P.TAKE_TRAINING}),
    # A biller works the fix queue, whose most common fix is the patient's member ID: they edit coverage too.
    Role.BILLER: frozenset({P.VIEW_PATIENTS, P.EDIT_PATIENTS, P.CHECK_ELIGIBILITY, P.COLLECT_PATIENT_PAYMENTS,
                            P.VIEW_ENCOUNTERS, P.VIEW_CLAIMS, P.EDIT_CLAIMS, P.SCRUB_CLAIMS, P.SUBMIT_CLAIMS,
                            P.WORK_FIX_QUEUE, P.VIEW_REMITTANCES, P.POST_PAYMENTS, P.ISSUE_REFUNDS, P.VIEW_DENIALS,
                            P.SEND_STATEMENTS, P.WORK_COLLECTIONS, P.TAKE_TRAINING}),
    Role.DENIAL_SPECIALIST: frozenset({P.VIEW_PATIENTS, P.CHECK_ELIGIBILITY, P.VIEW_ENCOUNTERS, P.VIEW_CLAIMS,
                                       P.SCRUB_CLAIMS, P.VIEW_REMITTANCES, P.VIEW_DENIALS, P.WORK_DENIALS,
                                       P.WRITE_APPEALS, P.CORRECT_CLAIMS, P.TAKE_TRAINING}),
    # Everything operational and the reports; administration read-only; the audit log is the auditor's. Approving
    # an agency hand-off, a hardship adjustment or a patient refund is the manager's alone (separation of duties).
    Role.MANAGER: frozenset(PERMISSIONS) - _ADMINISTRATION - {P.VIEW_AUDIT},
    Role.AUDITOR: READ_ONLY,
    # An administrator sets a practice up from files (practices, payers, providers, fees); patients need more.
    # The auditor only reads (its set is READ_ONLY): it is not assigned training.
    Role.ADMINISTRATOR: _ADMINISTRATION | {P.VIEW_ADMINISTRATION, P.IMPORT_DATA, P.TAKE_TRAINING, P.MANAGE_TRAINING},
}

# Roles that see protected health information: a second factor is required for them.
ROLES_SEEING_PHI = frozenset(role for role, granted in MATRIX.items() if any(p.info.shows_phi for p in granted))
# An administrator sees no PHI but can grant any role (itself included), so it needs the second factor too.
ROLES_REQUIRING_TOTP = ROLES_SEEING_PHI | {Role.ADMINISTRATOR}


def roles_seeing_phi() -> frozenset[Role]:
    """The roles whose permissions show protected health information."""
    return ROLES_SEEING_PHI


def allowed(roles: Iterable[Role], permission: Permission) -> bool:
    """Whether any of ``roles`` grants ``permission``."""
    return any(permission in MATRIX[role] for role in roles)


def require(roles: Iterable[Role], permission: Permission) -> None:
    """Raise NotPermitted unless one of ``roles`` grants ``permission``, naming the roles that would."""
    held = sorted(roles, key=lambda role: role.value)
    if allowed(held, permission):
        return
    would = [role.label for role in Role if permission in MATRIX[role]]
    raise NotPermitted(f"{' and '.join(r.label for r in held) or 'no role'} may not {permission.info.description} "
                       f"(the roles that may: {', '.join(would)})")


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """Every permission ``roles`` grant together."""
    return frozenset().union(*(MATRIX[role] for role in roles))


def parse_role(text: str) -> Role:
    """A role from its name ('denial_specialist', 'denial-specialist' or 'denial specialist')."""
    name = "_".join(text.strip().lower().replace("-", " ").split())
    try:
        return Role(name)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a role; the roles are: {', '.join(r.value for r in Role)}") from None


def totp_required(roles: Iterable[Role], *, company_requires_totp: bool) -> bool:
    """Whether signing in needs a second factor: for roles that see PHI (and administrators), unless the billing
    company turned it off (for its demo)."""
    return company_requires_totp and any(role in ROLES_REQUIRING_TOTP for role in roles)


def permission_matrix_markdown() -> str:
    """The README's "Who may do what" table, from ``MATRIX``."""
    roles = list(Role)
    lines = ["| permission | what it allows | " + " | ".join(role.label for role in roles) + " |",
             "| --- | --- | " + " | ".join(":-:" for _ in roles) + " |"]
    for permission, info in PERMISSIONS.items():
        marks = " | ".join("✓" if permission in MATRIX[role] else "" for role in roles)
        lines.append(f"| `{permission.value}` | {info.description}{' (PHI)' if info.shows_phi else ''} | {marks} |")
    return "\n".join(lines) + "\n"


# Passwords. NIST SP 800-63B section 5.1.1.2: a minimum length, no composition rules, refuse known-bad choices.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # hashing a megabyte on every login attempt would be a cheap denial of service
COMMON_PASSWORDS = frozenset({
    "password1234", "password12345", "password123!", "passwordpassword", "123456789012", "1234567890123",
    "12345678901234", "123123123123", "111111111111", "000000000000", "qwertyuiop12", "qwertyuiopas",
    "qwerty123456", "1q2w3e4r5t6y", "1qaz2wsx3edc", "iloveyou1234", "letmein12345", "welcome12345",
    "welcome1234!", "changeme1234", "administrator", "abcdefghijkl", "abc123abc123", "trustno1trustno1",
    "dermatology1", "dermatology123", "dermbill1234", "passw0rd1234", "p@ssw0rd1234", "football1234",
    "baseball1234", "sunshine1234", "princess1234", "monkey123456", "starwars1234", "superman1234",
})


def password_problems(password: str, *, email: str) -> list[str]:
    """What is wrong with ``password`` for the user ``email`` (empty when it may be used); never echoes it."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"is shorter than {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"is longer than {MAX_PASSWORD_LENGTH} characters")
    folded = password.strip().casefold()
    address = email.strip().casefold()
    if folded and (folded == address or folded == address.partition("@")[0] or address in folded):
        problems.append("is the e-mail address")
    if folded in COMMON_PASSWORDS:
        problems.append("is a commonly used password")
    elif len(set(folded)) <= 2 and len(folded) >= MIN_PASSWORD_LENGTH:
        problems.append("repeats one or two characters")
    return problems


def check_password(password: str, *, email: str) -> None:
    """Raise InvalidInput saying what is wrong with the password (without showing it)."""
    problems = password_problems(password, email=email)
    if problems:
        raise InvalidInput(f"the password for {email} {' and '.join(problems)}; choose at least "
                           f"{MIN_PASSWORD_LENGTH} characters, e.g. four unrelated words")


# Lockout: after 5 failed sign-ins within 15 minutes the account is locked for 15 minutes.
LOCKOUT_FAILURES = 5
LOCKOUT_WINDOW = datetime.timedelta(minutes=15)
LOCKOUT_DURATION = datetime.timedelta(minutes=15)
LOCKOUT_LOOKBACK = LOCKOUT_WINDOW + LOCKOUT_DURATION  # attempts older than this cannot lock an account now


class LoginOutcome(Enum):
    SUCCEEDED = "succeeded"
    WRONG = "wrong"  # unknown e-mail, wrong password, or a wrong second-factor code: a failure
    LOCKED = "locked"  # refused without checking the password: not a failure (the lock does not extend itself)
    DISABLED = "disabled"
    TOTP_REQUIRED = "totp_required"  # the password was right; the code is asked for


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    at: datetime.datetime
    outcome: LoginOutcome


def locked_until(attempts: Sequence[LoginAttempt], now: datetime.datetime) -> datetime.datetime | None:
    """When the lock on an account ends, if it is locked at ``now``, else None.

    Failures count since the last successful sign-in; any 5 of them less than 15 minutes apart lock the account
    for 15 minutes from the fifth.
    """
    ordered = sorted(attempts, key=lambda attempt: attempt.at)
    failures: list[datetime.datetime] = []
    for attempt in ordered:
        if attempt.at > now:
            break
        if attempt.outcome is LoginOutcome.SUCCEEDED:
            failures = []
        elif attempt.outcome is LoginOutcome.WRONG:
            failures.append(attempt.at)
    until: datetime.datetime | None = None
    for first, fifth in zip(failures, failures[LOCKOUT_FAILURES - 1:], strict=False):
        if fifth - first < LOCKOUT_WINDOW:
            end = fifth + LOCKOUT_DURATION
            until = end if until is None else max(until, end)
    return until if until is not None and until > now else None


# Web sessions: signed out after SESSION_IDLE without a request, and SESSION_LIFETIME after signing in at the latest.
SESSION_IDLE = datetime.timedelta(minutes=15)
SESSION_LIFETIME = datetime.timedelta(hours=12)


class SessionEnd(Enum):
    SIGNED_OUT = "signed_out"  # revoked: sign-out, a password change, the user disabled
    IDLE = "idle"
    EXPIRED = "expired"


def session_end(*, last_seen_at: datetime.datetime, expires_at: datetime.datetime,
                revoked_at: datetime.datetime | None, now: datetime.datetime,
                idle: datetime.timedelta = SESSION_IDLE) -> SessionEnd | None:
    """Why a session is over at ``now``, or None while it lives."""
    if revoked_at is not None:
        return SessionEnd.SIGNED_OUT
    if now >= expires_at:
        return SessionEnd.EXPIRED
    if now - last_seen_at >= idle:
        return SessionEnd.IDLE
    return None
