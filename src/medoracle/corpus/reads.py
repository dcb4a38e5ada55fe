"""Reading the library: every query the rest of medoracle runs against it.

`Library` (in `medoracle.corpus.store`) inherits these and adds opening and writing, so
no other package holds SQL against the library file. Methods are grouped by what they
answer:

- counts: `stats`, `count_documents`, `incomplete_documents`;
- documents: `document`, `documents`, `topics`, `extras`, `title_mesh_rows`,
  `documents_changed_since`;
- passages: `passages`, `passage_texts`, `passage_rows`;
- the passage change log: `change_cursor`, `changes_since`, `document_changes_since`;
- passages joined with their document's fields, for search, the indexes and the
  embeddings: `medoracle.corpus.feeds.LibraryFeeds`, built on these.

Hot paths (`documents`, `passage_rows`) run one query for a whole list, as their callers
did before they moved here; `passage_rows` hands back `sqlite3.Row`s, since its caller reads
a few columns of many rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medoracle.corpus.models import Document, Identifiers, Passage
from medoracle.errors import LibraryCorruptError, LibraryError

__all__ = ["DOC_COLUMNS", "LibraryReads", "document_from_row", "marks"]

DOC_COLUMNS = (
    "id, corpus, title, source, authors, date, year, pmid, pmcid, doi, guideline_id, url, "
    "pub_type, evidence_level, evidence_label, status, status_note, audience, licence, mesh, "
    "extra, n_passages, content_hash, ingest_run, added_at, updated_at"
)


def marks(keys: Sequence[object]) -> str:
    """One `?` per key, for an `IN (...)` list."""
    return ",".join("?" * len(keys))


class LibraryReads:
    """Read queries over an open library connection."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's damage reports into one-line library errors."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise LibraryError(f"{self.path}: library is busy ({exc})") from None
            raise LibraryCorruptError(f"{self.path}: library is damaged ({exc})") from None

    # -- counts ------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._guard():
            one = self.conn.execute
            return {
                "documents": one("SELECT count(*) FROM documents").fetchone()[0],
                "passages": one("SELECT count(*) FROM passages").fetchone()[0],
                "by_type": self._count_by("pub_type"),
                "by_corpus": self._count_by("corpus"),
                "by_status": self._count_by("status"),
            }

    def _count_by(self, column: str) -> dict[str, int]:
        rows = self.conn.execute(
            f"SELECT {column}, count(*) FROM documents GROUP BY {column} ORDER BY 2 DESC, 1"
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def has_pub_type(self, pub_type: str) -> bool:
        """Whether any document is of `pub_type` (one indexed lookup)."""
        with self._guard():
            row = self.conn.execute(
                "SELECT 1 FROM documents WHERE pub_type = ? LIMIT 1", (pub_type,)
            ).fetchone()
        return row is not None

    def count_documents(self) -> int:
        with self._guard():
            return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def incomplete_documents(self) -> list[str]:
        """Ids whose stored passage count disagrees with their rows; empty when sound."""
        with self._guard():
            rows = self.conn.execute(
                "SELECT d.id FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
                "GROUP BY d.id HAVING count(p.pid) != d.n_passages"
            ).fetchall()
        return [row[0] for row in rows]

    # -- documents ---------------------------------------------------------------------

    def document(self, doc_id: str) -> Document | None:
        with self._guard():
            row = self.conn.execute(
                f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
        return None if row is None else document_from_row(row)

    def documents(self, ids: Sequence[str]) -> dict[str, Document]:
        """The documents among `ids` that exist, by id, in one query."""
        if not ids:
            return {}
        with self._guard():
            rows = self.conn.execute(f"SELECT * FROM documents WHERE id IN ({marks(ids)})", ids)
            return {row["id"]: document_from_row(row) for row in rows}

    def topics(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """The MeSH headings or topics of the documents among `ids` that exist."""
        if not ids:
            return {}
        with self._guard():
            rows = self.conn.execute(
                f"SELECT id, mesh FROM documents WHERE id IN ({marks(ids)})", ids
            ).fetchall()
        return {row[0]: json.loads(row[1]) for row in rows}

    def extras(self, corpus: str) -> dict[str, dict[str, Any]]:
        """Each document of `corpus` with its loader's `extra` fields, by id."""
        with self._guard():
            rows = self.conn.execute(
                "SELECT id, extra FROM documents WHERE corpus = ?", (corpus,)
            ).fetchall()
        return {row[0]: json.loads(row[1]) for row in rows}

    def title_mesh_rows(self) -> Iterator[tuple[str, str]]:
        """`(title, mesh as stored JSON)` of every document, streamed."""
        with self._guard():
            yield from self.conn.execute("SELECT title, mesh FROM documents")

    def documents_changed_since(self, ids: Sequence[str], since: str) -> list[str]:
        """The ids among `ids` added or updated at or after `since` (an ISO UTC time)."""
        with self._guard():
            rows = self.conn.execute(
                f"SELECT id FROM documents WHERE id IN ({marks(ids)}) "
                "AND max(added_at, updated_at) >= ?",
                (*ids, since),
            ).fetchall()
        return [str(row[0]) for row in rows]

    # -- passages ----------------------------------------------------------------------

    def passages(self, doc_id: str) -> list[Passage]:
        with self._guard():
            rows = self.conn.execute(
                "SELECT * FROM passages WHERE doc_id = ? ORDER BY seq", (doc_id,)
            ).fetchall()
        return [_passage_from_row(row) for row in rows]

    def passage_texts(self, doc_id: str) -> list[str]:
        """The text of each passage of `doc_id`, in storage order."""
        with self._guard():
            rows = self.conn.execute("SELECT text FROM passages WHERE doc_id = ?", (doc_id,))
            return [row[0] for row in rows]

    def passage_rows(
        self, doc_ids: Sequence[str], kinds: Sequence[str] | None = None
    ) -> list[sqlite3.Row]:
        """The passages of `doc_ids` (of `kinds` only, when given) with their pid and
        sentence offsets (JSON), ordered by document id, then seq; one query."""
        if not doc_ids:
            return []
        where = f"doc_id IN ({marks(doc_ids)})"
        if kinds is not None:
            where += f" AND kind IN ({marks(kinds)})"
        with self._guard():
            return self.conn.execute(
                f"""SELECT pid, doc_id, seq, section, kind, text, sentences, grade, audience
            FROM passages WHERE {where}
            ORDER BY doc_id, seq""",
                [*doc_ids, *(kinds or ())],
            ).fetchall()

    # -- the passage change log --------------------------------------------------------

    def change_cursor(self) -> int:
        """The newest passage-change sequence number (0 for an empty library)."""
        with self._guard():
            return int(
                self.conn.execute("SELECT coalesce(max(seq), 0) FROM passage_changes").fetchone()[0]
            )

    def changes_since(self, cursor: int) -> list[tuple[int, int, str]]:
        """`(seq, pid, op)` after `cursor`, oldest first; op is 'add' or 'del'."""
        return [(seq, pid, op) for seq, pid, _, op in self.document_changes_since(cursor)]

    def document_changes_since(self, cursor: int) -> list[tuple[int, int, str, str]]:
        """`(seq, pid, doc_id, op)` after `cursor`, oldest first."""
        with self._guard():
            rows = self.conn.execute(
                "SELECT seq, pid, doc_id, op FROM passage_changes WHERE seq > ? ORDER BY seq",
                (cursor,),
            ).fetchall()
        return [(row[0], row[1], row[2], row[3]) for row in rows]


def document_from_row(row: sqlite3.Row) -> Document:
    identifiers = Identifiers(
        pmid=row["pmid"], pmcid=row["pmcid"], doi=row["doi"],
        guideline_id=row["guideline_id"], url=row["url"],
    )  # fmt: skip
    return Document(
        id=row["id"], title=row["title"], source=row["source"],
        authors=json.loads(row["authors"]), date=row["date"], year=row["year"],
        identifiers=identifiers, pub_type=row["pub_type"],
        evidence_level=row["evidence_level"], evidence_label=row["evidence_label"],
        status=row["status"], status_note=row["status_note"], audience=row["audience"],
        licence=row["licence"], corpus=row["corpus"], mesh=json.loads(row["mesh"]),
        extra=json.loads(row["extra"]),
    )  # fmt: skip


def _passage_from_row(row: sqlite3.Row) -> Passage:
    return Passage(
        doc_id=row["doc_id"], seq=row["seq"], section=row["section"], kind=row["kind"],
        text=row["text"], sentences=[tuple(s) for s in json.loads(row["sentences"])],
        grade=row["grade"], strength=row["strength"], audience=row["audience"],
    )  # fmt: skip
