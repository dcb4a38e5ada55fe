"""Evidence for labelling: what retrieval gathered for a question, with the labelled
sources it missed added under their own evidence numbers.

A labelled pair needs its gold source in the evidence even where retrieval did not find it:
a PubMedQA abstract's conclusion (not stored in the library), LiveQA's judged MedQuAD
answers, MEDIQA's scored answers. These helpers add them the way `gather` numbers its own
documents and sentences, so features are computed alike for both.
"""

from __future__ import annotations

import json

from medoracle.answer.service import Answerer
from medoracle.corpus.models import Document
from medoracle.corpus.text import split_sentences
from medoracle.query.focus import names_in
from medoracle.retrieve.evidence import Evidence, EvidenceDocument, EvidenceSentence, gather

__all__ = ["add_document", "add_library_document", "add_sentences", "gathered"]


def gathered(answerer: Answerer, question: str) -> Evidence | None:
    try:
        analysis = answerer.analyser.analyse(question)
    except ValueError:
        return None
    return gather(answerer.retriever, analysis, documents=answerer.settings.answer.documents)


def add_document(evidence: Evidence, record: Document, rank: int = 20) -> int:
    from medoracle.retrieve.evidence import _focus_match

    key = names_in(" ; ".join([record.title, *record.mesh]))
    number = len(evidence.documents) + 1
    focus = _focus_match(evidence.analysis, key)
    evidence.documents.append(EvidenceDocument(number, record, rank, focus, key))
    return number


def add_library_document(answerer: Answerer, evidence: Evidence, record: Document) -> None:
    number = add_document(evidence, record)
    for row in answerer.retriever.library.passage_rows([record.id]):
        evidence.passages[row["pid"]] = row["text"]
        for position, (start, end) in enumerate(json.loads(row["sentences"])):
            evidence.sentences.append(
                EvidenceSentence(
                    number, row["pid"], row["seq"], row["section"], row["kind"], row["grade"],
                    row["audience"], row["text"][start:end], position,
                )
            )  # fmt: skip


def add_sentences(
    evidence: Evidence, number: int, text: str, section: str, kind: str, pid: int
) -> None:
    """`text` as sentences of document `number`, under a passage id of its own (< 0)."""
    evidence.passages[pid] = text
    audience = "patient" if kind == "answer" else "clinician"
    for position, (start, end) in enumerate(split_sentences(text)):
        evidence.sentences.append(
            EvidenceSentence(
                number, pid, 0, section, kind, None, audience, text[start:end], position
            )
        )
