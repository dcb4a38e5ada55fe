"""`medoracle eval quality`: answer pages judged the way a physician reads them, on the
project's question bank (`eval/questions/*.toml`, split fixed in `splits/quality.json`).

Per covered question:
- key-point coverage: share of its key points the page states (bottom line and sections);
- bottom line: whether the bottom line states at least one key point;
- title: whether the title names the focus;
- off-focus statements: statements whose text, source title and source topics name none of
  the focus's names (pooled over all pages);
- abstained.
Per uncovered question: abstained. Latency is of warm `ask` calls.

The same run scores a top-passage baseline: the top search hit's passage as the whole page,
its first sentence as the bottom line and the question as its title (it never abstains).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from medoracle.answer.model import Answer
from medoracle.answer.service import Answerer
from medoracle.corpus.text import split_sentences
from medoracle.eval.bank import BankQuestion, load_bank, mentions, quality_split
from medoracle.eval.retrieval import percentile

__all__ = ["bank_split", "evaluate_quality", "page_scores"]


@cache
def _split_ids() -> dict[str, frozenset[str]]:
    raw = resources.files("medoracle.eval").joinpath("splits/quality.json").read_text("utf-8")
    data = json.loads(raw)
    return {"dev": frozenset(data["dev"]), "test": frozenset(data["test"])}


def bank_split(split: str) -> list[BankQuestion]:
    """The bank questions of `split` ("dev", "test" or "all"). A question written after the
    split was fixed falls to the side its id's hash gives (`quality_split`)."""
    questions = list(load_bank())
    if split == "all":
        return questions
    ids = _split_ids()
    known = ids["dev"] | ids["test"]
    return [
        q
        for q in questions
        if (q.id in ids[split]) or (q.id not in known and quality_split(q.id) == split)
    ]


def page_scores(
    question: BankQuestion, answer: Answer, topics: dict[str, list[str]]
) -> dict[str, float]:
    """The physician's checks on one composed page (`topics`: doc id -> its topics)."""
    statements = answer.statements()
    page_text = " ".join(s.text for s in statements)
    bottom_text = " ".join(s.text for s in answer.bottom_line)
    covered = [mentions(page_text, point) for point in question.key_points]
    by_number = {r.number: r for r in answer.references}
    off = 0
    for statement in statements:
        sources = [by_number[n] for n in statement.citations if n in by_number]
        context = " ".join(
            [
                statement.text,
                *(r.title for r in sources),
                *(t for r in sources for t in topics.get(r.doc_id, [])),
            ]
        )
        off += not mentions(context, question.focus)
    return {
        "key_points": float(len(question.key_points)),
        "key_points_covered": float(sum(covered)),
        "coverage": sum(covered) / len(covered) if covered else 0.0,
        "bottom_line_key_point": float(
            any(mentions(bottom_text, point) for point in question.key_points)
        ),
        "title_focus": float(mentions(answer.title, question.focus)),
        "statements": float(len(statements)),
        "off_focus": float(off),
        "abstained": float(answer.abstained),
        "ask": float(answer.ask == question.ask.value),  # read as the bank labels it
    }


def _baseline_scores(
    question: BankQuestion, text: str, title: str, topics: list[str]
) -> dict[str, float]:
    spans = split_sentences(text)
    first = text[spans[0][0] : spans[0][1]] if spans else text
    covered = [mentions(text, point) for point in question.key_points]
    return {
        "key_points": float(len(question.key_points)),
        "key_points_covered": float(sum(covered)),
        "coverage": sum(covered) / len(covered) if covered else 0.0,
        "bottom_line_key_point": float(any(mentions(first, p) for p in question.key_points)),
        "title_focus": float(mentions(question.text, question.focus)),
        "statements": 1.0,
        "off_focus": float(not mentions(f"{text} {title} {' '.join(topics)}", question.focus)),
        "abstained": 0.0,
    }


def evaluate_quality(
    answerer: Answerer, questions: Sequence[BankQuestion], *, composer: str = "extractive"
) -> dict[str, Any]:
    """The extractive composer's pages against the top-passage baseline; with `composer`
    "llm", the language model's pages on the same questions beside them (`llm`)."""
    library = answerer.retriever.library
    topics_cache: dict[str, list[str]] = {}

    def topics_of(doc_ids: list[str]) -> dict[str, list[str]]:
        missing = [d for d in doc_ids if d not in topics_cache]
        found = library.topics(missing)
        for doc_id in missing:
            topics_cache[doc_id] = found.get(doc_id, [])
        return {d: topics_cache[d] for d in doc_ids}

    answerer.ask("warm-up: how is hypertension treated?")  # caches, encoder, first search
    rows: list[tuple[BankQuestion, dict[str, float]]] = []
    baseline: list[tuple[BankQuestion, dict[str, float]]] = []
    latencies: list[float] = []
    pages: list[dict[str, Any]] = []
    for question in questions:
        started = time.perf_counter()
        answer = answerer.ask(question.text, composer="extractive")
        latencies.append((time.perf_counter() - started) * 1000)
        scores = page_scores(question, answer, topics_of([r.doc_id for r in answer.references]))
        rows.append((question, scores))
        pages.append(
            {
                "id": question.id,
                "ask": question.ask.value,
                "read_as": answer.ask,
                "title": answer.title,
                "abstained": answer.abstained,
                "bottom_line": [s.text for s in answer.bottom_line],
                **{k: scores[k] for k in ("coverage", "bottom_line_key_point", "off_focus")},
            }
        )
        hits = answerer.retriever.search(question.text, k=1).hits
        if hits:
            top = hits[0]
            baseline.append(
                (
                    question,
                    _baseline_scores(
                        question, top.text, top.title, topics_of([top.doc_id])[top.doc_id]
                    ),
                )
            )
    written: dict[str, Any] = {}
    if composer == "llm":
        from medoracle.eval.written import evaluate_written

        side, written_pages = evaluate_written(
            answerer, questions, topics_of, page_scores, _summary
        )
        written = {"llm": side}
        for page, other in zip(pages, written_pages, strict=True):
            page["llm_bottom_line"] = other["bottom_line"]
            page["llm_composer"] = other["composer"]
    return {
        "questions": len(questions),
        "composed": _summary(rows),
        **written,
        "baseline_top_passage": _summary(baseline),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1) if latencies else 0.0,
            "p95": round(percentile(latencies, 95), 1) if latencies else 0.0,
        },
        "by_ask": _grouped(rows, lambda q: q.ask.value),
        "by_wording": _grouped(rows, lambda q: q.wording.value),
        "pages": pages,
    }


def _summary(rows: Sequence[tuple[BankQuestion, dict[str, float]]]) -> dict[str, float]:
    covered = [s for q, s in rows if q.covered]
    uncovered = [s for q, s in rows if not q.covered]
    answered = [s for s in covered if not s["abstained"]]
    statements = sum(s["statements"] for s in covered)
    report = {
        "covered_questions": len(covered),
        "uncovered_questions": len(uncovered),
        "key_point_coverage": _mean([s["coverage"] for s in covered]),
        "key_point_coverage_answered": _mean([s["coverage"] for s in answered]),
        "bottom_line_states_key_point": _mean([s["bottom_line_key_point"] for s in covered]),
        "title_names_focus": _mean([s["title_focus"] for s in covered]),
        "off_focus_statements": round(sum(s["off_focus"] for s in covered) / statements, 4)
        if statements
        else 0.0,
        "statements_per_page": _mean([s["statements"] for s in answered]),
        "abstain_covered": _mean([s["abstained"] for s in covered]),
        "abstain_uncovered": _mean([s["abstained"] for s in uncovered]),
    }
    if covered and all("ask" in s for s in covered):  # the baseline reads no ask
        report["ask_read_as_labelled"] = _mean([s["ask"] for s in covered])
    return report


def _grouped(
    rows: Sequence[tuple[BankQuestion, dict[str, float]]], key: Any
) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, float]]] = {}
    for question, scores in rows:
        if question.covered:
            groups.setdefault(key(question), []).append(scores)
    return {
        name: {
            "n": len(items),
            "key_point_coverage": _mean([s["coverage"] for s in items]),
            "bottom_line_states_key_point": _mean([s["bottom_line_key_point"] for s in items]),
            "abstained": _mean([s["abstained"] for s in items]),
        }
        for name, items in sorted(groups.items())
    }


def _mean(values: Sequence[float]) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0
