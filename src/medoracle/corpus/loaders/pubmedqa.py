"""PubMedQA expert-labelled abstracts (`pubmedqa`), stored as a small corpus of abstracts.

Record fields: pubid, split, QUESTION, CONTEXTS, LABELS, MESHES, YEAR,
reasoning_required_pred, reasoning_free_pred, final_decision, LONG_ANSWER. Later work
evaluates retrieval and answers on the question, the decision and the long answer (the
abstract's conclusion), so none of them, nor the predictions, is stored: a document holds
only the labelled abstract sections, which is what retrieval may legitimately find.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medoracle.corpus.loaders._common import (
    PassageDraft,
    Skipped,
    build_passages,
    read_records,
)
from medoracle.corpus.models import Document, Identifiers, LoadedDocument, PassageKind, PubType
from medoracle.corpus.sections import section_kind, title_case
from medoracle.grade import Grade, evidence_table

__all__ = ["CORPUS", "FILES", "FORMAT", "read"]

FORMAT = "pubmedqa"
CORPUS = "pubmedqa"
FILES = ("pqal.jsonl",)

SOURCE = "PubMed"
LICENCE = "MIT (PubMedQA); abstract text from PubMed/MEDLINE"
_PMID = re.compile(r"^\d{1,9}$")
# Abstract sections are short; one passage per labelled section keeps the label honest.
_SECTION_CHARS = 10_000
# Designs that methods text names reliably when it describes the study itself.
_DESIGNS_IN_METHODS = frozenset(
    {PubType.SYSTEMATIC_REVIEW, PubType.RANDOMIZED_TRIAL, PubType.COHORT, PubType.CASE_REPORT}
)


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    return read_records(path, _convert)


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    pmid = str(record["pubid"]).strip()
    if not _PMID.match(pmid):
        return Skipped(where, f"pubid {pmid!r} is not a PubMed id")
    contexts, labels = record["CONTEXTS"], record["LABELS"]
    if not isinstance(contexts, list) or not isinstance(labels, list):
        raise TypeError("CONTEXTS and LABELS must be lists")
    if len(contexts) != len(labels):
        return Skipped(where, f"{len(contexts)} CONTEXTS but {len(labels)} LABELS")
    drafts = [
        PassageDraft(
            title_case(str(label).strip(" ,;:")) or "Abstract",
            str(text),
            section_kind(str(label)) or PassageKind.OTHER,
            max_chars=_SECTION_CHARS,
        )
        for label, text in zip(labels, contexts, strict=True)
    ]
    doc_id = f"pubmedqa:{pmid}"
    passages = build_passages(doc_id, drafts)
    if not passages:
        return Skipped(where, "no abstract section has text")
    grade = _design(drafts)
    document = Document(
        id=doc_id,
        title=f"PubMed abstract PMID {pmid}",
        source=SOURCE,
        year=_year(record.get("YEAR")),
        identifiers=Identifiers(pmid=pmid, url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        licence=LICENCE,
        corpus=CORPUS,
        mesh=[str(term) for term in record.get("MESHES") or []],
    )
    return LoadedDocument(document=document, passages=passages)


def _design(drafts: list[PassageDraft]) -> Grade:
    """Grade by the study design the methods sections describe. The records have no title
    to read the design from; background sections are left out because they cite other
    studies ("previous randomized trials ...") rather than describe this one. The title
    rules for reviews and guidelines are not applied: in methods text "review" is a chart
    review or a review board, not the article's type."""
    methods = " ".join(d.text for d in drafts if d.kind is PassageKind.METHOD)
    grade = evidence_table().from_title(methods)
    if grade.pub_type not in _DESIGNS_IN_METHODS:
        return evidence_table().grade(PubType.RESEARCH)
    return grade


def _year(value: object) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    return int(str(value).strip())
