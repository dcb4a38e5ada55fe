"""The lexical index: BM25 over passages on tantivy, kept in step with the library.

tantivy scores with BM25 (Robertson & Zaragoza 2009, "The Probabilistic Relevance
Framework: BM25 and Beyond", k1 = 1.2, b = 0.75). Text is lower-cased, English stop words
are dropped and words are Porter/Snowball-stemmed, so "treated" finds "treatment".
One tantivy document per passage carries the document's title and the filter fields.

The index's own files are tantivy's segments and `state.json`; its rows come from the
library through `Library.index_passage_rows` and `Library.index_document_rows`, so no SQL
runs here.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from medoracle.corpus.ingest import Reporter
from medoracle.corpus.store import Library

__all__ = ["Filters", "LexicalIndex", "analyzer"]

ANALYZER = "medical_en"
_STATE = "state.json"
_FORMAT = 3  # bump when the schema below changes: the index is then rebuilt
_DOC_TEXT_CHARS = 30_000  # a document entry holds at most this much of its text
_COMMIT_EVERY = 50_000


def analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stopword("english"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("pid", stored=True, indexed=True, fast=True)
    builder.add_text_field("doc_id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", tokenizer_name=ANALYZER)
    builder.add_text_field("keywords", tokenizer_name=ANALYZER)  # MeSH headings, topics
    builder.add_text_field("text", tokenizer_name=ANALYZER)
    builder.add_text_field("section", tokenizer_name=ANALYZER)
    for name in ("kind", "audience", "pub_type", "corpus", "status"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("year", indexed=True, fast=True)
    builder.add_unsigned_field("level", indexed=True, fast=True)
    return builder.build()


@dataclass(frozen=True)
class Filters:
    """Restrictions every hit must satisfy; None means no restriction."""

    pub_types: tuple[str, ...] | None = None
    audience: str | None = None
    corpora: tuple[str, ...] | None = None
    year_from: int | None = None
    year_to: int | None = None
    current_only: bool = False


class LexicalIndex:
    """A tantivy index in `directory`, with the change-log cursor it has applied.

    `granularity` "passage" indexes each passage; "document" indexes each document's whole
    text under its first passage's pid, which finds short abstracts and snippet sets whose
    matching words are spread over several passages.
    """

    def __init__(self, directory: Path, granularity: str = "passage") -> None:
        if granularity not in ("passage", "document"):
            raise ValueError(f"granularity must be passage or document, not {granularity!r}")
        self.granularity = granularity
        self.directory = directory
        self.index = self._open(directory)
        self.schema = self.index.schema
        self.analyzer = analyzer()

    @staticmethod
    def _open(directory: Path) -> tantivy.Index:
        state = _read_state(directory)
        if state is None or state.get("format") != _FORMAT:
            shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(_schema(), path=str(directory), reuse=True)
        except ValueError:  # unreadable segments: start again, the library has everything
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            index = tantivy.Index(_schema(), path=str(directory), reuse=False)
        index.register_tokenizer(ANALYZER, analyzer())
        return index

    @property
    def cursor(self) -> int:
        state = _read_state(self.directory)
        return int(state["cursor"]) if state else 0

    def update(self, library: Library, reporter: Reporter | None = None) -> dict[str, int]:
        """Apply the library's passage changes since this index's cursor.

        Changes are applied in chunks, each committed with its cursor, so an interrupted
        update resumes from the last committed chunk.
        """
        fresh = self.cursor == 0
        changes = library.document_changes_since(self.cursor)
        totals = {"added": 0, "deleted": 0, "cursor": self.cursor}
        if not changes:
            return totals
        if reporter:
            reporter.begin(f"lexical index ({self.granularity})")
        writer = self.index.writer(heap_size=128_000_000, num_threads=2)
        for start in range(0, len(changes), _COMMIT_EVERY):
            chunk = changes[start : start + _COMMIT_EVERY]
            if self.granularity == "passage":
                added, deleted = self._apply_passages(library, writer, chunk, fresh)
            else:
                added, deleted = self._apply_documents(library, writer, chunk, fresh)
            writer.commit()
            totals["added"] += added
            totals["deleted"] += deleted
            totals["cursor"] = chunk[-1][0]
            _write_state(self.directory, {"format": _FORMAT, "cursor": totals["cursor"]})
            fresh = False
            if reporter:
                reporter.advance(added, 0)
        writer.wait_merging_threads()
        self.index.reload()
        if reporter:
            reporter.end()
        return totals

    def _apply_passages(
        self, library: Library, writer: Any, chunk: list[tuple[int, int, str, str]], fresh: bool
    ) -> tuple[int, int]:
        final = {pid: op for _, pid, _, op in chunk}  # deleted then re-added ends as 'add'
        if not fresh:
            for pid in final:  # an 'add' may replace an older row with the same pid
                # By query: tantivy-py's delete_documents_by_term deletes nothing on an
                # unsigned field, which left replaced passages in the index.
                writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "pid", pid))
        pending = [pid for pid, op in final.items() if op == "add"]
        for row in library.index_passage_rows(pending):
            writer.add_document(self._document(row))
        return len(pending), len(final) - len(pending)

    def _apply_documents(
        self, library: Library, writer: Any, chunk: list[tuple[int, int, str, str]], fresh: bool
    ) -> tuple[int, int]:
        touched = list(dict.fromkeys(doc_id for _, _, doc_id, _ in chunk))
        if not fresh:
            for doc_id in touched:
                writer.delete_documents_by_term("doc_id", doc_id)
        added = 0
        for row in library.index_document_rows(touched, _DOC_TEXT_CHARS):
            writer.add_document(self._document(row))
            added += 1
        return added, len(touched) - added

    def _document(self, row: sqlite3.Row) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("pid", row["pid"])
        doc.add_text("doc_id", row["doc_id"])
        for field in ("title", "text", "section", "kind", "audience", "pub_type", "corpus"):
            doc.add_text(field, row[field])
        doc.add_text("status", row["status"])
        doc.add_text("keywords", " ; ".join(json.loads(row["mesh"])))
        doc.add_integer("year", row["year"] or 0)
        doc.add_unsigned("level", row["evidence_level"])
        return doc

    def search(
        self,
        terms: Sequence[tuple[str, float]],
        k: int,
        filters: Filters | None = None,
        title_boost: float = 2.0,
        keyword_boost: float = 1.0,
    ) -> list[tuple[int, float]]:
        """`(pid, score)` for weighted query terms (already split into words)."""
        boosts = (("text", 1.0), ("title", title_boost), ("keywords", keyword_boost))
        query = self._query(terms, boosts, filters or Filters())
        if query is None:
            return []
        searcher = self.index.searcher()
        hits = searcher.search(query, limit=k, count=False).hits
        return [(int(searcher.doc(addr)["pid"][0]), float(score)) for score, addr in hits]

    def _query(
        self,
        terms: Sequence[tuple[str, float]],
        boosts: Sequence[tuple[str, float]],
        filters: Filters,
    ) -> tantivy.Query | None:
        should: list[tuple[tantivy.Occur, tantivy.Query]] = []
        seen: set[tuple[str, str]] = set()
        for word, weight in terms:
            for token in self.analyzer.analyze(word):
                for field, boost in boosts:
                    if boost <= 0 or (field, token) in seen:
                        continue
                    seen.add((field, token))
                    term = tantivy.Query.term_query(self.schema, field, token)
                    should.append((tantivy.Occur.Should, _boosted(term, weight * boost)))
        if not should:
            return None
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(should))]
        clauses.extend((tantivy.Occur.Must, q) for q in self._filters(filters))
        return tantivy.Query.boolean_query(clauses)

    def _filters(self, filters: Filters) -> Iterator[tantivy.Query]:
        def any_of(field: str, values: Sequence[str]) -> tantivy.Query:
            return tantivy.Query.term_set_query(self.schema, field, list(values))

        if filters.pub_types:
            yield any_of("pub_type", filters.pub_types)
        if filters.corpora:
            yield any_of("corpus", filters.corpora)
        if filters.audience:
            yield any_of("audience", [filters.audience])
        if filters.current_only:
            yield any_of("status", ["current"])
        if filters.year_from is not None or filters.year_to is not None:
            yield tantivy.Query.range_query(
                self.schema, "year", tantivy.FieldType.Integer, filters.year_from, filters.year_to
            )

    def num_passages(self) -> int:
        return int(self.index.searcher().num_docs)

    def tokens(self, text: str) -> list[str]:
        """`text` as the index sees it: lower-cased, stop words out, stemmed."""
        return list(self.analyzer.analyze(text))

    def idf(self, tokens: Iterable[str]) -> dict[str, float]:
        """BM25's IDF, log(1 + (N - df + 0.5) / (df + 0.5)), for each distinct token."""
        searcher = self.index.searcher()
        total = max(int(searcher.num_docs), 1)
        weights: dict[str, float] = {}
        for token in tokens:
            if token not in weights:
                df = int(searcher.doc_freq("text", token))
                weights[token] = math.log(1 + (total - df + 0.5) / (df + 0.5))
        return weights

    def doc_freq(self, phrase: str) -> int:
        """Passages holding every word of `phrase` (a cheap co-occurrence count)."""
        tokens = self.analyzer.analyze(phrase)
        if not tokens:
            return 0
        musts = [
            (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "text", token))
            for token in tokens
        ]
        result = self.index.searcher().search(tantivy.Query.boolean_query(musts), 1, count=True)
        return int(getattr(result, "count", 0) or 0)  # `count` is missing from the stubs


def _boosted(query: tantivy.Query, weight: float) -> tantivy.Query:
    return query if weight == 1.0 else tantivy.Query.boost_query(query, weight)


def _read_state(directory: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((directory / _STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and "cursor" in state else None


def _write_state(directory: Path, state: dict[str, Any]) -> None:
    temporary = directory / f"{_STATE}.tmp"
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(directory / _STATE)
