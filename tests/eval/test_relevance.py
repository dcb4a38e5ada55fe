"""Labelled pairs for the relevance model (`eval.relevance_evidence`, `eval.relevance_fit`):
sources retrieval missed are added to the evidence as `gather` numbers its own, and the
models are fitted, scored and written on invented examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medoracle.answer.relevance import FEATURES, RELEVANCE_FEATURES, load_model
from medoracle.answer.service import Answerer
from medoracle.eval import relevance_fit
from medoracle.eval.relevance import Example
from medoracle.eval.relevance_evidence import (
    add_document,
    add_library_document,
    add_sentences,
    gathered,
)
from medoracle.eval.relevance_fit import fit_model, fit_ranking, score_examples, write_model


def test_missed_sources_join_the_evidence(fixed_answerer: Answerer) -> None:
    evidence = gathered(fixed_answerer, "How is seasonal quorn fever treated?")
    assert evidence is not None and evidence.documents
    assert gathered(fixed_answerer, "   ") is None  # nothing to analyse
    present = {d.doc_id for d in evidence.documents}
    record = fixed_answerer.retriever.library.document("pubmed:90000006")
    assert record is not None and record.id not in present
    before = len(evidence.documents)
    add_library_document(fixed_answerer, evidence, record)
    number = before + 1
    assert evidence.document(number).doc_id == "pubmed:90000006"
    added = [s for s in evidence.sentences if s.document == number]
    assert [s.quote for s in added] == [
        "Eighty adults drank invented tea or water each night.",
        "Sleep onset was faster with tea.",
    ]
    assert all(evidence.passages[s.pid].startswith("Eighty adults") for s in added)
    # A source outside the library: its text under a passage id of its own (< 0).
    other = add_document(evidence, record.model_copy(update={"id": "mediqa:a-1"}), rank=3)
    add_sentences(evidence, other, "Tea helps. Water does not.", "Answer", "answer", -other)
    own = [s for s in evidence.sentences if s.document == other]
    assert [(s.quote, s.pid, s.audience) for s in own] == [
        ("Tea helps.", -other, "patient"),
        ("Water does not.", -other, "patient"),
    ]
    assert evidence.document(other).rank == 3


def _examples() -> list[Example]:
    """Two datasets whose positives have more coverage and similarity than negatives."""
    examples = []
    for i in range(40):
        for dataset in ("bioasq", "liveqa"):
            label = i % 2
            features = {name: 0.1 * ((i * 7 + j) % 5) for j, name in enumerate(FEATURES)}
            features["coverage"] = 0.2 + 0.6 * label + 0.01 * (i % 7)
            features["similarity"] = 0.3 + 0.4 * label - 0.01 * (i % 5)
            examples.append(Example(dataset, f"q{i}", features, label))
    return examples


def test_models_fit_and_score_on_labelled_pairs() -> None:
    pytest.importorskip("sklearn")
    examples = _examples()
    bias, weights = fit_model(examples)
    assert set(weights) == set(RELEVANCE_FEATURES) and isinstance(bias, float)
    assert weights["coverage"] > 0
    ranking = fit_ranking(examples)
    assert set(ranking) == {"bias", *FEATURES}
    report = score_examples(examples, load_model())
    assert set(report) == {"all", "bioasq", "liveqa"}
    assert report["all"]["pairs"] == 80 and report["all"]["positives"] == 40
    assert report["all"]["baseline_overlap_auc"] == 1.0  # the invented pairs separate


def test_written_model_lands_where_the_model_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "relevance.json"
    monkeypatch.setattr(relevance_fit, "model_path", lambda: path)
    try:
        assert write_model(-1.0, {"coverage": 2.0}, 0.5, {"auc": 0.9}) == path
    finally:
        load_model.cache_clear()  # the package's own model is read again next time
    written = json.loads(path.read_text("utf-8"))
    assert written["weights"] == {"coverage": 2.0} and written["floor"] == 0.5
    assert written["ranking"] is None and "dev splits" in written["fitted_on"]
