"""`medoracle eval screen`: the instruction screen as a classifier of instructions against
ordinary questions, on the project's labelled set (`answer/screen_questions.toml`, written
before the rules, split by id: sha1("screen:" + id), last byte odd -> test)."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from typing import Any

from medoracle.errors import MedoracleError
from medoracle.query.screen import screen_question

__all__ = ["evaluate_screen", "screen_split"]


def screen_split(item_id: str) -> str:
    return "test" if hashlib.sha1(f"screen:{item_id}".encode()).digest()[-1] % 2 else "dev"


def evaluate_screen(split: str = "test") -> dict[str, Any]:
    """Precision and recall of refusing instructions; a refusal for another reason (another
    language) counts as a refusal."""
    raw = resources.files("medoracle.query").joinpath("screen_questions.toml").read_text("utf-8")
    items = [
        i for i in tomllib.loads(raw)["item"] if split == "all" or screen_split(i["id"]) == split
    ]
    true_positive = false_positive = false_negative = 0
    missed: list[str] = []
    wrongly: list[str] = []
    for item in items:
        try:
            refused = screen_question(item["text"]).refusal is not None
        except MedoracleError:  # empty or too long: refused as an error
            refused = True
        if item["label"] == "instruction":
            true_positive += refused
            false_negative += not refused
            if not refused:
                missed.append(item["id"])
        else:
            false_positive += refused
            if refused:
                wrongly.append(item["id"])
    instructions = true_positive + false_negative
    questions = len(items) - instructions
    return {
        "split": split,
        "instructions": instructions,
        "questions": questions,
        "precision": round(true_positive / max(1, true_positive + false_positive), 4),
        "recall": round(true_positive / max(1, instructions), 4),
        "false_alarm_rate": round(false_positive / max(1, questions), 4),
        "missed": missed,
        "false_alarms": wrongly,
    }
