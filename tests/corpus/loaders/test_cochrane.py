from __future__ import annotations

from pathlib import Path

from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import Audience, LoadedDocument, PassageKind, PubType


def _read(fixtures: Path) -> list[LoadedDocument | Skipped]:
    return list(get_loader("cochrane").read(fixtures / "cochrane" / "reviews.jsonl"))


def test_reviews_are_graded_systematic_reviews_with_doi(fixtures: Path) -> None:
    loaded = [r for r in _read(fixtures) if isinstance(r, LoadedDocument)]
    assert [r.document.id for r in loaded] == ["cochrane:CD999901", "cochrane:CD999905"]
    doc = loaded[0].document
    assert doc.pub_type is PubType.SYSTEMATIC_REVIEW
    assert (doc.evidence_level, doc.evidence_label) == (2, "Systematic review")
    assert doc.identifiers.doi == "10.1002/14651858.CD999901"
    assert doc.source == "Cochrane Database of Systematic Reviews"


def test_plain_language_summary_is_a_separate_patient_passage(fixtures: Path) -> None:
    first = next(r for r in _read(fixtures) if isinstance(r, LoadedDocument))
    technical, plain = first.passages
    assert technical.audience is Audience.CLINICIAN
    assert "risk ratio 0.62; 95% CI 0.48 to 0.80" in technical.text
    assert plain.kind is PassageKind.PLAIN_SUMMARY
    assert plain.audience is Audience.PATIENT
    assert plain.sentence_texts()[0] == "We looked at whether drug X helps people stay well."


def test_broken_records_are_skipped_with_line_numbers(fixtures: Path) -> None:
    skipped = [r for r in _read(fixtures) if isinstance(r, Skipped)]
    assert [s.where for s in skipped] == ["reviews.jsonl:2", "reviews.jsonl:3", "reviews.jsonl:4"]
    assert "no" in skipped[0].reason or "text" in skipped[0].reason
    assert "JSON" in skipped[1].reason
    assert "cd_number" in skipped[2].reason
