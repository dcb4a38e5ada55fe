"""A dense vector index over library passages, kept current from the passage change log.

Layout of the index directory (`$MEDORACLE_HOME/index/dense-<encoder>/`):

- `vectors.f32`: a raw float32 memmap of shape (capacity, dim); row `pid` is passage `pid`.
  Capacity doubles when a larger pid arrives (the file grows sparsely with zeros).
- `valid.u8`: one byte per row, 1 where the row holds the passage's current vector.
- `state.json`: encoder, dim, the last `passage_changes` seq applied, the valid count and
  the library path.

`update` replays `Library.changes_since(cursor)` in seq order, a batch at a time: deletions
clear `valid`, additions are embedded from the passage as it now stands. After each batch
the memmaps are flushed and then `state.json` is replaced atomically, so a killed update
resumes at the last finished batch; redoing a batch writes the same rows again.

Search is exact: an inner product (cosine, rows being unit length) over the valid rows,
top-k by `argpartition`. At ~284k passages x 256 dims that is a 290 MB scan.

The index's own files are the memmaps and `state.json` above; passage text comes from the
library through `Library.titled_passages`, so no SQL runs here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, ValidationError

from medoracle.corpus.ingest import Reporter
from medoracle.corpus.store import Library
from medoracle.embed.encoders import Encoder, passage_text
from medoracle.errors import ConfigError

__all__ = ["IndexState", "VectorIndex"]

_MIN_CAPACITY = 1024
_FETCH = 500  # pids per SQL IN (...) list


class IndexState(BaseModel):
    """`state.json`: what the stored rows were made with and how far the log was applied."""

    model_config = ConfigDict(extra="forbid")
    encoder: str
    dim: int
    cursor: int
    count: int
    library: str


class VectorIndex:
    """One encoder's vectors for one library, in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state = self._read_state()
        self.vectors: np.memmap[Any, np.dtype[np.float32]] | None = None
        self.valid: np.memmap[Any, np.dtype[np.uint8]] | None = None
        if self.state is not None and not self._map(self.state.dim):
            self.state = None

    @classmethod
    def for_encoder(cls, root: Path, encoder: Encoder) -> VectorIndex:
        """The index for `encoder` under `root` (e.g. `$MEDORACLE_HOME/index`)."""
        return cls(root / f"dense-{encoder.name}")

    # -- files -------------------------------------------------------------------------

    def _read_state(self) -> IndexState | None:
        try:
            return IndexState.model_validate_json((self.directory / "state.json").read_bytes())
        except (OSError, ValidationError):
            return None

    def _write_state(self, state: IndexState) -> None:
        partial = self.directory / "state.json.partial"
        partial.write_text(state.model_dump_json(indent=2) + "\n", "utf-8")
        os.replace(partial, self.directory / "state.json")
        self.state = state

    def _map(self, dim: int, capacity: int = 0) -> bool:
        """Map the files, growing them to at least `capacity` rows; False when they
        disagree with each other (a damaged index)."""
        if self.valid is not None and capacity <= len(self.valid):
            return True
        vectors, valid = self.directory / "vectors.f32", self.directory / "valid.u8"
        if not (vectors.is_file() and valid.is_file()):
            return False
        rows = valid.stat().st_size
        if vectors.stat().st_size != rows * dim * 4 or rows == 0:
            return False
        if capacity > rows:
            while rows < capacity:
                rows *= 2
            for path, width in ((vectors, dim * 4), (valid, 1)):
                with path.open("r+b") as handle:
                    handle.truncate(rows * width)
        self.vectors = np.memmap(vectors, dtype=np.float32, mode="r+", shape=(rows, dim))
        self.valid = np.memmap(valid, dtype=np.uint8, mode="r+", shape=(rows,))
        return True

    def _create(self, dim: int) -> None:
        self.vectors = self.valid = None
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in ("state.json", "vectors.f32", "valid.u8"):
            (self.directory / name).unlink(missing_ok=True)
        (self.directory / "vectors.f32").write_bytes(b"")
        (self.directory / "valid.u8").write_bytes(b"")
        for path, width in (("vectors.f32", dim * 4), ("valid.u8", 1)):
            with (self.directory / path).open("r+b") as handle:
                handle.truncate(_MIN_CAPACITY * width)
        self._map(dim)

    # -- updating ----------------------------------------------------------------------

    def _stale_reason(self, library: Library, encoder: Encoder) -> str | None:
        state = self.state
        if state is None:
            return "no readable index state"
        if (state.encoder, state.dim) != (encoder.name, encoder.dim):
            return f"built with {state.encoder}/{state.dim}, not {encoder.name}/{encoder.dim}"
        if state.library != str(library.path.resolve()):
            return f"built for another library ({state.library})"
        if state.cursor > library.change_cursor():
            return "the library's change log is older than the index (library rebuilt?)"
        return None

    def update(
        self,
        library: Library,
        encoder: Encoder,
        reporter: Reporter | None = None,
        batch: int = 1024,
    ) -> dict[str, Any]:
        """Apply the library's passage changes since the stored cursor; see the module
        docstring. Rebuilds from scratch when the state is missing, damaged or made with
        another encoder or library."""
        started = time.perf_counter()
        reason = self._stale_reason(library, encoder)
        if reason is not None:
            _say(reporter, f"building dense index {self.directory.name} from scratch: {reason}")
            self._create(encoder.dim)
            self._write_state(
                IndexState(
                    encoder=encoder.name, dim=encoder.dim, cursor=0, count=0,
                    library=str(library.path.resolve()),
                )
            )  # fmt: skip
        assert self.state is not None
        changes = library.changes_since(self.state.cursor)
        if reporter is not None:
            reporter.begin(f"dense {encoder.name}")
        embedded = deleted = 0
        try:
            for start in range(0, len(changes), batch):
                done = self._apply(library, encoder, changes[start : start + batch])
                embedded, deleted = embedded + done[0], deleted + done[1]
                if reporter is not None:
                    reporter.advance(done[0], 0)
        finally:
            if reporter is not None:
                reporter.end()
        return {
            "encoder": encoder.name,
            "rebuilt": reason is not None,
            "embedded": embedded,
            "deleted": deleted,
            "count": self.state.count,
            "cursor": self.state.cursor,
            "seconds": round(time.perf_counter() - started, 2),
        }

    def _apply(
        self, library: Library, encoder: Encoder, changes: Sequence[tuple[int, int, str]]
    ) -> tuple[int, int]:
        """One batch of the log: the last op per pid wins; then checkpoint."""
        assert self.state is not None
        final = {pid: op for _, pid, op in changes}
        adds = sorted(pid for pid, op in final.items() if op == "add")
        self._map(self.state.dim, max(final) + 1)
        assert self.vectors is not None and self.valid is not None
        dels = [pid for pid, op in final.items() if op == "del"]
        self.valid[dels] = 0
        pids, texts = _fetch_texts(library, adds)
        gone = sorted(set(adds) - set(pids))  # deleted again later in the log
        self.valid[gone] = 0
        if pids:
            self.vectors[pids] = encoder.encode(texts)
            self.valid[pids] = 1
        self.vectors.flush()
        self.valid.flush()
        count = int(np.count_nonzero(self.valid))
        self._write_state(self.state.model_copy(update={"cursor": changes[-1][0], "count": count}))
        return len(pids), len(dels)

    # -- searching ---------------------------------------------------------------------

    def search(
        self, query_vec: NDArray[np.float32], k: int, candidates: NDArray[np.int64] | None = None
    ) -> list[tuple[int, float]]:
        """The `k` valid passages with the highest inner product with `query_vec`, best
        first, as `(pid, score)`; only among `candidates` (pids) when given."""
        if self.state is None or self.vectors is None or self.valid is None:
            raise ConfigError(f"no dense index at {self.directory}; run an index update first")
        query = np.asarray(query_vec, dtype=np.float32).reshape(-1)
        if candidates is None:
            pids = np.flatnonzero(self.valid)
            if len(pids) == 0:
                return []
            scores = (self.vectors[: pids[-1] + 1] @ query)[pids]
        else:
            pids = np.unique(np.asarray(candidates, dtype=np.int64))
            pids = pids[(pids >= 0) & (pids < len(self.valid))]
            pids = pids[self.valid[pids] == 1]
            scores = self.vectors[pids] @ query
        return _top_k(pids, scores, k)


def _top_k(pids: NDArray[np.int64], scores: NDArray[np.float32], k: int) -> list[tuple[int, float]]:
    if k <= 0 or len(pids) == 0:
        return []
    if k < len(pids):
        keep = np.argpartition(-scores, k - 1)[:k]
        pids, scores = pids[keep], scores[keep]
    order = np.lexsort((pids, -scores))  # ties: lower pid first, so results are stable
    return [(int(pids[i]), float(scores[i])) for i in order]


def _fetch_texts(library: Library, pids: Sequence[int]) -> tuple[list[int], list[str]]:
    """The embedding text of each pid that still exists, in pid order."""
    found: list[int] = []
    texts: list[str] = []
    for start in range(0, len(pids), _FETCH):
        chunk = pids[start : start + _FETCH]
        rows = library.titled_passages(chunk)
        found.extend(row["pid"] for row in rows)
        texts.extend(passage_text(row["title"], row["section"], row["text"]) for row in rows)
    return found, texts


def _say(reporter: Reporter | None, line: str) -> None:
    if reporter is not None:
        reporter.message(line)
