from __future__ import annotations

import itertools
from pathlib import Path

from medoracle.corpus.loaders import Skipped, get_loader, resolve_files
from medoracle.corpus.models import LoadedDocument, PassageKind, PubType


def _read(fixtures: Path) -> list[LoadedDocument | Skipped]:
    path = fixtures / "evidence_inference" / "rct_fulltext_articles.jsonl"
    return list(get_loader("evidence-inference").read(path))


def _loaded(fixtures: Path) -> list[LoadedDocument]:
    return [r for r in _read(fixtures) if isinstance(r, LoadedDocument)]


def test_articles_are_randomized_trials_linked_to_pmc(fixtures: Path) -> None:
    loaded = _loaded(fixtures)
    assert [r.document.id for r in loaded] == ["pmc:PMC9000001", "pmc:PMC9000004"]
    doc = loaded[0].document
    assert doc.title == "A randomised trial of warm compresses for sore knees"
    assert doc.pub_type is PubType.RANDOMIZED_TRIAL
    assert (doc.evidence_level, doc.evidence_label) == (3, "Randomized trial")
    assert doc.identifiers.pmcid == "PMC9000001"
    assert doc.identifiers.url == "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC9000001/"
    assert doc.source is None
    assert doc.corpus == "evidence_inference"
    assert doc.extra == {"split": "train", "ei_version": "ev2"}


def test_sections_get_readable_labels_and_kinds(fixtures: Path) -> None:
    passages = _loaded(fixtures)[0].passages
    assert [(p.section, p.kind) for p in passages] == [
        ("Abstract: Background", PassageKind.BACKGROUND),
        ("Abstract: Methods", PassageKind.METHOD),
        ("Abstract: Results", PassageKind.RESULT),
        ("Abstract: Conclusions", PassageKind.CONCLUSION),
        ("Introduction", PassageKind.BACKGROUND),
        ("Methods", PassageKind.METHOD),
        ("Methods: Statistical Analysis", PassageKind.METHOD),
        # a flattened subsection with no kind of its own inherits the one before it
        ("Compress Preparation", PassageKind.METHOD),
        ("Results", PassageKind.RESULT),
        ("Discussion", PassageKind.OTHER),
    ]


def test_title_and_non_evidence_sections_are_dropped(fixtures: Path) -> None:
    texts = " ".join(p.text for p in _loaded(fixtures)[0].passages)
    assert "warm compresses for sore knees" not in texts  # the title is not a passage
    for dropped in ("sell compresses", "wrote the paper", "history is online"):
        assert dropped not in texts


def test_paragraphs_and_sentence_offsets(fixtures: Path) -> None:
    passages = _loaded(fixtures)[0].passages
    methods = next(p for p in passages if p.section == "Methods")
    assert methods.text == "The trial ran in two walking clubs.\n\nWalkers gave written consent."
    assert methods.sentence_texts() == [
        "The trial ran in two walking clubs.",
        "Walkers gave written consent.",
    ]
    results = next(p for p in passages if p.section == "Abstract: Results")
    assert len(results.sentences) == 1  # "vs." is not a sentence end


def test_untitled_article_with_unlabelled_abstract(fixtures: Path) -> None:
    loaded = _loaded(fixtures)[1]
    assert loaded.document.title == "PubMed Central article PMC9000004"
    assert loaded.document.extra == {}
    (passage,) = loaded.passages
    assert (passage.section, passage.kind) == ("Abstract", PassageKind.OTHER)
    assert passage.text.startswith("Twenty patients hummed")


def test_broken_records_are_skipped_with_line_numbers(fixtures: Path) -> None:
    skipped = [r for r in _read(fixtures) if isinstance(r, Skipped)]
    assert [s.where for s in skipped] == [
        "rct_fulltext_articles.jsonl:2",
        "rct_fulltext_articles.jsonl:3",
        "rct_fulltext_articles.jsonl:5",
    ]
    assert "JSON" in skipped[0].reason
    assert "pmcid" in skipped[1].reason
    assert skipped[2].reason == "missing field 'text'"
    assert all(s.malformed for s in skipped)


def test_directory_resolves_to_the_article_file_only(shared_data: Path) -> None:
    folder = shared_data / "evidence_inference"
    files = resolve_files(get_loader("evidence-inference"), folder)
    assert [f.name for f in files] == ["rct_fulltext_articles.jsonl.gz"]


def test_real_articles_load(shared_data: Path) -> None:
    path = shared_data / "evidence_inference" / "rct_fulltext_articles.jsonl.gz"
    first = list(itertools.islice(get_loader("evidence-inference").read(path), 200))
    loaded = [r for r in first if isinstance(r, LoadedDocument)]
    assert len(loaded) == 200
    assert all(r.document.id.startswith("pmc:PMC") for r in loaded)
    # measured: 6,249 passages for these 200 (138,528 for all 4,465 articles)
    assert abs(sum(len(r.passages) for r in loaded) - 6249) < 6249 * 0.02
    kinds = {p.kind for r in loaded for p in r.passages}
    assert kinds == {
        PassageKind.BACKGROUND,
        PassageKind.METHOD,
        PassageKind.RESULT,
        PassageKind.CONCLUSION,
        PassageKind.OTHER,
    }
    sections = {p.section for r in loaded for p in r.passages}
    assert {"Abstract: Results", "Discussion"} <= sections
    dropped = ("Competing Interests", "Authors' Contributions", "Pre-publication History")
    assert not any(s.endswith(dropped) for s in sections)
