"""Load and apply the evidence table in `evidence.toml`.

The table, not code, decides the order of evidence: Oxford CEBM 2011 levels with guidelines
above the studies they synthesise, as the data file explains and cites.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medoracle.grade.publication import PubType, Status

__all__ = ["EvidenceTable", "Grade", "evidence_table"]


class Grade(NamedTuple):
    pub_type: PubType
    level: int
    label: str


class _TypeRow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: PubType
    level: int = Field(ge=1, le=7)
    label: str
    cebm: str


class _DesignRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str
    type: PubType


class EvidenceTable(BaseModel):
    """The validated contents of `evidence.toml`."""

    model_config = ConfigDict(extra="forbid")

    scheme: str
    types: list[_TypeRow]
    medline: dict[str, PubType]
    medline_status: dict[str, Status]
    design_rules: list[_DesignRule]

    @model_validator(mode="after")
    def _every_type_graded_once(self) -> EvidenceTable:
        seen = [row.type for row in self.types]
        missing = set(PubType) - set(seen)
        if missing or len(seen) != len(set(seen)):
            raise ValueError(f"evidence table must grade each type once; missing {missing}")
        levels = [row.level for row in self.types]
        if levels != sorted(levels):
            raise ValueError("evidence table rows must be listed highest level first")
        for rule in self.design_rules:
            re.compile(rule.pattern)
        return self

    def grade(self, pub_type: PubType) -> Grade:
        row = next(r for r in self.types if r.type == pub_type)
        return Grade(row.type, row.level, row.label)

    def from_medline(self, publication_types: Iterable[str]) -> Grade:
        """The highest-ranked type among a MEDLINE record's <PublicationType> values."""
        mapped = [self.medline[p] for p in publication_types if p in self.medline]
        if not mapped:
            return self.grade(PubType.RESEARCH)
        return min((self.grade(t) for t in mapped), key=lambda g: g.level)

    def status_from_medline(self, publication_types: Iterable[str]) -> Status:
        for publication_type in publication_types:
            if publication_type in self.medline_status:
                return self.medline_status[publication_type]
        return Status.CURRENT

    def from_title(self, title: str, default: PubType = PubType.RESEARCH) -> Grade:
        """Infer the design from a title, for sources that do not state it."""
        for rule in self.design_rules:
            if re.search(rule.pattern, title, re.IGNORECASE):
                return self.grade(rule.type)
        return self.grade(default)


@cache
def evidence_table() -> EvidenceTable:
    """The packaged evidence table, parsed and validated once."""
    raw = resources.files("medoracle.grade").joinpath("evidence.toml").read_text("utf-8")
    return EvidenceTable.model_validate(tomllib.loads(raw))
