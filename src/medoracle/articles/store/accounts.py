"""Accounts of `site.sqlite`: reviewers and editors, their sessions and sign-in lockouts."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from medoracle.articles.records import User
from medoracle.articles.store.base import Database, shifted
from medoracle.corpus.schema import utc_now
from medoracle.errors import ConfigError

__all__ = ["AccountStore"]


class AccountStore(Database):
    # ------------------------------------------------------------------ users, sessions

    def add_user(self, username: str, password_hash: str, role: str) -> User:
        try:
            self.conn.execute(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
                (username, password_hash, role, utc_now()),
            )
        except sqlite3.IntegrityError:
            raise ConfigError(f"user {username!r} already exists") from None
        user = self.user(username)
        assert user is not None
        return user

    def user(self, username: str) -> User | None:
        row = self.conn.execute(
            "SELECT id, username, role, password_hash, disabled FROM users WHERE username = ?",
            (username,),
        ).fetchone()
        return User(row[0], row[1], row[2], row[3], bool(row[4])) if row else None

    def set_password_hash(self, user: User, password_hash: str) -> None:
        self.conn.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user.id)
        )

    def add_session(self, token_hash: str, user: User, expires_at: str) -> None:
        self.conn.execute(
            "INSERT INTO sessions VALUES (?, ?, ?, ?)",
            (token_hash, user.id, utc_now(), expires_at),
        )

    def session_user(self, token_hash: str, now: str) -> User | None:
        row = self.conn.execute(
            "SELECT u.id, u.username, u.role, u.password_hash, u.disabled FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, now),
        ).fetchone()
        if row is None or row[4]:
            return None
        return User(row[0], row[1], row[2], row[3], bool(row[4]))

    def end_session(self, token_hash: str) -> None:
        self.conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def purge_sessions(self, now: str) -> None:
        self.conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))

    # ------------------------------------------------------------------ sign-in lockout

    def locked_until(self, username: str, now: str) -> str | None:
        """When the lock on `username` ends, if it is locked at `now`."""
        row = self.conn.execute(
            "SELECT locked_until FROM sign_in_failures WHERE username = ? AND locked_until > ?",
            (username, now),
        ).fetchone()
        return str(row[0]) if row else None

    def record_failure(self, username: str, now: str, lock_for: Callable[[int], int]) -> int:
        """Count a failed sign-in for `username` and lock it for `lock_for(failures)` seconds
        from `now`. Streaks a day old are forgotten. Returns the consecutive failures."""
        yesterday = shifted(now, -86_400)
        with self.transaction() as conn:
            conn.execute(
                "DELETE FROM sign_in_failures WHERE last_failure < ? "
                "AND coalesce(locked_until, '') < ?",
                (yesterday, now),
            )
            row = conn.execute(
                "SELECT failures FROM sign_in_failures WHERE username = ?", (username,)
            ).fetchone()
            failures = (int(row[0]) if row else 0) + 1
            seconds = lock_for(failures)
            conn.execute(
                "INSERT INTO sign_in_failures VALUES (?, ?, ?, ?) ON CONFLICT (username) DO "
                "UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure, "
                "locked_until = excluded.locked_until",
                (username, failures, now, shifted(now, seconds) if seconds else None),
            )
        return failures

    def clear_failures(self, username: str) -> None:
        self.conn.execute("DELETE FROM sign_in_failures WHERE username = ?", (username,))
