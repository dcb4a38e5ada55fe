"""Consumer wording: chat lead-ins out, lay phrases mapped to the sources' terms, and who the
question is about. The rules are data, in `consumer.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "LayMatch",
    "Population",
    "find_lay_terms",
    "find_populations",
    "looks_consumer",
    "strip_chat",
]


class _Lay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    pattern: str
    terms: list[str] = Field(min_length=1)
    label: str
    kind: str = Field("lay", pattern="^(lay|drug|condition)$")


class _Population(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    pattern: str
    terms: list[str] = Field(min_length=1)


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lead_ins: list[str]
    closings: list[str]
    lay: list[_Lay]
    population: list[_Population]


@dataclass(frozen=True)
class LayMatch:
    label: str
    terms: tuple[str, ...]
    start: int
    end: int
    words: str  # the question's words that matched
    kind: str = "lay"  # "drug" for a lay name of a medicine ("water pill"), "condition"
    # for a lay name of a disease that no dictionary calls a symptom ("afib")


@dataclass(frozen=True)
class Population:
    name: str
    terms: tuple[str, ...]
    words: str


@dataclass(frozen=True)
class _Compiled:
    lead_ins: tuple[re.Pattern[str], ...]
    closings: tuple[re.Pattern[str], ...]
    lay: tuple[tuple[re.Pattern[str], _Lay], ...]
    populations: tuple[tuple[re.Pattern[str], _Population], ...]


@cache
def _rules() -> _Compiled:
    raw = resources.files("medoracle.query").joinpath("consumer.toml").read_text("utf-8")
    rules = _Rules.model_validate(tomllib.loads(raw))

    def compiled(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern, re.IGNORECASE)

    return _Compiled(
        tuple(compiled(p) for p in rules.lead_ins),
        tuple(compiled(p) for p in rules.closings),
        tuple((compiled(entry.pattern), entry) for entry in rules.lay),
        tuple((compiled(entry.pattern), entry) for entry in rules.population),
    )


def strip_chat(text: str) -> str:
    """The question without greetings, "I was wondering if", "thanks in advance"...; the
    text itself when nothing would be left."""
    rules = _rules()
    result = " ".join(text.split())
    for _ in range(4):  # lead-ins come stacked: "Hi doctor, I was wondering if..."
        before = result
        for pattern in rules.lead_ins:
            result = pattern.sub("", result, count=1).lstrip(" ,.;:-!")
        if result == before:
            break
    for pattern in rules.closings:
        result = pattern.sub("", result)
    result = result.strip(" ,;:-")
    return result if len(result.split()) >= 2 else " ".join(text.split())


def find_lay_terms(text: str) -> list[LayMatch]:
    """Lay phrases in `text`, each with the terms the sources use for it."""
    found: list[LayMatch] = []
    for pattern, entry in _rules().lay:
        match = pattern.search(text)
        if match is not None:
            found.append(
                LayMatch(
                    entry.label,
                    tuple(entry.terms),
                    match.start(),
                    match.end(),
                    match.group(0),
                    entry.kind,
                )
            )
    return found


# "my daughter is 28", "a 74-year-old", "(42)": a stated age decides the age group.
_AGE = re.compile(
    r"\b(\d{1,3})[- ]?(?:years?|yrs?|months?|weeks?)[- ]old\b|\b(\d{1,3})[- ]?(?:yo|y/o)\b"
    r"|\b(?:is|aged?|age)\s+(\d{1,3})\b(?!\s*(?:%|percent|mg|kg|days?|weeks?|hours?|times))"
    r"|\((\d{1,3})\)|\bi\s*(?:am|m)\s+(\d{1,3})\b|\bim\s+(\d{1,3})\b",
    re.IGNORECASE,
)
_AGE_GROUPS = ("infants", "children", "adolescents", "adults", "older adults")


def _age_group(text: str) -> str | None:
    for match in _AGE.finditer(text):
        age = int(next(g for g in match.groups() if g))
        if "month" in match.group(0).lower() or "week" in match.group(0).lower():
            return "infants"
        if age >= 65 and age <= 120:
            return "older adults"
        if 18 <= age < 65:
            return "adults"
        if 12 <= age < 18:
            return "adolescents"
        if 1 <= age < 12:
            return "children"
    return None


def find_populations(text: str) -> list[Population]:
    """Who the question is about (children, pregnancy, older adults...), in table order. A
    stated age overrides the age group words suggest ("my daughter is 28")."""
    found: list[Population] = []
    stated = _age_group(text)
    for pattern, entry in _rules().populations:
        if stated and entry.name in _AGE_GROUPS and entry.name != stated:
            continue
        match = pattern.search(text)
        if match is not None:
            found.append(Population(entry.name, tuple(entry.terms), match.group(0)))
        elif entry.name == stated:
            found.append(Population(entry.name, tuple(entry.terms), stated))
    return found


_FIRST_PERSON = re.compile(r"\b(i|im|i'm|ive|i've|my|me|we|our|us)\b", re.IGNORECASE)
_CLINICAL_MARKS = re.compile(
    r"\b(patients?|management|first[- ]line|indicat\w+|recommended|guidelines?|dosing|"
    r"efficacy|prophylaxis|diagnostic|work-?up|adults? with|children with|clinicians?)\b",
    re.IGNORECASE,
)


def looks_consumer(original: str, stripped: str, lay: list[LayMatch], corrections: int) -> bool:
    """Whether a question is written as a patient writes: chat around it, first person, lay
    phrases or typos, lower case throughout, and no clinical vocabulary."""
    if _CLINICAL_MARKS.search(stripped):
        return False
    votes = 0
    votes += stripped != " ".join(original.split())
    votes += bool(_FIRST_PERSON.search(stripped))
    votes += bool(lay)
    votes += corrections > 0
    votes += original == original.lower() and not original.rstrip().endswith("?")
    return votes >= 1
