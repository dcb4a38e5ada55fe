"""A speed and quality ablation of the encoders on BioASQ: document recall@10.

Over only the library's BioASQ passages (doc ids `bioasq:<pmid>`), each question body is
embedded and the top-10 passages by cosine are mapped to their documents; recall@10 is the
share of the question's gold PMIDs found, out of min(#gold, 10) (the BioASQ task B
document measure, Tsatsaronis et al. 2015, BMC Bioinformatics 16:138). Questions are the
first `n_questions` in file order with at least one gold document in the library: nothing
is tuned on them.
"""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from medoracle.corpus.store import Library
from medoracle.embed.encoders import Encoder, load_encoder, passage_text

__all__ = ["compare_encoders"]

DEFAULT_ENCODERS = ("static-256", "static-128", "minilm")


def _questions(path: Path, known: set[str], n: int) -> list[tuple[str, set[str]]]:
    """`(body, gold pmids)` of the first `n` questions with a gold document in `known`."""
    found: list[tuple[str, set[str]]] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            gold = {url.rstrip("/").rsplit("/", 1)[-1] for url in record.get("documents", [])}
            if gold & known:
                found.append((record["body"], gold))
            if len(found) == n:
                break
    return found


def _encoder(spec: str, cache_dir: Path) -> Encoder:
    kind, _, dims = spec.partition("-")
    return load_encoder(kind, cache_dir, dims=int(dims or 256))


def compare_encoders(
    library: Library,
    questions: Path,
    cache_dir: Path,
    *,
    n_questions: int = 200,
    encoders: tuple[str, ...] = DEFAULT_ENCODERS,
    k: int = 10,
) -> dict[str, Any]:
    """Per encoder spec ("static-256", "minilm", ...): load and embedding time, passages
    per second and mean document recall@k; see the module docstring."""
    rows = library.titled_passages_by_id_prefix("bioasq:")
    texts = [passage_text(row["title"], row["section"], row["text"]) for row in rows]
    pmids = np.array([row["id"].split(":", 1)[1] for row in rows])
    asked = _questions(questions, set(pmids.tolist()), n_questions)
    report: dict[str, Any] = {"passages": len(texts), "questions": len(asked), "k": k}
    for spec in encoders:
        started = time.perf_counter()
        encoder = _encoder(spec, cache_dir)
        loaded = time.perf_counter()
        matrix = encoder.encode(texts)
        embedded = time.perf_counter()
        scores = encoder.encode([body for body, _ in asked]) @ matrix.T
        recalls = []
        for (_, gold), row in zip(asked, scores, strict=True):
            top = np.argpartition(-row, k)[:k]
            recalls.append(len(gold & set(pmids[top].tolist())) / min(len(gold), k))
        report[spec] = {
            "load_s": round(loaded - started, 2),
            "embed_s": round(embedded - loaded, 1),
            "passages_per_s": round(len(texts) / (embedded - loaded), 1),
            f"recall@{k}": round(float(np.mean(recalls)), 4),
        }
    return report
