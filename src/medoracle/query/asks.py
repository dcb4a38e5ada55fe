"""What a question asks for: treatment, a dose, adverse effects, a test, yes or no...

Rules, not a model: weighted regular expressions kept as data in `asks.toml`, validated on
load; the highest total wins. `classify_ask` is a pure function of the cleaned question and
the number of drugs it names.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

__all__ = ["Ask", "AskRules", "ask_rules", "classify_ask", "other_asks"]


class Ask(StrEnum):
    TREATMENT = "treatment"
    DOSE = "dose"
    ADVERSE_EFFECTS = "adverse_effects"
    INTERACTIONS = "interactions"
    DIAGNOSIS = "diagnosis"
    YES_NO = "yes_no"
    PROGNOSIS = "prognosis"
    PREVENTION = "prevention"
    TIMING = "timing"
    COMPARISON = "comparison"
    WHAT_TO_DO = "what_to_do"
    SYMPTOMS = "symptoms"
    CAUSE = "cause"
    DEFINITION = "definition"


class _Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ask: Ask
    pattern: str
    weight: Annotated[float, Field(gt=0, le=10)]
    min_drugs: int = Field(
        0, ge=0, le=5, description="fires only when the question names this many drugs"
    )


class AskRules(BaseModel):
    """The validated contents of `asks.toml`."""

    model_config = ConfigDict(extra="forbid")

    default: Ask
    definition_fallback: str
    tie_order: list[Ask]
    secondary_share: float = Field(0.6, gt=0, le=1)
    secondary_least: float = Field(2.0, ge=0)
    lead_margin: float = Field(1.0, ge=0)
    cues: list[_Cue]
    _compiled: list[tuple[_Cue, re.Pattern[str]]] = PrivateAttr(default_factory=list)
    _fallback: re.Pattern[str] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _compile(self) -> AskRules:
        if sorted(self.tie_order) != sorted(Ask):
            raise ValueError("tie_order must list every ask exactly once")
        missing = set(Ask) - {cue.ask for cue in self.cues}
        if missing:
            raise ValueError(f"no cues for asks {sorted(missing)}")
        try:
            self._compiled = [(cue, re.compile(cue.pattern, re.IGNORECASE)) for cue in self.cues]
            self._fallback = re.compile(self.definition_fallback, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"invalid cue pattern: {exc}") from exc
        return self

    def scores(self, question: str, drugs: int = 0) -> dict[Ask, float]:
        return self._read(question, drugs)[0]

    def _read(self, question: str, drugs: int) -> tuple[dict[Ask, float], dict[Ask, int]]:
        """Per ask, the total weight of its matching cues and where the first one matches:
        one pass over the cues."""
        text = _normalised(question)
        totals = dict.fromkeys(Ask, 0.0)
        first = dict.fromkeys(Ask, len(text))
        for cue, pattern in self._compiled:
            if drugs >= cue.min_drugs and (match := pattern.search(text)):
                totals[cue.ask] += cue.weight
                first[cue.ask] = min(first[cue.ask], match.start())
        return totals, first

    def classify(self, question: str, drugs: int = 0) -> Ask:
        totals, where = self._read(question, drugs)
        best = max(totals.values())
        if best <= 0:
            fallback = self._fallback
            if fallback is not None and fallback.search(_normalised(question)):
                return Ask.DEFINITION
            return self.default
        # A compound question's asks that score close to the best: the one it names first
        # leads ("how much amoxicillin, and for how many days?" is a dose question).
        # ("Does X prevent Y?" opens as a yes/no question but asks about prevention.)
        floor = max(self.secondary_least, self.secondary_share * best, best - self.lead_margin)
        close = [a for a in Ask if a not in _FRAMES and totals[a] >= floor]
        if len(close) > 1:
            return min(close, key=lambda a: (where[a], -totals[a], self.tie_order.index(a)))
        return next(ask for ask in self.tie_order if totals[ask] == best)

    def also(self, question: str, first: Ask, drugs: int = 0) -> tuple[Ask, ...]:
        """The question's other asks ("which antibiotic, and for how long?"): those whose cues
        score at least `secondary_share` of the best, strongest first, `first` left out."""
        totals = self.scores(question, drugs)
        best = max(totals.values())
        if best <= 0:
            return ()
        others = [
            ask
            for ask in self.tie_order
            if ask is not first
            and totals[ask] >= max(self.secondary_least, self.secondary_share * best)
        ]
        return tuple(sorted(others, key=lambda a: -totals[a]))


# Asks read from how a question opens ("Is...", "What is..."), not from what it asks for:
# they lead only by their score.
_FRAMES = (Ask.YES_NO, Ask.DEFINITION)


def _normalised(question: str) -> str:
    text = question.lower().replace("’", "'")
    text = re.sub(r"(\w)'(\w)", r"\1\2", text)
    return " ".join(text.split())


@cache
def ask_rules() -> AskRules:
    raw = resources.files("medoracle.query").joinpath("asks.toml").read_text("utf-8")
    return AskRules.model_validate(tomllib.loads(raw))


def other_asks(question: str, first: Ask, drugs: int = 0) -> tuple[Ask, ...]:
    """What else a compound question asks, besides `first`."""
    return ask_rules().also(question, first, drugs)


def classify_ask(question: str, drugs: int = 0) -> Ask:
    """The ask of `question` (chat lead-ins already removed); `drugs` is how many drugs it
    names, which makes "can I take X with Y" an interactions question."""
    return ask_rules().classify(question, drugs)
