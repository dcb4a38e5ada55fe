from __future__ import annotations

import json
from pathlib import Path

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import LoadedDocument, PassageKind, PubType

FIXTURE = Path("pubmedqa") / "pqal.jsonl"


def _read(fixtures: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("pubmedqa").read(fixtures / FIXTURE))


def _loaded(fixtures: Path) -> list[LoadedDocument]:
    return [r for r in _read(fixtures) if isinstance(r, LoadedDocument)]


def test_abstracts_become_pubmed_documents(fixtures: Path) -> None:
    loaded = _loaded(fixtures)
    assert [r.document.id for r in loaded] == ["pubmedqa:90000001", "pubmedqa:90000002"]
    doc = loaded[0].document
    assert doc.title == "PubMed abstract PMID 90000001"
    assert doc.identifiers.pmid == "90000001"
    assert doc.identifiers.url == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert (doc.year, doc.source, doc.corpus) == (2012, "PubMed", "pubmedqa")
    assert doc.mesh == ["Dental Anxiety", "Singing"]
    assert loaded[1].document.year is None


def test_design_is_read_from_the_methods_section(fixtures: Path) -> None:
    trial, review = (r.document for r in _loaded(fixtures))
    assert trial.pub_type is PubType.RANDOMIZED_TRIAL
    assert (trial.evidence_level, trial.evidence_label) == (3, "Randomized trial")
    # "retrospective" names a cohort design; the word "review" in methods text does not
    # make the article a review
    assert review.pub_type is PubType.COHORT


def test_one_passage_per_labelled_section(fixtures: Path) -> None:
    passages = _loaded(fixtures)[1].passages
    assert [(p.section, p.kind) for p in passages] == [
        ("Objective", PassageKind.BACKGROUND),
        ("Materials and Methods", PassageKind.METHOD),
        ("Results", PassageKind.RESULT),
    ]
    background = _loaded(fixtures)[0].passages[0]
    assert background.sentence_texts() == [
        "Many adults worry before dental cleaning.",
        "Humming slows breathing.",
    ]


def test_question_decision_and_long_answer_are_never_stored(fixtures: Path) -> None:
    records = [
        json.loads(line)
        for line in (fixtures / FIXTURE).read_text("utf-8").split("\n")
        if line.endswith("}")
    ]
    for loaded in _loaded(fixtures):
        stored = loaded.model_dump_json()
        record = next(r for r in records if loaded.document.id.endswith(r["pubid"]))
        assert record["QUESTION"] not in stored
        assert record["LONG_ANSWER"] not in stored
        for key in ("QUESTION", "LONG_ANSWER", "final_decision", "reasoning_free_pred"):
            assert key not in stored
        assert loaded.document.extra == {}


def test_broken_records_are_skipped_with_line_numbers(fixtures: Path) -> None:
    skipped = [r for r in _read(fixtures) if isinstance(r, Skipped)]
    assert [s.where for s in skipped] == ["pqal.jsonl:3", "pqal.jsonl:4", "pqal.jsonl:5"]
    assert "JSON" in skipped[0].reason
    assert skipped[1].reason == "1 CONTEXTS but 2 LABELS"
    assert "pubid" in skipped[2].reason


def test_real_file_counts(shared_data: Path) -> None:
    results = list(get_loader("pubmedqa").read(shared_data / "pubmedqa" / "pqal.jsonl"))
    loaded = [r for r in results if isinstance(r, LoadedDocument)]
    assert len(results) == len(loaded) == 1000
    assert sum(len(r.passages) for r in loaded) == 3358
    designs = {t: sum(r.document.pub_type is t for r in loaded) for t in PubType}
    assert designs[PubType.RANDOMIZED_TRIAL] == 35
    assert designs[PubType.COHORT] == 232
    assert designs[PubType.RESEARCH] == 725
    stored = "\n".join(p.text for r in loaded for p in r.passages)
    lines = (shared_data / "pubmedqa" / "pqal.jsonl").read_text("utf-8").split("\n")
    for record in map(json.loads, filter(None, lines)):
        assert record["QUESTION"] not in stored
        assert record["LONG_ANSWER"] not in stored
