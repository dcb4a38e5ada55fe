"""Passwords, sessions, CSRF tokens and the secret key of the web app.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106). A session is a
random token in an HttpOnly cookie; the database keeps only its SHA-256, and sessions
expire. CSRF tokens are the HMAC of a per-browser cookie under the secret key (the signed
double-submit pattern), so every form and every cookie-authenticated API call carries one.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from medoracle.articles.workflow import Role
from medoracle.errors import ConfigError

__all__ = [
    "ROLES",
    "csrf_token",
    "csrf_valid",
    "expiry",
    "hash_password",
    "hash_token",
    "load_secret_key",
    "lockout_seconds",
    "new_token",
    "verify_password",
]

ROLES: tuple[str, ...] = tuple(Role)
MIN_PASSWORD = 10
# Account lockout: the first failures are free, then the account waits 30 s, doubling with
# every further failure up to 15 minutes (OWASP Authentication Cheat Sheet, "Account
# lockout"; NIST SP 800-63B section 5.2.2 asks for rate limiting of failed attempts).
LOCKOUT_AFTER = 5
LOCKOUT_FIRST_SECONDS = 30
LOCKOUT_MAX_SECONDS = 15 * 60
_HASHER = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs the same time.
_DUMMY_HASH = _HASHER.hash("medoracle-no-such-user")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def lockout_seconds(failures: int) -> int:
    """How long an account stays locked after `failures` consecutive failed sign-ins: not at
    all below LOCKOUT_AFTER, then LOCKOUT_FIRST_SECONDS doubled for each failure beyond it,
    at most LOCKOUT_MAX_SECONDS."""
    if failures < LOCKOUT_AFTER:
        return 0
    doublings = min(failures - LOCKOUT_AFTER, 16)
    return min(LOCKOUT_MAX_SECONDS, LOCKOUT_FIRST_SECONDS << doublings)


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def expiry(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def csrf_token(secret: bytes, binding: str) -> str:
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), token)


def load_secret_key(home: Path) -> bytes:
    """`MEDORACLE_SECRET_KEY` if set, else `secret_key` in the home folder, created on first
    run with owner-only permissions. Never a constant in the repository."""
    configured = os.environ.get("MEDORACLE_SECRET_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ConfigError("MEDORACLE_SECRET_KEY is too short: use at least 32 characters")
        return configured.encode()
    path = home / "secret_key"
    home.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text("ascii").strip()
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        key = path.read_text("ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{path}: secret key file is damaged; delete it to make a new one")
    return key.encode()
