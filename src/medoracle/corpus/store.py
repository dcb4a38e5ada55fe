"""The evidence library: one SQLite file of documents and passages.

Writes go through `write_batch`, one transaction per batch, so a kill at any moment leaves
whole documents only: a document row and its passages commit together or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from medoracle.corpus.models import Document, Identifiers, LoadedDocument, Passage
from medoracle.corpus.schema import connect, utc_now
from medoracle.errors import LibraryCorruptError, LibraryError

__all__ = ["BatchResult", "Library", "document_from_row"]

_DOC_COLUMNS = (
    "id, corpus, title, source, authors, date, year, pmid, pmcid, doi, guideline_id, url, "
    "pub_type, evidence_level, evidence_label, status, status_note, audience, licence, mesh, "
    "extra, n_passages, content_hash, ingest_run, added_at, updated_at"
)


class BatchResult(NamedTuple):
    added: int
    updated: int
    unchanged: int


class Library:
    """A handle on the library file. Open with `Library.open(path, create=...)`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Library:
        return cls(path, connect(path, create=create))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn SQLite's damage reports into one-line library errors."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise LibraryError(f"{self.path}: library is busy ({exc})") from None
            raise LibraryCorruptError(f"{self.path}: library is damaged ({exc})") from None

    # -- writing -----------------------------------------------------------------------

    def start_run(self, command: str, sources: Sequence[str]) -> int:
        with self._guard():
            # The caller holds the writer lock, so a run still marked running was killed.
            self.conn.execute(
                "UPDATE ingest_runs SET outcome = 'abandoned' WHERE outcome = 'running'"
            )
            cursor = self.conn.execute(
                "INSERT INTO ingest_runs (started_at, command, sources) VALUES (?, ?, ?)",
                (utc_now(), command, json.dumps(list(sources))),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(self, run_id: int, outcome: str, totals: dict[str, Any]) -> None:
        with self._guard():
            self.conn.execute(
                "UPDATE ingest_runs SET finished_at = ?, outcome = ?, added = ?, updated = ?, "
                "unchanged = ?, skipped = ?, skipped_reasons = ?, seconds = ? WHERE id = ?",
                (
                    utc_now(),
                    outcome,
                    totals["added"],
                    totals["updated"],
                    totals["unchanged"],
                    totals["skipped"],
                    json.dumps(totals["skipped_reasons"]),
                    totals["seconds"],
                    run_id,
                ),
            )

    def known_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        with self._guard():
            marks = ",".join("?" * len(ids))
            rows = self.conn.execute(
                f"SELECT id, content_hash FROM documents WHERE id IN ({marks})", ids
            ).fetchall()
        return {row["id"]: row["content_hash"] for row in rows}

    def write_batch(self, batch: Sequence[LoadedDocument], run_id: int) -> BatchResult:
        """Insert new documents, replace changed ones, skip identical ones: one transaction."""
        hashes = [item.content_hash() for item in batch]
        known = self.known_hashes([item.document.id for item in batch])
        added = updated = 0
        now = utc_now()
        with self._guard(), self._transaction():
            for item, digest in zip(batch, hashes, strict=True):
                previous = known.get(item.document.id)
                if previous == digest:
                    continue
                if previous is None:
                    added += 1
                else:
                    updated += 1
                    self.conn.execute("DELETE FROM documents WHERE id = ?", (item.document.id,))
                self._insert(item, digest, run_id, now)
        return BatchResult(added, updated, len(batch) - added - updated)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _insert(self, item: LoadedDocument, digest: str, run_id: int, now: str) -> None:
        doc = item.document
        ids = doc.identifiers
        self.conn.execute(
            f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES ({','.join('?' * 26)})",
            (
                doc.id, doc.corpus, doc.title, doc.source, json.dumps(doc.authors), doc.date,
                doc.year, ids.pmid, ids.pmcid, ids.doi, ids.guideline_id, ids.url,
                doc.pub_type.value, doc.evidence_level, doc.evidence_label, doc.status.value,
                doc.status_note, doc.audience.value, doc.licence, json.dumps(doc.mesh),
                json.dumps(doc.extra), len(item.passages), digest, run_id, now, now,
            ),
        )  # fmt: skip
        self.conn.executemany(
            "INSERT INTO passages (doc_id, seq, section, kind, text, sentences, grade, strength,"
            " audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    p.doc_id, p.seq, p.section, p.kind.value, p.text,
                    json.dumps(p.sentences), p.grade, p.strength, p.audience.value,
                )
                for p in item.passages
            ],
        )  # fmt: skip

    # -- reading -----------------------------------------------------------------------

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

    def document(self, doc_id: str) -> Document | None:
        with self._guard():
            row = self.conn.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
        return None if row is None else document_from_row(row)

    def passages(self, doc_id: str) -> list[Passage]:
        with self._guard():
            rows = self.conn.execute(
                "SELECT * FROM passages WHERE doc_id = ? ORDER BY seq", (doc_id,)
            ).fetchall()
        return [_passage_from_row(row) for row in rows]

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

    def incomplete_documents(self) -> list[str]:
        """Ids whose stored passage count disagrees with their rows; empty when sound."""
        with self._guard():
            rows = self.conn.execute(
                "SELECT d.id FROM documents d LEFT JOIN passages p ON p.doc_id = d.id "
                "GROUP BY d.id HAVING count(p.pid) != d.n_passages"
            ).fetchall()
        return [row[0] for row in rows]


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
