"""Sessions, CSRF tokens and the secret key of the web app; passwords and lockouts are the
accounts service's (`medoracle.articles.accounts`), named here too.

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

from medoracle.articles.accounts import (
    hash_password,
    hash_token,
    lockout_seconds,
    needs_rehash,
    verify_password,
)
from medoracle.errors import ConfigError

__all__ = [
    "csrf_token",
    "csrf_valid",
    "expiry",
    "hash_password",
    "hash_token",
    "load_secret_key",
    "lockout_seconds",
    "needs_rehash",
    "new_token",
    "verify_password",
]


def new_token() -> str:
    return secrets.token_urlsafe(32)


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
