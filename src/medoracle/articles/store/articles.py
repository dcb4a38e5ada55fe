"""Articles of `site.sqlite`: questions, their versions and audience renditions, their review
state and new-evidence flag, and the question embeddings related questions are found by."""

from __future__ import annotations

import json
import re
import sqlite3

from medoracle.articles.events import Created, Moved, NewEvidence, Regenerated
from medoracle.articles.records import Article, Version
from medoracle.articles.slugs import follow_up_slug, question_key, slugify
from medoracle.articles.store.audit import AuditStore
from medoracle.articles.workflow import STATES, ReviewState
from medoracle.corpus.schema import utc_now
from medoracle.errors import ConfigError, Conflict, LibraryError

__all__ = ["ArticleStore"]

_COLUMNS = (
    "id, slug, question, parent_id, context, state, current_version, new_evidence, "
    "created_at, updated_at"
)


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


class ArticleStore(AuditStore):
    def find(self, slug: str) -> Article | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE slug = ?", (slug,)
        ).fetchone()
        return _article(row) if row else None

    def get(self, article_id: int) -> Article:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise LibraryError(f"article {article_id} not found")
        return _article(row)

    def by_question(self, question: str, parent: Article | None = None) -> Article | None:
        """The article for `question` asked on its own, or as a follow-up of `parent`: a
        follow-up is its parent plus its question (the same words after another article
        are another article)."""
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM articles "
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
            self._record(conn, article_id, Created(actor))
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
        move: Moved | None = None,
    ) -> int:
        """Store a new composition as the article's current version, with the audience
        pages already composed (`audience -> Answer JSON`). `move` is the state change that
        comes with it, in the same transaction, so no reader ever sees the new text under
        the old state; Conflict if the article has left `move.from_state` meanwhile."""
        now = utc_now()
        with self.transaction() as conn:
            if move is not None:
                changed = conn.execute(
                    "UPDATE articles SET state = ? WHERE id = ? AND state = ?",
                    (move.to_state, article.id, move.from_state),
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
                self._record(conn, article.id, Regenerated(actor, reason))
            if move is not None:
                self._record(conn, article.id, move)
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
            f"SELECT {_COLUMNS} FROM articles WHERE parent_id = ? ORDER BY id",
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
            f"SELECT {_COLUMNS} FROM articles {where} ORDER BY updated_at DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [_article(row) for row in rows]

    def embeddings(self) -> list[tuple[int, bytes]]:
        rows = self.conn.execute(
            "SELECT id, embedding FROM articles WHERE embedding IS NOT NULL ORDER BY id"
        ).fetchall()
        return [(int(row[0]), bytes(row[1])) for row in rows]

    def embeddings_stamp(self) -> int:
        """Changes whenever an article joins the related-questions pool."""
        count, top = self.conn.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM articles WHERE embedding IS NOT NULL"
        ).fetchone()
        return int(count) * 1_000_003 + int(top)

    def set_state(self, article: Article, move: Moved) -> Article:
        """Make `move` if the article is still in `move.from_state` (no lost update when two
        reviewers act at once), and record it in the audit trail."""
        with self.transaction() as conn:
            changed = conn.execute(
                "UPDATE articles SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                (move.to_state, utc_now(), article.id, move.from_state),
            ).rowcount
            if not changed:
                raise Conflict(
                    f"the article changed meanwhile (now {self.get(article.id).state}); reload"
                )
            self._record(conn, article.id, move)
        return self.get(article.id)

    def flag_new_evidence(self, article: Article, documents: list[str]) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE articles SET new_evidence = 1, updated_at = ? WHERE id = ?",
                (utc_now(), article.id),
            )
            self._record(conn, article.id, NewEvidence(tuple(documents)))
