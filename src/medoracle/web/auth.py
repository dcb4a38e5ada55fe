"""CSRF tokens and the secret key of the web app.

CSRF tokens are the HMAC of a per-browser cookie under the secret key (the signed
double-submit pattern), so every form and every cookie-authenticated API call carries one.
Passwords, sign-in and sessions are the accounts service's (`medoracle.articles.accounts`);
`hash_password` is named here too for the callers that always found it here.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from medoracle.articles.accounts import hash_password
from medoracle.errors import ConfigError
from medoracle.settings import Settings

__all__ = ["csrf_token", "csrf_valid", "hash_password", "load_secret_key"]


def csrf_token(secret: bytes, binding: str) -> str:
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), token)


def load_secret_key(settings: Settings) -> bytes:
    """`settings.secret_key` (MEDORACLE_SECRET_KEY) if set, else `secret_key` in the home
    folder, created on first run with owner-only permissions. Never a constant in the
    repository."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if configured:
        if len(configured) < 32:
            raise ConfigError("MEDORACLE_SECRET_KEY is too short: use at least 32 characters")
        return configured.encode()
    home = settings.home
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
