"""Presenting complaints ("progressive leg weakness") and the syndromes behind them, kept as
data in `presentations.toml`: the words a clinician would look a complaint up under."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Presentation", "find_presentations", "presentations"]


@dataclass(frozen=True)
class Presentation:
    phrase: str
    pattern: re.Pattern[str]
    terms: tuple[str, ...]
    focus: bool = False
    severe: bool = False


@cache
def presentations() -> tuple[Presentation, ...]:
    text = resources.files("medoracle.query").joinpath("presentations.toml").read_text("utf-8")
    return tuple(
        Presentation(
            phrase=entry["phrase"],
            pattern=re.compile(entry["pattern"], re.IGNORECASE),
            terms=tuple(entry["terms"]),
            focus=bool(entry.get("focus", False)),
            severe=bool(entry.get("severe", False)),
        )
        for entry in tomllib.loads(text)["presentation"]
    )


def find_presentations(question: str) -> list[tuple[Presentation, str]]:
    """The presenting complaints named in `question`, each with the words that named it."""
    found: list[tuple[Presentation, str]] = []
    for presentation in presentations():
        words = [match.group(0) for match in presentation.pattern.finditer(question)]
        if words:
            found.append((presentation, " ".join(words)))
    return found
