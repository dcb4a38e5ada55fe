"""Cochrane systematic-review abstracts with plain-language summaries (`cochrane_pls`).

Record fields: id, split, doi, cd_number, abstract_results_conclusions,
plain_language_summary. The records carry no review title or date, so the title names the
review by its CD number and the DOI is the link a reader follows.
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
from medoracle.corpus.models import (
    Audience,
    Document,
    Identifiers,
    LoadedDocument,
    PassageKind,
    PubType,
)
from medoracle.grade import evidence_table

FORMAT = "cochrane"
CORPUS = "cochrane"
FILES = ("*.jsonl.gz", "*.jsonl")

SOURCE = "Cochrane Database of Systematic Reviews"
LICENCE = "Cochrane Library content (Cochrane/Wiley copyright); research use, quote with citation"
_CD_NUMBER = re.compile(r"^(CD|MR)\d{6}$")  # MR: Cochrane methodology reviews


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    return read_records(path, _convert)


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    cd_number = str(record["cd_number"]).strip()
    if not _CD_NUMBER.match(cd_number):
        return Skipped(where, f"cd_number {cd_number!r} is not a Cochrane review number")
    abstract = str(record.get("abstract_results_conclusions") or "").strip()
    summary = str(record.get("plain_language_summary") or "").strip()
    if not abstract and not summary:
        return Skipped(where, "neither abstract nor plain-language summary has text")
    grade = evidence_table().grade(PubType.SYSTEMATIC_REVIEW)
    doc_id = f"cochrane:{cd_number}"
    document = Document(
        id=doc_id,
        title=f"Cochrane review {cd_number}",
        source=SOURCE,
        identifiers=Identifiers(doi=record.get("doi") or None),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        licence=LICENCE,
        corpus=CORPUS,
        extra={"cd_number": cd_number},
    )
    drafts = [
        PassageDraft("Main results and authors' conclusions", abstract, PassageKind.CONCLUSION),
        PassageDraft(
            "Plain language summary",
            summary,
            PassageKind.PLAIN_SUMMARY,
            audience=Audience.PATIENT,
        ),
    ]
    return LoadedDocument(document=document, passages=build_passages(doc_id, drafts))
