"""Classify a question by type with the weighted cues in `qtype.toml`.

The type picks the answer template. Rules, not a model: every cue is a regular expression
with a weight, kept as data and validated on load; the highest total wins. The taxonomy
follows Ely et al., BMJ 2000;321:429 (generic clinical questions), as `qtype.toml` explains.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

__all__ = ["QType", "QTypeRules", "classify", "normalise_question", "qtype_rules", "scores"]


class QType(StrEnum):
    TREATMENT = "treatment"
    DIAGNOSIS = "diagnosis"
    PROGNOSIS = "prognosis"
    ETIOLOGY = "etiology"
    DRUG = "drug"
    DEFINITION = "definition"
    PREVENTION = "prevention"


class _Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: QType
    pattern: str
    weight: Annotated[float, Field(gt=0, le=10)]


class QTypeRules(BaseModel):
    """The validated contents of `qtype.toml`."""

    model_config = ConfigDict(extra="forbid")

    default: QType
    definition_fallback: str
    tie_order: list[QType]
    cues: list[_Cue]
    _compiled: list[tuple[QType, re.Pattern[str], float]] = PrivateAttr(default_factory=list)
    _fallback: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _compile(self) -> QTypeRules:
        if sorted(self.tie_order) != sorted(QType):
            raise ValueError("tie_order must list every question type exactly once")
        missing = set(QType) - {cue.type for cue in self.cues}
        if missing:
            raise ValueError(f"no cues for question types {sorted(missing)}")
        try:
            self._compiled = [
                (cue.type, re.compile(cue.pattern, re.IGNORECASE), cue.weight) for cue in self.cues
            ]
            self._fallback = re.compile(self.definition_fallback, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"invalid cue pattern: {exc}") from exc
        return self

    def scores(self, question: str) -> dict[QType, float]:
        """Summed weights of the cues that match, for every type (0.0 when none does)."""
        text = normalise_question(question)
        totals = dict.fromkeys(QType, 0.0)
        for qtype, pattern, weight in self._compiled:
            if pattern.search(text):
                totals[qtype] += weight
        return totals

    def classify(self, question: str) -> QType:
        totals = self.scores(question)
        best = max(totals.values())
        if best <= 0:
            return self._fallback_type(question)
        leaders = [t for t in self.tie_order if totals[t] == best]
        if len(leaders) > 1 and QType.DEFINITION in leaders:
            return self._fallback_type(question)
        return leaders[0]

    def _fallback_type(self, question: str) -> QType:
        assert self._fallback is not None
        if self._fallback.search(normalise_question(question)):
            return QType.DEFINITION
        return self.default


_APOSTROPHES = re.compile(r"['’`]")
_SPACES = re.compile(r"\s+")


def normalise_question(question: str) -> str:
    """Lower-case, drop apostrophes ("what's" -> "whats") and collapse whitespace."""
    return _SPACES.sub(" ", _APOSTROPHES.sub("", question.lower())).strip()


@cache
def qtype_rules() -> QTypeRules:
    """The packaged cue table, parsed and validated once."""
    raw = resources.files("medoracle.query").joinpath("qtype.toml").read_text("utf-8")
    return QTypeRules.model_validate(tomllib.loads(raw))


def scores(question: str) -> dict[QType, float]:
    """Cue score per question type for `question` under the packaged rules."""
    return qtype_rules().scores(question)


def classify(question: str) -> QType:
    """The question's type: the best-scoring type, else a `definition`/`treatment` default."""
    return qtype_rules().classify(question)
