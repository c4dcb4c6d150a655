"""Who may do what: the permission matrix, the password policy and the sign-in lockout (pure, no clock)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dermbill.core.access import (
    MATRIX,
    PERMISSIONS,
    READ_ONLY,
    LoginAttempt,
    LoginOutcome,
    NotPermitted,
    Permission,
    Role,
    allowed,
    check_password,
    locked_until,
    parse_role,
    password_problems,
    permission_matrix_markdown,
    permissions_of,
    require,
    roles_seeing_phi,
    totp_required,
)
from dermbill.core.errors import InvalidInput

README = Path(__file__).resolve().parents[2] / "README.md"
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


def test_every_permission_is_described_and_every_role_has_a_row() -> None:
    assert set(PERMISSIONS) == set(Permission)
    assert set(MATRIX) == set(Role) and len(Role) == 7


def test_front_desk_does_patients_and_eligibility_but_not_remittances_or_claims() -> None:
    front = {Role.FRONT_DESK}
    for permission in (Permission.VIEW_PATIENTS, Permission.EDIT_PATIENTS, Permission.CHECK_ELIGIBILITY,
                       Permission.CHECK_IN):
        assert allowed(front, permission)
    for permission in (Permission.VIEW_REMITTANCES, Permission.EDIT_CLAIMS, Permission.POST_PAYMENTS,
                       Permission.SUBMIT_CLAIMS, Permission.VIEW_AUDIT):
        assert not allowed(front, permission)


def test_auditor_reads_everything_and_the_audit_log_and_changes_nothing() -> None:
    assert MATRIX[Role.AUDITOR] == READ_ONLY
    assert Permission.VIEW_AUDIT in MATRIX[Role.AUDITOR]
    assert all(PERMISSIONS[p].reads_only for p in MATRIX[Role.AUDITOR])
    assert not allowed({Role.AUDITOR}, Permission.EDIT_CLAIMS)
    assert not allowed({Role.AUDITOR}, Permission.MANAGE_USERS)


def test_manager_does_everything_operational_reads_administration_and_manages_nothing() -> None:
    manager = MATRIX[Role.MANAGER]
    assert {Permission.POST_PAYMENTS, Permission.WORK_DENIALS, Permission.SUBMIT_CLAIMS, Permission.VIEW_REPORTS,
            Permission.VIEW_ADMINISTRATION, Permission.DECIDE_PAYER_RULES} <= manager
    assert not manager & {Permission.MANAGE_USERS, Permission.MANAGE_PRACTICES, Permission.MANAGE_PAYERS,
                          Permission.MANAGE_CONNECTIONS, Permission.VIEW_AUDIT}


def test_each_role_does_its_own_work() -> None:
    assert allowed({Role.CODER}, Permission.CODE_ENCOUNTERS) and not allowed({Role.CODER}, Permission.SUBMIT_CLAIMS)
    assert allowed({Role.BILLER}, Permission.POST_PAYMENTS) and allowed({Role.BILLER}, Permission.WORK_FIX_QUEUE)
    assert not allowed({Role.BILLER}, Permission.WRITE_APPEALS)
    assert allowed({Role.DENIAL_SPECIALIST}, Permission.WRITE_APPEALS)
    assert allowed({Role.DENIAL_SPECIALIST}, Permission.CORRECT_CLAIMS)
    assert not allowed({Role.DENIAL_SPECIALIST}, Permission.POST_PAYMENTS)
    assert MATRIX[Role.ADMINISTRATOR] == {Permission.VIEW_ADMINISTRATION, Permission.MANAGE_USERS,
                                          Permission.MANAGE_PRACTICES, Permission.MANAGE_PAYERS,
                                          Permission.MANAGE_CONNECTIONS, Permission.IMPORT_DATA,
                                              Permission.TAKE_TRAINING, Permission.MANAGE_TRAINING}


def test_several_roles_allow_what_any_of_them_allows() -> None:
    both = {Role.FRONT_DESK, Role.CODER}
    assert allowed(both, Permission.CHECK_IN) and allowed(both, Permission.CODE_ENCOUNTERS)
    assert permissions_of(both) == MATRIX[Role.FRONT_DESK] | MATRIX[Role.CODER]
    assert not allowed(set(), Permission.VIEW_PATIENTS)


def test_require_refuses_naming_the_roles_that_may() -> None:
    require({Role.BILLER}, Permission.POST_PAYMENTS)
    with pytest.raises(NotPermitted, match=r"^front desk may not see remittances .*\(the roles that may: biller, "
                                           r"denial specialist, manager, auditor\)$"):
        require({Role.FRONT_DESK}, Permission.VIEW_REMITTANCES)


def test_every_role_but_the_administrator_sees_phi_and_the_administrator_still_needs_totp() -> None:
    assert roles_seeing_phi() == set(Role) - {Role.ADMINISTRATOR}
    assert totp_required({Role.ADMINISTRATOR}, company_requires_totp=True)
    assert totp_required({Role.FRONT_DESK}, company_requires_totp=True)
    assert not totp_required({Role.FRONT_DESK}, company_requires_totp=False)


@pytest.mark.parametrize(("text", "role"), [("denial_specialist", Role.DENIAL_SPECIALIST),
                                            ("Denial-Specialist", Role.DENIAL_SPECIALIST),
                                            ("front desk", Role.FRONT_DESK)])
def test_roles_are_read_by_name(text: str, role: Role) -> None:
    assert parse_role(text) is role


def test_an_unknown_role_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInput, match="'boss' is not a role; the roles are: front_desk, coder, biller, "
                                           "denial_specialist, manager, auditor, administrator"):
        parse_role("boss")


def test_the_readme_matrix_is_the_one_in_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- permission matrix: generated by dermbill.core.access.permission_matrix_markdown() -->\n")
    end = text.index("<!-- end of permission matrix -->")
    table = text[text.index("\n", start) + 1:end]
    assert table == permission_matrix_markdown()
    assert "| `view_remittances` | see remittances (835), payments, adjustments, unmatched payments (PHI) |  |  | ✓ |" \
        in table


@pytest.mark.parametrize(("password", "problem"), [
    ("short-one", "is shorter than 12 characters"),
    ("jane.doe@example.com", "is the e-mail address"),
    ("JANE.DOE@example.com", "is the e-mail address"),
    ("Password1234", "is a commonly used password"),
    ("aaaaaaaaaaaaaaaa", "repeats one or two characters"),
    ("x" * 257, "is longer than 256 characters"),
])
def test_weak_passwords_are_refused_saying_why(password: str, problem: str) -> None:
    assert problem in password_problems(password, email="jane.doe@example.com")


def test_a_long_unrelated_password_is_accepted_and_a_refusal_never_shows_the_password() -> None:
    assert password_problems("correct horse battery staple", email="jane.doe@example.com") == []
    assert password_problems("exactly12chr", email="jane.doe@example.com") == []
    with pytest.raises(InvalidInput) as refused:
        check_password("hunter2", email="jane.doe@example.com")
    assert "hunter2" not in str(refused.value)
    assert str(refused.value).startswith("the password for jane.doe@example.com is shorter than 12 characters")


def failures(*minutes_ago: float) -> list[LoginAttempt]:
    return [LoginAttempt(NOW - minutes * MINUTE, LoginOutcome.WRONG) for minutes in minutes_ago]


def test_four_failures_do_not_lock_the_fifth_within_15_minutes_locks_for_15_minutes() -> None:
    assert locked_until(failures(4, 3, 2, 1), NOW) is None
    assert locked_until(failures(4, 3, 2, 1, 0), NOW) == NOW + 15 * MINUTE
    # Five failures spread over 15 minutes or more do not lock.
    assert locked_until(failures(15, 10, 5, 2, 0), NOW) is None
    assert locked_until(failures(14.9, 10, 5, 2, 0), NOW) == NOW + 15 * MINUTE


def test_the_lock_expires_15_minutes_after_the_fifth_failure() -> None:
    history = failures(4, 3, 2, 1, 0)
    assert locked_until(history, NOW + 14 * MINUTE) == NOW + 15 * MINUTE
    assert locked_until(history, NOW + 15 * MINUTE) is None
    # After the lock, one more failure does not lock again: the count starts over.
    after = [*history, LoginAttempt(NOW + 16 * MINUTE, LoginOutcome.WRONG)]
    assert locked_until(after, NOW + 16 * MINUTE) is None


def test_a_success_clears_the_failures_and_refusals_while_locked_do_not_count() -> None:
    history = [*failures(6, 5, 4, 3), LoginAttempt(NOW - 2 * MINUTE, LoginOutcome.SUCCEEDED), *failures(1, 0)]
    assert locked_until(history, NOW) is None
    locked = [*failures(10, 9, 8, 7, 6), *(LoginAttempt(NOW - m * MINUTE, LoginOutcome.LOCKED) for m in (5, 1))]
    assert locked_until(locked, NOW) == NOW + 9 * MINUTE
