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

__all__ = ["eval_answers", "eval_quality", "eval_relevance", "eval_retrieval"]


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


def eval_relevance(
    settings: Settings,
    *,
    split: str = "test",
    fit: str = "",
    limit: int | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Measure the sentence relevance and ranking models on one split (`eval relevance`);
    with `fit` ("all", "relevance" or "ranking"), first refit on the dev splits and write
    the weights into the package."""
    from medoracle.answer.relevance import load_model
    from medoracle.answer.service import open_answerer
    from medoracle.eval.relevance import bank_examples, build_examples
    from medoracle.eval.relevance_fit import (
        fit_model,
        fit_ranking,
        score_examples,
        score_ranking,
        write_model,
    )

    data_dir = settings.resolved_data_dir()
    if data_dir is None:
        raise ConfigError("no data folder: set MEDORACLE_DATA_DIR to the open datasets folder")
    answerer = open_answerer(settings, reporter)
    report: dict[str, Any] = {"split": split}
    current = load_model()
    if fit in ("all", "relevance"):
        dev = build_examples(answerer, data_dir, "dev", limit=limit)
        bias, weights = fit_model(dev)
        kept = (
            None if current.ranking is None else {"bias": current.ranking_bias, **current.ranking}
        )
        write_model(bias, weights, current.floor, {}, kept)
        report["fitted_relevance"] = {"pairs": len(dev), "bias": bias, "weights": weights}
        report["dev"] = score_examples(dev, load_model())
        report["dev_previous_weights"] = score_examples(dev, current)
        current = load_model()
    if fit in ("all", "ranking"):
        answerer.composer.model = current
        ranking_dev = bank_examples(answerer, "dev")
        ranking = fit_ranking(ranking_dev)
        write_model(current.bias, dict(current.weights), current.floor, {}, ranking)
        report["fitted_ranking"] = {"pairs": len(ranking_dev), "weights": ranking}
        current = load_model()
    answerer.composer.model = current
    if fit != "ranking":
        examples = build_examples(answerer, data_dir, split, limit=limit)
        report["model"] = score_examples(examples, current)
    report["ranking"] = score_ranking(bank_examples(answerer, split), current)
    return report


def eval_quality(
    settings: Settings,
    *,
    split: str = "test",
    limit: int | None = None,
    medlfqa: int | None = None,
    composer: str = "extractive",
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Answer pages on the project's question bank (`eval quality`); with `medlfqa`, also
    must-have coverage on up to that many questions of each MedLFQA set; with `composer`
    "llm", the language model's pages beside the extractive ones."""
    from medoracle.answer.service import open_answerer
    from medoracle.eval.quality import bank_split, evaluate_quality

    if split not in ("dev", "test", "all"):
        raise ConfigError(f"unknown split {split!r}; expected dev, test or all")
    questions = bank_split(split)[:limit]
    answerer = open_answerer(settings, reporter)
    if composer == "llm":
        answerer.composer_for("llm")  # a missing URL or key fails before any question
    report: dict[str, Any] = {
        "split": split,
        **evaluate_quality(answerer, questions, composer=composer),
    }
    if medlfqa:
        from medoracle.eval.medlfqa import evaluate_medlfqa

        data_dir = settings.resolved_data_dir()
        if data_dir is None:
            raise ConfigError("no data folder: set MEDORACLE_DATA_DIR for the MedLFQA sets")
        report["medlfqa"] = evaluate_medlfqa(answerer, data_dir, limit=medlfqa)
    return report
