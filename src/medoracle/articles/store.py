"""The web app's own database: articles, their versions and audience renditions, reviewer
accounts and sessions, statement annotations and the audit trail.

It is a second SQLite file beside the library (`site.sqlite`), with its own numbered
migrations in `medoracle/web/migrations`, so rebuilding the library never touches reviews.
Every statement is parametrised. One `SiteStore` is one connection: give each thread its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import stat
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from medoracle.articles.workflow import STATES, ReviewState
from medoracle.corpus.schema import connect, utc_now
from medoracle.errors import ConfigError, Conflict, LibraryError

__all__ = [
    "Annotation",
    "Article",
    "Event",
    "SiteStore",
    "User",
    "Version",
    "follow_up_slug",
    "question_key",
    "seconds_between",
    "slugify",
]

MIGRATIONS = "medoracle.articles.migrations"
_SLUG_WORDS = 12
_SLUG_CHARS = 90
_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # utc_now()'s format
_STOP = frozenset("a an the of in on for with to and or is are what which how does do".split())


@dataclass(frozen=True)
class Article:
    id: int
    slug: str
    question: str
    parent_id: int | None
    context: str
    state: ReviewState
    current_version: int
    new_evidence: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Version:
    article_id: int
    number: int
    created_at: str
    created_by: str
    reason: str
    library_version: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    password_hash: str
    disabled: bool


@dataclass(frozen=True)
class Annotation:
    id: int
    statement_key: str
    kind: str
    body: str
    username: str
    created_at: str


@dataclass(frozen=True)
class Event:
    id: int
    at: str
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    comment: str


def question_key(question: str) -> str:
    """The question as the store compares it: case, spacing and end punctuation ignored."""
    text = unicodedata.normalize("NFKC", question).casefold()
    return re.sub(r"\s+", " ", text).strip().rstrip("?.!").strip()


def slugify(question: str) -> str:
    """A readable address from the question's first meaningful words: ASCII, lower case,
    hyphenated, at most 90 characters."""
    folded = unicodedata.normalize("NFKD", question).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower())
    kept = [w for w in words if w not in _STOP] or words or ["question"]
    slug = ""
    for word in kept[:_SLUG_WORDS]:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > _SLUG_CHARS:
            break
        slug = candidate
    return slug or kept[0][:_SLUG_CHARS]


def follow_up_slug(parent_slug: str, question: str) -> str:
    """A follow-up's address: the start of its parent's (up to 45 characters, cut between
    words), a double hyphen, then its own words, so the same follow-up after two articles
    reads differently and is seen to belong to its parent."""
    head, limit = parent_slug, _SLUG_CHARS // 2
    if len(head) > limit:  # one character more, to see whether the cut falls between words
        cut = head[: limit + 1]
        head = cut.rsplit("-", 1)[0] if "-" in cut else cut[:limit]
    return f"{head.rstrip('-')}--{slugify(question)}"


def _shifted(stamp: str, seconds: int) -> str:
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


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        slug=row["slug"],
        question=row["question"],
        parent_id=row["parent_id"],
        context=row["context"],
        state=ReviewState(row["state"]),
        current_version=row["current_version"],
        new_evidence=bool(row["new_evidence"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_ARTICLE_COLUMNS = (
    "id, slug, question, parent_id, context, state, current_version, new_evidence, "
    "created_at, updated_at"
)


class SiteStore:
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

    # ------------------------------------------------------------------ articles

    def find(self, slug: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE slug = ?", (slug,)
        ).fetchone()
        return _article(row) if row else None

    def get(self, article_id: int) -> Article:
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise LibraryError(f"article {article_id} not found")
        return _article(row)

    def by_question(self, question: str, parent: Article | None = None) -> Article | None:
        """The article for `question` asked on its own, or as a follow-up of `parent`: a
        follow-up is its parent plus its question (the same words after another article
        are another article)."""
        row = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles "
            "WHERE coalesce(parent_id, 0) = ? AND question_key = ?",
            (parent.id if parent else 0, question_key(question)),
        ).fetchone()
        return _article(row) if row else None

    def create(
        self,
        question: str,
        *,
        parent: Article | None = None,
        context: str = "",
        embedding: bytes | None = None,
        actor: str = "anonymous",
    ) -> Article:
        """A new article in state `submitted`, with a unique slug, and its audit event."""
        now = utc_now()
        base = follow_up_slug(parent.slug, question) if parent else slugify(question)
        with self.transaction() as conn:
            taken = {
                row[0]
                for row in conn.execute(
                    "SELECT slug FROM articles WHERE slug = ? OR slug LIKE ?",
                    (base, f"{base}-%"),
                )
            }
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            cursor = conn.execute(
                "INSERT INTO articles (slug, question, question_key, parent_id, context, "
                "embedding, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    slug,
                    question,
                    question_key(question),
                    parent.id if parent else None,
                    context,
                    embedding,
                    now,
                    now,
                ),
            )
            article_id = int(cursor.lastrowid or 0)
            self._event(conn, article_id, actor, "created", None, ReviewState.SUBMITTED, "")
        return self.get(article_id)

    def add_version(
        self,
        article: Article,
        *,
        actor: str,
        reason: str,
        library_version: str,
        evidence: list[str],
        renditions: dict[str, str],
        move: tuple[str, str] | None = None,
        comment: str = "",
    ) -> int:
        """Store a new composition as the article's current version, with the audience
        pages already composed (`audience -> Answer JSON`). `move` is `(from, to)`: the
        state change that comes with it, in the same transaction, so no reader ever sees the
        new text under the old state; Conflict if the article has left `from` meanwhile."""
        now = utc_now()
        with self.transaction() as conn:
            if move is not None:
                expected, to_state = move
                changed = conn.execute(
                    "UPDATE articles SET state = ? WHERE id = ? AND state = ?",
                    (to_state, article.id, expected),
                ).rowcount
                if not changed:
                    raise Conflict(
                        f"the article changed meanwhile (now {self.get(article.id).state}); reload"
                    )
            current = conn.execute(
                "SELECT current_version FROM articles WHERE id = ?", (article.id,)
            ).fetchone()[0]
            number = int(current) + 1
            conn.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (article.id, number, now, actor, reason, library_version, json.dumps(evidence)),
            )
            for audience, answer in renditions.items():
                conn.execute(
                    "INSERT INTO renditions VALUES (?, ?, ?, ?, ?)",
                    (article.id, number, audience, answer, now),
                )
            conn.execute(
                "UPDATE articles SET current_version = ?, new_evidence = 0, updated_at = ? "
                "WHERE id = ?",
                (number, now, article.id),
            )
            if number > 1:
                self._event(conn, article.id, actor, "regenerated", None, None, reason)
            if move is not None:
                self._event(conn, article.id, actor, "transition", *move, comment)
        return number

    def add_rendition(self, article_id: int, version: int, audience: str, answer: str) -> None:
        """A page for another audience of an existing version; the first writer wins."""
        self.conn.execute(
            "INSERT OR IGNORE INTO renditions VALUES (?, ?, ?, ?, ?)",
            (article_id, version, audience, answer, utc_now()),
        )

    def rendition(self, article_id: int, version: int, audience: str) -> str | None:
        row = self.conn.execute(
            "SELECT answer FROM renditions WHERE article_id = ? AND version = ? AND audience = ?",
            (article_id, version, audience),
        ).fetchone()
        return str(row[0]) if row else None

    def versions(self, article_id: int) -> list[Version]:
        rows = self.conn.execute(
            "SELECT * FROM versions WHERE article_id = ? ORDER BY number", (article_id,)
        ).fetchall()
        return [
            Version(
                article_id=row["article_id"],
                number=row["number"],
                created_at=row["created_at"],
                created_by=row["created_by"],
                reason=row["reason"],
                library_version=row["library_version"],
                evidence=tuple(json.loads(row["evidence"])),
            )
            for row in rows
        ]

    def children(self, article_id: int) -> list[Article]:
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE parent_id = ? ORDER BY id",
            (article_id,),
        ).fetchall()
        return [_article(row) for row in rows]

    def thread(self, article: Article) -> list[Article]:
        """The article's ancestors, oldest first, then the article itself."""
        chain = [article]
        seen = {article.id}
        while chain[0].parent_id is not None and chain[0].parent_id not in seen:
            parent = self.get(chain[0].parent_id)
            seen.add(parent.id)
            chain.insert(0, parent)
        return chain

    def listing(
        self,
        *,
        state: str | None = None,
        query: str = "",
        new_evidence: bool | None = None,
        limit: int = 20,
    ) -> list[Article]:
        """Articles, newest change first, filtered by state, flag and words of the question."""
        clauses: list[str] = []
        params: list[object] = []
        if state is not None:
            if state not in STATES:
                raise ConfigError(f"unknown state {state!r}; expected one of: {', '.join(STATES)}")
            clauses.append("state = ?")
            params.append(state)
        if new_evidence is not None:
            clauses.append("new_evidence = ?")
            params.append(int(new_evidence))
        for word in re.findall(r"\w+", query.casefold())[:8]:
            clauses.append("question_key LIKE ? ESCAPE '\\'")
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.append(f"%{escaped}%")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles {where} "
            "ORDER BY updated_at DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [_article(row) for row in rows]

    def embeddings(self) -> list[tuple[int, bytes]]:
        rows = self.conn.execute(
            "SELECT id, embedding FROM articles WHERE embedding IS NOT NULL"
        ).fetchall()
        return [(int(row[0]), bytes(row[1])) for row in rows]

    def set_state(
        self, article: Article, to_state: str, *, actor: str, comment: str, expected: str
    ) -> Article:
        """Move the article to `to_state` if it is still in `expected` (no lost update when
        two reviewers act at once), and record the audit event."""
        now = utc_now()
        with self.transaction() as conn:
            changed = conn.execute(
                "UPDATE articles SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                (to_state, now, article.id, expected),
            ).rowcount
            if not changed:
                raise Conflict(
                    f"the article changed meanwhile (now {self.get(article.id).state}); reload"
                )
            self._event(conn, article.id, actor, "transition", expected, to_state, comment)
        return self.get(article.id)

    def flag_new_evidence(self, article: Article, documents: list[str]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE articles SET new_evidence = 1, updated_at = ? WHERE id = ?",
                (utc_now(), article.id),
            )
            comment = "newly ingested sources now rank in its evidence: " + ", ".join(documents)
            self._event(conn, article.id, "medoracle", "new_evidence", None, None, comment)

    # ------------------------------------------------------------------ annotations, events

    def annotate(self, article: Article, user: User, key: str, kind: str, body: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO annotations (article_id, statement_key, kind, body, user_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (article.id, key, kind, body, user.id, utc_now()),
            )
            conn.execute("UPDATE articles SET updated_at = ? WHERE id = ?", (utc_now(), article.id))
            comment = f"statement {key}" + (f": {body}" if body else "")
            self._event(conn, article.id, user.username, kind, None, None, comment)

    def annotations(self, article_id: int) -> list[Annotation]:
        rows = self.conn.execute(
            "SELECT a.id, a.statement_key, a.kind, a.body, u.username, a.created_at "
            "FROM annotations a JOIN users u ON u.id = a.user_id "
            "WHERE a.article_id = ? ORDER BY a.id",
            (article_id,),
        ).fetchall()
        return [Annotation(*row) for row in rows]

    def events(self, article_id: int) -> list[Event]:
        rows = self.conn.execute(
            "SELECT id, at, actor, kind, from_state, to_state, comment FROM events "
            "WHERE article_id = ? ORDER BY id",
            (article_id,),
        ).fetchall()
        return [Event(*row) for row in rows]

    def generation(self) -> int:
        """The newest audit event's id plus the newest version's rowid: every commit that
        changes a page adds one or the other (a first version adds no event)."""
        row = self.conn.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM events), "
            "(SELECT coalesce(max(rowid), 0) FROM versions)"
        ).fetchone()
        return int(row[0]) + int(row[1])

    @staticmethod
    def _event(
        conn: sqlite3.Connection,
        article_id: int,
        actor: str,
        kind: str,
        from_state: str | None,
        to_state: str | None,
        comment: str,
    ) -> None:
        conn.execute(
            "INSERT INTO events (article_id, at, actor, kind, from_state, to_state, comment) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (article_id, utc_now(), actor, kind, from_state, to_state, comment),
        )

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
        yesterday = _shifted(now, -86_400)
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
                (username, failures, now, _shifted(now, seconds) if seconds else None),
            )
        return failures

    def clear_failures(self, username: str) -> None:
        self.conn.execute("DELETE FROM sign_in_failures WHERE username = ?", (username,))

    def end_session(self, token_hash: str) -> None:
        self.conn.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def purge_sessions(self, now: str) -> None:
        self.conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
