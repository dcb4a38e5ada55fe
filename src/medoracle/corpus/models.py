"""Stored evidence: a `Document` is one citable source, a `Passage` one section-aware chunk.

Both are pydantic v2 models because they cross the boundary into SQLite and, later, into
answers and the web API. Loaders build them; the store hashes, writes and reads them back.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Audience",
    "Document",
    "Identifiers",
    "LoadedDocument",
    "Passage",
    "PassageKind",
    "PubType",
    "Status",
]


class PubType(StrEnum):
    """Publication type; `medoracle.grade` maps each to an evidence level and label."""

    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    META_ANALYSIS = "meta_analysis"
    RANDOMIZED_TRIAL = "randomized_trial"
    COHORT = "cohort"
    CASE_CONTROL = "case_control"
    RESEARCH = "research"
    CASE_SERIES = "case_series"
    CASE_REPORT = "case_report"
    NARRATIVE_REVIEW = "narrative_review"
    OPINION = "opinion"
    PATIENT_INFORMATION = "patient_information"
    DRUG_LABEL = "drug_label"  # regulator-approved prescribing information (FDA SPL)


class Status(StrEnum):
    CURRENT = "current"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    RETRACTED = "retracted"


class Audience(StrEnum):
    CLINICIAN = "clinician"
    PATIENT = "patient"


class PassageKind(StrEnum):
    """What a passage is for; retrieval prefers recommendations and conclusions."""

    RECOMMENDATION = "recommendation"
    CONCLUSION = "conclusion"
    RESULT = "result"
    METHOD = "method"
    BACKGROUND = "background"
    FIELD = "field"  # a guideline summary field: population, interventions, harms, ...
    DEFINITION = "definition"  # rating-scheme definitions
    SNIPPET = "snippet"
    ANSWER = "answer"  # patient-information answer text
    PLAIN_SUMMARY = "plain_summary"
    OTHER = "other"


Span = tuple[int, int]


class Identifiers(BaseModel):
    """External identifiers a citation can link to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pmid: str | None = Field(None, pattern=r"^\d{1,9}$", description="PubMed id")
    pmcid: str | None = Field(None, pattern=r"^PMC\d+$", description="PubMed Central id")
    doi: str | None = Field(None, pattern=r"^10\.\S+/\S+$", description="DOI, without a resolver")
    guideline_id: str | None = Field(None, description="issuer's or clearinghouse's guideline id")
    url: str | None = Field(None, pattern=r"^https?://", description="canonical web address")


class Document(BaseModel):
    """One citable source: a guideline, review, trial, article or patient page."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=r"^[a-z_]+:\S+$", max_length=200)]
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    source: str | None = Field(None, description="journal or issuing body")
    authors: list[str] = Field(default_factory=list)
    date: str | None = Field(
        None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="ISO date, as precise as known"
    )
    year: int | None = Field(None, ge=1800, le=2100)
    identifiers: Identifiers = Field(default_factory=Identifiers)
    pub_type: PubType
    evidence_level: int = Field(ge=1, le=7, description="1 = highest; see medoracle.grade")
    evidence_label: str
    status: Status = Status.CURRENT
    status_note: str | None = Field(None, description="why the status is what it is")
    audience: Audience = Audience.CLINICIAN
    licence: str | None = Field(None, description="copyright or licence note")
    corpus: str = Field(pattern=r"^[a-z_]+$")
    mesh: list[str] = Field(default_factory=list, description="MeSH headings or topics")
    extra: dict[str, str | list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _year_matches_date(self) -> Document:
        if self.date and self.year is None:
            self.year = int(self.date[:4])
        return self

    @property
    def is_current(self) -> bool:
        """Only current sources may rank as current evidence."""
        return self.status is Status.CURRENT


class Passage(BaseModel):
    """A section-aware chunk of a document, with sentence offsets for exact citations."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    seq: int = Field(ge=0, description="order within the document")
    section: str = Field(min_length=1, description='e.g. "Major recommendations", "Results"')
    kind: PassageKind = PassageKind.OTHER
    text: str = Field(min_length=1)
    sentences: list[Span] = Field(description="[start, end) character offsets into text")
    grade: str | None = Field(None, description='as the source states it: "Level A", "Class I"')
    strength: str | None = Field(None, description="GRADE wording: strong, conditional, ...")
    audience: Audience = Audience.CLINICIAN

    @field_validator("sentences")
    @classmethod
    def _spans_ordered(cls, spans: list[Span]) -> list[Span]:
        previous_end = 0
        for start, end in spans:
            if not previous_end <= start < end:
                raise ValueError(f"sentence span ({start}, {end}) is empty or out of order")
            previous_end = end
        return spans

    @model_validator(mode="after")
    def _spans_inside_text(self) -> Passage:
        if self.sentences and self.sentences[-1][1] > len(self.text):
            raise ValueError("a sentence span runs past the end of the passage text")
        return self

    @property
    def id(self) -> str:
        return f"{self.doc_id}#{self.seq}"

    def sentence_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.sentences]


class LoadedDocument(BaseModel):
    """A loader's output for one source record: the document and its passages."""

    model_config = ConfigDict(extra="forbid")

    document: Document
    passages: list[Passage]

    @model_validator(mode="after")
    def _passages_belong(self) -> LoadedDocument:
        if not self.passages:
            raise ValueError(f"{self.document.id} has no passages")
        for expected_seq, passage in enumerate(self.passages):
            if passage.doc_id != self.document.id:
                raise ValueError(f"passage of {passage.doc_id} attached to {self.document.id}")
            if passage.seq != expected_seq:
                raise ValueError(f"{self.document.id}: passage seq {passage.seq} out of order")
        return self

    def content_hash(self) -> str:
        """SHA-256 over the canonical JSON of everything stored; equal hash, nothing to do."""
        payload = self.model_dump(mode="json")
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()
