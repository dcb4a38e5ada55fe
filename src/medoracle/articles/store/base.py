"""The connection every part of the store shares: opening `site.sqlite` privately, its
migrations, one-transaction writes and the audit rows written inside them."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from medoracle.articles.events import AuditEvent
from medoracle.corpus.schema import connect, utc_now
from medoracle.errors import ConfigError

__all__ = ["MIGRATIONS", "Database", "seconds_between", "shifted"]

MIGRATIONS = "medoracle.articles.migrations"
_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # utc_now()'s format


def shifted(stamp: str, seconds: int) -> str:
    """A `utc_now()` timestamp moved by `seconds`."""
    moment = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC) + timedelta(seconds=seconds)
    return moment.strftime(_STAMP)


def seconds_between(earlier: str, later: str) -> int:
    """Whole seconds from one `utc_now()` timestamp to another."""
    start, end = (datetime.strptime(s, _STAMP) for s in (earlier, later))
    return int((end - start).total_seconds())


def _private(path: Path) -> None:
    """Make `path` readable by its owner only before SQLite opens it: it holds password and
    session hashes. SQLite gives the -wal and -shm files the database file's mode, so
    creating it 0600 covers them; files an older medoracle left wider are narrowed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        try:
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError as exc:
            raise ConfigError(
                f"{file}: readable by other users, and not ours to change ({exc.strerror}); "
                "make it private with chmod 600"
            ) from None


class Database:
    """A connection to `site.sqlite`; migrations are applied on open."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _private(path)
        self.conn = connect(path, create=True, package=MIGRATIONS, check_same_thread=False)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back whole on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @staticmethod
    def _record(conn: sqlite3.Connection, article_id: int, event: AuditEvent) -> None:
        """Add `event` to the article's audit trail, inside the caller's transaction."""
        conn.execute(
            "INSERT INTO events (article_id, at, actor, kind, from_state, to_state, comment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, utc_now(), *event.row()),
        )
