"""Hybrid search: lexical + dense candidates, fused by RRF, re-ranked, one hit per document.

    question -> understand -> BM25 over passages   ┐
              (type,        BM25 over documents  ├> per-document RRF -> re-rank -> hits
               expansions)  dense over passages  ┘

Fusion works on documents, each represented by its best-ranked passage, so that a document
found by several retrievers, or through several of its passages, counts once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from medoracle.corpus.store import Library
from medoracle.index.lexical import Filters, LexicalIndex
from medoracle.query.plan import QueryPlan, simple_plan
from medoracle.retrieve.fusion import rrf
from medoracle.retrieve.rerank import Candidate, Weights, score
from medoracle.settings import RetrievalSettings

__all__ = [
    "MODES",
    "DenseSearch",
    "Hit",
    "Mode",
    "Retriever",
    "SearchResult",
]

Mode = Literal["bm25", "lexical", "dense", "fused", "full"]
MODES: tuple[Mode, ...] = ("bm25", "lexical", "dense", "fused", "full")


class DenseSearch(Protocol):
    def search_text(self, text: str, k: int) -> list[tuple[int, float]]: ...


@dataclass(frozen=True)
class Hit:
    pid: int
    doc_id: str
    seq: int
    section: str
    kind: str
    text: str
    grade: str | None
    title: str
    score: float
    pmid: str | None = None
    features: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchResult:
    plan: QueryPlan
    hits: list[Hit]
    timings_ms: dict[str, float]


class Retriever:
    """Searches one library; build with `medoracle.retrieve.service.open_retriever`."""

    def __init__(
        self,
        library: Library,
        lexical: LexicalIndex,
        documents: LexicalIndex | None,
        settings: RetrievalSettings,
        dense: DenseSearch | None = None,
        planner: Callable[[str], QueryPlan] = simple_plan,
    ) -> None:
        self.library = library
        self.lexical = lexical
        self.documents = documents
        self.dense = dense
        self.settings = settings
        self.planner = planner
        self.weights = Weights(**settings.weights.model_dump())
        self.now = datetime.now(UTC).year

    def search(
        self,
        question: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        audience: str | None = None,
        per_doc: int = 1,
        mode: Mode = "full",
    ) -> SearchResult:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        plan = simple_plan(question) if mode == "bm25" else self.planner(question)
        timings["understand"] = _ms(started)
        if not plan.terms:
            raise ValueError("the question has no searchable words")
        rankings = self._rankings(plan, mode, filters, timings)
        started = time.perf_counter()
        rows = self._rows(list(dict.fromkeys(pid for ranking in rankings for pid in ranking)))
        timings["fetch"] = _ms(started)
        started = time.perf_counter()
        best_passage, doc_rankings = _by_document(rankings, rows)
        fused = rrf(doc_rankings, k=self.settings.rrf_k)[: self.settings.rerank_depth]
        pool = [(best_passage[doc_id], value) for doc_id, value in fused]
        if mode == "full":
            ranked = self._rerank(plan, pool, rows, audience)
        else:
            ranked = [(pid, value, {}) for pid, value in pool]
        hits = _hits(ranked, rows, rankings, k, per_doc)
        timings["rerank"] = _ms(started)
        timings["total"] = round(sum(timings.values()), 3)
        return SearchResult(plan=plan, hits=hits, timings_ms=timings)

    def _rankings(
        self, plan: QueryPlan, mode: Mode, filters: Filters | None, timings: dict[str, float]
    ) -> list[list[int]]:
        """Ranked pid lists: passage BM25, then document BM25, then dense (per mode).
        Passage-level lists come first: they choose each document's representative."""
        rankings: list[list[int]] = []
        lexical_indexes = [] if mode == "dense" else [self.lexical]
        if mode not in ("bm25", "dense") and self.documents is not None:
            lexical_indexes.append(self.documents)
        started = time.perf_counter()
        plain = mode == "bm25"  # the baseline: classic BM25 over title and text
        for index in lexical_indexes:
            found = index.search(
                plan.terms,
                self.settings.lexical_candidates,
                filters,
                title_boost=1.0 if plain else self.settings.title_boost,
                keyword_boost=0.0 if plain else self.settings.keyword_boost,
            )
            rankings.append([pid for pid, _ in found])
        timings["lexical"] = _ms(started)
        if mode in ("dense", "fused", "full") and self.dense is not None:
            started = time.perf_counter()
            found = self.dense.search_text(plan.text, self.settings.dense_candidates)
            if filters is not None:
                allowed = self._allowed([pid for pid, _ in found], filters)
                found = [hit for hit in found if hit[0] in allowed]
            rankings.insert(1, [pid for pid, _ in found])
            timings["dense"] = _ms(started)
        return rankings

    def _allowed(self, pids: Sequence[int], filters: Filters) -> set[int]:
        """The pids among `pids` that pass `filters` (dense search has no filters of its own)."""
        return self.library.pids_passing(
            pids,
            pub_types=filters.pub_types,
            corpora=filters.corpora,
            audience=filters.audience,
            current_only=filters.current_only,
            year_from=filters.year_from,
            year_to=filters.year_to,
        )

    def _rows(self, pids: Sequence[int]) -> dict[int, sqlite3.Row]:
        return {row["pid"]: row for row in self.library.candidate_rows(pids)}

    def _rerank(
        self,
        plan: QueryPlan,
        pool: list[tuple[int, float]],
        rows: dict[int, sqlite3.Row],
        audience: str | None,
    ) -> list[tuple[int, float, dict[str, float]]]:
        query_idf = self.lexical.idf(self.lexical.tokens(plan.text))
        best = pool[0][1] if pool else 1.0
        scored: list[tuple[int, float, dict[str, float]]] = []
        title_cache: dict[str, frozenset[str]] = {}
        for pid, fused in pool:
            row = rows.get(pid)
            if row is None:
                continue
            title = title_cache.setdefault(
                row["title"], frozenset(self.lexical.tokens(row["title"]))
            )
            candidate = Candidate(
                pid=pid, doc_id=row["doc_id"], kind=row["kind"], level=row["evidence_level"],
                year=row["year"], status=row["status"], audience=row["audience"],
                fused=fused / best, text_tokens=frozenset(self.lexical.tokens(row["text"])),
                title_tokens=title,
            )  # fmt: skip
            title_idf = self.lexical.idf(title)
            total, features = score(
                candidate, query_idf, title_idf, self.weights, audience=audience, now=self.now
            )
            scored.append((pid, total, features))
        scored.sort(key=lambda item: -item[1])
        return scored


def _by_document(
    rankings: list[list[int]], rows: dict[int, sqlite3.Row]
) -> tuple[dict[str, int], list[list[str]]]:
    """Each ranking as documents in order; each document's representative passage is its
    best-ranked passage in the earliest list that has one."""
    best: dict[str, tuple[int, int]] = {}  # doc -> (rank, pid)
    doc_rankings: list[list[str]] = []
    for ranking in rankings:
        docs: list[str] = []
        for rank, pid in enumerate(ranking):
            row = rows.get(pid)
            if row is None:
                continue
            doc_id = row["doc_id"]
            if doc_id not in best:
                best[doc_id] = (rank, pid)
            docs.append(doc_id)
        doc_rankings.append(list(dict.fromkeys(docs)))
    return {doc_id: pid for doc_id, (_, pid) in best.items()}, doc_rankings


def _hits(
    ranked: list[tuple[int, float, dict[str, float]]],
    rows: dict[int, sqlite3.Row],
    rankings: list[list[int]],
    k: int,
    per_doc: int,
) -> list[Hit]:
    """The top `k` documents, each with up to `per_doc` of its candidate passages."""
    extra: dict[str, list[int]] = {}
    if per_doc > 1:
        for ranking in rankings:
            for pid in ranking:
                row = rows.get(pid)
                if row is not None and pid not in extra.setdefault(row["doc_id"], []):
                    extra[row["doc_id"]].append(pid)
    hits: list[Hit] = []
    for pid, value, features in ranked[:k]:
        doc_id = rows[pid]["doc_id"]
        others = [p for p in extra.get(doc_id, []) if p != pid][: per_doc - 1]
        for member in (pid, *others):
            row = rows[member]
            hits.append(
                Hit(
                    pid=member,
                    doc_id=doc_id,
                    seq=row["seq"],
                    section=row["section"],
                    kind=row["kind"],
                    text=row["text"],
                    grade=row["grade"],
                    title=row["title"],
                    score=value,
                    pmid=row["pmid"],
                    features=features,
                )
            )
    return hits


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
