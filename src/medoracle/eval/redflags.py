"""Recall and false alarms of the red-flag rules on `answer/redflag_questions.toml`.

The questions were written for medoracle (patient and clinician phrasing, typos, and many
routine questions that name emergencies in history, prevention, definition or drug-information
contexts) and split into "dev" and "test" before any rule was written; the rules are tuned on
dev only, and test is reported as the held-out number.

- recall: emergencies flagged / emergencies (any flag counts; `per_flag` also reports how
  often the expected flag was the one shown);
- false_alarm_rate: routine questions flagged / routine questions;
- precision: emergencies flagged / all questions flagged.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, model_validator

from medoracle.query.redflags import check, red_flag_rules

__all__ = ["RedFlagQuestion", "evaluate_redflags", "redflag_questions"]

SPLITS = ("dev", "test", "all")


class RedFlagQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str
    label: Literal["emergency", "routine"]
    split: Literal["dev", "test"]
    flag: str | None = None  # emergencies: the red flag expected to fire
    kind: str | None = None  # routine: what makes it routine (history, prevention, ...)

    @model_validator(mode="after")
    def _emergencies_name_their_flag(self) -> RedFlagQuestion:
        if (self.label == "emergency") != (self.flag is not None):
            raise ValueError(f"{self.id}: an emergency, and only an emergency, names a flag")
        return self


@cache
def redflag_questions() -> tuple[RedFlagQuestion, ...]:
    """Every labelled question, validated; flags must exist in `redflags.toml`."""
    raw = resources.files("medoracle.query").joinpath("redflag_questions.toml")
    rows = tomllib.loads(raw.read_text("utf-8"))["questions"]
    questions = tuple(TypeAdapter(list[RedFlagQuestion]).validate_python(rows))
    known = {flag.id for flag in red_flag_rules().flags}
    unknown = {q.flag for q in questions if q.flag is not None} - known
    if unknown:
        raise ValueError(f"labelled questions name unknown red flags: {sorted(unknown)}")
    return questions


def evaluate_redflags(split: str = "test") -> dict[str, Any]:
    """Recall, false-alarm rate, precision, every miss and false alarm, and per-flag counts."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    rows = [q for q in redflag_questions() if split == "all" or q.split == split]
    per_flag: dict[str, dict[str, int]] = {
        flag.id: {"emergencies": 0, "detected": 0, "as_expected": 0, "false_alarms": 0}
        for flag in red_flag_rules().flags
    }
    misses: list[str] = []
    false_alarms: list[str] = []
    for row in rows:
        fired = check(row.text)
        if row.flag is not None:
            counts = per_flag[row.flag]
            counts["emergencies"] += 1
            counts["detected"] += fired is not None
            counts["as_expected"] += fired is not None and fired.id == row.flag
            if fired is None:
                misses.append(row.text)
        elif fired is not None:
            per_flag[fired.id]["false_alarms"] += 1
            false_alarms.append(row.text)
    emergencies = sum(row.label == "emergency" for row in rows)
    routine = len(rows) - emergencies
    caught = emergencies - len(misses)
    flagged = caught + len(false_alarms)
    return {
        "split": split,
        "questions": len(rows),
        "emergencies": emergencies,
        "routine": routine,
        "recall": round(caught / emergencies, 4) if emergencies else 0.0,
        "false_alarm_rate": round(len(false_alarms) / routine, 4) if routine else 0.0,
        "precision": round(caught / flagged, 4) if flagged else 0.0,
        "misses": misses,
        "false_alarms": false_alarms,
        "per_flag": per_flag,
    }
