from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import LoadedDocument, PassageKind, PubType, Status
from medoracle.errors import SourceError

HEADER = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    "<PubmedArticleSet>\n"
)


def _read(path: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("pubmed-xml").read(path))


def _docs(path: Path) -> dict[str, LoadedDocument]:
    return {r.document.id: r for r in _read(path) if isinstance(r, LoadedDocument)}


@pytest.fixture
def articles(fixtures: Path) -> Path:
    return fixtures / "pubmed" / "articles.xml"


FILLER = "x" * 600  # bulk, so that a tree kept whole would show


def _record(pmid: int) -> str:
    return f"""<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">
<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue>
<PubDate><Year>2020</Year></PubDate></JournalIssue><Title>Invented Journal</Title></Journal>
<ArticleTitle>Invented study number {pmid}.</ArticleTitle><Abstract>
<AbstractText Label="RESULTS" NlmCategory="RESULTS">Invented result {pmid}. {FILLER}</AbstractText>
</Abstract><PublicationTypeList><PublicationType>Journal Article</PublicationType>
</PublicationTypeList></Article></MedlineCitation><PubmedData><ArticleIdList>
<ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>
"""


def test_structured_trial_has_sections_doi_mesh_and_grade(articles: Path) -> None:
    loaded = _docs(articles)["pubmed:90000001"]
    doc = loaded.document
    assert doc.title.startswith("Drug X versus placebo for Examplevirus infection")
    assert doc.source == "Journal of Invented Clinical Medicine"
    assert (doc.date, doc.year) == ("2023-03-15", 2023)
    assert doc.authors == ["Doe JA", "Roe R", "Example Fever Trial Group"]
    assert doc.identifiers.doi == "10.5555/jicm.2023.0001"  # not the reference list's DOI
    assert doc.identifiers.pmcid == "PMC9000001"
    assert doc.identifiers.url == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    assert doc.mesh == ["Humans", "Fever"]
    assert doc.pub_type is PubType.RANDOMIZED_TRIAL
    assert doc.extra["publication_types"] == [
        "Journal Article",
        "Multicenter Study",
        "Randomized Controlled Trial",
    ]
    assert doc.corpus == "pubmed" and doc.licence and "National Library" in doc.licence
    sections = [(p.section, p.kind) for p in loaded.passages]
    assert sections == [
        ("Background", PassageKind.BACKGROUND),
        ("Methods", PassageKind.METHOD),
        ("Results", PassageKind.RESULT),
        ("Conclusions", PassageKind.CONCLUSION),
    ]
    assert "Serum CO2 did not change." in loaded.passages[2].sentence_texts()


def test_unstructured_abstract_and_medline_date(articles: Path) -> None:
    loaded = _docs(articles)["pubmed:90000002"]
    assert (loaded.document.year, loaded.document.date) == (1998, "1998")
    assert loaded.document.identifiers.doi is None
    [passage] = loaded.passages
    assert (passage.section, passage.kind) == ("Abstract", PassageKind.OTHER)


def test_record_without_any_year_is_kept_undated(articles: Path) -> None:
    doc = _docs(articles)["pubmed:90000003"].document
    assert (doc.year, doc.date) == (None, None)
    assert doc.source == "Invent Q Bull"  # ISOAbbreviation when there is no full title


def test_retracted_publication_names_the_notice(articles: Path) -> None:
    doc = _docs(articles)["pubmed:90000004"].document
    assert doc.status is Status.RETRACTED
    assert doc.status_note == "Retracted (see PMID 90000099)"
    assert doc.identifiers.doi == "10.5555/irc.2019.0004"  # from ELocationID
    assert doc.date == "2019-11"


def test_systematic_review_ranks_above_narrative_review(articles: Path) -> None:
    loaded = _docs(articles)["pubmed:90000005"]
    assert loaded.document.pub_type in {PubType.SYSTEMATIC_REVIEW, PubType.META_ANALYSIS}
    assert loaded.document.evidence_level == 2
    assert [p.section for p in loaded.passages] == ["Data sources", "Main findings", "Implications"]
    assert loaded.passages[-1].kind is PassageKind.OTHER  # NlmCategory UNASSIGNED


def test_journal_article_only_infers_design_from_title(articles: Path) -> None:
    doc = _docs(articles)["pubmed:90000006"].document
    assert doc.extra["publication_types"] == ["Journal Article"]
    assert (doc.pub_type, doc.evidence_level) == (PubType.RANDOMIZED_TRIAL, 3)


def test_books_missing_pmid_and_empty_abstracts_are_skipped(articles: Path) -> None:
    skipped = [r for r in _read(articles) if isinstance(r, Skipped)]
    assert skipped == [
        Skipped("articles.xml#90000007", "book records are not loaded", malformed=False),
        Skipped("articles.xml#record-8", "articles.xml record 8: no PMID", malformed=True),
        Skipped("articles.xml#90000009", "no abstract", malformed=False),
    ]


def test_gzip_is_detected_by_content_not_name(articles: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "pubmed25n0001.xml"
    disguised.write_bytes(gzip.compress(articles.read_bytes()))
    assert list(_docs(disguised)) == list(_docs(articles))


def test_broken_xml_yields_records_before_the_error_then_stops(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(HEADER + _record(1) + _record(2) + "<PubmedArticle><Medline", "utf-8")
    results = _read(broken)
    assert [type(r) for r in results] == [LoadedDocument, LoadedDocument, Skipped]
    last = results[-1]
    assert isinstance(last, Skipped) and last.malformed
    assert "broken.xml" in last.reason and "line" in last.reason and "column" in last.reason


def test_truncated_gzip_is_a_skip_not_a_crash(articles: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "cut.xml.gz"
    truncated.write_bytes(gzip.compress(articles.read_bytes())[:-40])
    results = _read(truncated)
    assert isinstance(results[-1], Skipped) and results[-1].malformed
    assert any(isinstance(r, LoadedDocument) for r in results)


def test_other_xml_root_is_a_source_error(tmp_path: Path) -> None:
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?>\n<PMCArticleSet><article/></PMCArticleSet>', "utf-8")
    with pytest.raises(SourceError, match="PMCArticleSet"):
        _read(other)


def test_streaming_keeps_memory_flat(tmp_path: Path) -> None:
    big = tmp_path / "baseline.xml"
    with big.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for pmid in range(1, 5001):
            out.write(_record(pmid))
        out.write("</PubmedArticleSet>\n")
    loader = get_loader("pubmed-xml")
    warm_up = loader.read(big)  # caches (evidence table, validators) are not the point
    next(warm_up)
    warm_up.close()
    count = 0
    tracemalloc.start()
    try:
        for result in loader.read(big):
            count += isinstance(result, LoadedDocument)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5000
    # The file is ~5 MB; a tree kept whole would take several times that.
    assert peak < big.stat().st_size / 5
