"""Dense search over the library: the configured encoder plus its vector index."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from medoracle.corpus.ingest import Reporter
from medoracle.corpus.store import Library
from medoracle.embed.encoders import Encoder, load_encoder
from medoracle.embed.vectors import VectorIndex
from medoracle.index.ann import IvfIndex
from medoracle.settings import Settings

__all__ = ["DenseRetriever", "open_dense"]


class DenseRetriever:
    """Implements `medoracle.retrieve.search.DenseSearch`: IVF search when the library is
    large enough for it to pay, exact search otherwise."""

    def __init__(
        self,
        encoder: Encoder,
        index: VectorIndex,
        report: dict[str, Any],
        ivf: IvfIndex | None = None,
    ) -> None:
        self.encoder = encoder
        self.index = index
        self.report = report
        self.ivf = ivf
        self._last: tuple[str, NDArray[np.float32]] | None = None

    def query_vector(self, text: str) -> NDArray[np.float32]:
        """The encoded question; the last one is kept, since one `ask` searches with the
        same text several times."""
        if self._last is None or self._last[0] != text:
            self._last = (text, self.encoder.encode([text])[0])
        return self._last[1]

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]:
        vector = self.query_vector(text)
        if not vector.any():
            return []
        if self.ivf is not None:
            return self.ivf.search(vector, k)
        return self.index.search(vector, k)


def open_dense(
    settings: Settings, library: Library, *, reporter: Reporter | None = None, update: bool = True
) -> DenseRetriever:
    """The dense retriever, its vectors first brought up to date with the library."""
    encoder = load_encoder(settings.retrieval.encoder, settings.cache_dir / "models")
    index = VectorIndex.for_encoder(settings.home / "index", encoder)
    report: dict[str, Any] = {}
    if update:
        report = dict(index.update(library, encoder, reporter=reporter))
    ivf = None
    if index.state is not None and index.vectors is not None and index.valid is not None:
        ivf = IvfIndex.load_or_build(
            index.directory, index.vectors, index.valid, index.state.cursor
        )
    return DenseRetriever(encoder, index, report, ivf)
