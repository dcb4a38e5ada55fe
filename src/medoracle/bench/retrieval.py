"""`medoracle bench retrieval`: build and query a synthetic library at scale.

The corpus is synthetic and reproducible: pronounceable pseudo-words drawn from a Zipf
distribution (Zipf 1949; s = 1.07, close to English text), 40-80 words a passage, and a
random unit vector per word so a passage's embedding is the mean of its words' (the shape of
the static encoder). Three systems index the same passages, each in its own child process
so that its peak memory is its own:
- medoracle: tantivy BM25 + IVF dense search (faiss), fused with RRF, as `search` does;
- bm25s (Lù 2024, "BM25S: Orders of magnitude faster lexical search via eager sparse scoring");
- numpy brute force: exact inner product over every vector.
"""

from __future__ import annotations

import multiprocessing
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from medoracle.eval.retrieval import percentile
from medoracle.retrieve.fusion import rrf

__all__ = ["Corpus", "make_corpus", "run_bench"]

_ONSETS = "b c d f g h k l m n p r s t v z br cl dr fl gr pl pr st tr".split()
_VOWELS = "a e i o u ai ea io ou".split()
DIM = 256
K = 100


class Corpus(NamedTuple):
    words: list[str]
    offsets: NDArray[np.int64]  # passage i is tokens[offsets[i]:offsets[i + 1]]
    tokens: NDArray[np.int32]
    queries: list[list[int]]
    sources: list[int]  # the passage each query was drawn from

    def text(self, i: int) -> str:
        return " ".join(self.words[t] for t in self.tokens[self.offsets[i] : self.offsets[i + 1]])


def make_corpus(passages: int, queries: int = 200, vocab: int = 30_000, seed: int = 7) -> Corpus:
    rng = np.random.default_rng(seed)
    words = list(dict.fromkeys(_pseudo_word(rng) for _ in range(vocab * 2)))[:vocab]
    lengths = rng.integers(40, 81, size=passages)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ranks = rng.zipf(1.07, size=int(offsets[-1]))
    tokens = ((ranks - 1) % len(words)).astype(np.int32)
    picks = rng.choice(passages, size=queries, replace=False)
    query_tokens = []
    for i in picks:  # five of a passage's rarer words: a query with a known right answer
        own = np.unique(tokens[offsets[i] : offsets[i + 1]])
        query_tokens.append(sorted(own.tolist(), reverse=True)[:5])
    return Corpus(words, offsets, tokens, query_tokens, [int(i) for i in picks])


def _pseudo_word(rng: np.random.Generator) -> str:
    syllables = rng.integers(2, 4)
    return "".join(str(rng.choice(_ONSETS)) + str(rng.choice(_VOWELS)) for _ in range(syllables))


def _word_table(corpus: Corpus, seed: int = 11) -> NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    table: NDArray[np.float32] = rng.standard_normal((len(corpus.words), DIM)).astype(np.float32)
    return table


def _vectors(corpus: Corpus, table: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each passage's mean word vector, unit length; in chunks to keep memory flat."""
    out = np.empty((len(corpus.offsets) - 1, DIM), dtype=np.float32)
    for start in range(0, len(out), 2_000):
        stop = min(start + 2_000, len(out))
        lo, hi = corpus.offsets[start], corpus.offsets[stop]
        out[start:stop] = np.add.reduceat(
            table[corpus.tokens[lo:hi]], corpus.offsets[start:stop] - lo
        )
    out /= np.linalg.norm(out, axis=1, keepdims=True) + 1e-12
    return out


def _query_vector(table: NDArray[np.float32], words: list[int]) -> NDArray[np.float32]:
    vector: NDArray[np.float32] = table[words].sum(axis=0)
    vector /= np.linalg.norm(vector) + 1e-12
    return vector


def _medoracle(corpus: Corpus, workdir: Path) -> dict[str, Any]:
    import tantivy

    from medoracle.index.ann import build_ivf
    from medoracle.index.lexical import LexicalIndex

    started = time.perf_counter()
    lexical = LexicalIndex(workdir / "lexical")
    writer = lexical.index.writer(heap_size=256_000_000, num_threads=2)
    for i in range(len(corpus.offsets) - 1):
        doc = tantivy.Document()
        doc.add_unsigned("pid", i)
        doc.add_text("text", corpus.text(i))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    lexical.index.reload()
    table = _word_table(corpus)
    vectors = _vectors(corpus, table)
    ivf = build_ivf(vectors, np.arange(len(vectors), dtype=np.int64))
    ivf.nprobe = 24
    build = time.perf_counter() - started
    size = _size(workdir / "lexical") + vectors.nbytes

    def query(words: list[int]) -> list[int]:
        text = [(corpus.words[w], 1.0) for w in words]
        lexical_hits = [pid for pid, _ in lexical.search(text, K)]
        _, ids = ivf.search(_query_vector(table, words).reshape(1, -1), K)
        return [pid for pid, _ in rrf([lexical_hits, [int(i) for i in ids[0] if i >= 0]])]

    return _measure(corpus, query, build, size)


def _bm25s(corpus: Corpus, workdir: Path) -> dict[str, Any]:
    import bm25s

    started = time.perf_counter()
    retriever = bm25s.BM25()
    texts = [corpus.text(i) for i in range(len(corpus.offsets) - 1)]
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    del texts
    build = time.perf_counter() - started
    retriever.save(str(workdir / "bm25s"))
    size = _size(workdir / "bm25s")

    def query(words: list[int]) -> list[int]:
        text = " ".join(corpus.words[w] for w in words)
        tokens = bm25s.tokenize([text], stopwords="en", show_progress=False)
        found, _ = retriever.retrieve(tokens, k=K, show_progress=False, n_threads=1)
        return [int(i) for i in found[0]]

    return _measure(corpus, query, build, size)


def _numpy(corpus: Corpus, workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    table = _word_table(corpus)
    vectors = _vectors(corpus, table)
    build = time.perf_counter() - started

    def query(words: list[int]) -> list[int]:
        scores = vectors @ _query_vector(table, words)
        top = np.argpartition(-scores, K)[:K]
        return [int(i) for i in top[np.argsort(-scores[top])]]

    return _measure(corpus, query, build, vectors.nbytes)


def _measure(
    corpus: Corpus, query: Callable[[list[int]], list[int]], build: float, size: int
) -> dict[str, Any]:
    for words in corpus.queries[:5]:  # warm caches
        query(words)
    latencies: list[float] = []
    found = 0
    for words, source in zip(corpus.queries, corpus.sources, strict=True):
        started = time.perf_counter()
        hits = query(words)
        latencies.append((time.perf_counter() - started) * 1000)
        found += source in hits[:10]
    return {
        "build_s": round(build, 2),
        "index_mb": round(size / 2**20, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "source_in_top10": round(found / len(corpus.queries), 3),
    }


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _child(name: str, corpus: Corpus, workdir: str, out: Any) -> None:
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    system = {"medoracle": _medoracle, "bm25s": _bm25s, "numpy": _numpy}[name]
    result = system(corpus, Path(workdir))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["peak_mb"] = round(max(peak - baseline, 0) / 1024, 1)
    out.put(result)


def run_bench(passages: int, queries: int = 200) -> dict[str, Any]:
    """Build all three systems on the same synthetic passages and compare them."""
    started = time.perf_counter()
    corpus = make_corpus(passages, queries)
    generated = time.perf_counter() - started
    results: dict[str, Any] = {}
    context = multiprocessing.get_context("fork")
    for name in ("medoracle", "bm25s", "numpy"):
        workdir = tempfile.mkdtemp(prefix=f"medoracle-bench-{name}-")
        queue = context.Queue()
        process = context.Process(target=_child, args=(name, corpus, workdir, queue))
        process.start()
        results[name] = queue.get()
        process.join()
        shutil.rmtree(workdir, ignore_errors=True)
    ours = results["medoracle"]
    ratios = {
        f"{metric}_vs_{other}": round(ours[metric] / max(results[other][metric], 1e-9), 3)
        for other in ("bm25s", "numpy")
        for metric in ("p50_ms", "p95_ms", "build_s", "peak_mb")
    }
    return {
        "passages": passages,
        "queries": queries,
        "corpus_seconds": round(generated, 2),
        "systems": results,
        "ratios": ratios,
    }
