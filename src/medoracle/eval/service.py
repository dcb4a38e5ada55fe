"""`medoracle eval ...` service functions."""

from __future__ import annotations

from typing import Any

from medoracle.corpus.ingest import Reporter
from medoracle.errors import ConfigError
from medoracle.eval.datasets import load_questions
from medoracle.eval.retrieval import evaluate
from medoracle.retrieve.search import MODES, Mode
from medoracle.retrieve.service import open_retriever
from medoracle.settings import Settings

__all__ = ["eval_answers", "eval_retrieval"]


def eval_retrieval(
    settings: Settings,
    dataset: str,
    *,
    split: str = "test",
    limit: int | None = None,
    modes: tuple[str, ...] = ("full", "bm25"),
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Evaluate each mode on one dataset split; `bm25` is the plain BM25 baseline."""
    data_dir = settings.resolved_data_dir()
    if data_dir is None:
        raise ConfigError("no data folder: set MEDORACLE_DATA_DIR to the open datasets folder")
    for mode in modes:
        if mode not in MODES:
            raise ConfigError(f"unknown mode {mode!r}; expected one of: {', '.join(MODES)}")
    questions = load_questions(data_dir, dataset, split)[:limit]
    retriever = open_retriever(settings, reporter)
    results: dict[str, Any] = {}
    for mode in modes:
        checked: Mode = mode  # type: ignore[assignment]
        results[mode] = evaluate(retriever, dataset, questions, checked)
    return {"dataset": dataset, "split": split, "questions": len(questions), "results": results}


def eval_answers(
    settings: Settings,
    dataset: str,
    *,
    split: str = "test",
    limit: int | None = None,
    audience: str = "clinician",
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Compose an answer to each question of one split and score it (`eval answers`)."""
    from medoracle.answer.model import AnswerAudience
    from medoracle.answer.service import open_answerer
    from medoracle.eval.answers import ANSWER_KINDS, evaluate_answers

    if dataset not in ANSWER_KINDS:
        raise ConfigError(
            f"unknown dataset {dataset!r}; expected one of: {', '.join(ANSWER_KINDS)}"
        )
    data_dir = settings.resolved_data_dir()
    if data_dir is None:
        raise ConfigError("no data folder: set MEDORACLE_DATA_DIR to the open datasets folder")
    questions = load_questions(data_dir, dataset, split)
    kinds = ANSWER_KINDS[dataset]
    questions = [q for q in questions if not kinds or q.kind in kinds][:limit]
    answerer = open_answerer(settings, reporter)
    report = evaluate_answers(answerer, dataset, questions, AnswerAudience(audience))
    return {"split": split, **report}
