"""MedQuAD consumer-health question-answer pairs from NIH sites (`medquad`).

Record fields: uid, doc_id, source (site code), url, collection, file, focus,
focus_category, cuis, semantic_types, semantic_group, synonyms, pid, qid, qtype, question,
answer, answer_removed. Each answered pair becomes one patient-information document whose
title is the question; the MedlinePlus subsets (A.D.A.M., drugs, herbs) ship without answer
text for copyright reasons and are skipped as expected, not as broken records.
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

__all__ = ["CORPUS", "FILES", "FORMAT", "read"]

FORMAT = "medquad"
CORPUS = "medquad"
FILES = ("medquad.jsonl.gz", "medquad.jsonl")

LICENCE = "CC BY 4.0 (MedQuAD); source pages from NIH/NLM sites"
SITES: dict[str, str] = {
    "CancerGov": "National Cancer Institute (cancer.gov)",
    "GARD": "Genetic and Rare Diseases Information Center (GARD)",
    "GHR": "Genetics Home Reference",
    "MPlusHealthTopics": "MedlinePlus Health Topics",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke",
    "NIHSeniorHealth": "NIHSeniorHealth",
    "NHLBI": "National Heart, Lung, and Blood Institute",
    "CDC": "Centers for Disease Control and Prevention",
    "ADAM": "A.D.A.M. Medical Encyclopedia (MedlinePlus)",
    "MPlusDrugs": "MedlinePlus Drug Information",
    "MPlusHerbsSupplements": "MedlinePlus Herbs and Supplements",
}
_SMALL_WORDS = frozenset({"and", "of", "or", "the", "to"})
# An inline bullet: a hyphen after a line break or a run of spaces, then the item text.
_BULLET = re.compile(r"(?:\n[ \t]*|[ \t]{2,})-[ \t]+(?=\S)")
# Prose resuming after a list, or a new paragraph, is marked only by a run of spaces.
_SPACED_BREAK = re.compile(r"(?<=[.:!?])[ \t]{3,}(?=\S)")
_SPACE_BEFORE_COLON = re.compile(r"[ \t]+:(?=\s)")
_SPACE_BEFORE_MARK = re.compile(r"\s+([?!.,;:])(?=\s|$)")


def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
    return read_records(path, _convert)


def _convert(where: str, record: dict[str, Any]) -> LoadedDocument | Skipped:
    uid = str(record["uid"]).strip()
    answer = record["answer"]
    if record.get("answer_removed") is True:
        return Skipped(where, "answer removed for copyright (MedlinePlus)", malformed=False)
    if not isinstance(answer, str) or not answer.strip():
        return Skipped(where, "no answer text", malformed=False)
    question = clean_question(str(record["question"]))
    if not question:
        return Skipped(where, "question is empty")
    code = str(record["source"])
    qtype = str(record.get("qtype") or "information").strip()
    focus = str(record.get("focus") or "").strip()
    grade = evidence_table().grade(PubType.PATIENT_INFORMATION)
    doc_id = f"medquad:{uid}"
    document = Document(
        id=doc_id,
        title=question,
        source=SITES.get(code, code),
        identifiers=Identifiers(url=record.get("url") or None),
        pub_type=grade.pub_type,
        evidence_level=grade.level,
        evidence_label=grade.label,
        audience=Audience.PATIENT,
        licence=LICENCE,
        corpus=CORPUS,
        mesh=_topics(focus, record.get("synonyms")),
        extra={
            "focus": focus,
            "qtype": qtype,
            "cuis": [str(c) for c in record.get("cuis") or []],
            "answer_id": answer_id(code, str(record["doc_id"]), str(record["pid"])),
        },
    )
    draft = PassageDraft(
        _title(qtype), normalise_answer(answer), PassageKind.ANSWER, audience=Audience.PATIENT
    )
    return LoadedDocument(document=document, passages=build_passages(doc_id, [draft]))


def answer_id(source: str, doc_id: str, pid: str) -> str:
    """The MedQuAD answer id that the LiveQA 2017 judgments use: `GHR_0000804_Sec2`."""
    return f"{source}_{doc_id}_Sec{pid}"


def clean_question(question: str) -> str:
    """ "What is (are) X ?" -> "What is (are) X?": the templates put a space before marks."""
    return _SPACE_BEFORE_MARK.sub(r"\1", " ".join(question.split()))


def normalise_answer(answer: str) -> str:
    """Put each inline bullet ("text.    - item    - item") on a line of its own as
    "- item", and start a new line where prose resumes after a run of spaces, so that
    sentences and list items split where a reader would see them break. Every line is a
    paragraph, so that chunking a long answer never runs list items back together."""
    text = _SPACED_BREAK.sub("\n", _BULLET.sub("\n- ", answer))
    text = _SPACE_BEFORE_COLON.sub(":", text)
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def _topics(focus: str, synonyms: object) -> list[str]:
    """The focus first, then its synonyms, without repeats or blanks."""
    extra = [str(s).strip() for s in synonyms] if isinstance(synonyms, list) else []
    return list(dict.fromkeys(name for name in [focus, *extra] if name))


def _title(qtype: str) -> str:
    """ "exams and tests" -> "Exams and Tests"."""
    words = qtype.split()
    return " ".join(
        word if index and word in _SMALL_WORDS else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )
