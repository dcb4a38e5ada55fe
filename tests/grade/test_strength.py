from __future__ import annotations

import pytest

from medoracle.grade.strength import (
    extract_grade,
    find_grades,
    split_at_grades,
    strength_of,
    strength_rules,
)


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("Use drug Q (Level A).", "Level A"),
        ("Use drug Q [B]", "B"),
        ("Use drug Q (Level of Evidence: B).", "Level of Evidence: B"),
        ("Use drug Q (Strong For)", "Strong For"),
        (
            "Use Q (Strong recommendation, moderate-quality evidence).",
            "Strong recommendation, moderate-quality evidence",
        ),
        ("Use drug Q (LE=4, GR=C)", "LE=4, GR=C"),
        ("Screening is not assessed (I statement).", "I statement"),
        ("Use drug Q (II-2B).", "II-2B"),
        ("Use drug Q (2|++OO).", "2|++OO"),
        ("Use drug Q (Consensus–Panel Expertise)", "Consensus–Panel Expertise"),
        ("Use drug Q (Category IB).", "Category IB"),
        ("Level A: use drug Q.", "Level A"),
        ("Recommendation 3 (Grade B): use drug Q.", "Grade B"),
    ],
)
def test_extract_grade(text: str, grade: str) -> None:
    found = extract_grade(text)
    assert found is not None
    assert found[0] == grade
    assert grade not in found[1]
    assert found[1].startswith(("Use", "Screening", "use"))


@pytest.mark.parametrize(
    "text",
    [
        "Wear stockings (thigh or knee length).",
        "Switch from A to B (or vice versa).",
        "Review annually (new 2015).",
        "Image the spine (MRI).",
        "Options are (A) surgery or (B) radiation therapy for most people",
        "Check the patient's condition(s)",
    ],
)
def test_false_positives_are_not_grades(text: str) -> None:
    assert extract_grade(text) is None
    assert find_grades(text) == []


@pytest.mark.parametrize(
    ("grade", "strength"),
    [
        ("Strong For", "strong"),
        ("1B", "strong"),
        ("Grade 1, Level A", "strong"),
        ("Grade 2C", "weak"),
        ("2|++OO", "weak"),
        ("Weak Against", "weak"),
        ("Conditional recommendation, low-quality evidence", "conditional"),
        ("Type of recommendation: formal consensus; Strength of recommendation: strong", "strong"),
        ("GPP", "expert opinion"),
        ("Expert Opinion", "expert opinion"),
        ("I statement", "insufficient"),
        ("Level A", None),
        ("B", None),
        ("1++", None),
    ],
)
def test_strength_of_grade(grade: str, strength: str | None) -> None:
    assert strength_of(grade) == strength


@pytest.mark.parametrize(
    ("sentence", "strength"),
    [
        ("Offer cool fluids to people with fever.", "strong"),
        ("Do not offer antibiotics for viral fever.", "strong"),
        ("Consider a fan for people who remain warm.", "conditional"),
        ("We suggest a trial of rest.", "weak"),
        ("Fever is common in children.", None),
    ],
)
def test_strength_from_wording(sentence: str, strength: str | None) -> None:
    assert strength_of(sentence) == strength


def test_split_at_grades_keeps_remarks_with_their_recommendation() -> None:
    text = "Do X for adults (Level A). Do Y for children (Level C). See Table 1 for details."
    assert split_at_grades(text) == [
        ("Do X for adults (Level A).", ["Level A"]),
        ("Do Y for children (Level C). See Table 1 for details.", ["Level C"]),
    ]


def test_rules_file_validates() -> None:
    rules = strength_rules()
    assert {rule.strength for rule in rules.strength} <= {
        "strong",
        "conditional",
        "weak",
        "expert opinion",
        "insufficient",
    }
