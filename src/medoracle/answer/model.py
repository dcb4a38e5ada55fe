"""The answer page as data: what `ask` returns, what the renderers and the web app show.

An `Answer` holds a bottom line and sections of `Statement`s; each statement names the
reference numbers it rests on and quotes the exact source sentences behind them. References
are numbered by first use. `Answer` validates that every citation resolves to a reference,
so a dangling number cannot be built, and that every shown statement has a citation.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medoracle.corpus.models import Identifiers, PubType, Status

__all__ = [
    "Answer",
    "AnswerAudience",
    "Dropped",
    "Link",
    "ModelReport",
    "Provenance",
    "Quote",
    "Reference",
    "Section",
    "Statement",
    "TermNote",
    "Warning",
    "WarningKind",
    "web_links",
]


class AnswerAudience(StrEnum):
    CLINICIAN = "clinician"
    STUDENT = "student"
    PATIENT = "patient"


class WarningKind(StrEnum):
    RED_FLAG = "red_flag"
    OUTDATED_SOURCE = "outdated_source"  # superseded, withdrawn or retracted
    DATED_SOURCE = "dated_source"  # old enough to check for a newer edition: a footnote
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"
    CONFLICTING_EVIDENCE = "conflicting_evidence"
    NOT_A_QUESTION = "not_a_question"
    MODEL_FALLBACK = "model_fallback"  # the model's page failed verification: sources quoted


class Link(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(description='"PubMed", "DOI", "PMC", "Guideline", "Web"')
    url: str = Field(pattern=r"^https?://")


def web_links(identifiers: Identifiers, *, guideline: bool = False) -> list[Link]:
    """The links a reader can follow from a source's identifiers: PubMed, PMC, DOI, then
    its own address (labelled "Guideline" for a guideline) unless it is one of those
    pages under another host ("www.ncbi.nlm.nih.gov/pmc/articles/PMC42/")."""
    derived = (
        (
            "PubMed",
            identifiers.pmid and f"https://pubmed.ncbi.nlm.nih.gov/{quote(identifiers.pmid)}/",
        ),
        (
            "PMC",
            identifiers.pmcid
            and f"https://pmc.ncbi.nlm.nih.gov/articles/{quote(identifiers.pmcid)}/",
        ),
        ("DOI", identifiers.doi and f"https://doi.org/{quote(identifiers.doi)}"),
        ("Guideline" if guideline else "Web", identifiers.url),
    )
    linked = [i for i in (identifiers.pmid, identifiers.pmcid, identifiers.doi) if i]
    links: list[Link] = []
    for label, url in derived:
        if (
            url
            and url.startswith(("http://", "https://"))
            and all(link.url != url for link in links)
            and not (url == identifiers.url and any(f"/{i}" in url for i in linked))
        ):
            links.append(Link(label=label, url=url))
    return links


class Reference(BaseModel):
    """One numbered source in the reference list."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1)
    doc_id: str
    type_label: str = Field(description='"Guideline", "Systematic review", ...')
    pub_type: PubType
    evidence_level: int = Field(ge=1, le=7)
    title: str
    source: str | None = None
    year: int | None = None
    identifiers: Identifiers = Field(default_factory=Identifiers)
    links: list[Link] = Field(default_factory=list)
    status: Status = Status.CURRENT
    status_note: str | None = None
    grade: str | None = Field(None, description="recommendation grade of the cited passage")
    strength: str | None = Field(None, description="GRADE wording of that grade")
    patient_information: bool = False
    citation: str = Field(description="the one-line citation")


class Quote(BaseModel):
    """A source sentence a statement rests on: which reference, which passage, the words."""

    model_config = ConfigDict(extra="forbid")

    reference: int = Field(ge=1)
    passage_id: str = Field(description="doc_id#seq")
    section: str
    text: str


class Statement(BaseModel):
    """One shown sentence, its citation numbers and its verified support."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    citations: list[int] = Field(min_length=1)
    support: float = Field(ge=0, le=1, description="verifier score against the quotes")
    quotes: list[Quote] = Field(min_length=1)
    grade: str | None = None
    relevance: float = 0.0
    signals: dict[str, float] = Field(default_factory=dict, description="verifier signals")

    def key(self) -> str:
        """The statement's name across versions and audiences: a hash of the source
        sentences it quotes (a patient page rewords the text, never the quotes)."""
        basis = "\n".join(q.text for q in self.quotes) or self.text
        return hashlib.sha256(basis.encode()).hexdigest()[:12]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description='template key, e.g. "first_line"')
    heading: str
    statements: list[Statement] = Field(default_factory=list)


class Warning(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: WarningKind
    message: str
    references: list[int] = Field(default_factory=list)


class TermNote(BaseModel):
    """A term explained for the student or patient audience, on its first use."""

    model_config = ConfigDict(extra="forbid")

    term: str
    explanation: str


class Dropped(BaseModel):
    """A statement the model wrote that the verifier kept off the page, and why."""

    model_config = ConfigDict(extra="forbid")

    text: str
    reason: str = Field(description="a key of `medoracle.cite.gate.REASONS`")


class ModelReport(BaseModel):
    """What the language model wrote for a page and what verification did with it."""

    model_config = ConfigDict(extra="forbid")

    model: str
    written: int = Field(0, ge=0, description="statements the model wrote")
    kept: int = Field(0, ge=0, description="statements shown after verification")
    dropped: list[Dropped] = Field(default_factory=list)
    fallback: str | None = Field(
        None, description="why the page quotes the sources instead of the model's prose"
    )
    repaired: bool = Field(False, description="the first reply was invalid and was re-asked")
    cached: bool = Field(False, description="the model's reply came from the page cache")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    ms: float = 0.0


class Provenance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    composer: str = "extractive"
    model: ModelReport | None = Field(None, description="the language model's part, if any")
    library_version: str = Field(description="passage change cursor and document count")
    created: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    settings: dict[str, object] = Field(default_factory=dict)
    timings_ms: dict[str, float] = Field(default_factory=dict)


Score = Annotated[float, Field(ge=0)]


class Answer(BaseModel):
    """An answer page. `abstained` answers carry no statements, only what was found."""

    model_config = ConfigDict(extra="forbid")

    question: str
    qtype: str
    ask: str = Field("", description='what the question asks for: "dose", "treatment", ...')
    focus: list[str] = Field(
        default_factory=list, description="what the question is about, main subject first"
    )
    title: str
    audience: AnswerAudience = AnswerAudience.CLINICIAN
    bottom_line: list[Statement] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    emergency: str | None = Field(None, description='"seek emergency care now" text, first')
    abstained: bool = False
    closest: list[Reference] = Field(
        default_factory=list, description="closest sources found, shown when abstaining"
    )
    see_doctor: list[str] = Field(
        default_factory=list, description='"when to see a doctor" advice (patient audience)'
    )
    terms: list[TermNote] = Field(default_factory=list)
    readability: dict[str, float] = Field(default_factory=dict)
    provenance: Provenance

    @model_validator(mode="after")
    def _citations_resolve(self) -> Answer:
        numbers = [reference.number for reference in self.references]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"references must be numbered 1..n in order, got {numbers}")
        known = set(numbers)
        for statement in self.statements():
            for number in (*statement.citations, *(q.reference for q in statement.quotes)):
                if number not in known:
                    raise ValueError(f"citation [{number}] has no reference")
        for warning in self.warnings:
            for number in warning.references:
                if number not in known:
                    raise ValueError(f"warning cites [{number}], which has no reference")
        return self

    @property
    def refused(self) -> bool:
        """The input was not a medical question (instructions, another language)."""
        return any(w.kind is WarningKind.NOT_A_QUESTION for w in self.warnings)

    def statements(self) -> list[Statement]:
        """Every shown statement, bottom line first, in page order."""
        return [*self.bottom_line, *(s for section in self.sections for s in section.statements)]

    def text(self) -> str:
        """The page's prose (bottom line and sections), for readability and ROUGE."""
        return " ".join(statement.text for statement in self.statements())
