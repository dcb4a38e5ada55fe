"""Must-have statement coverage on MedLFQA (Jeong et al. 2024, OLAPH), in `eval quality`.

Each MedLFQA question carries "must have" statements (silver: written by a language model
from the reference answer, see its SOURCE.md). A statement counts as covered when the page
holds at least `MIN_RECALL` of its content words (lower-cased, stop words out, stemmed as
the search index stems them), the lexical proxy of the OLAPH paper's must-have recall.
The top-passage baseline is scored the same way in the same run.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medoracle.answer.service import Answerer

__all__ = ["MEDLFQA_SETS", "evaluate_medlfqa"]

MEDLFQA_SETS = {
    "live_qa": "live_qa_test_MedLFQA.jsonl",
    "medication_qa": "medication_qa_test_MedLFQA.jsonl",
    "kqa_silver": "kqa_silver_wogold_test_MedLFQA.jsonl",
}
MIN_RECALL = 0.6


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def evaluate_medlfqa(
    answerer: Answerer, data_dir: Path, *, limit: int | None = None
) -> dict[str, Any]:
    """Mean must-have coverage per MedLFQA set, composed page against the top passage."""
    tokens = answerer.composer.tools.tokens
    report: dict[str, Any] = {"min_recall": MIN_RECALL}
    for name, filename in MEDLFQA_SETS.items():
        path = data_dir / "medlfqa" / filename
        if not path.is_file():
            continue
        composed: list[float] = []
        baseline: list[float] = []
        abstained = 0
        for index, record in enumerate(_records(path)):
            if limit is not None and index >= limit:
                break
            question = str(record.get("Question") or "").strip()
            must = [str(m) for m in record.get("Must_have") or [] if str(m).strip()]
            if not question or not must:
                continue
            try:
                answer = answerer.ask(question)
            except ValueError:
                continue
            abstained += answer.abstained
            composed.append(_coverage(must, tokens(answer.text()), tokens))
            hits = answerer.retriever.search(question, k=1).hits
            baseline.append(_coverage(must, tokens(hits[0].text) if hits else frozenset(), tokens))
        if composed:
            report[name] = {
                "questions": len(composed),
                "must_have_coverage": round(statistics.fmean(composed), 4),
                "baseline_top_passage": round(statistics.fmean(baseline), 4),
                "abstained": round(abstained / len(composed), 4),
            }
    return report


def _coverage(statements: list[str], page: frozenset[str], tokens: Any) -> float:
    covered = 0
    for statement in statements:
        words = tokens(statement)
        if words and len(words & page) / len(words) >= MIN_RECALL:
            covered += 1
    return covered / len(statements)
