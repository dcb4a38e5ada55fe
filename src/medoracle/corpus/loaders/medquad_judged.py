"""MedQuAD answers judged for the TREC 2017 LiveQA medical task (`medquad-judged`).

`liveqa_test_judged_answers_2479.jsonl.gz` holds {AnswerID, Answer}, the answer text as
"Question: ... URL: ... Answer: ...". Most of these answers come from the MedlinePlus
collections (A.D.A.M., drugs, herbs) whose text the MedQuAD corpus file omits, so they
join the library as patient information. An answer that the corpus file beside it already
has with text (same answer id) is skipped, so no answer is stored twice.
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
    iter_jsonl,
    safe_load,
)
from medoracle.corpus.loaders.medquad import SITES, answer_id, clean_question, normalise_answer
from medoracle.corpus.models import (
    Audience,
    Document,
    Identifiers,
    LoadedDocument,
    PassageKind,
    PubType,
)
from medoracle.grade import evidence_table

__all__ = ["CORPUS", "FILES", "FORMAT", "read"]

FORMAT = "medquad-judged"
CORPUS = "medquad"
FILES = ("liveqa_test_judged_answers_*.jsonl.gz", "liveqa_test_judged_answers_*.jsonl")

LICENCE = (
    "MedQuAD (CC BY 4.0) answer as judged in TREC 2017 LiveQA; MedlinePlus text (A.D.A.M., "
    "drug and herb monographs) is copyrighted by third parties: research use, quote with citation"
)
_ANSWER_ID = re.compile(r"^([A-Za-z]+)_(\d+)_Sec(\d+)(?:\.txt)?$")
_LAYOUT = re.compile(
    r"^Question:\s*(?P<q>.*?)\s*\nURL:\s*(?P<url>\S*)\s*\nAnswer:\s*(?P<a>.*)$", re.S
)
_ALSO_CALLED = re.compile(r"\s*\(Also called:.*\)\s*$")
_SOURCE_NAMES = {"MPlusHerbsSuppls": "MPlusHerbsSupplements"}


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    in_corpus = _corpus_answer_ids(path.parent)
    seen: set[str] = set()
    for where, record in iter_jsonl(path):
        if isinstance(record, Skipped):
            yield record
            continue
        identifier = str(record.get("AnswerID", "")).removesuffix(".txt")
        if identifier in in_corpus:
            yield Skipped(where, "answer already in the MedQuAD corpus", malformed=False)
        elif identifier in seen:
            yield Skipped(where, "answer judged for several questions (kept once)", malformed=False)
        else:
            seen.add(identifier)
            yield safe_load(_convert, where, record)


def _corpus_answer_ids(folder: Path) -> set[str]:
    """Answer ids that the MedQuAD corpus file in `folder` holds with text."""
    for name in ("medquad.jsonl.gz", "medquad.jsonl"):
        if (folder / name).exists():
            return {
                answer_id(str(r.get("source")), str(r.get("doc_id")), str(r.get("pid")))
                for _, r in iter_jsonl(folder / name)
                if isinstance(r, dict) and isinstance(r.get("answer"), str) and r["answer"].strip()
            }
    return set()


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    identifier = str(record["AnswerID"]).strip().removesuffix(".txt")
    match = _ANSWER_ID.match(identifier)
    if not match:
        return Skipped(where, f"AnswerID {identifier!r} is not SOURCE_NNNNNNN_SecN")
    layout = _LAYOUT.match(str(record["Answer"]).strip())
    if not layout or not layout["a"].strip():
        return Skipped(where, "answer is not 'Question: ... URL: ... Answer: ...' with text")
    code = _SOURCE_NAMES.get(match[1], match[1])
    grade = evidence_table().grade(PubType.PATIENT_INFORMATION)
    doc_id = f"medquad:{identifier}"
    document = Document(
        id=doc_id,
        title=clean_question(_ALSO_CALLED.sub("", layout["q"])) or identifier,
        source=SITES.get(code, code),
        identifiers=Identifiers(url=layout["url"] or None),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        audience=Audience.PATIENT,
        licence=LICENCE,
        corpus=CORPUS,
        extra={"answer_id": identifier},
    )
    draft = PassageDraft(
        "Answer", normalise_answer(layout["a"]), PassageKind.ANSWER, audience=Audience.PATIENT
    )
    return LoadedDocument(document=document, passages=build_passages(doc_id, [draft]))
