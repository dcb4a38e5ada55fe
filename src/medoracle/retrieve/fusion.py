"""Rank fusion: combine ranked lists from different retrievers into one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["rrf"]

K = TypeVar("K", bound=Hashable)


def rrf(
    rankings: Sequence[Sequence[K]], k: int = 60, weights: Sequence[float] | None = None
) -> list[tuple[K, float]]:
    """Reciprocal rank fusion: score(d) = sum over lists of w / (k + rank(d)), rank from 1.

    Cormack, Clarke & Büttcher 2009, "Reciprocal Rank Fusion outperforms Condorcet and
    individual Rank Learning Methods", SIGIR '09 (k = 60). Ties keep first-seen order.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if weights is not None and len(weights) != len(rankings):
        raise ValueError("weights must match rankings one for one")
    scores: dict[K, float] = {}
    for position, ranking in enumerate(rankings):
        weight = 1.0 if weights is None else weights[position]
        seen: set[K] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:  # a list that repeats a key counts it once, at its best rank
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
