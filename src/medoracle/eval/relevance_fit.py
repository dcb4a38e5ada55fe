"""Fitting and scoring the sentence relevance and ranking models on labelled pairs
(`medoracle.eval.relevance`), and writing the fitted weights into the package.

The relevance model is a logistic regression (scikit-learn) over
`medoracle.answer.relevance.RELEVANCE_FEATURES`, each dataset and within it each class
weighing the same; the ranking model is one over every feature, classes balanced, fitted on
the question bank's dev split. Scores are ROC AUC and average precision, with a word-overlap
baseline (concept coverage alone).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medoracle.answer.relevance import (
    FEATURES,
    RELEVANCE_FEATURES,
    RelevanceModel,
    load_model,
    model_path,
)
from medoracle.eval.relevance import Example

__all__ = ["fit_model", "fit_ranking", "score_examples", "score_ranking", "write_model"]


def fit_ranking(examples: Sequence[Example]) -> dict[str, float]:
    """Logistic regression over every feature, relevance and evidence alike, classes
    balanced: which of the sentences a page may show hold what a physician expects."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # a development dependency
        raise RuntimeError("fitting needs scikit-learn: pip install -e '.[dev]'") from exc
    rows = [[e.features[name] for name in FEATURES] for e in examples]
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
    model.fit(rows, [e.label for e in examples])
    weights = {name: round(float(w), 4) for name, w in zip(FEATURES, model.coef_[0], strict=True)}
    return {"bias": round(float(model.intercept_[0]), 4), **weights}


def fit_model(examples: Sequence[Example]) -> tuple[float, dict[str, float]]:
    """Logistic regression over the relevance features (scikit-learn, L2, C = 1), each
    dataset and within it each class weighing the same in total."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:  # a development dependency
        raise RuntimeError("fitting needs scikit-learn: pip install -e '.[dev]'") from exc
    rows = [[e.features[name] for name in RELEVANCE_FEATURES] for e in examples]
    labels = [e.label for e in examples]
    groups: dict[tuple[str, int], int] = {}
    for e in examples:
        groups[(e.dataset, e.label)] = groups.get((e.dataset, e.label), 0) + 1
    weights_of = [len(examples) / (len(groups) * groups[(e.dataset, e.label)]) for e in examples]
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(rows, labels, sample_weight=weights_of)
    weights = {
        name: round(float(w), 4) for name, w in zip(RELEVANCE_FEATURES, model.coef_[0], strict=True)
    }
    return round(float(model.intercept_[0]), 4), weights


def score_examples(examples: Sequence[Example], model: RelevanceModel) -> dict[str, Any]:
    """ROC AUC and average precision per dataset and overall, with the coverage baseline."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    report: dict[str, Any] = {}
    groups: dict[str, list[Example]] = {"all": list(examples)}
    for example in examples:
        groups.setdefault(example.dataset, []).append(example)
    for name, group in groups.items():
        labels = [e.label for e in group]
        if len(set(labels)) < 2:
            continue
        scores = [model.score(e.features) for e in group]
        baseline = [e.features["coverage"] + e.features["similarity"] for e in group]
        kept = [e for e in group if model.probability(e.features) >= model.floor]
        hits = sum(e.label for e in kept)
        report[name] = {
            "pairs": len(group),
            "positives": sum(labels),
            "auc": round(float(roc_auc_score(labels, scores)), 4),
            "average_precision": round(float(average_precision_score(labels, scores)), 4),
            "baseline_overlap_auc": round(float(roc_auc_score(labels, baseline)), 4),
            "precision_at_floor": round(hits / len(kept), 4) if kept else 0.0,
            "recall_at_floor": round(hits / max(1, sum(labels)), 4),
        }
    return report


def score_ranking(examples: Sequence[Example], model: RelevanceModel) -> dict[str, Any]:
    """How well the ranking model, and the relevance model alone, put the sentences holding
    key points first (ROC AUC, average precision)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    labels = [e.label for e in examples]
    if len(set(labels)) < 2:
        return {"pairs": len(examples)}
    ranked = [model.rank(e.features) for e in examples]
    relevance = [model.score(e.features) for e in examples]
    return {
        "pairs": len(examples),
        "positives": sum(labels),
        "ranking_auc": round(float(roc_auc_score(labels, ranked)), 4),
        "ranking_average_precision": round(float(average_precision_score(labels, ranked)), 4),
        "relevance_only_auc": round(float(roc_auc_score(labels, relevance)), 4),
    }


def write_model(
    bias: float,
    weights: dict[str, float],
    floor: float,
    metrics: dict[str, Any],
    ranking: dict[str, float] | None = None,
) -> Path:
    path = model_path()
    payload = {
        "bias": bias,
        "weights": weights,
        "floor": floor,
        "ranking": ranking,
        "fitted_on": "relevance: dev splits of BioASQ, PubMedQA, LiveQA (judged MedQuAD "
        "answers) and MEDIQA 2019 task 3 (train + validation); ranking: the question "
        "bank's dev split (sentences holding a key point); `medoracle eval relevance --fit`",
        "metrics": metrics,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    load_model.cache_clear()
    return path
