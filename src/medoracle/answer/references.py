"""References numbered by first use on the page, the statements that cite them, and the
page's warnings about its sources."""

from __future__ import annotations

from collections.abc import Sequence

from medoracle.answer.candidates import Candidate
from medoracle.answer.model import Quote, Reference, Statement, Warning, WarningKind, web_links
from medoracle.answer.select import overlap
from medoracle.cite.negation import negation
from medoracle.corpus.citation import citation_line
from medoracle.corpus.models import PubType, Status
from medoracle.retrieve.evidence import EvidenceDocument

__all__ = ["Numbering", "source_warnings"]

# A sentence taking the negative side: the `stance` subset of the one negation vocabulary.
_NEGATIVE = negation().words_pattern("stance")


class Numbering:
    """Page reference numbers, given in order of first use, for evidence documents."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.documents: dict[str, EvidenceDocument] = {}

    def number(self, document: EvidenceDocument) -> int:
        if document.doc_id not in self.numbers:
            self.numbers[document.doc_id] = len(self.numbers) + 1
            self.documents[document.doc_id] = document
        return self.numbers[document.doc_id]

    def statement(self, candidate: Candidate) -> Statement:
        number = self.number(candidate.document)
        quote = Quote(
            reference=number,
            passage_id=f"{candidate.document.doc_id}#{candidate.sentence.seq}",
            section=candidate.sentence.section,
            text=candidate.quote,
        )
        return Statement(
            text=candidate.text,
            citations=[number],
            support=1.0,  # set by the verifier
            quotes=[quote],
            grade=candidate.grade,
            relevance=round(candidate.probability, 4),
        )

    def references(self) -> list[Reference]:
        """The numbered references. A grade belongs to the statement it qualifies, never to
        the reference: one guideline grades its recommendations differently."""
        references: list[Reference] = []
        for doc_id, number in self.numbers.items():
            document = self.documents[doc_id].record
            references.append(
                Reference(
                    number=number,
                    doc_id=doc_id,
                    type_label=document.evidence_label,
                    pub_type=document.pub_type,
                    evidence_level=document.evidence_level,
                    title=document.title,
                    source=document.source,
                    year=document.year,
                    identifiers=document.identifiers,
                    links=web_links(
                        document.identifiers, guideline=document.pub_type is PubType.GUIDELINE
                    ),
                    status=document.status,
                    status_note=document.status_note,
                    patient_information=document.pub_type is PubType.PATIENT_INFORMATION,
                    citation=citation_line(document),
                )
            )
        return references


def source_warnings(
    used: Sequence[Candidate],
    numbering: Numbering,
    *,
    now: int,
    outdated_years: int,
    conflict_overlap: float,
    plain: bool = False,
) -> list[Warning]:
    """Superseded or retracted sources; one short note on dated guidelines; a page with no
    guideline or review (unless it is `plain`: written from patient information on purpose);
    two high-level sources that disagree (sharing `conflict_overlap` of their words)."""
    warnings: list[Warning] = []
    flagged: list[int] = []
    old: list[int] = []
    for doc_id, number in numbering.numbers.items():
        document = numbering.documents[doc_id].record
        if document.status is not Status.CURRENT:
            flagged.append(number)
        elif (
            document.pub_type is PubType.GUIDELINE
            and document.year
            and now - document.year > outdated_years
        ):
            old.append(number)
    if flagged:
        warnings.append(
            Warning(
                kind=WarningKind.OUTDATED_SOURCE,
                message="Superseded, withdrawn or retracted sources are cited; "
                "their statements should not guide care.",
                references=flagged,
            )
        )
    if old:
        warnings.append(
            Warning(
                kind=WarningKind.DATED_SOURCE,
                message=f"Over {outdated_years} years old: check for a newer edition.",
                references=old,
            )
        )
    high = [c for c in used if c.document.level <= 2]
    if used and not high and not plain:
        warnings.append(
            Warning(
                kind=WarningKind.INSUFFICIENT_EVIDENCE,
                message="No guideline or systematic review in the library answers this "
                "question; the page rests on lower-level evidence.",
            )
        )
    conflict = _conflict(high, conflict_overlap)
    if conflict is not None:
        first, second = conflict
        warnings.append(
            Warning(
                kind=WarningKind.CONFLICTING_EVIDENCE,
                message="High-level sources disagree on this point; both are shown.",
                references=sorted(
                    {
                        numbering.numbers[first.document.doc_id],
                        numbering.numbers[second.document.doc_id],
                    }
                ),
            )
        )
    return warnings


def _conflict(high: Sequence[Candidate], min_overlap: float) -> tuple[Candidate, Candidate] | None:
    """Two high-level sources that say opposite things about the same intervention: one
    sentence negated, the other not, from different documents, sharing at least
    `min_overlap` of their content words."""
    for i, first in enumerate(high):
        for second in high[i + 1 :]:
            if first.document.doc_id == second.document.doc_id:
                continue
            if bool(_NEGATIVE.search(first.text)) == bool(_NEGATIVE.search(second.text)):
                continue
            if overlap(first, second) >= min_overlap:
                return first, second
    return None
