"""Pinned figures: retrieval and answer metrics on a fixed fixture library.

Twelve questions, each with the fixture documents that answer it and the terms an answer
should state. The figures are exact, as measured when this test was written: a change to
any of them must be explained in the commit that makes it (a better ranking, a deliberate
abstention), never just updated. Speed is measured by `medoracle bench`, not here.
"""

from __future__ import annotations

import statistics

import pytest

from medoracle.answer.model import Answer
from medoracle.answer.service import Answerer

# question, relevant document ids, terms the answer should state
QUESTIONS: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("How is Varnell syndrome with leg weakness managed?", frozenset({"ngc:9301"}),
     ("methylprednisolone", "magnetic resonance imaging")),
    ("What is the treatment for imaginary tremor?", frozenset({"ngc:9001"}), ("drug Q",)),
    ("How should invented fever be managed?", frozenset({"ngc:9002"}), ("cool fluids", "fan")),
    ("What are the symptoms of imaginary knee cancer?", frozenset({"medquad:1-0000001_1-1"}),
     ("swelling",)),
    ("How is example worm infection diagnosed?", frozenset({"medquad:9-0000001-3"}),
     ("stool test",)),
    ("Does humming reduce worry before dental cleaning?",
     frozenset({"pubmedqa:90000001", "bioasq:11111111", "pmc:PMC9000004", "bioasq:33333333"}),
     ("humming",)),
    ("Do warm compresses ease sore knees in walkers?", frozenset({"pmc:PMC9000001"}),
     ("warm compresses",)),
    ("Does drug X shorten fever in Examplevirus infection?", frozenset({"pubmed:90000001"}),
     ("drug X",)),
    ("How is seasonal quorn fever treated?", frozenset({"ngc:9302"}),
     ("oral fluids", "paracetamol")),
    ("Does exercise help invented back pain?", frozenset({"pubmed:90000005"}), ("exercise",)),
    ("Does invented tea help mild insomnia?", frozenset({"pubmed:90000006"}), ("tea",)),
    ("Are paper straws linked to sore throats?", frozenset({"pubmedqa:90000002"}), ("straws",)),
)  # fmt: skip


def _retrieval(answerer: Answerer, mode: str) -> dict[str, float]:
    """Document recall@1, recall@5 (relevant found / min(relevant, 5)) and MRR@10."""
    rows: list[tuple[float, float, float]] = []
    for question, relevant, _ in QUESTIONS:
        hits = answerer.retriever.search(question, k=10, mode=mode).hits  # type: ignore[arg-type]
        ranked = list(dict.fromkeys(hit.doc_id for hit in hits))
        first = next((r for r, d in enumerate(ranked[:10], 1) if d in relevant), None)
        rows.append(
            (
                float(bool(ranked) and ranked[0] in relevant),
                len(set(ranked[:5]) & relevant) / min(len(relevant), 5),
                1.0 / first if first else 0.0,
            )
        )
    return {
        name: round(statistics.fmean(row[i] for row in rows), 4)
        for i, name in enumerate(("recall@1", "recall@5", "mrr@10"))
    }


@pytest.fixture(scope="module")
def pages(fixed_answerer: Answerer) -> list[Answer]:
    return [fixed_answerer.ask(question) for question, _, _ in QUESTIONS]


def test_retrieval_metrics_are_pinned(fixed_answerer: Answerer) -> None:
    assert _retrieval(fixed_answerer, "full") == {
        "recall@1": 0.9167,  # "imaginary tremor" ranks the knee cancer page first
        "recall@5": 1.0,
        "mrr@10": 0.9583,
    }
    assert _retrieval(fixed_answerer, "bm25") == {"recall@1": 1.0, "recall@5": 1.0, "mrr@10": 1.0}


def test_answer_metrics_are_pinned(pages: list[Answer]) -> None:
    cited: list[float] = []  # the bottom line cites a relevant document
    covered: list[float] = []  # share of the expected terms the page states
    for page, (_, relevant, terms) in zip(pages, QUESTIONS, strict=True):
        doc_of = {reference.number: reference.doc_id for reference in page.references}
        bottom = {doc_of[n] for statement in page.bottom_line for n in statement.citations}
        cited.append(float(bool(bottom & relevant)))
        text = " ".join(statement.text for statement in page.statements()).lower()
        covered.append(sum(term.lower() in text for term in terms) / len(terms))
    assert round(statistics.fmean(cited), 4) == 0.5
    assert round(statistics.fmean(covered), 4) == 0.4583
    # Abstained: imaginary tremor, invented fever, knee cancer symptoms, humming, compresses.
    assert [i for i, page in enumerate(pages) if page.abstained] == [1, 2, 3, 5, 6]
