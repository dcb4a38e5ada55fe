"""The screen in front of `ask`: empty, huge, instruction-like and non-English input.

An empty or over-long question is an error (the CLI exits 1, the API answers 422). Text that
gives the system orders instead of asking (prompt injection, role-play takeovers, requests
for the hidden instructions, tasks that are not questions) and questions in other languages
get a refusal page with nothing composed. The instruction rules are data (`screen.toml`),
measured by `medoracle eval screen` on the labelled set `screen_questions.toml`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from medoracle.errors import ConfigError
from medoracle.query.understand import MAX_CHARS, normalise

__all__ = ["Screened", "instruction_rule", "screen_question", "unfold"]

INSTRUCTIONS_REFUSAL = (
    "This looks like instructions rather than a medical question. medoracle only "
    "answers medical questions, from its library of evidence."
)
LANGUAGE_REFUSAL = (
    "medoracle answers questions in English only; its library is in English. "
    "Please ask the question in English."
)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    patterns: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _Compiled:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]


@cache
def _rules() -> tuple[_Compiled, ...]:
    raw = resources.files("medoracle.query").joinpath("screen.toml").read_text("utf-8")
    rules = [_Rule.model_validate(r) for r in tomllib.loads(raw)["rule"]]

    def compiled(pattern: str) -> re.Pattern[str]:
        return re.compile(pattern, re.IGNORECASE)

    return tuple(
        _Compiled(r.name, tuple(map(compiled, r.patterns)), tuple(map(compiled, r.unless)))
        for r in rules
    )


_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_LEET_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[013457@$])[\w@$]{3,}\b", re.IGNORECASE)
# Letters spelled out one by one: "i-g-n-o-r-e", "i.g.n.o.r.e", "i g n o r e".
_SPELLED = re.compile(r"\b(?:(?:[A-Za-z]-){3,}|(?:[A-Za-z]\.){3,}|(?:[A-Za-z] ){3,})[A-Za-z]\b")


def unfold(text: str) -> str:
    """The text as the rules read it: leetspeak words read as letters ("1gn0r3" ->
    "ignore"), letters spelled out one by one joined ("i-g-n-o-r-e" -> "ignore")."""
    text = _LEET_WORD.sub(lambda m: m.group(0).translate(_LEET), text)
    text = _SPELLED.sub(lambda m: re.sub(r"[ \-.]", "", m.group(0)), text)
    return " ".join(text.split())


def instruction_rule(text: str) -> str | None:
    """The name of the first instruction rule `text` trips, or None."""
    for variant in dict.fromkeys([text, unfold(text)]):
        for rule in _rules():
            if any(p.search(variant) for p in rule.patterns) and not any(
                u.search(variant) for u in rule.unless
            ):
                return rule.name
    return None


# Common function words of languages medoracle does not answer in, against English ones.
_FOREIGN = frozenset(
    "el la los las del que por para con una est es qué cómo cuál tratamiento enfermedad "
    "le les des du une pour avec est quel quelle comment traitement maladie "
    "der die das und ist wie was welche behandlung krankheit mit für "
    "o os da do das dos uma com não qual como tratamento doença "
    "il lo gli della che per con una è come quale trattamento malattia".split()
)
_ENGLISH = frozenset(
    "the a an of to in for with is are what how which who when why can should does do my i "
    "you it and or on at by from be treatment disease patient patients".split()
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Screened:
    """A question that passed screening, or the reason it was refused (`refusal`)."""

    text: str
    refusal: str | None = None


def screen_question(question: str) -> Screened:
    """Refuse what is not a medical question in English; raise on empty or huge input."""
    text, truncated = normalise(question, max_chars=MAX_CHARS + 1)
    if not text:
        raise ConfigError("the question is empty: type a medical question")
    if truncated or len(text) > MAX_CHARS:
        raise ConfigError(
            f"the question is too long: ask in at most {MAX_CHARS} characters "
            "(a question, not a document)"
        )
    if instruction_rule(text) is not None:
        return Screened(text, INSTRUCTIONS_REFUSAL)
    words = [w.lower() for w in _WORD.findall(text)]
    letters = [ch for w in words for ch in w]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    if letters and latin < 0.5 * len(letters):
        return Screened(text, LANGUAGE_REFUSAL)
    foreign = sum(w in _FOREIGN for w in words)
    english = sum(w in _ENGLISH for w in words)
    if foreign >= 2 and foreign > english:
        return Screened(text, LANGUAGE_REFUSAL)
    if not words:
        return Screened(text, "Please ask a medical question in words.")
    return Screened(text)
