"""The "when to see a doctor" lines of the patient page (`see_doctor.toml`): rules that fire
on the question type or on words of the page, then generic lines, within a limit."""

from __future__ import annotations

import re
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from medoracle.audience.glossary import load_data

__all__ = ["SeeDoctor", "see_doctor"]


class _SeeDoctorRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qtypes: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)
    lines: list[str] = Field(min_length=1)


class SeeDoctor(BaseModel):
    """The validated contents of `see_doctor.toml`."""

    model_config = ConfigDict(extra="forbid")

    max_lines: int = Field(6, ge=1)
    generic_min: int = Field(2, ge=0, description="generic lines always shown")
    generic: list[str] = Field(min_length=1)
    rule: list[_SeeDoctorRule] = Field(default_factory=list)
    _patterns: list[re.Pattern[str] | None] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _compile(self) -> SeeDoctor:
        for rule in self.rule:
            if not rule.qtypes and not rule.words:
                raise ValueError(f"see_doctor rule {rule.lines[0]!r} has no qtypes or words")
            words = "|".join(re.escape(w) for w in sorted(rule.words, key=len, reverse=True))
            self._patterns.append(re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.I) if words else None)
        return self

    def lines_for(self, qtype: str, text: str) -> list[str]:
        """Lines of the rules that fire on `qtype` or `text`, then the generic lines."""
        lines: list[str] = []
        for rule, pattern in zip(self.rule, self._patterns, strict=True):
            if qtype in rule.qtypes or (pattern is not None and pattern.search(text)):
                lines += [line for line in rule.lines if line not in lines]
        lines = lines[: max(0, self.max_lines - self.generic_min)]
        lines += [line for line in self.generic if line not in lines]
        return lines[: self.max_lines]


@cache
def see_doctor() -> SeeDoctor:
    """The packaged "when to see a doctor" rules, parsed and validated once."""
    return SeeDoctor.model_validate(load_data("see_doctor.toml"))
