"""Accuracy of the question-type classifier on `qtype_questions.toml`.

The questions were written for medoracle (clinician and consumer phrasing, typos, long
messages) and split into "dev" (odd ids) and "test" (even ids) before any rule was tuned;
rules are tuned on dev only, and test is reported as the held-out number.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

from medoracle.query.qtype import QType, classify

__all__ = ["LabelledQuestion", "evaluate_qtype", "labelled_questions"]

Split = Literal["dev", "test", "all"]


class LabelledQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    question: str
    type: QType
    split: Literal["dev", "test"]


@cache
def labelled_questions() -> tuple[LabelledQuestion, ...]:
    """Every labelled question, validated."""
    raw = resources.files("medoracle.query.eval").joinpath("qtype_questions.toml")
    rows = tomllib.loads(raw.read_text("utf-8"))["questions"]
    return tuple(TypeAdapter(list[LabelledQuestion]).validate_python(rows))


def evaluate_qtype(split: Split = "test") -> dict[str, Any]:
    """Accuracy overall and per type, and every confusion, on one split ("all" for both)."""
    if split not in ("dev", "test", "all"):
        raise ValueError(f"split must be one of 'dev', 'test', 'all', not {split!r}")
    rows = [q for q in labelled_questions() if split == "all" or q.split == split]
    total: Counter[QType] = Counter()
    right: Counter[QType] = Counter()
    confusions: list[dict[str, str]] = []
    for row in rows:
        predicted = classify(row.question)
        total[row.type] += 1
        if predicted == row.type:
            right[row.type] += 1
        else:
            confusions.append(
                {"id": row.id, "question": row.question, "gold": row.type, "predicted": predicted}
            )
    per_type = {
        str(t): {"n": total[t], "accuracy": right[t] / total[t] if total[t] else 0.0} for t in QType
    }
    n = len(rows)
    return {
        "n": n,
        "accuracy": sum(right.values()) / n if n else 0.0,
        "per_type": per_type,
        "confusions": confusions,
    }
