"""`medoracle eval retrieval`: document recall, MRR, LiveQA grades and latency.

Metrics:
- BioASQ document recall@10 = distinct gold PMIDs in the top 10 / min(|gold|, 10), and
  MRR@10 of the first gold PMID (Tsatsaronis et al. 2015, BMC Bioinformatics 16:138).
- PubMedQA recall@1 and @5 of the question's own abstract (Jin et al. 2019, EMNLP).
- LiveQA avgScore: the top answer's judgment 1..4 mapped to 0..3, averaged over questions,
  and precision@1 (judged 3-Incomplete or 4-Excellent), as in TREC 2017 LiveQA Medical
  (Ben Abacha et al. 2017); an answer without a judgment counts as incorrect.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from medoracle.eval.datasets import Question
from medoracle.index.lexical import Filters
from medoracle.retrieve.search import Hit, Mode, Retriever

__all__ = ["evaluate", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def evaluate(
    retriever: Retriever, dataset: str, questions: Sequence[Question], mode: Mode
) -> dict[str, Any]:
    filters = Filters(corpora=("medquad",)) if dataset == "liveqa" else None
    answer_ids = _answer_ids(retriever) if dataset == "liveqa" else {}
    latencies: list[float] = []
    per_question: list[dict[str, float]] = []
    for question in questions:
        started = time.perf_counter()
        hits = retriever.search(question.text, k=10, filters=filters, mode=mode).hits
        latencies.append((time.perf_counter() - started) * 1000)
        if dataset == "liveqa":
            per_question.append(_liveqa(hits, question, answer_ids))
        else:
            per_question.append(_pmid_metrics(hits, question))
    metrics = (
        {
            name: round(statistics.fmean(m[name] for m in per_question), 4)
            for name in per_question[0]
        }
        if per_question
        else {}
    )
    return {
        "mode": mode,
        "n": len(questions),
        **metrics,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 2) if latencies else None,
            "p95": round(percentile(latencies, 95), 2) if latencies else None,
        },
    }


def _pmid_metrics(hits: list[Hit], question: Question) -> dict[str, float]:
    ranked = list(dict.fromkeys(hit.pmid for hit in hits if hit.pmid))[:10]
    gold = question.gold_pmids
    found = [pmid for pmid in ranked if pmid in gold]
    first = next((rank for rank, pmid in enumerate(ranked, 1) if pmid in gold), None)
    return {
        "recall@1": float(bool(ranked) and ranked[0] in gold),
        "recall@5": len(set(ranked[:5]) & gold) / min(len(gold), 5),
        "recall@10": len(set(found)) / min(len(gold), 10),
        "mrr@10": 1.0 / first if first else 0.0,
    }


def _liveqa(hits: list[Hit], question: Question, answer_ids: dict[str, str]) -> dict[str, float]:
    grade = 1
    if hits:
        grade = question.judgments.get(answer_ids.get(hits[0].doc_id, ""), 1)
    return {"avg_score": float(grade - 1), "precision@1": float(grade >= 3)}


def _answer_ids(retriever: Retriever) -> dict[str, str]:
    """MedQuAD document id -> the answer id that LiveQA judgments name."""
    found: dict[str, str] = {}
    for doc_id, extra in retriever.library.extras("medquad").items():
        answer = extra.get("answer_id")
        if answer:
            found[doc_id] = answer
    return found
