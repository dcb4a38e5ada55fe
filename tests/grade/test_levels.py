from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from pydantic import ValidationError

from medoracle.grade import EvidenceTable, evidence_table
from medoracle.grade.publication import PubType, Status

ORDER = [
    PubType.GUIDELINE,
    PubType.SYSTEMATIC_REVIEW,
    PubType.RANDOMIZED_TRIAL,
    PubType.COHORT,
    PubType.CASE_REPORT,
    PubType.NARRATIVE_REVIEW,
    PubType.PATIENT_INFORMATION,
]


def test_levels_follow_the_required_order_highest_first() -> None:
    levels = [evidence_table().grade(t).level for t in ORDER]
    assert levels == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize(
    ("pub_type", "label"),
    [
        (PubType.GUIDELINE, "Guideline"),
        (PubType.META_ANALYSIS, "Systematic review"),
        (PubType.RANDOMIZED_TRIAL, "Randomized trial"),
        (PubType.CASE_CONTROL, "Research"),
        (PubType.OPINION, "Research"),
        (PubType.PATIENT_INFORMATION, "Patient information"),
    ],
)
def test_labels(pub_type: PubType, label: str) -> None:
    assert evidence_table().grade(pub_type).label == label


def test_medline_types_take_the_highest_ranked_type() -> None:
    grade = evidence_table().from_medline(["Journal Article", "Review", "Meta-Analysis"])
    assert (grade.pub_type, grade.level) == (PubType.META_ANALYSIS, 2)
    only_article = evidence_table().from_medline(["Journal Article"])
    assert only_article.pub_type is PubType.RESEARCH
    review = evidence_table().from_medline(["Journal Article", "Review"])
    assert review.pub_type is PubType.NARRATIVE_REVIEW


def test_retracted_publication_sets_status_not_level() -> None:
    types = ["Journal Article", "Retracted Publication"]
    assert evidence_table().status_from_medline(types) is Status.RETRACTED
    assert evidence_table().status_from_medline(["Journal Article"]) is Status.CURRENT


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Statins for stroke prevention: a systematic review and meta-analysis",
            PubType.SYSTEMATIC_REVIEW,
        ),
        ("A randomised, double-blind trial of drug X in asthma", PubType.RANDOMIZED_TRIAL),
        ("A case of recurrent fever after travel", PubType.CASE_REPORT),
        ("Mitochondrial dynamics in leaf cells", PubType.RESEARCH),
    ],
)
def test_design_inferred_from_title(title: str, expected: PubType) -> None:
    assert evidence_table().from_title(title).pub_type is expected


def test_table_that_skips_a_type_is_rejected() -> None:
    raw = tomllib.loads(resources.files("medoracle.grade").joinpath("evidence.toml").read_text())
    raw["types"] = [row for row in raw["types"] if row["type"] != "cohort"]
    with pytest.raises(ValidationError, match="grade each type once"):
        EvidenceTable.model_validate(raw)


def test_table_out_of_order_is_rejected() -> None:
    raw = tomllib.loads(resources.files("medoracle.grade").joinpath("evidence.toml").read_text())
    raw["types"].reverse()
    with pytest.raises(ValidationError, match="highest level first"):
        EvidenceTable.model_validate(raw)
