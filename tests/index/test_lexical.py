"""The lexical index (`index.lexical`): kept in step with the library's change log, BM25
search with boosts and filters, and the analyzer, on a small real-format library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import write_cochrane
from medoracle.corpus.service import ingest_paths
from medoracle.corpus.store import Library
from medoracle.index.lexical import Filters, LexicalIndex
from medoracle.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "corpus" / "fixtures"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(home=tmp_path / "home", data_dir=None)
    ingest_paths(settings, "ngc", [FIXTURES / "ngc"])
    ingest_paths(settings, "medquad", [FIXTURES / "medquad"])
    ingest_paths(settings, "cochrane", [write_cochrane(tmp_path / "reviews.jsonl", 20)])
    return settings


def _doc_ids(library: Library, found: list[tuple[int, float]]) -> list[str]:
    rows = {row["pid"]: row["doc_id"] for row in library.candidate_rows([p for p, _ in found])}
    return [rows[pid] for pid, _ in found]


def test_update_follows_the_change_log(settings: Settings, tmp_path: Path) -> None:
    with Library.open(settings.library_path) as library:
        index = LexicalIndex(tmp_path / "lexical")
        totals = index.update(library)
        passages = library.stats()["passages"]
        assert totals == {"added": passages, "deleted": 0, "cursor": library.change_cursor()}
        assert index.num_passages() == passages
        assert index.update(library)["added"] == 0  # nothing new
        hits = index.search([("imaginary", 1.0), ("tremor", 1.0)], 3)
        assert _doc_ids(library, hits)[0] == "ngc:9001"
        assert [score for _, score in hits] == sorted((s for _, s in hits), reverse=True)


def _replace_reviews(settings: Settings, tmp_path: Path) -> None:
    """Re-ingest the 20 reviews with changed wording: 40 passages deleted, 40 added."""
    changed = write_cochrane(tmp_path / "reviews.jsonl", 20, variant=" in zebrafish")
    ingest_paths(settings, "cochrane", [changed])


def test_replaced_passages_leave_the_passage_index(settings: Settings, tmp_path: Path) -> None:
    with Library.open(settings.library_path) as library:
        LexicalIndex(tmp_path / "lexical").update(library)
    _replace_reviews(settings, tmp_path)
    with Library.open(settings.library_path) as library:
        totals = LexicalIndex(tmp_path / "lexical").update(library)
        assert totals["added"] == totals["deleted"] == 40
        index = LexicalIndex(tmp_path / "lexical")
        assert len(index.search([("zebrafish", 1.0)], 50)) == 20
        assert index.num_passages() == library.stats()["passages"]


def test_replaced_documents_leave_the_document_index(settings: Settings, tmp_path: Path) -> None:
    with Library.open(settings.library_path) as library:
        LexicalIndex(tmp_path / "documents", "document").update(library)
    _replace_reviews(settings, tmp_path)
    with Library.open(settings.library_path) as library:
        totals = LexicalIndex(tmp_path / "documents", "document").update(library)
        assert (totals["added"], totals["deleted"]) == (20, 0)  # each replaced in place
        index = LexicalIndex(tmp_path / "documents", "document")
        assert index.num_passages() == library.count_documents()
        assert len(index.search([("zebrafish", 1.0)], 50)) == 20


def test_filters_restrict_every_hit(settings: Settings, tmp_path: Path) -> None:
    with Library.open(settings.library_path) as library:
        index = LexicalIndex(tmp_path / "lexical")
        index.update(library)
        terms = [("drug", 1.0), ("tremor", 1.0), ("cancer", 1.0), ("fever", 1.0)]

        def corpora(filters: Filters) -> set[str]:
            found = _doc_ids(library, index.search(terms, 100, filters))
            return {doc_id.split(":")[0] for doc_id in found}

        assert corpora(Filters()) == {"ngc", "medquad", "cochrane"}
        assert corpora(Filters(pub_types=("guideline",))) == {"ngc"}
        assert corpora(Filters(corpora=("medquad",))) == {"medquad"}
        assert corpora(Filters(audience="patient")) <= {"medquad", "cochrane"}
        assert corpora(Filters(year_from=2000, year_to=2002)) == {"ngc"}
        assert corpora(Filters(current_only=True)) == {"ngc", "medquad", "cochrane"}


def test_document_granularity_has_one_entry_per_document(
    settings: Settings, tmp_path: Path
) -> None:
    with Library.open(settings.library_path) as library:
        index = LexicalIndex(tmp_path / "documents", "document")
        totals = index.update(library)
        assert totals["added"] == index.num_passages() == library.count_documents()
        hits = index.search([("imaginary", 1.0), ("tremor", 1.0)], 1)
        first_pid = min(row["pid"] for row in library.passage_rows(["ngc:9001"]))
        assert hits[0][0] == first_pid


def test_analyzer_stems_and_drops_stop_words(tmp_path: Path) -> None:
    index = LexicalIndex(tmp_path / "lexical")
    assert index.tokens("The treated patients") == ["treat", "patient"]
    assert index.idf(["absent"])["absent"] > 0  # an empty index still weighs words
    assert index.doc_freq("the") == 0 and index.search([("the", 1.0)], 5) == []
    with pytest.raises(ValueError, match="granularity"):
        LexicalIndex(tmp_path / "other", "sentence")


def test_rare_words_weigh_more_and_co_occurrence_is_counted(
    settings: Settings, tmp_path: Path
) -> None:
    with Library.open(settings.library_path) as library:
        index = LexicalIndex(tmp_path / "lexical")
        index.update(library)
        weights = index.idf(index.tokens("tremor participants"))
        assert weights["tremor"] > weights["particip"]
        assert index.doc_freq("trial group enrolled") == 20
        assert index.doc_freq("tremor zebrafish") == 0


def test_an_index_of_another_format_is_rebuilt(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "lexical"
    with Library.open(settings.library_path) as library:
        LexicalIndex(folder).update(library)
        state = json.loads((folder / "state.json").read_text("utf-8"))
        (folder / "state.json").write_text(json.dumps({**state, "format": -1}), "utf-8")
        index = LexicalIndex(folder)
        assert (index.cursor, index.num_passages()) == (0, 0)
        assert index.update(library)["added"] == library.stats()["passages"]
