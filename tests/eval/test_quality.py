"""The question bank and the page checks of `medoracle eval quality` (no library needed)."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import ValidationError

from helpers import reference, said
from medoracle.answer.model import Answer, Provenance, Section
from medoracle.eval.bank import Ask, BankQuestion, Wording, load_bank, mentions
from medoracle.eval.quality import bank_split, page_scores


def test_the_bank_has_the_breadth_the_issue_asks_for() -> None:
    bank = load_bank()
    covered = [q for q in bank if q.covered]
    assert len(bank) >= 200
    assert len(bank) - len(covered) >= 30
    assert len({q.specialty for q in bank}) >= 15
    assert sum(q.wording is Wording.CONSUMER for q in bank) >= len(bank) / 3
    assert set(Counter(q.ask for q in covered)) == set(Ask)  # every kind of ask


def test_dev_and_test_are_disjoint_and_cover_the_bank() -> None:
    dev = {q.id for q in bank_split("dev")}
    test = {q.id for q in bank_split("test")}
    assert not dev & test
    assert dev | test == {q.id for q in load_bank()}
    assert min(len(dev), len(test)) >= 100


def test_a_covered_question_needs_key_points_and_documents() -> None:
    with pytest.raises(ValidationError, match="2-6 key points"):
        BankQuestion(
            id="card-999",
            text="How is atrial fibrillation treated?",
            specialty="cardiology",
            ask=Ask.TREATMENT,
            wording=Wording.CLINICAL,
            focus=["atrial fibrillation"],
            key_points=[["anticoagulation"]],
            documents=["ngc:1"],
        )


@pytest.mark.parametrize(
    ("text", "phrases", "expected"),
    [
        ("Give 80 mg / kg per day.", ["80 mg/kg"], True),
        ("Give 80 mg/kg per day.", ["0 mg/kg"], False),  # whole words only
        ("Amoxicillin\u2013clavulanate is second line.", ["amoxicillin-clavulanate"], True),
        ("Use an ACE inhibitor.", ["ace inhibitor", "ARB"], True),
    ],
)
def test_key_points_match_as_whole_normalised_words(
    text: str, phrases: list[str], expected: bool
) -> None:
    assert mentions(text, phrases) is expected


def test_page_scores_read_the_page_as_a_physician_would() -> None:
    question = BankQuestion(
        id="infd-999",
        text="What is the dose of amoxicillin for otitis media in children?",
        specialty="infectious_disease",
        ask=Ask.DOSE,
        wording=Wording.CLINICAL,
        focus=["otitis media", "ear infection"],
        key_points=[["80 mg/kg"], ["twice daily", "twice a day"], ["10 days"]],
        documents=["test:doc1"],
    )
    answer = Answer(
        question=question.text,
        qtype="drug",
        ask="dose",
        title="Amoxicillin for Otitis Media in Children: Dosing",
        bottom_line=[said("Give 80 mg/kg/day divided twice a day.", 1)],
        sections=[
            Section(
                key="dose",
                heading="Dose",
                statements=[said("Ampicillin 50 mg/kg is given for Listeria meningitis.", 2)],
            )
        ],
        references=[reference(1, "Otitis media"), reference(2, "Bacterial meningitis")],
        provenance=Provenance(library_version="test"),
    )
    scores = page_scores(question, answer, {"test:doc1": [], "test:doc2": ["Meningitis"]})
    assert scores["coverage"] == pytest.approx(2 / 3)
    assert scores["bottom_line_key_point"] == 1.0
    assert scores["title_focus"] == 1.0
    assert scores["off_focus"] == 1.0  # the meningitis sentence, from a meningitis source
    assert scores["ask"] == 1.0
    other = answer.model_copy(update={"ask": "treatment"})
    assert page_scores(question, other, {})["ask"] == 0.0
