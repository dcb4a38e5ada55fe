from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from medoracle.corpus.text import chunk_text, clean_text, split_sentences


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_decimals_and_initials_do_not_end_sentences() -> None:
    text = "Smith et al. gave 2.5 mg/kg (i.e. a low dose) vs. placebo. J. R. Jones agreed. Done."
    assert _sentences(text) == [
        "Smith et al. gave 2.5 mg/kg (i.e. a low dose) vs. placebo.",
        "J. R. Jones agreed.",
        "Done.",
    ]


def test_line_breaks_end_sentences_so_list_items_stay_apart() -> None:
    text = "Offer one of:\n- metformin 500 mg twice daily\n- diet alone (Grade B)"
    assert _sentences(text) == [
        "Offer one of:",
        "- metformin 500 mg twice daily",
        "- diet alone (Grade B)",
    ]


def test_closing_brackets_and_quotes_stay_with_their_sentence() -> None:
    text = 'It was "effective." (Level A) Then it stopped.'
    assert _sentences(text) == ['It was "effective."', "(Level A) Then it stopped."]


def test_clean_text_keeps_paragraphs_and_collapses_spaces() -> None:
    assert clean_text("  a   b \n\n\n  c\t d  \n e ") == "a b\n\nc d\ne"


def test_chunks_respect_the_limit_at_sentence_boundaries() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    chunks = chunk_text(text, max_chars=200)
    assert all(len(c) <= 200 for c in chunks)
    assert " ".join(chunks) == text


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_spans_are_ordered_trimmed_and_inside_the_text(text: str) -> None:
    previous_end = 0
    for start, end in split_sentences(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end


@given(
    st.lists(
        st.sampled_from(["Aa bb.", "Cc 1.5 dd?", "e.g. ff", "\n", "\n\n", " ", "Gg!"]), max_size=80
    )
)
def test_chunking_loses_no_words(parts: list[str]) -> None:
    text = clean_text("".join(parts))
    chunks = chunk_text(text, max_chars=40)
    assert " ".join(chunks).split() == text.split()
