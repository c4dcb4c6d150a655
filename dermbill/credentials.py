"""Secrets of the staff accounts: argon2id password hashes, TOTP second factors (RFC 6238), personal access tokens
and recovery codes. An adapter over argon2-cffi and pyotp, so the core stays standard-library only.

Passwords are slow-hashed (argon2id); tokens and recovery codes are random with 256 and 50 bits of entropy, so a
SHA-256 of them is enough to store (nobody can guess one back from its hash), and they are looked up by hash.
Nothing here reads the clock: the time of a TOTP check is passed in.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "dbt_"  # recognizable in logs and secret scanners
TOTP_ISSUER = "dermbill"
TOTP_PERIOD = 30
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread

_hasher = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 low-memory profile


def hash_password(password: str) -> str:
    """An argon2id hash (``$argon2id$v=19$...``) with a fresh salt."""
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (re-hash it at the next sign-in)."""
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def unknown_user_hash() -> str:
    """A hash to check against when the e-mail is unknown, so the answer takes as long as for a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def generated_password() -> str:
    """A random one-time password (20 characters, about 120 bits)."""
    return secrets.token_urlsafe(15)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(secret: str, email: str, *, issuer: str = TOTP_ISSUER) -> str:
    """The otpauth:// URI an authenticator app reads (shown as a QR code)."""
    return pyotp.TOTP(secret, interval=TOTP_PERIOD).provisioning_uri(name=email, issuer_name=issuer)


def totp_code(secret: str, at: datetime.datetime) -> str:
    """The code an authenticator shows at ``at`` (for tests and enrollment screens)."""
    return pyotp.TOTP(secret, interval=TOTP_PERIOD).at(at)


def totp_step(secret: str, code: str, at: datetime.datetime) -> int | None:
    """The time step whose code ``code`` is, within one step of ``at`` (clock drift), else None.

    The step lets the caller refuse a code used before (a replay within its 90 seconds).
    """
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_PERIOD)
    now_step = totp.timecode(at)
    for step in (now_step - 1, now_step, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_token() -> str:
    """A personal access token: ``dbt_`` and 43 URL-safe characters (256 bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """SHA-256 (hex) of a token or of a normalized recovery code: what is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Single-use recovery codes like ``k7mqp-3xw9t`` (10 characters of 31, about 50 bits each)."""
    codes = []
    for _ in range(count):
        text = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{text[:5]}-{text[5:]}")
    return codes


def normalized_recovery_code(code: str) -> str:
    """A recovery code as typed (any case, spaces or dashes) in the form it was hashed in."""
    text = "".join(ch for ch in code.lower() if ch.isalnum())
    return f"{text[:5]}-{text[5:]}" if len(text) == 10 else text


def looks_like_recovery_code(code: str) -> bool:
    text = normalized_recovery_code(code)
    return len(text) == 11 and all(ch in _RECOVERY_ALPHABET for ch in text.replace("-", ""))
