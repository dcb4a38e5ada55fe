from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from embed_fakes import HashEncoder, ingest_cochrane
from numpy.typing import NDArray

from helpers import write_cochrane
from medoracle.corpus.store import Library
from medoracle.embed import VectorIndex, passage_text
from medoracle.errors import ConfigError


class Recorder:
    """A Reporter that keeps what it was told."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.advanced = 0

    def begin(self, label: str) -> None:
        pass

    def advance(self, documents: int, skipped: int) -> None:
        self.advanced += documents

    def message(self, line: str) -> None:
        self.lines.append(line)

    def end(self) -> None:
        pass


class Failing(HashEncoder):
    """Raises on its second call, as a kill after the first batch would."""

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if self.calls == 1:
            raise KeyboardInterrupt
        return super().encode(texts)


def _pids(library: Library) -> set[int]:
    return {row[0] for row in library.conn.execute("SELECT pid FROM passages")}


def _valid(index: VectorIndex) -> set[int]:
    assert index.valid is not None
    return {int(pid) for pid in np.flatnonzero(index.valid)}


def _query(library: Library, pid: int, encoder: HashEncoder) -> NDArray[np.float32]:
    row = library.conn.execute(
        "SELECT d.title, p.section, p.text FROM passages p JOIN documents d ON d.id = p.doc_id "
        "WHERE p.pid = ?",
        (pid,),
    ).fetchone()
    vector: NDArray[np.float32] = encoder.encode([passage_text(row[0], row[1], row[2])])[0]
    return vector


def test_update_follows_the_change_log(library: Library, tmp_path: Path) -> None:
    encoder = HashEncoder()
    index = VectorIndex.for_encoder(tmp_path / "index", encoder)
    first = index.update(library, encoder, batch=5)
    before = _pids(library)
    assert first["embedded"] == len(before) == 12 and first["rebuilt"]
    assert _valid(index) == before
    assert index.update(library, encoder)["embedded"] == 0  # nothing new

    ingest_cochrane(library, write_cochrane(tmp_path / "v2.jsonl", 8, variant=" (updated)"))
    second = VectorIndex(tmp_path / "index" / "dense-hash").update(library, encoder, batch=5)
    after = _pids(library)
    assert not second["rebuilt"] and second["deleted"] == 12
    reopened = VectorIndex(tmp_path / "index" / "dense-hash")
    assert _valid(reopened) == after and not (before & after)
    assert reopened.state is not None and reopened.state.count == len(after) == 16
    target = max(after)
    hits = reopened.search(_query(library, target, encoder), 3)
    assert hits[0][0] == target and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert [score for _, score in hits] == sorted((s for _, s in hits), reverse=True)


def test_an_interrupted_update_resumes_to_the_same_vectors(
    library: Library, tmp_path: Path
) -> None:
    clean = VectorIndex(tmp_path / "clean")
    clean.update(library, HashEncoder(), batch=4)
    resumed = VectorIndex(tmp_path / "resumed")
    with pytest.raises(KeyboardInterrupt):
        resumed.update(library, Failing(), batch=4)
    assert len(_valid(VectorIndex(tmp_path / "resumed"))) == 4  # the first batch was kept
    again = VectorIndex(tmp_path / "resumed")
    report = again.update(library, HashEncoder(), batch=4)
    assert not report["rebuilt"] and report["embedded"] == 8
    assert clean.vectors is not None and again.vectors is not None
    assert _valid(again) == _valid(clean)
    np.testing.assert_array_equal(again.vectors[:13], clean.vectors[:13])


def test_a_corrupt_state_rebuilds_and_says_why(library: Library, tmp_path: Path) -> None:
    encoder = HashEncoder()
    VectorIndex(tmp_path / "i").update(library, encoder)
    (tmp_path / "i" / "state.json").write_text("{not json")
    reporter = Recorder()
    report = VectorIndex(tmp_path / "i").update(library, encoder, reporter)
    assert report["rebuilt"] and report["embedded"] == 12 and reporter.advanced == 12
    assert "no readable index state" in reporter.lines[0]
    state = json.loads((tmp_path / "i" / "state.json").read_text())
    assert state["count"] == 12 and state["cursor"] == library.change_cursor()


def test_another_encoder_or_truncated_files_rebuild(library: Library, tmp_path: Path) -> None:
    VectorIndex(tmp_path / "i").update(library, HashEncoder())
    reporter = Recorder()
    assert VectorIndex(tmp_path / "i").update(library, HashEncoder(32), reporter)["rebuilt"]
    assert "built with hash/64, not hash/32" in reporter.lines[0]
    (tmp_path / "i" / "vectors.f32").write_bytes(b"\0" * 10)
    index = VectorIndex(tmp_path / "i")
    assert index.state is None
    with pytest.raises(ConfigError, match="no dense index"):
        index.search(np.ones(32, dtype=np.float32), 3)
    assert index.update(library, HashEncoder(32))["count"] == 12


def test_capacity_grows_past_the_first_block(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "big.sqlite", create=True)
    ingest_cochrane(library, write_cochrane(tmp_path / "many.jsonl", 700))
    encoder = HashEncoder()
    index = VectorIndex(tmp_path / "i")
    assert index.update(library, encoder, batch=300)["count"] == 1400
    assert index.vectors is not None and index.vectors.shape == (2048, 64)
    hits = index.search(_query(library, 1399, encoder), 1)
    assert hits[0][0] == 1399


def test_search_can_be_restricted_to_candidates(library: Library, tmp_path: Path) -> None:
    encoder = HashEncoder()
    index = VectorIndex(tmp_path / "i")
    index.update(library, encoder)
    query = _query(library, 3, encoder)
    assert index.search(query, 1)[0][0] == 3
    hits = index.search(query, 10, np.array([5, 7, 7, 99_999, -1], dtype=np.int64))
    assert sorted(pid for pid, _ in hits) == [5, 7]
    assert len(index.search(query, 100)) == 12
    assert index.search(query, 0) == []
