"""`medoracle eval answers`: composed answers against BioASQ and PubMedQA reference answers.

For each question of the split: ROUGE-L (F1 of the longest common subsequence of words,
Lin 2004) of the bottom line against the reference answers (the best of several for
BioASQ), whether the references include a gold PMID, the share of shown statements that
are verified and cited, and latency. The same run scores a baseline that returns the top
retrieved passage as the answer.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Sequence
from typing import Any

from medoracle.answer.model import Answer, AnswerAudience
from medoracle.answer.service import Answerer
from medoracle.eval.datasets import Question
from medoracle.eval.retrieval import percentile

__all__ = ["evaluate_answers", "rouge_l"]

# BioASQ summary and yes/no questions have ideal answers; LiveQA consumer questions have
# none here, so they measure the patient page's readability, abstention and latency only.
ANSWER_KINDS = {"bioasq": ("summary", "yesno"), "pubmedqa": (), "liveqa": ()}
_TOKEN = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def rouge_l(candidate: str, references: Sequence[str]) -> float:
    """ROUGE-L F1 of `candidate` against the best-matching reference (0 when empty)."""
    ours = _words(candidate)
    best = 0.0
    for reference in references:
        theirs = _words(reference)
        if not ours or not theirs:
            continue
        lcs = _lcs(ours, theirs)
        if lcs == 0:
            continue
        precision, recall = lcs / len(ours), lcs / len(theirs)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[-1]))
        previous = current
    return previous[-1]


def evaluate_answers(
    answerer: Answerer,
    dataset: str,
    questions: Sequence[Question],
    audience: AnswerAudience = AnswerAudience.CLINICIAN,
) -> dict[str, Any]:
    kinds = ANSWER_KINDS.get(dataset, ())
    chosen = [q for q in questions if not kinds or q.kind in kinds]
    rows: list[dict[str, float]] = []
    baseline: list[dict[str, float]] = []
    latencies: list[float] = []
    fk: list[float] = []
    for question in chosen:
        references = [r for r in question.ideal if r.strip()]
        started = time.perf_counter()
        answer = answerer.ask(question.text, audience)
        latencies.append((time.perf_counter() - started) * 1000)
        rows.append(_scores(answer, question, references))
        if "fk_grade" in answer.readability and not answer.abstained:
            fk.append(answer.readability["fk_grade"])
        hits = answerer.retriever.search(question.text, k=1).hits
        top = hits[0] if hits else None
        baseline.append(
            {
                "rouge_l": rouge_l(top.text, references) if top else 0.0,
                "gold_pmid": float(bool(top and top.pmid in question.gold_pmids)),
            }
        )
    if not any(q.ideal for q in chosen):  # no reference answers to score against
        rows = [{k: v for k, v in row.items() if k != "rouge_l"} for row in rows]
        baseline = [{k: v for k, v in row.items() if k != "rouge_l"} for row in baseline]
    report: dict[str, Any] = {
        "dataset": dataset,
        "audience": audience.value,
        "questions": len(chosen),
        "kinds": list(kinds),
        "composed": _summary(rows),
        "baseline_top_passage": _summary(baseline),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
        },
    }
    if fk:
        report["patient_fk_grade"] = {
            "mean": round(statistics.fmean(fk), 2),
            "max": round(max(fk), 2),
            "share_at_most_8": round(sum(g <= 8 for g in fk) / len(fk), 4),
        }
    return report


def _scores(answer: Answer, question: Question, references: list[str]) -> dict[str, float]:
    statements = answer.statements()
    bottom = " ".join(s.text for s in answer.bottom_line)
    floor = answer.provenance.settings.get("support_floor")
    least = float(floor) if isinstance(floor, int | float) else 0.0
    verified = [s for s in statements if s.citations and s.support >= least]
    pmids = {r.identifiers.pmid for r in answer.references if r.identifiers.pmid}
    return {
        "rouge_l": rouge_l(bottom, references),
        "gold_pmid": float(bool(pmids & question.gold_pmids)),
        "verified_share": len(verified) / len(statements) if statements else 1.0,
        "abstained": float(answer.abstained),
        "statements": float(len(statements)),
    }


def _summary(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: round(statistics.fmean(row[key] for row in rows), 4) for key in rows[0]}
