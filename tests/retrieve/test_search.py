from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from medoracle.index.lexical import Filters
from medoracle.retrieve.search import Retriever
from medoracle.retrieve.service import index_dir, open_retriever
from medoracle.settings import Settings


class FakeDense:
    """Dense search that always proposes the given passages, best first."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def search_text(self, text: str, k: int) -> list[tuple[int, float]]:
        return [(pid, 1.0 - i / 100) for i, pid in enumerate(self.pids[:k])]


def test_the_matching_guideline_comes_first(retriever: Retriever) -> None:
    hits = retriever.search("how is imaginary tremor treated", k=5).hits
    assert hits[0].doc_id == "ngc:9001"
    assert len({hit.doc_id for hit in hits}) == len(hits)  # one passage per document


def test_patient_audience_filter_and_type_filter(retriever: Retriever) -> None:
    patient = retriever.search("knee cancer symptoms", filters=Filters(audience="patient")).hits
    assert patient and all(hit.doc_id.startswith("medquad:") for hit in patient)
    reviews = retriever.search(
        "drug relapse", filters=Filters(pub_types=("systematic_review",))
    ).hits
    assert reviews and all(hit.doc_id.startswith("cochrane:") for hit in reviews)


def test_per_doc_returns_several_passages_of_a_document(retriever: Retriever) -> None:
    hits = retriever.search("invented fever assessment management", k=1, per_doc=3).hits
    assert 1 < len(hits) <= 3
    assert len({hit.doc_id for hit in hits}) == 1


def test_bm25_mode_ignores_the_reranker(retriever: Retriever) -> None:
    full = retriever.search("imaginary tremor", mode="full").hits
    plain = retriever.search("imaginary tremor", mode="bm25").hits
    assert full[0].features and not plain[0].features


def test_dense_candidates_are_fused_in(settings: Settings, retriever: Retriever) -> None:
    pid = retriever.library.passage_rows(["cochrane:CD900017"])[0]["pid"]
    hybrid = Retriever(retriever.library, retriever.lexical, retriever.documents,
                       settings.retrieval, dense=FakeDense([pid]))  # fmt: skip
    hits = hybrid.search("zzzz unmatched words", k=3, mode="dense").hits
    assert [hit.doc_id for hit in hits] == ["cochrane:CD900017"]


def test_retracted_sources_sink_below_current_ones(retriever: Retriever) -> None:
    conn = retriever.library.conn  # a test may write; the library's readers may not
    conn.execute("UPDATE documents SET status = 'retracted' WHERE id = 'ngc:9001'")
    try:
        hits = retriever.search("imaginary tremor therapy", k=5).hits
        assert hits[0].doc_id != "ngc:9001"
    finally:
        conn.execute("UPDATE documents SET status = 'current' WHERE id = 'ngc:9001'")


def test_empty_query_is_refused(retriever: Retriever) -> None:
    with pytest.raises(ValueError, match="no searchable words"):
        retriever.search("   \t ")


def test_very_long_query_is_cut_not_refused(retriever: Retriever) -> None:
    result = retriever.search("tremor " * 2000)
    assert len(result.plan.text) <= 2000
    assert result.hits


@hsettings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_gives_hits_or_the_one_documented_error(retriever: Retriever, text: str) -> None:
    try:
        result = retriever.search(text, k=3)
    except ValueError as exc:
        assert "no searchable words" in str(exc)
    else:
        assert len(result.hits) <= 3


@pytest.mark.parametrize(
    "query",
    ["tremor\x00\x07 therapy", "tremor 🤒 therapy", "traitement du tremblement", "震颤 治疗"],
)
def test_odd_characters_and_other_languages_do_not_break_search(
    retriever: Retriever, query: str
) -> None:
    retriever.search(query)


def test_missing_or_damaged_index_is_rebuilt(settings: Settings) -> None:
    lexical = index_dir(settings) / "lexical"
    (lexical / "state.json").write_text("{not json", encoding="utf-8")
    shutil.rmtree(index_dir(settings) / "lexical-documents")
    retriever = open_retriever(settings, dense=False, understand=False)
    assert retriever.lexical.num_passages() == retriever.library.stats()["passages"]
    assert retriever.search("imaginary tremor").hits[0].doc_id == "ngc:9001"
