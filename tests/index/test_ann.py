"""Approximate search (`index.ann`): an IVF index finds a vector's own id, is saved with
its change cursor, reopened while the cursor holds and rebuilt when it moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from medoracle.index import ann
from medoracle.index.ann import IvfIndex, build_ivf


def _unit_vectors(n: int, dim: int = 32, seed: int = 3) -> NDArray[np.float32]:
    vectors = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_ivf_finds_each_vector_itself_first() -> None:
    vectors = _unit_vectors(2000)
    ids = np.arange(0, 4000, 2, dtype=np.int64)  # ids are rows of a sparse matrix
    sparse = np.zeros((4000, vectors.shape[1]), dtype=np.float32)
    sparse[ids] = vectors
    index = IvfIndex(build_ivf(sparse, ids, sample=2000), nprobe=64)
    for row in (0, 17, 1999):
        hits = index.search(vectors[row], 5)
        assert hits[0][0] == ids[row] and hits[0][1] == pytest.approx(1.0, abs=1e-5)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_too_few_vectors_need_no_index(tmp_path: Path) -> None:
    vectors = _unit_vectors(100)
    valid = np.ones(100, dtype=np.uint8)
    assert IvfIndex.load_or_build(tmp_path, vectors, valid, cursor=1) is None
    assert not (tmp_path / "ivf.faiss").exists()


def test_saved_index_is_reused_until_the_cursor_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ann, "MIN_VECTORS", 500)
    builds: list[int] = []

    def counted(vectors: NDArray[np.float32], ids: NDArray[np.int64], **kw: Any) -> Any:
        builds.append(len(ids))
        return build_ivf(vectors, ids, sample=len(ids))

    monkeypatch.setattr(ann, "build_ivf", counted)
    vectors = _unit_vectors(1000)
    valid = np.ones(1000, dtype=np.uint8)
    valid[::10] = 0  # deleted rows are not indexed
    first = IvfIndex.load_or_build(tmp_path, vectors, valid, cursor=7)
    again = IvfIndex.load_or_build(tmp_path, vectors, valid, cursor=7)
    assert first is not None and again is not None
    assert builds == [900]  # the second open read the saved file
    assert again.search(vectors[1], 1)[0][0] == 1
    assert all(pid % 10 for pid, _ in again.search(vectors[10], 20))
    IvfIndex.load_or_build(tmp_path, vectors, valid, cursor=8)
    assert builds == [900, 900]
