"""The lay glossary (`glossary.toml`): medical terms with their plain words and one-line
explanations, everyday word swaps, and the patient page's rules (what counts as dosing or as
technical, the framing rewrites, the grade to reach). It finds terms in a text, swaps in the
plain words with a fitting article ("an MRI scan"), and notes the terms to explain.

A replacement may never change what a text claims: its `meaning_markers` (numbers and
negations) must stay the same, checked here for every glossary entry and in
`medoracle.audience.plain` for every simplified sentence.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from medoracle.answer.model import TermNote
from medoracle.cite.negation import negation

__all__ = [
    "TOKEN",
    "GlossaryTerm",
    "LayGlossary",
    "PatientRules",
    "has_dosing",
    "is_technical",
    "lay_glossary",
    "load_data",
    "meaning_markers",
    "term_notes",
]

# A word: letters and digits, joined by inner hyphens or apostrophes ("Sjögren's", "X-ray").
TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Negations a rewording must keep: the `meaning` subset of the one negation vocabulary.
_NEGATION = negation().words_pattern("meaning")
_AN_ARTICLE = re.compile(r"\b([Aa])n?(\s+)$")
_AN_SOUND = re.compile(
    r"^(?:[aei]|o(?!ne)|u(?!ni|s[eu]|r[eiou]|t[ei])|hour|honest|[AEFHILMNORSX][A-Z0-9]*\b)"
)


def _is_acronym(form: str) -> bool:
    upper = sum(ch.isupper() for ch in form)
    return upper >= 2 and upper >= sum(ch.islower() for ch in form)


def _key(form: str) -> tuple[str, ...]:
    words = tuple(match.group(0) for match in TOKEN.finditer(form))
    return words if _is_acronym(form) else tuple(word.lower() for word in words)


def meaning_markers(text: str) -> tuple[list[str], list[str]]:
    """The numbers and negations of `text`, in order: what a plain rewording must keep."""
    negations = [n.lower().replace("’", "'") for n in _NEGATION.findall(text)]
    return _NUMBER.findall(text), negations


class GlossaryTerm(BaseModel):
    """One medical term: its forms, its plain replacement and a one-line explanation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    forms: list[str] = Field(min_length=1)
    plurals: list[str] = Field(default_factory=list)
    plain: str | None = None
    plain_plural: str | None = None
    explain: str = Field(min_length=3)
    note: bool | None = None

    @property
    def patient_note(self) -> bool:
        """Explain the term on the patient page: kept terms, or when asked to."""
        return self.note if self.note is not None else self.plain is None


class PatientRules(BaseModel):
    """How the patient page is cut: see the `[patient]` table of `glossary.toml`."""

    model_config = ConfigDict(extra="forbid")

    max_grade: float = Field(8.0, gt=0, le=20)
    min_statements: int = Field(3, ge=0)
    split_min_words: int = Field(4, ge=1)
    drop_sections: list[str] = Field(default_factory=list)
    dosing: list[str]
    technical: list[str]
    rewrites: list[tuple[str, str]] = Field(default_factory=list)


class _Match(NamedTuple):
    start: int
    end: int
    entry: int  # index into LayGlossary.term; -1 for an everyday word swap
    replacement: str | None


class LayGlossary(BaseModel):
    """The validated contents of `glossary.toml`, with its lookup tables."""

    model_config = ConfigDict(extra="forbid")

    term: list[GlossaryTerm]
    patient: PatientRules
    words: dict[str, str]
    _exact: dict[tuple[str, ...], _Match] = PrivateAttr(default_factory=dict)
    _folded: dict[tuple[str, ...], _Match] = PrivateAttr(default_factory=dict)
    _longest: int = PrivateAttr(default=1)
    _dosing: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _technical: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _rewrites: list[tuple[re.Pattern[str], str]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _build(self) -> LayGlossary:
        senses: list[tuple[str, _Match]] = [
            (form, _Match(0, 0, -1, plain)) for form, plain in self.words.items()
        ]
        for index, entry in enumerate(self.term):
            plural = entry.plain_plural or entry.plain
            senses += [(form, _Match(0, 0, index, entry.plain)) for form in entry.forms]
            senses += [(form, _Match(0, 0, index, plural)) for form in entry.plurals]
        for form, sense in senses:
            table = self._exact if _is_acronym(form) else self._folded
            key = _key(form)
            if not key or key in table:
                raise ValueError(f"glossary form {form!r} is empty or listed twice")
            if sense.replacement is not None and meaning_markers(form) != meaning_markers(
                sense.replacement
            ):
                raise ValueError(f"replacement for {form!r} changes a number or a negation")
            table[key] = sense
            self._longest = max(self._longest, len(key))
        try:
            flags = re.IGNORECASE
            self._dosing = [re.compile(p, flags) for p in self.patient.dosing]
            self._technical = [re.compile(p, flags) for p in self.patient.technical]
            self._rewrites = [(re.compile(p, flags), r) for p, r in self.patient.rewrites]
        except re.error as exc:
            raise ValueError(f"invalid pattern in glossary.toml: {exc}") from exc
        return self

    def has_dosing(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self._dosing)

    def is_technical(self, text: str) -> bool:
        return any(pattern.search(text) for pattern in self._technical)

    def rewrite(self, text: str) -> str:
        """`text` with the framing rewrites ("The GDG recommends" -> "Doctors recommend")."""
        for pattern, replacement in self._rewrites:
            text = pattern.sub(replacement, text)
        return text

    def matches(self, text: str) -> list[_Match]:
        """Glossary terms and word swaps in `text`, longest first, left to right."""
        tokens = list(TOKEN.finditer(text))
        found: list[_Match] = []
        i = 0
        while i < len(tokens):
            run = 1  # tokens from i joined by whitespace only
            while (
                run < self._longest
                and i + run < len(tokens)
                and text[tokens[i + run - 1].end() : tokens[i + run].start()].isspace()
            ):
                run += 1
            for n in range(run, 0, -1):
                words = tuple(token.group(0) for token in tokens[i : i + n])
                sense = self._exact.get(words) or self._folded.get(tuple(w.lower() for w in words))
                if sense is not None:
                    found.append(
                        sense._replace(start=tokens[i].start(), end=tokens[i + n - 1].end())
                    )
                    i += n
                    break
            else:
                i += 1
        return found

    def substitute(self, text: str, *, title: bool = False) -> tuple[str, list[tuple[int, str]]]:
        """`text` with plain replacements, and (entry, shown term) for each term to explain."""
        out: list[str] = []
        notes: list[tuple[int, str]] = []
        cursor = 0
        for match in self.matches(text):
            before, surface = text[cursor : match.start], text[match.start : match.end]
            shown = surface
            if match.replacement is not None:
                shown = _cased(match.replacement, surface, at_start=not out and not before.strip())
                if title:
                    shown = " ".join(w[:1].upper() + w[1:] for w in shown.split(" "))
                before = _fix_article(before, shown)
            out += [before, shown]
            cursor = match.end
            if match.entry >= 0 and self.term[match.entry].patient_note:
                notes.append((match.entry, shown))
        out.append(text[cursor:])
        return "".join(out), notes


def _cased(replacement: str, surface: str, *, at_start: bool) -> str:
    if replacement[:1].isupper():
        return replacement
    if at_start or (surface[:1].isupper() and not _is_acronym(surface)):
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _fix_article(before: str, word: str) -> str:
    """Make "a"/"an" right before a replaced term agree with it ("an MRI scan")."""
    an = "n" if _AN_SOUND.match(word) or _AN_SOUND.match(word.lower()) else ""
    return _AN_ARTICLE.sub(lambda m: f"{m.group(1)}{an}{m.group(2)}", before)


def load_data(name: str) -> dict[str, object]:
    """A data file of this package, parsed."""
    return tomllib.loads(resources.files("medoracle.audience").joinpath(name).read_text("utf-8"))


@cache
def lay_glossary() -> LayGlossary:
    """The packaged lay glossary, parsed and validated once."""
    return LayGlossary.model_validate(load_data("glossary.toml"))


def has_dosing(text: str) -> bool:
    """Whether `text` gives a dose, a dose rate or a dosing schedule ("1 g/day", "twice daily")."""
    return lay_glossary().has_dosing(text)


def is_technical(text: str) -> bool:
    """Whether `text` rests on a lab threshold or a statistic ("<1.0 x 10^9/L", "95% CI")."""
    return lay_glossary().is_technical(text)


def term_notes(found: Iterable[tuple[int, str]], glossary: LayGlossary) -> list[TermNote]:
    """One note per glossary entry, in the order `found` (entry, shown form) names them,
    explaining the term as it is first shown."""
    seen: set[int] = set()
    notes: list[TermNote] = []
    for entry, shown in found:
        if entry >= 0 and entry not in seen:
            seen.add(entry)
            notes.append(TermNote(term=shown, explanation=glossary.term[entry].explain))
    return notes
