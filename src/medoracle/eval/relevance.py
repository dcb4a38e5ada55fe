"""`medoracle eval relevance`: the sentence relevance model, fitted and measured on labelled
question-sentence pairs from the open sets.

Labels:
- BioASQ: a sentence of the evidence is relevant when a gold snippet of the question holds
  it (Tsatsaronis et al. 2015); every other clean sentence gathered for the question is not.
- PubMedQA: the expert conclusion of the question's own abstract (not stored in the library)
  is relevant, as a conclusion of that abstract; the abstract's background and methods and
  the other sources' sentences are not (Jin et al. 2019).
- TREC LiveQA medical: the first sentences of MedQuAD answers judged 3-4 are relevant, of
  those judged 1-2 not (Ben Abacha et al. 2017).
- MEDIQA 2019 task 3: the first sentences of answers scored 3-4 are relevant, 1-2 not
  (Ben Abacha et al., BioNLP 2019).

The model is a logistic regression (scikit-learn, class-balanced) over
`medoracle.answer.relevance.FEATURES`, fitted on the dev splits only; the report gives the
area under the ROC curve and average precision on the test splits, for the fitted model, the
hand-set weights it replaces and a word-overlap baseline (concept coverage alone).

This module makes the labelled pairs (`build_examples`, and `bank_examples` for the ranking
model); `medoracle.eval.relevance_evidence` adds the labelled sources retrieval missed to
the evidence, and `medoracle.eval.relevance_fit` fits, scores and writes the models.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medoracle.answer.candidates import featurize
from medoracle.answer.pages import page_for
from medoracle.answer.service import Answerer
from medoracle.corpus.models import Document, PubType
from medoracle.eval.datasets import load_questions, split_ids
from medoracle.eval.relevance_evidence import (
    add_document,
    add_library_document,
    add_sentences,
    gathered,
)
from medoracle.retrieve.evidence import Evidence

__all__ = ["DATASETS", "Example", "bank_examples", "build_examples"]

DATASETS = ("bioasq", "pubmedqa", "liveqa", "mediqa")
NEGATIVES_PER_QUESTION = 40
FIRST_SENTENCES = 3
_SEED = 20261202
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Example:
    dataset: str
    qid: str
    features: dict[str, float]
    label: int


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text.lower()).strip()


def build_examples(
    answerer: Answerer,
    data_dir: Path,
    split: str,
    datasets: Sequence[str] = DATASETS,
    limit: int | None = None,
) -> list[Example]:
    """Labelled feature vectors from each dataset's `split`."""
    examples: list[Example] = []
    for dataset in datasets:
        reader = {
            "bioasq": _bioasq,
            "pubmedqa": _pubmedqa,
            "liveqa": _liveqa,
            "mediqa": _mediqa,
        }[dataset]
        examples.extend(reader(answerer, data_dir, split, limit))
    return examples


def _labelled(
    answerer: Answerer,
    evidence: Evidence,
    dataset: str,
    qid: str,
    label_of: Any,
) -> Iterator[Example]:
    """Features of every clean sentence of `evidence`, labelled by `label_of(item)` (1, 0 or
    None to skip); negatives are sampled to at most NEGATIVES_PER_QUESTION."""
    composer = answerer.composer
    page = page_for(evidence.analysis.ask, evidence.analysis.text, evidence.analysis.also)
    items = featurize(evidence, page, composer.tools, composer.concepts(evidence), gate=False)
    positives: list[Example] = []
    negatives: list[Example] = []
    for item in items:
        label = label_of(item)
        if label is None:
            continue
        example = Example(dataset, qid, item.features, int(label))
        (positives if label else negatives).append(example)
    random.Random(f"{_SEED}:{dataset}:{qid}").shuffle(negatives)
    yield from positives
    yield from negatives[:NEGATIVES_PER_QUESTION]


def _bioasq(answerer: Answerer, data_dir: Path, split: str, limit: int | None) -> Iterator[Example]:
    wanted = split_ids("bioasq")[split]
    path = data_dir / "bioasq" / "bioasq_taskb_golden_7b-12b.jsonl.gz"
    done = 0
    for record in _jsonl(path):
        if record["id"] not in wanted or record.get("type") not in ("summary", "yesno", "factoid"):
            continue
        snippets = [_norm(s["text"]) for s in record.get("snippets", [])]
        if not snippets:
            continue
        evidence = gathered(answerer, record["body"])
        if evidence is None:
            continue

        def label(item: Any, snippets: list[str] = snippets) -> int:
            quote = _norm(item.sentence.quote)
            return int(any(quote in snippet for snippet in snippets))

        yield from _labelled(answerer, evidence, "bioasq", record["id"], label)
        done += 1
        if limit is not None and done >= limit:
            return


def _pubmedqa(
    answerer: Answerer, data_dir: Path, split: str, limit: int | None
) -> Iterator[Example]:
    questions = load_questions(data_dir, "pubmedqa", split)[:limit]
    for question in questions:
        conclusion = question.ideal[0] if question.ideal else ""
        evidence = gathered(answerer, question.text)
        if evidence is None or not conclusion:
            continue
        gold_id = f"pubmedqa:{question.id}"
        number = next((d.number for d in evidence.documents if d.doc_id == gold_id), None)
        if number is None:
            record = answerer.retriever.library.document(gold_id)
            if record is None:
                continue
            number = add_document(evidence, record)
        add_sentences(evidence, number, conclusion, "Conclusions", "conclusion", -1)
        marker = evidence.sentences[-1].pid

        def label(item: Any, number: int = number, marker: int = marker) -> int | None:
            if item.sentence.pid == marker:
                return 1
            if item.document.number == number and item.sentence.kind in ("result", "other"):
                return None  # the abstract's own results support its conclusion: unlabelled
            return 0

        yield from _labelled(answerer, evidence, "pubmedqa", question.id, label)


def _liveqa(answerer: Answerer, data_dir: Path, split: str, limit: int | None) -> Iterator[Example]:
    questions = load_questions(data_dir, "liveqa", split)[:limit]
    answer_ids = {
        doc_id: str(extra.get("answer_id", ""))
        for doc_id, extra in answerer.retriever.library.extras("medquad").items()
    }
    by_answer = {answer: doc for doc, answer in answer_ids.items() if answer}
    for question in questions:
        evidence = gathered(answerer, question.text)
        if evidence is None:
            continue
        present = {d.doc_id for d in evidence.documents}
        for answer in question.judgments:  # every judged answer, retrieved or not
            doc_id = by_answer.get(answer)
            if doc_id is None or doc_id in present:
                continue
            record = answerer.retriever.library.document(doc_id)
            if record is not None:
                add_library_document(answerer, evidence, record)
                present.add(doc_id)
        grades = {by_answer.get(a): g for a, g in question.judgments.items()}

        def label(item: Any, grades: dict[str | None, int] = grades) -> int | None:
            grade = grades.get(item.document.doc_id)
            if grade is None or item.sentence.position >= FIRST_SENTENCES:
                return None
            return int(grade >= 3)

        yield from _labelled(answerer, evidence, "liveqa", question.id, label)


def _mediqa(answerer: Answerer, data_dir: Path, split: str, limit: int | None) -> Iterator[Example]:
    # The official training and validation sets are the dev side; the test set is the test.
    splits = ("train_liveqa", "train_alexa", "validation") if split == "dev" else ("test",)
    done = 0
    for record in _jsonl(data_dir / "mediqa2019" / "task3_qa.jsonl.gz"):
        if record["split"] not in splits:
            continue
        try:
            analysis = answerer.analyser.analyse(record["question"])
        except ValueError:
            continue
        evidence = Evidence(analysis, [], [], {})
        scores: dict[int, int] = {}
        for answer in record["answers"]:
            text = str(answer.get("text") or "")
            title, _, body = text.partition(": ")
            if not body or len(title) > 120:
                title, body = text[:80], text
            document = Document(
                id=f"mediqa:{_slug(str(answer['aid']))}",
                title=title,
                pub_type=PubType.PATIENT_INFORMATION,
                evidence_level=7,
                evidence_label="Patient information",
                corpus="mediqa",
                audience="patient",
            )
            number = add_document(evidence, document, rank=int(answer.get("SystemRank", 1)) - 1)
            add_sentences(evidence, number, body, "Answer", "answer", -number)
            scores[number] = int(answer.get("ReferenceScore", 1))

        def label(item: Any, scores: dict[int, int] = scores) -> int | None:
            if item.sentence.position >= FIRST_SENTENCES:
                return None
            return int(scores.get(item.document.number, 1) >= 3)

        yield from _labelled(answerer, evidence, "mediqa", str(record["uid"]), label)
        done += 1
        if limit is not None and done >= limit:
            return


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:80] or "answer"


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def bank_examples(answerer: Answerer, split: str) -> list[Example]:
    """The ranking model's pairs: every sentence that passes the page's tests for a covered
    bank question, relevant when it states one of the question's key points."""
    from medoracle.eval.bank import mentions
    from medoracle.eval.quality import bank_split

    examples: list[Example] = []
    composer = answerer.composer
    for question in bank_split(split):
        if not question.covered:
            continue
        evidence = gathered(answerer, question.text)
        if evidence is None:
            continue
        analysis = evidence.analysis
        page = page_for(analysis.ask, analysis.text, analysis.also)
        for item in featurize(evidence, page, composer.tools, composer.concepts(evidence)):
            label = any(mentions(item.text, point) for point in question.key_points)
            examples.append(Example("bank", question.id, item.features, int(label)))
    return examples
