from __future__ import annotations

import gzip
import json
from pathlib import Path

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import LoadedDocument, PassageKind, PubType

FIXTURE = Path("bioasq") / "questions.jsonl"


def _read(fixtures: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("bioasq").read(fixtures / FIXTURE))


def _by_id(fixtures: Path) -> dict[str, LoadedDocument]:
    return {r.document.id: r for r in _read(fixtures) if isinstance(r, LoadedDocument)}


def test_one_document_per_pmid_across_questions(fixtures: Path) -> None:
    docs = _by_id(fixtures)
    assert list(docs) == [
        "bioasq:11111111",
        "bioasq:22222222",
        "bioasq:33333333",
        "bioasq:44444444",
    ]
    doc = docs["bioasq:11111111"].document
    assert doc.identifiers.pmid == "11111111"
    assert doc.identifiers.url == "https://pubmed.ncbi.nlm.nih.gov/11111111/"
    assert (doc.source, doc.corpus) == ("PubMed", "bioasq")


def test_snippets_are_deduplicated_and_ordered_by_offset(fixtures: Path) -> None:
    passages = _by_id(fixtures)["bioasq:11111111"].passages
    # the snippet quoted by both questions appears once; the earlier offset comes first;
    # the title snippets are not passages because abstract snippets exist
    assert [p.text for p in passages] == [
        "Dental worry keeps many adults away from check-ups.",
        "Humming lowered worry scores by a third compared with silence.",
    ]
    assert {(p.section, p.kind) for p in passages} == {("Abstract", PassageKind.SNIPPET)}
    assert passages[1].sentences == [(0, 62)]


def test_title_comes_from_a_whole_title_snippet(fixtures: Path) -> None:
    docs = _by_id(fixtures)
    trial = docs["bioasq:11111111"].document
    assert trial.title == "A randomized trial of humming for dental worry"
    assert trial.pub_type is PubType.RANDOMIZED_TRIAL
    untitled = docs["bioasq:22222222"].document
    assert untitled.title == "PubMed article PMID 22222222"
    assert untitled.pub_type is PubType.RESEARCH


def test_title_only_articles_keep_the_title_as_their_passage(fixtures: Path) -> None:
    docs = _by_id(fixtures)
    report = docs["bioasq:33333333"]
    assert report.document.pub_type is PubType.CASE_REPORT
    assert [(p.section, p.text) for p in report.passages] == [
        ("Title", "Case report: a humming dental patient")
    ]
    partial = docs["bioasq:44444444"]  # offset 5: not the whole title
    assert partial.document.title == "PubMed article PMID 44444444"
    assert [p.section for p in partial.passages] == ["Title"]


def test_no_question_text_answers_or_ids_are_stored(fixtures: Path) -> None:
    lines = (fixtures / FIXTURE).read_text("utf-8").split("\n")
    questions = [json.loads(line) for line in lines if line.endswith("}")]
    stored = "".join(r.model_dump_json() for r in _by_id(fixtures).values())
    for question in questions:
        assert question["body"] not in stored
        assert question["id"] not in stored
        for answer in question["ideal_answer"]:
            assert answer not in stored
    assert "lullaby" not in stored


def test_bad_snippets_and_records_are_skipped(fixtures: Path) -> None:
    skipped = [r for r in _read(fixtures) if isinstance(r, Skipped)]
    assert [s.where for s in skipped] == [
        "questions.jsonl:2#snippet-3",
        "questions.jsonl:2#snippet-5",
        "questions.jsonl:3",
        "questions.jsonl:4",
    ]
    assert "not a PubMed article URL" in skipped[0].reason
    assert skipped[1].reason == "snippet text is empty"
    assert "JSON" in skipped[2].reason
    assert "snippets" in skipped[3].reason


def test_real_file_counts(shared_data: Path) -> None:
    path = shared_data / "bioasq" / "bioasq_taskb_golden_7b-12b.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = sum(len(json.loads(line)["snippets"]) for line in handle)
    assert rows == 30703
    results = list(get_loader("bioasq").read(path))
    loaded = [r for r in results if isinstance(r, LoadedDocument)]
    assert len(results) == len(loaded) == 18687
    assert sum(len(r.passages) for r in loaded) == 28431
    titled = [r for r in loaded if not r.document.title.startswith("PubMed article PMID")]
    assert len(titled) == 2566
