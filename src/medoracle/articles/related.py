"""Related questions: the nearest other articles by the cosine similarity of their question
embeddings, made by the encoder `web.related_encoder` names."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from medoracle.articles.records import Article
from medoracle.articles.store import SiteStore
from medoracle.embed.encoders import Encoder
from medoracle.settings import Settings

__all__ = ["Related", "RelatedIndex", "related_encoder"]


@dataclass(frozen=True)
class Related:
    article: Article
    similarity: float


def related_encoder(settings: Settings) -> Callable[[], Encoder] | None:
    """How to make the question encoder `settings.web.related_encoder` names; None for
    "none" (no embeddings are stored, so no related questions are listed). MiniLM runs on one
    thread: the composing thread shares the cores with the requests."""
    kind = settings.web.related_encoder
    if kind == "none":
        return None
    if kind == "minilm":

        def minilm() -> Encoder:
            from medoracle.embed.minilm import MiniLMEncoder

            return MiniLMEncoder(threads=1)

        return minilm

    def static() -> Encoder:
        from medoracle.embed.encoders import load_encoder

        return load_encoder(kind, settings.cache_dir / "models")

    return static


class RelatedIndex:
    """The normalised embeddings of all articles, rebuilt when an article joins the pool;
    shared by the request threads."""

    def __init__(self) -> None:
        self._vectors: tuple[int, list[int], NDArray[np.float32]] | None = None
        self._lock = threading.Lock()

    def nearest(
        self,
        store: SiteStore,
        article: Article,
        *,
        count: int,
        floor: float,
        excluded: set[int],
    ) -> list[Related]:
        """Up to `count` composed articles at least `floor` similar to `article`, most
        similar first, none of `excluded`; none when the article has no embedding."""
        if count == 0:
            return []
        ids, matrix = self._matrix(store)
        if article.id not in ids:
            return []
        scores = matrix @ matrix[ids.index(article.id)]
        found: list[Related] = []
        for index in np.argsort(-scores):
            score = float(scores[index])
            if score < floor or len(found) == count:
                break
            if ids[index] in excluded:
                continue
            other = store.get(ids[index])
            if other.current_version:
                found.append(Related(other, round(score, 3)))
        return found

    def _matrix(self, store: SiteStore) -> tuple[list[int], NDArray[np.float32]]:
        stamp = store.embeddings_stamp()
        with self._lock:
            if self._vectors is None or self._vectors[0] != stamp:
                rows = store.embeddings()
                vectors = [np.frombuffer(blob, dtype=np.float32) for _, blob in rows]
                # Only vectors as wide as the newest one: after a change of encoder, the
                # older questions' embeddings cannot be compared with the new ones.
                width = vectors[-1].shape[0] if vectors else 0
                kept = [(i, v) for (i, _), v in zip(rows, vectors, strict=True) if len(v) == width]
                ids = [article_id for article_id, _ in kept]
                if kept:
                    matrix = np.vstack([vector for _, vector in kept])
                    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                    matrix = matrix / np.maximum(norms, 1e-9)
                else:
                    matrix = np.zeros((0, 1), dtype=np.float32)
                self._vectors = (stamp, ids, matrix.astype(np.float32))
            _, ids, matrix = self._vectors
        return ids, matrix
