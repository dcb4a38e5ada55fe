"""A model-free encoder and a tiny-library helper for the index tests."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from medoracle.corpus.ingest import ingest
from medoracle.corpus.loaders import get_loader
from medoracle.corpus.store import Library


class HashEncoder:
    """A deterministic bag-of-words encoder (hashed words), so index tests need no model."""

    def __init__(self, dim: int = 64, name: str = "hash") -> None:
        self.dim = dim
        self.name = name
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def ingest_cochrane(library: Library, path: Path) -> None:
    ingest(library, [(get_loader("cochrane"), path)], command="test", batch_size=50)
