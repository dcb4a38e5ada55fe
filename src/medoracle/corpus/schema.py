"""Opening the library file: WAL mode, numbered migrations, the writer lock.

Migrations are the `NNNN_name.sql` files in `medoracle/corpus/migrations`, applied in order,
each in its own transaction, and recorded in `schema_migrations` and `PRAGMA user_version`
(the datasette/sqlite-utils pattern: schema as SQL, versions as numbers).
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, NamedTuple

from medoracle.errors import LibraryCorruptError, LibraryError, LibraryLockedError

__all__ = ["Migration", "WriterLock", "connect", "migrations", "utc_now"]

_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


LIBRARY_MIGRATIONS = "medoracle.corpus.migrations"


def migrations(package: str = LIBRARY_MIGRATIONS) -> list[Migration]:
    """The migrations packaged in `package`, in version order."""
    found: list[Migration] = []
    for entry in resources.files(package).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text("utf-8")))
    found.sort()
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise LibraryError("packaged migrations are not numbered 1..N without gaps")
    return found


def connect(
    path: Path,
    *,
    create: bool,
    package: str = LIBRARY_MIGRATIONS,
    check_same_thread: bool = True,
) -> sqlite3.Connection:
    """Open (and, if `create`, initialise or upgrade) the database at `path` whose schema is
    the migrations in `package`: the library by default, the web app's articles otherwise."""
    if not path.exists() and not create:
        raise LibraryError(f"no library at {path}; build one with `medoracle library build`")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            path, timeout=10.0, isolation_level=None, check_same_thread=check_same_thread
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn, path, apply=create, package=package)
    except sqlite3.DatabaseError as exc:
        raise _explain(exc, path) from None
    return conn


def _explain(exc: sqlite3.DatabaseError, path: Path) -> LibraryError:
    message = str(exc)
    if "locked" in message or "busy" in message:
        return LibraryLockedError(f"{path}: library is locked by another process ({message})")
    return LibraryCorruptError(
        f"{path}: not a usable medoracle library ({message}); move it aside and rebuild"
    )


def _migrate(conn: sqlite3.Connection, path: Path, *, apply: bool, package: str) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    known = migrations(package)
    if current > len(known):
        raise LibraryError(
            f"{path}: library schema v{current} is newer than this medoracle "
            f"(v{len(known)}); upgrade medoracle"
        )
    if current == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise LibraryCorruptError(f"{path}: an SQLite file, but not a medoracle library")
    pending = known[current:]
    if pending and not apply:
        raise LibraryError(f"{path}: library schema v{current} needs upgrading; run an ingest")
    if not pending:
        return
    # Foreign keys are off while migrating and checked before each commit, so a migration
    # may rebuild a table that others refer to (SQLite's "making other kinds of table
    # schema changes", https://www.sqlite.org/lang_altertable.html#otheralter).
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        for migration in pending:
            _apply(conn, path, migration)
    finally:
        conn.execute("PRAGMA foreign_keys=ON")


def _apply(conn: sqlite3.Connection, path: Path, migration: Migration) -> None:
    """One migration in one transaction. executescript would commit a transaction opened
    outside it, so BEGIN travels inside; COMMIT follows the foreign key check."""
    record = (
        f"INSERT INTO schema_migrations VALUES "
        f"({migration.version}, '{migration.name}', '{utc_now()}');"
        f"PRAGMA user_version = {migration.version};"
    )
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{migration.sql}\n{record}")
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise LibraryCorruptError(
                f"{path}: migration {migration.version} ({migration.name}) would break "
                "references between rows; nothing was changed"
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class WriterLock:
    """An exclusive, non-blocking lock beside the library: one writer at a time.

    SQLite would serialise writers too, but a second `library build` waiting on a long
    ingest is better told at once, in one line, than left hanging.
    """

    def __init__(self, library_path: Path) -> None:
        self.path = library_path.with_name(library_path.name + ".lock")
        self._handle: IO[str] | None = None

    def __enter__(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LibraryLockedError(
                f"library {self.path.with_suffix('')} is locked by another writer "
                f"(pid {holder}); wait for it to finish"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
