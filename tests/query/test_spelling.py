"""Words run together by text extraction are told from real compounds."""

from __future__ import annotations

import pytest

from medoracle.query.entities import english_words
from medoracle.query.spelling import Speller


@pytest.fixture(scope="module")
def speller() -> Speller:
    medical = {"thyroiditis": 30, "angiotensin": 80, "hypoglycemia": 40}
    return Speller(medical, english_words(), lambda word: False, None)


@pytest.mark.parametrize(
    "word",
    ["effectsoccur", "hypoglycemiavery", "thisdouble", "medicationsangiotensin", "abdomenthe"],
)
def test_glued_words_are_found(speller: Speller, word: str) -> None:
    assert speller.is_glued(word)


@pytest.mark.parametrize(
    "word",
    [
        "chemoradiotherapy",  # prefix compounds
        "contralateral",
        "afterward",
        "survivorships",
        "contagiousness",
        "bodyweight",
        "thyroiditis",  # a known medical word
        "Effectsoccur",  # capitalised: a name, left alone
        "effects",
    ],
)
def test_real_words_are_not_glued(speller: Speller, word: str) -> None:
    assert not speller.is_glued(word)
