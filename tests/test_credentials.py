"""Secrets of the staff accounts: argon2id hashes, TOTP codes at a fixed time, tokens and recovery codes."""

from __future__ import annotations

import datetime

import pytest

from dermbill import credentials

pytestmark = pytest.mark.real_password_hashing  # the parameters dermbill hashes with, not the tests' quick ones

# RFC 6238 appendix B's SHA-1 secret ("12345678901234567890") in base32, and its published codes (last 6 digits).
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
AT_59 = datetime.datetime(1970, 1, 1, 0, 0, 59, tzinfo=datetime.UTC)
AT_1111111109 = datetime.datetime.fromtimestamp(1111111109, tz=datetime.UTC)


def test_passwords_are_argon2id_hashes_with_their_own_salt() -> None:
    first, second = credentials.hash_password("correct horse battery staple"), \
        credentials.hash_password("correct horse battery staple")
    assert first.startswith("$argon2id$v=19$") and first != second
    assert "$m=65536,t=3,p=4$" in first  # RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes)
    assert credentials.password_matches(first, "correct horse battery staple")
    assert not credentials.password_matches(first, "correct horse battery stapler")
    assert not credentials.password_matches("not a hash", "anything")
    assert not credentials.needs_rehash(first)


def test_totp_codes_are_rfc_6238s_at_a_fixed_time() -> None:
    assert credentials.totp_code(RFC_SECRET, AT_59) == "287082"
    assert credentials.totp_code(RFC_SECRET, AT_1111111109) == "081804"


def test_a_totp_code_is_accepted_one_step_either_side_and_not_two() -> None:
    secret = credentials.new_totp_secret()
    at = datetime.datetime(2026, 3, 2, 15, 0, 10, tzinfo=datetime.UTC)
    step = int(at.timestamp()) // 30
    code = credentials.totp_code(secret, at)
    assert credentials.totp_step(secret, code, at) == step
    assert credentials.totp_step(secret, code, at + datetime.timedelta(seconds=30)) == step
    assert credentials.totp_step(secret, code, at - datetime.timedelta(seconds=30)) == step
    assert credentials.totp_step(secret, code, at + datetime.timedelta(seconds=60)) is None
    assert credentials.totp_step(secret, "12345", at) is None
    assert credentials.totp_step(secret, "abcdef", at) is None


def test_the_provisioning_uri_names_the_user_and_dermbill() -> None:
    uri = credentials.totp_provisioning_uri(RFC_SECRET, "jane@example.com")
    assert uri.startswith("otpauth://totp/dermbill:jane%40example.com?secret=" + RFC_SECRET)
    assert "issuer=dermbill" in uri


def test_tokens_are_prefixed_random_and_stored_as_sha256() -> None:
    token = credentials.new_token()
    assert token.startswith("dbt_") and len(token) == 47 and token != credentials.new_token()
    digest = credentials.secret_hash(token)
    assert len(digest) == 64 and token not in digest


def test_ten_recovery_codes_read_back_however_typed() -> None:
    codes = credentials.new_recovery_codes()
    assert len(codes) == 10 and len(set(codes)) == 10
    code = codes[0]
    assert len(code) == 11 and code[5] == "-"
    typed = code.upper().replace("-", " ")
    assert credentials.normalized_recovery_code(typed) == code
    assert credentials.looks_like_recovery_code(typed)
    assert not credentials.looks_like_recovery_code("123456")
