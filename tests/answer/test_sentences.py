"""Source sentences as a page shows them: markers off, fragments and pointers out."""

from __future__ import annotations

import pytest

from medoracle.answer.sentences import display_text, grade_marker, is_clinical, is_self_contained


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (
            "[new 2014] Offer amoxicillin 500 mg three times a day for 5 days.",
            "Offer amoxicillin 500 mg three times a day for 5 days.",
        ),
        (
            "A - The panel recommends MRI of the spine (II-2A).",
            "The panel recommends MRI of the spine.",
        ),
        (
            "LABAs should not be used alone in asthma (see University of Michigan Health "
            "System [UMHS] Asthma guideline).",
            "LABAs should not be used alone in asthma.",
        ),
        ("Give 5 mg (see Table 2) once daily.", "Give 5 mg once daily."),
        (
            "Reduce the dosage below 30 mL/min [see Dosage and Administration (2.2)].",
            "Reduce the dosage below 30 mL/min.",
        ),
        # a parenthesis that is content stays
        (
            "Give amoxicillin (80 mg/kg/day) twice daily.",
            "Give amoxicillin (80 mg/kg/day) twice daily.",
        ),
    ],
)
def test_markers_and_pointer_asides_are_removed_words_kept(source: str, shown: str) -> None:
    assert display_text(source) == shown


def test_a_grade_belongs_to_the_recommendation_it_prefixes() -> None:
    assert grade_marker("A - The panel recommends MRI of the spine.") == "A"
    assert grade_marker("The panel recommends MRI of the spine.") is None


@pytest.mark.parametrize(
    "text",
    [
        "See the NGC summary of the related guideline for details.",
        "Mice treated with the compound showed reduced tumour growth compared with controls.",
        "Participants will be randomized to receive either drug or placebo.",
    ],
)
def test_pointers_animal_studies_and_protocols_are_not_clinical(text: str) -> None:
    assert not is_clinical(display_text(text))


@pytest.mark.parametrize(
    "text",
    ["Offer an ELISA test and", "Treatment options", "The drug is effective."],
)
def test_fragments_headings_and_bare_claims_do_not_stand_alone(text: str) -> None:
    assert not is_self_contained(display_text(text))


def test_a_funding_clause_is_no_statement_about_care() -> None:
    clause = (
        "People currently receiving treatment initiated within the NHS with rituximab that is "
        "not recommended for them by NICE in this guidance should be able to continue "
        "treatment until they and their NHS clinician consider it appropriate to stop."
    )
    assert not is_self_contained(display_text(clause))


def test_a_complete_recommendation_stands_alone() -> None:
    text = display_text("Offer amoxicillin 500 mg three times a day for 5 days.")
    assert is_clinical(text) and is_self_contained(text)
