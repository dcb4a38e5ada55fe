"""Re-ranking fused candidates with features that matter in medicine.

Each feature is a small pure function scaled to [0, 1]; the final score is their weighted
sum with weights from `RetrievalSettings` (tuned on dev splits only). The features follow
the evidence-based-medicine habit of weighing relevance to the patient question (PICO:
Richardson et al. 1995, ACP J Club 123:A12) together with the level and age of the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "Candidate",
    "Weights",
    "coverage",
    "kind_prior",
    "level_score",
    "recency",
    "score",
]

# How much a passage's role makes it an answer rather than context.
_KIND_PRIOR: Mapping[str, float] = {
    "recommendation": 1.0,
    "conclusion": 1.0,
    "answer": 0.9,
    "plain_summary": 0.8,
    "snippet": 0.8,
    "result": 0.7,
    "field": 0.5,
    "other": 0.4,
    "background": 0.3,
    "method": 0.1,
    "definition": 0.0,
}


@dataclass(frozen=True)
class Candidate:
    """What the re-ranker knows of one fused candidate passage."""

    pid: int
    doc_id: str
    kind: str
    level: int
    year: int | None
    status: str
    audience: str
    fused: float  # RRF score, normalised to the best candidate (1.0)
    text_tokens: frozenset[str]
    title_tokens: frozenset[str]


@dataclass(frozen=True)
class Weights:
    fused: float
    match: float
    title: float
    level: float
    recency: float
    kind: float
    audience: float


def coverage(wanted: Mapping[str, float], found: frozenset[str]) -> float:
    """IDF-weighted share of the wanted tokens that `found` contains."""
    total = sum(wanted.values())
    if total <= 0:
        return 0.0
    return sum(weight for token, weight in wanted.items() if token in found) / total


def level_score(level: int) -> float:
    """Level 1 (guideline) -> 1.0 down to level 7 (patient information) -> 0.0."""
    return (7 - min(max(level, 1), 7)) / 6


def recency(year: int | None, now: int, half_life: float = 10.0) -> float:
    """Exponential decay with a 10-year half-life; an unknown year counts as middling."""
    if year is None or year <= 0:
        return 0.5
    return math.pow(0.5, max(now - year, 0) / half_life)


def kind_prior(kind: str) -> float:
    return _KIND_PRIOR.get(kind, 0.4)


def score(
    candidate: Candidate,
    query_tokens: Mapping[str, float],
    title_idf: Mapping[str, float],
    weights: Weights,
    *,
    audience: str | None,
    now: int,
) -> tuple[float, dict[str, float]]:
    """The weighted sum and its parts; a source that is not current sinks to the bottom.

    `query_tokens` maps the question's tokens to their IDF; `title_idf` maps the candidate
    title's tokens to theirs, so that "title" measures how much of what the source is about
    the question asks for (the question-entailment idea of Ben Abacha & Demner-Fushman 2019).
    """
    features = {
        "fused": candidate.fused,
        "match": coverage(query_tokens, candidate.text_tokens | candidate.title_tokens),
        "title": coverage(title_idf, frozenset(query_tokens)),
        "level": level_score(candidate.level),
        "recency": recency(candidate.year, now),
        "kind": kind_prior(candidate.kind),
        "audience": 1.0 if audience is None or candidate.audience == audience else 0.0,
    }
    total = sum(getattr(weights, name) * value for name, value in features.items())
    if candidate.status != "current":
        total -= 10.0
    return total, features
