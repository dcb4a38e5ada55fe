"""Passages joined with their document's fields: what search, the lexical index and the
dense index read from the library.

`LibraryFeeds` extends `medoracle.corpus.reads.LibraryReads`; `Library` inherits both.
Search reads its candidates and applies filters in one query per call (`candidate_rows`,
`pids_passing`); the index feeds read long lists of keys in chunks, under SQLite's limit on
bound parameters, and stream the rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from medoracle.corpus.reads import LibraryReads, marks

__all__ = ["LibraryFeeds"]

_CHUNK = 900  # keys per IN (...) list when feeding the indexes
_CANDIDATE_ROWS = """
SELECT p.pid, p.doc_id, p.seq, p.section, p.kind, p.text, p.grade, p.audience,
       d.title, d.evidence_level, d.year, d.status, d.pmid
FROM passages p JOIN documents d ON d.id = p.doc_id
WHERE p.pid IN ({marks})
"""
_INDEX_PASSAGE_ROWS = """
SELECT p.pid, p.doc_id, p.section, p.kind, p.text, p.audience, d.title, d.pub_type, d.corpus,
       d.year, d.status, d.evidence_level, d.mesh
FROM passages p JOIN documents d ON d.id = p.doc_id
 WHERE p.pid IN ({marks})"""
# One row per document: its first passage stands for it; its text is all passages in order.
_INDEX_DOCUMENT_ROWS = """
SELECT min(p.pid) AS pid, p.doc_id, '' AS section, 'document' AS kind,
       substr(group_concat(p.text, ' '), 1, {limit}) AS text, d.audience, d.title, d.pub_type,
       d.corpus, d.year, d.status, d.evidence_level, d.mesh
FROM passages p JOIN documents d ON d.id = p.doc_id
WHERE p.doc_id IN ({marks})
GROUP BY p.doc_id
"""


class LibraryFeeds(LibraryReads):
    """Joined passage and document rows for search and the indexes."""

    def candidate_rows(self, pids: Sequence[int]) -> list[sqlite3.Row]:
        """What re-ranking reads of each search candidate, in one query."""
        if not pids:
            return []
        with self._guard():
            sql = _CANDIDATE_ROWS.format(marks=marks(pids))
            return self.conn.execute(sql, list(pids)).fetchall()

    def pids_passing(
        self,
        pids: Sequence[int],
        *,
        pub_types: Sequence[str] | None = None,
        corpora: Sequence[str] | None = None,
        audience: str | None = None,
        current_only: bool = False,
        year_from: int | None = None,
        year_to: int | None = None,
    ) -> set[int]:
        """The pids among `pids` whose passage and document pass every restriction given."""
        clauses: list[str] = []
        params: list[str] = []
        if pub_types:
            clauses.append(f"d.pub_type IN ({marks(pub_types)})")
            params.extend(pub_types)
        if corpora:
            clauses.append(f"d.corpus IN ({marks(corpora)})")
            params.extend(corpora)
        if audience:
            clauses.append("p.audience = ?")
            params.append(audience)
        if current_only:
            clauses.append("d.status = 'current'")
        if year_from is not None:
            clauses.append("d.year >= ?")
            params.append(str(year_from))
        if year_to is not None:
            clauses.append("d.year <= ?")
            params.append(str(year_to))
        where = " AND ".join([f"p.pid IN ({marks(pids)})", *clauses])
        sql = f"SELECT p.pid FROM passages p JOIN documents d ON d.id = p.doc_id WHERE {where}"
        with self._guard():
            return {row[0] for row in self.conn.execute(sql, [*pids, *params])}

    def index_passage_rows(self, pids: Sequence[int]) -> Iterator[sqlite3.Row]:
        """Each passage of `pids` with the document fields the lexical index stores."""
        return self._chunked(_INDEX_PASSAGE_ROWS, pids)

    def index_document_rows(self, doc_ids: Sequence[str], max_chars: int) -> Iterator[sqlite3.Row]:
        """One row per document of `doc_ids`: its first pid, its passages' text joined in
        order and cut at `max_chars`, and the fields the lexical index stores."""
        return self._chunked(_INDEX_DOCUMENT_ROWS.replace("{limit}", str(max_chars)), doc_ids)

    def _chunked(self, sql: str, keys: Sequence[int | str]) -> Iterator[sqlite3.Row]:
        with self._guard():
            for start in range(0, len(keys), _CHUNK):
                chunk = list(keys[start : start + _CHUNK])
                yield from self.conn.execute(sql.replace("{marks}", marks(chunk)), chunk)

    def titled_passages(self, pids: Sequence[int]) -> list[sqlite3.Row]:
        """`pid, section, text, title` of each passage of `pids` that exists, by pid."""
        if not pids:
            return []
        with self._guard():
            return self.conn.execute(
                "SELECT p.pid, p.section, p.text, d.title FROM passages p "
                "JOIN documents d ON d.id = p.doc_id "
                f"WHERE p.pid IN ({marks(pids)}) ORDER BY p.pid",
                list(pids),
            ).fetchall()

    def titled_passages_by_id_prefix(self, prefix: str) -> list[sqlite3.Row]:
        """`section, text, title, id` of every passage whose document id starts with
        `prefix` (e.g. "bioasq:"), by pid."""
        with self._guard():
            return self.conn.execute(
                "SELECT p.section, p.text, d.title, d.id FROM passages p "
                "JOIN documents d ON d.id = p.doc_id WHERE d.id LIKE ? ORDER BY p.pid",
                (f"{prefix}%",),
            ).fetchall()
