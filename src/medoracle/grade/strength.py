"""Recommendation grades and GRADE strength, from the rules in `strength.toml`.

Guidelines grade recommendations in dozens of schemes, and the same bracket shape also holds
ordinary asides ("(thigh or knee length)"). A grade is therefore recognised by vocabulary,
not by position alone: the data file lists the codes and words a grade may be made of, and
cites the schemes (GRADE, USPSTF, NICE wording) that map a grade to a strength.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

__all__ = [
    "GradeMatch",
    "StrengthRules",
    "extract_grade",
    "find_grades",
    "is_grade",
    "split_at_grades",
    "strength_of",
    "strength_of_grades",
    "strength_rules",
]

STRENGTHS = frozenset({"strong", "conditional", "weak", "expert opinion", "insufficient"})

# A bracketed group: "(Level A)" or "[B]"; the opening bracket starts a word, so "day(s)" is not.
_BRACKETED = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[,;:]))[(\[](?P<body>[^()\[\]\n]{1,90})[)\]]")
# Where a grade may stand: at the end of a line, or closing a sentence or clause.
_AFTER_GRADE = re.compile(r"\s*[.;:,]?\s*(?:$|\n)|\s*[.;:]\s")
# What may follow a grade that ends a recommendation: a line end, or a full stop or
# semicolon and more text.
_CLAUSE_END = re.compile(r"[.;]?[ \t]*(?:\n|$)|[.;][ \t]+(?=\S)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str
    strength: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        re.compile(pattern)
        return pattern

    @field_validator("strength")
    @classmethod
    def _known(cls, strength: str) -> str:
        if strength not in STRENGTHS:
            raise ValueError(f"unknown strength {strength!r}; expected one of {sorted(STRENGTHS)}")
        return strength


class StrengthRules(BaseModel):
    """The validated contents of `strength.toml`."""

    model_config = ConfigDict(extra="forbid")

    separators: str
    codes: list[str] = Field(min_length=1)
    words: list[str] = Field(min_length=1)
    anchors: list[str] = Field(min_length=1)
    leading: list[str]
    strength: list[_Rule] = Field(min_length=1)
    wording: list[_Rule] = Field(min_length=1)

    _code: re.Pattern[str] = PrivateAttr()
    _word: re.Pattern[str] = PrivateAttr()
    _leading: list[re.Pattern[str]] = PrivateAttr()
    _split: re.Pattern[str] = PrivateAttr()

    def model_post_init(self, _context: object) -> None:
        self._code = re.compile("|".join(f"(?:{c})" for c in self.codes))
        self._word = re.compile("|".join(f"(?:{w})" for w in self.words), re.IGNORECASE)
        self._leading = [re.compile(p) for p in self.leading]
        self._split = re.compile(self.separators)

    def tokens(self, body: str) -> list[str]:
        return [t for t in self._split.split(body.strip()) if t]

    def is_grade(self, body: str) -> bool:
        """True when every token is grade vocabulary and one is a code or an anchor word."""
        tokens = self.tokens(body)
        if not tokens:
            return False
        anchored = False
        for token in tokens:
            if self._code.fullmatch(token):
                anchored = True
            elif self._word.fullmatch(token):
                anchored = anchored or token.lower() in self.anchors
            else:
                return False
        return anchored

    def leading_grade(self, text: str) -> tuple[str, str] | None:
        for pattern in self._leading:
            match = pattern.match(text)
            if match and self.is_grade(match.group("grade")):
                return match.group("grade").strip(), text[match.end() :]
        return None

    def grade_strength(self, grade: str) -> str | None:
        return _first(self.strength, grade)

    def wording_strength(self, text: str) -> str | None:
        for sentence in _SENTENCE.split(text):
            found = _first(self.wording, sentence.strip().lstrip("-• ").strip())
            if found:
                return found
        return None


def _first(rules: list[_Rule], text: str) -> str | None:
    for rule in rules:
        if re.search(rule.pattern, text, re.IGNORECASE):
            return rule.strength
    return None


class GradeMatch(NamedTuple):
    grade: str  # as the source states it, without brackets
    start: int  # span of the bracketed group in the text
    end: int


@cache
def strength_rules() -> StrengthRules:
    """The packaged rules, parsed and validated once."""
    raw = resources.files("medoracle.grade").joinpath("strength.toml").read_text("utf-8")
    return StrengthRules.model_validate(tomllib.loads(raw))


def is_grade(body: str) -> bool:
    """Whether `body` (a bracket's content, e.g. "Level of Evidence: B") is a grade."""
    return strength_rules().is_grade(body)


def find_grades(text: str) -> list[GradeMatch]:
    """Bracketed grades in `text`, in order.

    A one-token grade ("(B)") counts only where it closes a line, sentence or clause, so
    enumerations like "(A) surgery or (B) radiation" are not read as grades.
    """
    rules = strength_rules()
    found: list[GradeMatch] = []
    for match in _BRACKETED.finditer(text):
        body = match.group("body").strip()
        if not rules.is_grade(body):
            continue
        closes = _AFTER_GRADE.match(text, match.end()) is not None
        if closes or len(rules.tokens(body)) > 1:
            found.append(GradeMatch(body, match.start(), match.end()))
    return found


def extract_grade(text: str) -> tuple[str, str] | None:
    """`(grade, text without the grade)` for a trailing bracketed or a leading label grade."""
    stripped = text.strip()
    trailing = [g for g in find_grades(stripped) if not stripped[g.end :].strip(" .;:,")]
    if trailing:
        grade = trailing[-1]
        rest = (stripped[: grade.start].rstrip() + stripped[grade.end :].strip(" ;:,")).strip()
        return grade.grade, rest
    return strength_rules().leading_grade(stripped)


def strength_of(grade_or_sentence: str) -> str | None:
    """GRADE strength of a grade ("1B" -> strong) or, failing that, of recommendation wording
    ("Consider ..." -> conditional, NICE); None where neither says."""
    rules = strength_rules()
    text = grade_or_sentence.strip()
    if rules.is_grade(text):
        return rules.grade_strength(text)
    return rules.wording_strength(text)


def split_at_grades(text: str) -> list[tuple[str, list[str]]]:
    """Cut `text` after each grade that ends a sentence or line: one piece per graded
    recommendation, with the grades inside it. Ungraded text after the last grade stays
    with the piece before it, as a remark on that recommendation ("See Table 1 ...")."""
    pieces: list[tuple[int, int, list[str]]] = []
    start, grades = 0, []
    for match in find_grades(text):
        grades.append(match.grade)
        end = _CLAUSE_END.match(text, match.end)
        if end is not None:
            pieces.append((start, end.end(), grades))
            start, grades = end.end(), []
    if text[start:].strip():
        if pieces and not grades:
            first, _, last_grades = pieces.pop()
            pieces.append((first, len(text), last_grades))
        else:
            pieces.append((start, len(text), grades))
    return [(text[a:b].strip(), g) for a, b, g in pieces if text[a:b].strip()]


def strength_of_grades(grades: list[str], text: str) -> str | None:
    """The strength the grades agree on; with no graded strength, the wording's; None when
    grades disagree (a passage holding a strong and a weak recommendation)."""
    rules = strength_rules()
    found = {rules.grade_strength(g) for g in grades} - {None}
    if len(found) == 1:
        return found.pop()
    return None if found else rules.wording_strength(text)
