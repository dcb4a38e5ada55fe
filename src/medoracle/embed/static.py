"""A static token-embedding table distilled from the installed MiniLM, Model2Vec style.

Tulkens & van Dongen 2024, "Model2Vec: distill a small fast model from any sentence
transformer" (https://github.com/MinishLab/model2vec): run every vocabulary token alone
through the sentence model (`[CLS] token [SEP]`, mean-pooled), reduce the table with PCA,
then down-weight frequent tokens with SIF (Arora, Liang & Ma 2017, "A simple but tough-to-
beat baseline for sentence embeddings", ICLR) using Zipf's law on the vocabulary rank as the
frequency estimate, as model2vec >= 0.4 does. A text is then the normalised mean of its
tokens' rows: no network at encode time, thousands of passages a second on two cores.

The table is distilled once (about a minute on two cores) into `cache_dir` as a float32
`.npy` with a JSON manifest naming the source model's sha256, and reused while they match.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from medoracle.embed.minilm import (
    l2_normalise,
    load_session,
    load_tokenizer,
    model_path,
    run_model,
    tokenizer_path,
)

__all__ = ["METHOD", "StaticEncoder", "bag_sums", "distill", "load_static", "pca", "sif_weights"]

#: Bumped when the recipe changes, so older caches are redistilled.
METHOD = "model2vec-mean-pca-sif/1"
#: model2vec's default SIF coefficient `a` in a / (a + p(w)).
SIF_COEFFICIENT = 1e-4
#: Tokens kept per text; longer passages add little to a mean of static vectors.
MAX_TOKENS = 512
#: Texts per count matrix in `encode`: bounds its memory (texts x distinct ids floats).
_BAG = 256
_SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def pca(table: NDArray[np.float32], dims: int) -> NDArray[np.float32]:
    """Project rows on their first `dims` principal components (centred SVD)."""
    centred = table - table.mean(axis=0)
    _, _, components = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    projected: NDArray[np.float32] = (centred @ components[:dims].T).astype(np.float32)
    return projected


def sif_weights(size: int, a: float = SIF_COEFFICIENT) -> NDArray[np.float32]:
    """SIF weight a / (a + p(w)) with p from Zipf's law on the vocabulary rank (Arora et al.
    2017; the rank estimate is model2vec's: the WordPiece vocabulary is frequency-ordered)."""
    inverse_rank = 1.0 / np.arange(2, size + 2, dtype=np.float64)
    probability = inverse_rank / inverse_rank.sum()
    weights: NDArray[np.float32] = (a / (a + probability)).astype(np.float32)
    return weights


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _token_table(tokenizer: Any, vocab_limit: int | None, batch: int) -> NDArray[np.float32]:
    """Each token id through MiniLM as `[CLS] token [SEP]`, mean-pooled; rows beyond
    `vocab_limit` (a test shortcut) and special tokens stay zero."""
    size = tokenizer.get_vocab_size()
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    special = {tokenizer.token_to_id(token) for token in _SPECIAL}
    ids = [i for i in range(min(size, vocab_limit or size)) if i not in special]
    session = load_session()
    table = np.zeros((size, 384), dtype=np.float32)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        table[chunk] = run_model(session, [[cls, i, sep] for i in chunk])
    return table


def distill(
    cache_dir: Path, dims: int = 256, *, vocab_limit: int | None = None, batch: int = 1024
) -> Path:
    """Distil the table to `cache_dir/static-minilm-<dims>.npy` (and its `.json` manifest);
    returns the table's path."""
    tokenizer = load_tokenizer(MAX_TOKENS)
    started = time.perf_counter()
    raw = _token_table(tokenizer, vocab_limit, batch)
    live = np.flatnonzero(np.abs(raw).sum(axis=1) > 0)
    table = np.zeros((raw.shape[0], dims), dtype=np.float32)
    table[live] = pca(raw[live], dims) * sif_weights(raw.shape[0])[live, None]
    path = cache_dir / f"static-minilm-{dims}.npy"
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.npy")
    np.save(partial, table)
    os.replace(partial, path)
    manifest = _expected_manifest(dims, vocab_limit) | {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
    }
    path.with_suffix(".json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return path


def _expected_manifest(dims: int, vocab_limit: int | None) -> dict[str, Any]:
    return {
        "method": METHOD,
        "source_model": model_path().name,
        "source_sha256": _file_sha256(model_path()),
        "tokenizer_sha256": _file_sha256(tokenizer_path()),
        "dims": dims,
        "vocab_limit": vocab_limit,
        "sif_coefficient": SIF_COEFFICIENT,
    }


def _cache_is_current(path: Path, dims: int, vocab_limit: int | None) -> bool:
    try:
        manifest = json.loads(path.with_suffix(".json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    expected = _expected_manifest(dims, vocab_limit)
    return path.is_file() and all(manifest.get(k) == v for k, v in expected.items())


def load_static(
    cache_dir: Path, dims: int = 256, *, vocab_limit: int | None = None
) -> StaticEncoder:
    """The cached table in `cache_dir`, distilled first when missing or stale."""
    path = cache_dir / f"static-minilm-{dims}.npy"
    if not _cache_is_current(path, dims, vocab_limit):
        distill(cache_dir, dims, vocab_limit=vocab_limit)
    return StaticEncoder(np.load(path))


class StaticEncoder:
    """Mean of static token vectors, L2-normalised (Model2Vec, Tulkens & van Dongen 2024).

    Special tokens have zero rows, so they drop out of the mean; since the result is
    normalised, the sum stands in for the mean. Blank texts embed as zero rows.
    """

    def __init__(self, table: NDArray[np.float32]) -> None:
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self.dim = int(table.shape[1])
        self.name = f"static-{self.dim}"
        self.tokenizer = load_tokenizer(MAX_TOKENS)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        rows = [enc.ids for enc in encodings]
        sums = [bag_sums(self.table, rows[i : i + _BAG]) for i in range(0, len(rows), _BAG)]
        return l2_normalise(np.vstack(sums))


def bag_sums(table: NDArray[np.float32], rows: Sequence[Sequence[int]]) -> NDArray[np.float32]:
    """Sum of `table` rows per id list: a (texts x distinct ids) count matrix times those
    ids' rows, so each table row is read once per batch (empty lists give zero rows)."""
    lengths = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    distinct, column = np.unique(flat, return_inverse=True)
    row = np.repeat(np.arange(len(rows)), lengths)
    cells = len(rows) * len(distinct)
    counts = np.bincount(row * len(distinct) + column, minlength=cells).astype(np.float32)
    return counts.reshape(len(rows), len(distinct)) @ table[distinct]
