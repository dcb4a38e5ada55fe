"""The library's read API (`corpus.reads`, `corpus.feeds`) on a small real-format library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import write_cochrane
from medoracle.corpus.schema import utc_now
from medoracle.corpus.service import ingest_paths
from medoracle.corpus.store import Library
from medoracle.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
REVIEWS = 500  # two passages each: more pids than one IN (...) chunk of the index feeds


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    home = tmp_path_factory.mktemp("home")
    settings = Settings(home=home, data_dir=None)
    ingest_paths(settings, "ngc", [FIXTURES / "ngc"])
    ingest_paths(settings, "medquad", [FIXTURES / "medquad"])
    ingest_paths(settings, "cochrane", [write_cochrane(home / "reviews.jsonl", REVIEWS)])
    with Library.open(settings.library_path) as lib:
        yield lib


def _pids(library: Library, doc_id: str) -> list[int]:
    return [row["pid"] for row in library.passage_rows([doc_id])]


def test_counts(library: Library) -> None:
    assert library.count_documents() == library.stats()["documents"] == 4 + REVIEWS
    assert library.stats()["passages"] == 9 + 2 + 2 * REVIEWS
    assert library.incomplete_documents() == []


def test_documents_by_ids_skip_the_missing(library: Library) -> None:
    found = library.documents(["ngc:9002", "ngc:9001", "ngc:0000"])
    assert sorted(found) == ["ngc:9001", "ngc:9002"]
    assert found["ngc:9001"] == library.document("ngc:9001")
    assert library.documents([]) == {}


def test_topics_and_extras(library: Library) -> None:
    assert library.topics(["ngc:9001", "absent:1"]) == {
        "ngc:9001": ["Imaginary tremor", "Phantom shaking"]
    }
    extras = library.extras("medquad")
    assert extras["medquad:1-0000001_1-1"]["answer_id"] == "CancerGov_0000001_1_Sec1"
    assert set(extras) == {"medquad:1-0000001_1-1", "medquad:9-0000001-3"}


def test_title_mesh_rows_stream_every_document(library: Library) -> None:
    rows = dict(library.title_mesh_rows())
    assert len(rows) == 4 + REVIEWS
    assert rows["Invented fever: assessment and management."] == '["Invented fever"]'


def test_documents_changed_since(library: Library) -> None:
    ids = ["ngc:9001", "medquad:9-0000001-3"]
    assert sorted(library.documents_changed_since(ids, "2000-01-01T00:00:00Z")) == sorted(ids)
    assert library.documents_changed_since(ids, "2999-01-01T00:00:00Z") == []
    assert library.documents_changed_since([], utc_now()) == []


def test_passage_rows_are_ordered_and_filtered_by_kind(library: Library) -> None:
    rows = library.passage_rows(["ngc:9002", "ngc:9001"])
    assert [(r["doc_id"], r["seq"]) for r in rows] == sorted((r["doc_id"], r["seq"]) for r in rows)
    assert len(rows) == 9
    kinds = library.passage_rows(["ngc:9001"], ("recommendation", "field"))
    assert [r["kind"] for r in kinds] == ["recommendation", "recommendation", "field", "field"]
    assert library.passage_rows([]) == []
    texts = library.passage_texts("ngc:9001")
    assert texts == [p.text for p in library.passages("ngc:9001")]


def test_candidate_rows_join_the_document(library: Library) -> None:
    pids = _pids(library, "ngc:9002")
    rows = {row["pid"]: row for row in library.candidate_rows(pids)}
    assert set(rows) == set(pids)
    assert {row["title"] for row in rows.values()} == {"Invented fever: assessment and management."}
    assert library.candidate_rows([]) == []


def test_pids_passing_applies_each_restriction(library: Library) -> None:
    guideline = _pids(library, "ngc:9001")
    patient = _pids(library, "medquad:1-0000001_1-1")
    review = _pids(library, "cochrane:CD900003")
    pids = [*guideline, *patient, *review]
    assert library.pids_passing(pids) == set(pids)
    assert library.pids_passing(pids, pub_types=["guideline"]) == set(guideline)
    assert library.pids_passing(pids, corpora=["medquad", "cochrane"]) == {*patient, *review}
    summaries = {r["pid"] for r in library.passage_rows(["cochrane:CD900003"], ("plain_summary",))}
    assert library.pids_passing(pids, audience="patient") == {*patient, *summaries}
    assert library.pids_passing(pids, year_from=2000, year_to=2002) == set(guideline)
    assert library.pids_passing(pids, current_only=True) == set(pids)


def test_index_feeds_read_past_one_chunk(library: Library) -> None:
    pids = [pid for _, pid, _ in library.changes_since(0)]
    assert len(pids) > 900
    rows = list(library.index_passage_rows(pids))
    assert sorted(row["pid"] for row in rows) == sorted(pids)
    doc_ids = sorted({doc_id for _, _, doc_id, _ in library.document_changes_since(0)})
    documents = {row["doc_id"]: row for row in library.index_document_rows(doc_ids, 40)}
    assert sorted(documents) == doc_ids
    first = documents["ngc:9001"]
    assert first["pid"] == min(_pids(library, "ngc:9001"))
    assert first["kind"] == "document" and len(first["text"]) == 40


def test_titled_passages(library: Library) -> None:
    pids = _pids(library, "ngc:9002")
    rows = library.titled_passages([*reversed(pids), 10**9])
    assert [row["pid"] for row in rows] == pids
    assert library.titled_passages([]) == []
    reviews = library.titled_passages_by_id_prefix("cochrane:")
    assert len(reviews) == 2 * REVIEWS
    assert all(row["id"].startswith("cochrane:") for row in reviews)
