"""Reviewer and editor accounts: creating them, passwords, sign-in with account lockout, and
sessions.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106). A session is a random
token the caller hands to the browser; the database keeps only its SHA-256, and sessions
expire. After repeated failed sign-ins an account name is locked for a while, whoever tries.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from medoracle.articles.records import User
from medoracle.articles.store import SiteStore, seconds_between
from medoracle.articles.workflow import Role
from medoracle.corpus.schema import utc_now
from medoracle.errors import ConfigError

__all__ = [
    "MIN_PASSWORD",
    "add_account",
    "end_session",
    "hash_password",
    "hash_token",
    "locked_for",
    "lockout_seconds",
    "needs_rehash",
    "open_session",
    "session_user",
    "sign_in",
    "valid_username",
    "verify_password",
]

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


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def lockout_seconds(failures: int) -> int:
    """How long an account stays locked after `failures` consecutive failed sign-ins: not at
    all below LOCKOUT_AFTER, then LOCKOUT_FIRST_SECONDS doubled for each failure beyond it,
    at most LOCKOUT_MAX_SECONDS."""
    if failures < LOCKOUT_AFTER:
        return 0
    doublings = min(failures - LOCKOUT_AFTER, 16)
    return min(LOCKOUT_MAX_SECONDS, LOCKOUT_FIRST_SECONDS << doublings)


def valid_username(username: str) -> str:
    """The name without surrounding spaces, if it is 1-100 printable characters with no
    space in it."""
    name = username.strip()
    if not (1 <= len(name) <= 100) or not name.isprintable() or " " in name:
        raise ConfigError("the user name must be 1-100 printable characters, no spaces")
    return name


def add_account(site_path: Path, username: str, password: str, role: Role | str) -> User:
    """A new account in the site database at `site_path`; the password is checked and
    hashed before the database is opened."""
    name = valid_username(username)
    hashed = hash_password(password)
    store = SiteStore(site_path)
    try:
        return store.add_user(name, hashed, Role(role))
    finally:
        store.close()


def locked_for(store: SiteStore, username: str) -> int | None:
    """Seconds until `username` may try again, if repeated failures locked it."""
    now = utc_now()
    until = store.locked_until(username, now)
    return None if until is None else max(1, seconds_between(now, until))


def sign_in(store: SiteStore, username: str, password: str) -> User | None:
    """The account if the password is right and it is enabled; None, counted against the
    account name towards a lockout (`lockout_seconds`), if not. Check `locked_for` first."""
    user = store.user(username)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or user.disabled:
        store.record_failure(username, utc_now(), lockout_seconds)
        return None
    store.clear_failures(username)
    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(store: SiteStore, user: User, hours: float) -> str:
    """A new session for `user` lasting `hours`; returns its token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.add_session(hash_token(token), user, expires)
    return token


def session_user(store: SiteStore, token: str | None) -> User | None:
    """The enabled account a live session `token` belongs to."""
    if not token:
        return None
    return store.session_user(hash_token(token), utc_now())


def end_session(store: SiteStore, token: str | None) -> None:
    if token:
        store.end_session(hash_token(token))
