"""The evidence library: one SQLite file of documents and passages.

Writes go through `write_batch`, one transaction per batch, so a kill at any moment leaves
whole documents only: a document row and its passages commit together or not at all.
Reads are `medoracle.corpus.reads` and `medoracle.corpus.feeds`, which `Library`
inherits: every SQL statement against the library lives in `corpus`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from medoracle.corpus.feeds import LibraryFeeds
from medoracle.corpus.models import LoadedDocument
from medoracle.corpus.reads import DOC_COLUMNS, document_from_row
from medoracle.corpus.schema import connect, utc_now

__all__ = ["BatchResult", "Library", "document_from_row"]


class BatchResult(NamedTuple):
    added: int
    updated: int
    unchanged: int


class Library(LibraryFeeds):
    """A handle on the library file. Open with `Library.open(path, create=...)`; the read
    methods are `LibraryReads`' and `LibraryFeeds`'."""

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Library:
        return cls(path, connect(path, create=create))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            f"INSERT INTO documents ({DOC_COLUMNS}) VALUES ({','.join('?' * 26)})",
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
