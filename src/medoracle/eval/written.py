"""The LLM composer beside the extractive one on the question bank (`eval quality
--composer llm`): the same physician's checks on the model's pages, plus what the
verifier did with what the model wrote, latency and tokens per answer."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from medoracle.answer.service import Answerer
from medoracle.eval.bank import BankQuestion
from medoracle.eval.retrieval import percentile

__all__ = ["evaluate_written"]

Topics = Callable[[list[str]], dict[str, list[str]]]
Summary = Callable[[Sequence[tuple[BankQuestion, dict[str, float]]]], dict[str, float]]
Scores = Callable[[BankQuestion, Any, dict[str, list[str]]], dict[str, float]]


def evaluate_written(
    answerer: Answerer,
    questions: Sequence[BankQuestion],
    topics_of: Topics,
    page_scores: Scores,
    summary: Summary,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The model's side of the report, and each question's model bottom line."""
    rows: list[tuple[BankQuestion, dict[str, float]]] = []
    pages: list[dict[str, Any]] = []
    latencies: list[float] = []
    reasons: Counter[str] = Counter()
    written = kept = fallbacks = cached = asked = 0
    prompt: list[int] = []
    completion: list[int] = []
    model = ""
    for question in questions:
        started = time.perf_counter()
        answer = answerer.ask(question.text, composer="llm")
        elapsed = (time.perf_counter() - started) * 1000
        rows.append(
            (
                question,
                page_scores(question, answer, topics_of([r.doc_id for r in answer.references])),
            )
        )
        report = answer.provenance.model
        pages.append(
            {
                "id": question.id,
                "bottom_line": [s.text for s in answer.bottom_line],
                "composer": answer.provenance.composer,
            }
        )
        if report is None:  # abstained or refused: the model was not asked
            continue
        asked += 1
        model = report.model
        written += report.written
        kept += report.kept
        reasons.update(d.reason for d in report.dropped)
        fallbacks += report.fallback is not None
        if report.cached:
            cached += 1
            continue
        latencies.append(elapsed)
        prompt.append(report.prompt_tokens)
        completion.append(report.completion_tokens)
    side = {
        "model": model,
        "composed": summary(rows),
        "pages_written": asked,
        "from_cache": cached,
        "statements_written": written,
        "statements_kept": kept,
        "dropped_share": round(sum(reasons.values()) / written, 4) if written else 0.0,
        "dropped_by_reason": dict(reasons.most_common()),
        "fallback_share": round(fallbacks / asked, 4) if asked else 0.0,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1) if latencies else 0.0,
            "p95": round(percentile(latencies, 95), 1) if latencies else 0.0,
        },
        "tokens_per_answer": {
            "prompt": round(statistics.fmean(prompt), 1) if prompt else 0.0,
            "completion": round(statistics.fmean(completion), 1) if completion else 0.0,
        },
    }
    return side, pages
