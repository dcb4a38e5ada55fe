from __future__ import annotations

from pathlib import Path

import pytest

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.loaders._ngc_metadata import authors, parse_date, release_date, status_of
from medoracle.corpus.models import LoadedDocument, PassageKind, PubType, Status


def _read(fixtures: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("ngc").read(fixtures / "ngc" / "ngc_summaries.jsonl"))


def _loaded(fixtures: Path) -> list[LoadedDocument]:
    return [r for r in _read(fixtures) if isinstance(r, LoadedDocument)]


def test_guideline_document_metadata(fixtures: Path) -> None:
    doc = _loaded(fixtures)[0].document
    assert doc.id == "ngc:9001"
    assert doc.identifiers.guideline_id == "NGC-9001"
    assert doc.pub_type is PubType.GUIDELINE and doc.evidence_level == 1
    assert doc.authors == ["Doe JA", "Roe B"]
    assert doc.source == "Fictional Academy of Neurology; Imaginary Tremor Society"
    assert (doc.date, doc.year) == ("2001-01", 2001)
    assert doc.extra["reaffirmed"] == "2015 Mar 3"
    assert doc.status_note == "Reaffirmed by the developer in March 2015"
    assert doc.mesh == ["Imaginary tremor", "Phantom shaking"]
    assert doc.licence is not None and "copyrighted" in doc.licence


def test_lead_in_and_graded_bullets_form_one_recommendation(fixtures: Path) -> None:
    passages = _loaded(fixtures)[0].passages
    recs = [p for p in passages if p.kind is PassageKind.RECOMMENDATION]
    first = recs[0]
    assert first.section == "Major recommendations — Pharmacologic Therapy"
    assert first.text.startswith("For adults with imaginary tremor the following are advised:")
    assert "Drug R may be used" in first.text
    assert first.grade == "Level A; B"


def test_false_positive_brackets_are_not_grades(fixtures: Path) -> None:
    recs = [p for p in _loaded(fixtures)[0].passages if p.kind is PassageKind.RECOMMENDATION]
    sleeve = recs[1]
    assert sleeve.section == "Major recommendations — Compression sleeves (thigh or knee length)"
    assert sleeve.grade == "Level of Evidence: C"
    assert sleeve.text.endswith("See the original guideline for details.")


def test_definitions_and_preamble_are_not_recommendations(fixtures: Path) -> None:
    passages = _loaded(fixtures)[0].passages
    assert passages[0].kind is PassageKind.OTHER
    definitions = [p for p in passages if p.kind is PassageKind.DEFINITION]
    assert [p.section for p in definitions] == ["Definitions"]
    assert "Level B: Probably effective." in definitions[0].text
    assert all("Established as effective" not in p.text for p in passages if p.grade)


def test_clinician_fields_skip_empty_values(fixtures: Path) -> None:
    fields = [p for p in _loaded(fixtures)[0].passages if p.kind is PassageKind.FIELD]
    assert [p.section for p in fields] == ["Target Population", "Potential Harms"]


def test_nice_wording_sets_strength(fixtures: Path) -> None:
    loaded = _loaded(fixtures)[1]
    recs = [p for p in loaded.passages if p.kind is PassageKind.RECOMMENDATION]
    assert [(p.grade, p.strength) for p in recs] == [(None, "strong"), (None, "conditional")]
    assert loaded.document.status is Status.CURRENT  # "withdrawal" is in the old citation
    assert loaded.document.status_note == "Updates a previous version"
    assert loaded.document.authors == []


def test_broken_records_are_skipped(fixtures: Path) -> None:
    skipped = [r for r in _read(fixtures) if isinstance(r, Skipped)]
    assert [s.where for s in skipped] == ["ngc_summaries.jsonl:3", "ngc_summaries.jsonl:4"]
    assert "JSON" in skipped[0].reason
    assert "major_recommendations" in skipped[1].reason


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2016 Sep 14", "2016-09-14"), ("2014 Apr", "2014-04"), ("2000", "2000"), ("", None)],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_release_date_prefers_revision() -> None:
    assert release_date("2001 Jun (revised 2008 Jul; reaffirmed 2013 Jul)") == "2008-07"


def test_status_rules() -> None:
    assert status_of("This guideline has been withdrawn by the developer.") is Status.WITHDRAWN
    assert status_of("This guideline was superseded by a 2017 update.") is Status.SUPERSEDED
    aap = "Guidelines expire after 5 years unless reaffirmed, revised, or retired."
    assert status_of(aap) is Status.CURRENT


def test_authors_are_not_invented_for_organisations() -> None:
    assert authors("| American College of Things (ACT). A guideline. 2008.") == []
    assert authors("| Smith TJ, Lee K, Expert Group. Title. J. 2010.") == ["Smith TJ", "Lee K"]


@pytest.mark.shared_data
def test_real_ngc_file(shared_data: Path) -> None:
    path = shared_data / "ngc_guidelines" / "ngc_summaries.jsonl.gz"
    loaded = list(get_loader("ngc").read(path))
    docs = [r for r in loaded if isinstance(r, LoadedDocument)]
    assert len(docs) == len(loaded) == 1416
    recs = [p for d in docs for p in d.passages if p.kind is PassageKind.RECOMMENDATION]
    assert all(any(p.kind is PassageKind.RECOMMENDATION for p in d.passages) for d in docs)
    assert sum(p.grade is not None for p in recs) / len(recs) >= 0.17  # measured 19.1%
    assert sum(any(p.grade for p in d.passages) for d in docs) >= 640  # measured 665
    assert sum("reaffirmed" in d.document.extra for d in docs) == 63
    assert all(d.document.status is Status.CURRENT for d in docs)
