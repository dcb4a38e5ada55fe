"""The review record of `site.sqlite`: the audit trail and the reviewers' statement marks."""

from __future__ import annotations

from medoracle.articles.events import Event, Marked
from medoracle.articles.records import Annotation, Article, User
from medoracle.articles.store.base import Database
from medoracle.corpus.schema import utc_now

__all__ = ["AuditStore"]


class AuditStore(Database):
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

    def annotate(self, article: Article, user: User, mark: Marked) -> None:
        """Keep a strike or note on one statement, with its audit event."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO annotations (article_id, statement_key, kind, body, user_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (article.id, mark.statement, mark.kind, mark.body, user.id, utc_now()),
            )
            conn.execute("UPDATE articles SET updated_at = ? WHERE id = ?", (utc_now(), article.id))
            self._record(conn, article.id, mark)

    def annotations(self, article_id: int) -> list[Annotation]:
        rows = self.conn.execute(
            "SELECT a.id, a.statement_key, a.kind, a.body, u.username, a.created_at "
            "FROM annotations a JOIN users u ON u.id = a.user_id "
            "WHERE a.article_id = ? ORDER BY a.id",
            (article_id,),
        ).fetchall()
        return [Annotation(*row) for row in rows]
