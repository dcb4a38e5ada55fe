"""Red flags: does a question describe an emergency happening now?

When it does, the answer page opens with "Seek emergency care now" and the flag's advice, for
every audience. The rules are data, in `redflags.toml` (its header names the public guidance
they were written from and explains how a question is read); this module validates them once
and applies them.

A flag fires when one of its cues fires; a cue is a list of patterns that must all match the
normalised question. A match does not count when a context trigger stands a few words before
it (or after it) in the same clause: negation, after NegEx (Chapman et al., "A simple
algorithm for identifying negated findings and diseases in discharge summaries", J Biomed
Inform 2001;34:301-310), and history, prevention, chronic and mild contexts, after ConText
(Harkema et al., J Biomed Inform 2009;42:839-851). A question that asks about a condition in
general and names no one affected now is not an emergency.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

__all__ = ["ADVICE_PREFIX", "RedFlag", "RedFlagRules", "check", "normalise", "red_flag_rules"]

ADVICE_PREFIX = "Seek emergency care now"
_TERM = re.compile(r"\{([a-z_]+)\}")
_UNBOUNDED = re.compile(r"(?<!\\)\.[*+]")  # ".*" / ".+": unbounded scans; use .{0,N}
_WORD = re.compile(r"\w+")
_MAX_TOKEN = 40  # longer "words" are cut, so `\w+` never scans far (no pathological inputs)


@dataclass(frozen=True)
class RedFlag:
    """An emergency a question describes, and the advice line the answer page opens with."""

    id: str
    name: str
    advice: str
    source: str


@dataclass(frozen=True)
class _CompiledCue:
    patterns: tuple[re.Pattern[str], ...]
    within: int | None  # all matches within this many words of the first pattern's match


@dataclass(frozen=True)
class _Window:
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    words: int
    terminator: re.Pattern[str] | None  # None: the shared clause terminator


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    before: str | None = None
    after: str | None = None
    window: Annotated[int, Field(ge=1, le=12, description="words between trigger and cue")]
    terminator: str | None = Field(None, description="this context's own scope end")


class _Frames(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    terminator: str = Field(description="a clause boundary that ends a trigger's scope")
    present: list[str] = Field(min_length=1, description="someone is affected now")
    general: list[str] = Field(min_length=1, description="the question asks in general")


class _Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list[str] = Field(min_length=1, description="patterns that must all match")
    within: Annotated[int | None, Field(ge=1, le=50)] = None


class _Flag(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    advice: str
    source: str = Field(min_length=1)
    cues: list[_Cue] = Field(min_length=1)

    @field_validator("advice")
    @classmethod
    def _opens_with_the_prefix(cls, advice: str) -> str:
        if not advice.startswith(ADVICE_PREFIX):
            raise ValueError(f"advice must start with {ADVICE_PREFIX!r}: {advice[:40]!r}")
        return advice

    @field_validator("cues", mode="before")
    @classmethod
    def _plain_lists_are_cues(cls, cues: object) -> object:
        """A cue is written `['a', 'b']`, or `{ all = ['a', 'b'], within = 8 }`."""
        if isinstance(cues, list):
            return [{"all": cue} if isinstance(cue, list) else cue for cue in cues]
        return cues


class RedFlagRules(BaseModel):
    """The validated contents of `redflags.toml`, compiled once."""

    model_config = ConfigDict(extra="forbid")

    spelling: dict[str, str]
    terms: dict[str, str]
    context: _Frames
    contexts: list[_Context]
    flags: list[_Flag] = Field(min_length=1)
    _terminator: re.Pattern[str] = PrivateAttr(default=re.compile(r"(?!)"))
    _present: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _general: list[re.Pattern[str]] = PrivateAttr(default_factory=list)
    _windows: list[_Window] = PrivateAttr(default_factory=list)
    _cues: list[list[_CompiledCue]] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _compile(self) -> RedFlagRules:
        ids = [flag.id for flag in self.flags]
        if len(ids) != len(set(ids)):
            raise ValueError("red flag ids must be unique")
        self._terminator = self._pattern(self.context.terminator)
        self._present = [self._pattern(p) for p in self.context.present]
        self._general = [self._pattern(p) for p in self.context.general]
        self._windows = [
            _Window(
                self._pattern(c.before) if c.before else None,
                self._pattern(c.after) if c.after else None,
                c.window,
                self._pattern(c.terminator) if c.terminator else None,
            )
            for c in self.contexts
        ]
        self._cues = [
            [_CompiledCue(tuple(self._pattern(p) for p in c.all), c.within) for c in flag.cues]
            for flag in self.flags
        ]
        return self

    def _pattern(self, source: str) -> re.Pattern[str]:
        """Compile one pattern after inserting its `{term}`s; reject unsafe or empty ones."""

        def term(match: re.Match[str]) -> str:
            if match.group(1) not in self.terms:
                raise ValueError(f"unknown term {{{match.group(1)}}} in {source!r}")
            return self.terms[match.group(1)]

        expanded = _TERM.sub(term, source)
        if _UNBOUNDED.search(expanded):
            raise ValueError(f"unbounded .* or .+ in {source!r}; bound it, e.g. .{{0,40}}")
        try:
            compiled = re.compile(expanded)
        except re.error as exc:
            raise ValueError(f"invalid pattern {source!r}: {exc}") from exc
        if compiled.fullmatch(""):
            raise ValueError(f"pattern matches the empty string: {source!r}")
        return compiled

    def check(self, question: str) -> RedFlag | None:
        """The first flag, in file order, whose cue fires on an acute question; else None."""
        text = normalise(question, self.spelling)
        for flag, cues in zip(self.flags, self._cues, strict=True):
            if any(self._fires(cue, text) for cue in cues):
                if self._asks_in_general(text):
                    return None
                return RedFlag(flag.id, flag.name, flag.advice, flag.source)
        return None

    def _asks_in_general(self, text: str) -> bool:
        if any(p.search(text) for p in self._present):
            return False
        return any(p.search(text) for p in self._general)

    def _fires(self, cue: _CompiledCue, text: str) -> bool:
        """Every pattern has a match no context discounts (near the first one, if `within`)."""
        found = [self._counting(p, text) for p in cue.patterns]
        if not all(found) or cue.within is None:
            return all(found)
        return any(
            all(
                any(_words_apart(anchor, span, text) <= cue.within for span in spans)
                for spans in found[1:]
            )
            for anchor in found[0]
        )

    def _counting(self, pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
        """The spans of `pattern`'s matches in `text` that no context discounts."""
        return [m.span() for m in pattern.finditer(text) if not self._discounted(m, text)]

    def _discounted(self, match: re.Match[str], text: str) -> bool:
        """A context trigger stands within its window of `match`, with no clause end between."""
        start, end = match.span()
        return any(
            self._trigger_before(window, text, start) or self._trigger_after(window, text, end)
            for window in self._windows
        )

    def _trigger_before(self, window: _Window, text: str, start: int) -> bool:
        if window.before is None:
            return False
        reach = (window.words + 1) * (_MAX_TOKEN + 1)
        ends = [m.end() for m in window.before.finditer(text, max(0, start - reach), start)]
        return bool(ends) and self._in_scope(text[ends[-1] : start], window)

    def _trigger_after(self, window: _Window, text: str, end: int) -> bool:
        if window.after is None:
            return False
        reach = (window.words + 1) * (_MAX_TOKEN + 1)
        first = window.after.search(text, end, min(len(text), end + reach))
        return first is not None and self._in_scope(text[end : first.start()], window)

    def _in_scope(self, gap: str, window: _Window) -> bool:
        terminator = window.terminator or self._terminator
        return len(_WORD.findall(gap)) <= window.words and not terminator.search(gap)


def _words_apart(a: tuple[int, int], b: tuple[int, int], text: str) -> int:
    """Words strictly between two spans (0 when they touch or overlap)."""
    first, second = sorted((a, b))
    return len(_WORD.findall(text, first[1], second[0])) if second[0] > first[1] else 0


_APOSTROPHES = re.compile(r"['`´‘’ʼ′]")
_CLAUSE_MARK = re.compile(r"[;:!?]|(?<!\d)\.|\.(?!\d)")
_OTHER = re.compile(r"[^\w\s./,]|_|(?<!\d)/|/(?!\d)")


def normalise(question: str, spelling: dict[str, str] | None = None) -> str:
    """The question as the cue patterns see it.

    NFKC and case-folded; apostrophes dropped ("can't" -> "cant"); "%" spelled out; clause
    marks (. ; : ! ?) kept as " . " and commas as " , "; other punctuation made a space,
    except a "." or "/" inside a number ("38.5", "80/45"); words cut to 40 characters and
    looked up in `spelling`; whitespace collapsed and leading marks dropped.
    """
    text = unicodedata.normalize("NFKC", question).casefold()
    text = _APOSTROPHES.sub("", text).replace("%", " percent ")
    text = _OTHER.sub(" ", _CLAUSE_MARK.sub(" . ", text).replace(",", " , "))
    fixes = spelling or {}
    words = (fixes.get(word, word)[:_MAX_TOKEN] for word in text.split())
    return " ".join(words).lstrip(" .,")


@cache
def red_flag_rules() -> RedFlagRules:
    """The packaged red-flag table, parsed and validated once."""
    raw = resources.files("medoracle.query").joinpath("redflags.toml").read_text("utf-8")
    return RedFlagRules.model_validate(tomllib.loads(raw))


def check(question: str) -> RedFlag | None:
    """The first (most time-critical) emergency `question` describes, else None."""
    return red_flag_rules().check(question)
