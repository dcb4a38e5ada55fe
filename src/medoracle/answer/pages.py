"""Page shapes per ask, loaded from `pages.toml` through a validating model.

A `PageSpec` says what answers an ask (the cues a sentence must match), what the bottom line
must hold, and which sections a page of that ask may show.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from medoracle.query.asks import Ask

__all__ = ["MANAGEMENT", "PageSpec", "SectionSpec", "page_for"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str
    heading: str
    order: int = Field(ge=1, le=20)
    max: int = Field(ge=1, le=20)
    cues: list[str] = Field(min_length=1)


class _Compound(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max: int = Field(ge=1, le=20, description="statements in the section of another ask")


class _Page(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    fallback: str
    drug_answers: bool = False
    answers: list[str] = Field(min_length=1)
    not_answers: list[str] = Field(default_factory=list)
    titles: list[str] = Field(default_factory=list)
    section_answers: list[str] = Field(default_factory=list)
    bottom: list[str] = Field(default_factory=list)
    lead_section: str | None = None
    primary: str | None = None
    sections: list[_Section] = Field(min_length=1)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    order: int
    max: int
    cues: tuple[re.Pattern[str], ...]

    def claims(self, text: str) -> bool:
        return any(cue.search(text) for cue in self.cues)

    @property
    def catch_all(self) -> bool:
        return any(cue.pattern == "." for cue in self.cues)


@dataclass(frozen=True)
class PageSpec:
    name: str  # the ask, or "management" for a treatment question about managing a patient
    ask: Ask
    title: str
    fallback: str
    drug_answers: bool
    answers: tuple[re.Pattern[str], ...]
    not_answers: tuple[re.Pattern[str], ...]
    titles: tuple[re.Pattern[str], ...]
    section_answers: tuple[str, ...]
    bottom: tuple[re.Pattern[str], ...]
    sections: tuple[SectionSpec, ...]
    intervention: re.Pattern[str]
    lead_section: str | None = None
    primary: str | None = None  # the section whose statements the bottom line prefers
    also: tuple[PageSpec, ...] = ()  # the other asks of a compound question

    def answers_ask(self, text: str, section: str = "") -> bool:
        """Whether a sentence (or its passage's section heading) answers this ask, or one of
        the question's other asks."""
        if self._answers_own(text, section):
            return True
        return any(other._answers_own(text, section) for other in self.also)

    def _answers_own(self, text: str, section: str) -> bool:
        if any(cue.search(text) for cue in self.not_answers):
            return False
        if any(cue.search(text) for cue in self.answers):
            return True
        return bool(section) and section.startswith(self.section_answers or ("\0",))

    @property
    def takes_drugs(self) -> bool:
        """A named drug answers this page (or one of its other asks)."""
        return self.drug_answers or any(other.drug_answers for other in self.also)

    def source_answers(self, title: str) -> bool:
        """Whether a source's title says it was written to answer this ask."""
        return any(cue.search(title) for cue in self.titles)

    def refuses(self, text: str) -> bool:
        """The sentence never answers this question: its own ask refuses it and none of
        the other asks takes it."""
        if not any(cue.search(text) for cue in self.not_answers):
            return False
        return not any(other._answers_own(text, "") for other in self.also)

    def can_lead(self, text: str) -> bool:
        return any(cue.search(text) for cue in self.bottom)

    def section_of(self, text: str) -> str:
        for spec in self.sections:
            if spec.claims(text):
                return spec.key
        return self.fallback

    def with_also(self, others: tuple[PageSpec, ...], most: int) -> PageSpec:
        """This page for a compound question: each other ask gets one section (its page's
        title as heading, at most `most` statements) before this page's catch-all
        sections."""
        if not others:
            return self
        specific = [s for s in self.sections if not s.catch_all]
        catch_all = [s for s in self.sections if s.catch_all]
        extra = [
            SectionSpec(
                f"also-{other.name}",
                other.title,
                20 + index,
                most,
                tuple(cue for cue in other.answers if cue.pattern != "."),
            )
            for index, other in enumerate(others)
            if any(cue.pattern != "." for cue in other.answers)
        ]
        return replace(self, sections=(*specific, *extra, *catch_all), also=others)


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(
        resources.files("medoracle.answer").joinpath("pages.toml").read_text("utf-8")
    )


@cache
def _compound() -> _Compound:
    return _Compound.model_validate(_data()["compound"])


@cache
def _pages() -> dict[str, PageSpec]:
    raw = dict(_data())
    shared: dict[str, str] = raw.pop("shared")
    raw.pop("compound")

    def compiled(pattern: str) -> re.Pattern[str]:
        for name, value in shared.items():
            pattern = pattern.replace("${" + name + "}", value)
        return re.compile(pattern, re.IGNORECASE)

    pages: dict[str, PageSpec] = {}
    for name, body in raw.items():
        ask = Ask.TREATMENT if name == MANAGEMENT else Ask(name)
        page = _Page.model_validate(body)
        sections = tuple(
            SectionSpec(s.key, s.heading, s.order, s.max, tuple(compiled(c) for c in s.cues))
            for s in page.sections
        )
        if page.fallback not in {s.key for s in sections}:
            raise ValueError(f"pages.toml [{name}]: fallback {page.fallback!r} is no section")
        answers = tuple(compiled(c) for c in page.answers)
        pages[name] = PageSpec(
            name=name,
            ask=ask,
            title=page.title,
            fallback=page.fallback,
            drug_answers=page.drug_answers,
            answers=answers,
            not_answers=tuple(compiled(c) for c in page.not_answers),
            titles=tuple(compiled(c) for c in page.titles),
            section_answers=tuple(page.section_answers),
            bottom=tuple(compiled(c) for c in page.bottom) or answers,
            sections=sections,
            intervention=compiled("${intervention}"),
            lead_section=page.lead_section,
            primary=page.primary,
        )
    missing = {a.value for a in Ask} - set(pages)
    if missing:
        raise ValueError(f"pages.toml has no page for {sorted(missing)}")
    return pages


MANAGEMENT = "management"
# A treatment question that asks how to manage a patient wants the work-up too.
_MANAGING = re.compile(
    r"\b(?:manag(?:e|ed|ing|ement)|approach(?:es)? to|work-?up|what (?:should|to) (?:i|we) do)\b",
    re.IGNORECASE,
)


def page_for(ask: Ask, question: str = "", also: tuple[Ask, ...] = ()) -> PageSpec:
    """The page shape for `ask` (a treatment question worded as management gets the
    management page), with sections for the question's other asks."""
    if ask is Ask.TREATMENT and _MANAGING.search(question):
        page = _pages()[MANAGEMENT]
    else:
        page = _pages()[ask.value]
    others = tuple(_pages()[a.value] for a in also if a is not ask)
    return page.with_also(others, _compound().max)
