"""Fitting and measuring a binary classifier over signal vectors: a logistic regression
with lower bounds on its weights, precision and recall at a floor, the precision-recall
curve, the choice of a floor for a precision target and average precision.

`medoracle.eval.verifier` fits the statement verifier's weights and floor with these on
HealthVer dev; they know nothing of HealthVer or of the verifier.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "average_precision",
    "choose_floor",
    "fit_logistic",
    "logistic_scores",
    "pr_curve",
    "precision_recall",
]


def fit_logistic(
    features: NDArray[np.float64],
    labels: NDArray[np.float64],
    lower: Sequence[float],
    *,
    l2: float = 1e-3,
    iterations: int = 5000,
) -> tuple[float, NDArray[np.float64]]:
    """Bias and weights of an L2-regularised logistic regression with a lower bound per
    weight, by accelerated projected gradient descent (Beck & Teboulle 2009, "A fast
    iterative shrinkage-thresholding algorithm", SIAM J Imaging Sci 2(1)); the loss is the
    mean log-loss plus l2/2 times the squared weights (the bias is not penalised)."""
    rows = np.hstack([np.ones((len(features), 1)), features])
    low = np.array([-np.inf, *lower])
    # Step 1/L, L the gradient's Lipschitz constant: sigma' <= 1/4.
    step = 1.0 / (0.25 * np.linalg.norm(rows, 2) ** 2 / len(rows) + l2)
    penalty = np.r_[0.0, np.full(features.shape[1], l2)]
    theta = np.maximum(np.zeros(rows.shape[1]), low)
    previous, momentum = theta.copy(), theta.copy()
    for k in range(1, iterations + 1):
        z = np.clip(rows @ momentum, -50, 50)
        gradient = rows.T @ (1 / (1 + np.exp(-z)) - labels) / len(rows) + penalty * momentum
        theta = np.maximum(momentum - step * gradient, low)
        momentum = theta + (k - 1) / (k + 2) * (theta - previous)
        previous = theta
    return float(theta[0]), theta[1:]


def logistic_scores(
    bias: float, weights: NDArray[np.float64], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    z = np.clip(bias + x @ weights, -50, 50)
    out: NDArray[np.float64] = 1 / (1 + np.exp(-z))
    return out


def precision_recall(
    scores: NDArray[np.float64], labels: NDArray[np.bool_], floor: float
) -> dict[str, float]:
    """Precision, recall, F1 and accuracy of "supports" for score >= floor."""
    predicted = scores >= floor
    hits = int((predicted & labels).sum())
    precision = hits / int(predicted.sum()) if predicted.any() else 1.0
    recall = hits / int(labels.sum()) if labels.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = float((predicted == labels).mean()) if len(labels) else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "accuracy": accuracy}


def pr_curve(
    scores: NDArray[np.float64],
    labels: NDArray[np.bool_],
    recalls: Sequence[float] = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9),
) -> list[dict[str, float]]:
    """For each recall level, the highest floor reaching it and the precision there."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(labels[order])
    total = max(1, int(labels.sum()))
    points = []
    for wanted in recalls:
        reached = np.flatnonzero(hits >= wanted * total)
        if not len(reached):
            continue
        k = int(reached[0])
        points.append(
            {
                "recall": round(float(hits[k] / total), 4),
                "precision": round(float(hits[k] / (k + 1)), 4),
                "floor": round(float(scores[order[k]]), 4),
            }
        )
    return points


def choose_floor(
    scores: NDArray[np.float64],
    labels: NDArray[np.bool_],
    min_precision: float,
    *,
    min_recall: float = 0.05,
) -> tuple[float, bool]:
    """The lowest floor whose precision is at least `min_precision` (the most recall), and
    True; when no floor reaches it, the floor of highest precision, and False. Only floors
    with at least `min_recall` count, so a handful of top pairs cannot set the floor."""
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    hits = np.cumsum(labels[order])
    precision = hits / np.arange(1, len(scores) + 1)
    # Only cut between distinct scores: tied pairs are accepted or refused together.
    cut = np.r_[ordered[1:] < ordered[:-1], True]
    eligible = cut & (hits >= min_recall * max(1, int(labels.sum())))
    good = np.flatnonzero(eligible & (precision >= min_precision))
    if len(good):
        return float(ordered[good[-1]]), True
    candidates = np.flatnonzero(eligible)
    best = candidates[np.argmax(precision[candidates])]
    return float(ordered[best]), False


def average_precision(scores: NDArray[np.float64], labels: NDArray[np.bool_]) -> float:
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(labels[order])
    precision = hits / np.arange(1, len(scores) + 1)
    return float((precision * labels[order]).sum() / max(1, labels.sum()))
