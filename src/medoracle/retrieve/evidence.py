"""Evidence for one question: retrieval gathers it, numbers it and hands it to a composer.

    analysis -> searches: the question; guidelines and reviews only; the focus by name;
                patient information (for patients and consumer wording)
             -> documents, numbered by rank, each with how squarely it is about the focus
             -> the answer-bearing passages of those documents, split into sentences

This is the seam between finding and writing: a composer (the extractive one, or a language
model behind the same interface) receives an `Evidence` and may only cite its numbers; it
never searches and never reads the library itself.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from medoracle.corpus.models import Document, PubType
from medoracle.index.lexical import Filters
from medoracle.query.analysis import QuestionAnalysis
from medoracle.query.focus import names_in
from medoracle.retrieve.labels import prefer_label_sections
from medoracle.retrieve.search import Hit, Mode, Retriever

__all__ = [
    "ANSWER_KINDS",
    "HIGH_LEVEL_TYPES",
    "Evidence",
    "EvidenceDocument",
    "EvidenceSentence",
    "gather",
]

HIGH_LEVEL_TYPES = (
    PubType.GUIDELINE.value,
    PubType.SYSTEMATIC_REVIEW.value,
    PubType.META_ANALYSIS.value,
)
# Passage kinds that can hold an answer. Guideline "fields" hold harms and contraindications.
ANSWER_KINDS = (
    "recommendation",
    "conclusion",
    "plain_summary",
    "answer",
    "result",
    "snippet",
    "background",
    "other",
    "field",
)
_FIELD_SECTIONS = ("Potential Harms", "Contraindications", "FDA Warning/Regulatory Alert")
MAX_PASSAGES_PER_DOCUMENT = 400
_PLACEHOLDER_TITLE = re.compile(r"^PubMed (?:article|abstract) PMID \d+$")
# Documents read from each search; the focus search reaches further down, since a source
# named for the focus is worth reading even when other words rank it lower.
FOCUS_DOCUMENTS = 8


@dataclass(frozen=True)
class EvidenceDocument:
    number: int  # the evidence number a composer cites
    record: Document  # everything a reference shows
    rank: int  # best rank over the searches
    focus: float  # 1: its title or topics name the focus; 0.5: a broader name; else 0
    key: str  # title and topics as a matching key (`names_in`)

    @property
    def doc_id(self) -> str:
        return self.record.id

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def level(self) -> int:
        return self.record.evidence_level

    @property
    def pub_type(self) -> str:
        return self.record.pub_type.value

    @property
    def year(self) -> int | None:
        return self.record.year

    @property
    def titled(self) -> bool:
        """Whether the source has a real title (PubMed snippets and abstracts stored without
        one are titled "PubMed article PMID ...")."""
        return not _PLACEHOLDER_TITLE.match(self.record.title)

    @property
    def current(self) -> bool:
        return self.record.is_current

    @property
    def patient(self) -> bool:
        return self.record.audience.value == "patient"


@dataclass(frozen=True)
class EvidenceSentence:
    document: int  # its document's evidence number
    pid: int
    seq: int
    section: str
    kind: str
    grade: str | None
    audience: str
    quote: str  # exactly as the source has it
    position: int  # sentence index within its passage


@dataclass
class Evidence:
    """Numbered documents and their sentences for one analysed question."""

    analysis: QuestionAnalysis
    documents: list[EvidenceDocument]
    sentences: list[EvidenceSentence]
    passages: dict[int, str]  # pid -> passage text (for context around a sentence)
    query_vector: NDArray[np.float32] | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    def document(self, number: int) -> EvidenceDocument:
        return self.documents[number - 1]


def gather(
    retriever: Retriever,
    analysis: QuestionAnalysis,
    *,
    documents: int = 20,
    patient: bool = False,
    context: str = "",
) -> Evidence:
    """The evidence for `analysis`: numbered documents and every sentence of their
    answer-bearing passages. `context` (a parent question's subject) joins the search."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    query = " ".join(part for part in (analysis.search_text, context) if part)
    hits = _search(retriever, analysis, query, documents, patient or analysis.consumer)
    hits = prefer_label_sections(retriever, analysis, hits)  # drug questions: the label
    timings["search"] = _ms(started)
    started = time.perf_counter()
    numbered = _documents(retriever, analysis, hits)
    sentences, passages = _sentences(retriever, numbered)
    timings["read"] = _ms(started)
    vector_for = getattr(retriever.dense, "query_vector", None)
    vector = vector_for(query) if vector_for is not None else None
    if vector is not None and not vector.any():
        vector = None
    return Evidence(analysis, numbered, sentences, passages, vector, timings)


def _search(
    retriever: Retriever, analysis: QuestionAnalysis, query: str, k: int, patient: bool
) -> list[tuple[int, Hit]]:
    """(rank, hit) per document over the searches, each document once at its best rank.

    The question itself gets the full hybrid search; the narrower searches are lexical
    (BM25 over passages and documents, titles and topics weighed up), which is what finding
    a source by its subject needs, at a fraction of the cost."""
    best: dict[str, tuple[int, Hit]] = {}
    audience = "patient" if patient else None

    def run(text: str, filters: Filters | None, limit: int, mode: Mode) -> None:
        try:
            hits = retriever.search(
                text, k=limit, filters=filters, audience=audience, mode=mode
            ).hits
        except ValueError:  # nothing searchable in this text
            return
        for rank, hit in enumerate(hits):
            if hit.doc_id not in best or rank < best[hit.doc_id][0]:
                best[hit.doc_id] = (rank, hit)

    run(query, None, k, "full")
    run(query, Filters(pub_types=HIGH_LEVEL_TYPES), max(4, k // 3), "lexical")
    main = analysis.main
    if main is not None and main.kind != "term":
        focus_query = " ".join([main.names[0], *(d.names[0] for d in analysis.drugs[:2])])
        run(focus_query, Filters(pub_types=HIGH_LEVEL_TYPES), FOCUS_DOCUMENTS, "lexical")
        run(focus_query, None, FOCUS_DOCUMENTS, "lexical")
    if patient:
        run(query, Filters(audience="patient"), max(4, k // 2), "lexical")
    return sorted(best.values(), key=lambda item: item[0])


def _documents(
    retriever: Retriever, analysis: QuestionAnalysis, hits: Sequence[tuple[int, Hit]]
) -> list[EvidenceDocument]:
    ids = [hit.doc_id for _, hit in hits]
    if not ids:
        return []
    records = retriever.library.documents(ids)
    numbered: list[EvidenceDocument] = []
    for rank, hit in hits:
        record = records.get(hit.doc_id)
        if record is None:
            continue
        key = names_in(" ; ".join([record.title, *record.mesh]))
        numbered.append(
            EvidenceDocument(len(numbered) + 1, record, rank, _focus_match(analysis, key), key)
        )
    return numbered


def _focus_match(analysis: QuestionAnalysis, key: str) -> float:
    main = analysis.main
    if main is None:
        return 0.0
    if main.named_in(key):
        return 1.0
    if main.broadly_named_in(key):
        return 0.5
    return 0.0


def _sentences(
    retriever: Retriever, documents: list[EvidenceDocument]
) -> tuple[list[EvidenceSentence], dict[int, str]]:
    if not documents:
        return [], {}
    number = {d.doc_id: d.number for d in documents}
    rows = retriever.library.passage_rows(list(number), ANSWER_KINDS)
    per_document: dict[str, int] = {}
    sentences: list[EvidenceSentence] = []
    passages: dict[int, str] = {}
    for row in rows:
        if row["kind"] == "field" and not row["section"].startswith(_FIELD_SECTIONS):
            continue
        seen = per_document.get(row["doc_id"], 0)
        if seen >= MAX_PASSAGES_PER_DOCUMENT:
            continue
        per_document[row["doc_id"]] = seen + 1
        text = row["text"]
        passages[row["pid"]] = text
        for position, (start, end) in enumerate(json.loads(row["sentences"])):
            sentences.append(
                EvidenceSentence(
                    document=number[row["doc_id"]],
                    pid=row["pid"],
                    seq=row["seq"],
                    section=row["section"],
                    kind=row["kind"],
                    grade=row["grade"],
                    audience=row["audience"],
                    quote=text[start:end],
                    position=position,
                )
            )
    return sentences, passages


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
