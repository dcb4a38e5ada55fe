"""The one negation vocabulary: each reader's subset, and how each reads it."""

from __future__ import annotations

import pytest

from medoracle.cite.negation import Negation, negated_positions, negation


def test_every_subset_has_words_and_every_word_a_subset() -> None:
    vocabulary = negation()
    for name in ("scope", "post", "meaning", "stance", "advice"):
        assert vocabulary.subset(name), name
    assert all(vocabulary.words.values())


def test_the_readers_keep_their_own_subsets() -> None:
    vocabulary = negation()
    # The verifier's NegEx cues, the patient page's meaning markers and the composer's
    # stance words share the core and differ beyond it.
    core = {"not", "no", "never", "without", "neither", "nor"}
    for name in ("scope", "meaning", "stance"):
        assert core <= vocabulary.subset(name)
    assert "lacking" in vocabulary.cues and "lacking" not in vocabulary.subset("meaning")
    assert "unless" in vocabulary.subset("meaning") and "unless" not in vocabulary.cues
    assert "ineffective" in vocabulary.subset("stance") and "ineffective" not in vocabulary.cues
    assert vocabulary.post_cues == {"contraindicated", "avoided", "absent", "unlikely", "excluded"}


def test_contractions_negate_only_where_listed() -> None:
    vocabulary = negation()
    meaning, stance = vocabulary.words_pattern("meaning"), vocabulary.words_pattern("stance")
    assert meaning.findall("It doesn’t help, and avoid it.") == ["n’t", "avoid"]
    assert stance.search("It doesn't help.") is None
    assert stance.search("Evidence is insufficient evidence") is not None
    assert vocabulary.is_cue("doesn't") and not vocabulary.is_cue("nothingness")


def test_scopes_stop_at_breaks_and_reach_back_from_post_cues() -> None:
    tokens = "aspirin did not reduce stroke , but reduced mortality".split()
    assert negated_positions(tokens) == {3, 4}
    assert negated_positions("warfarin is contraindicated".split()) == {0, 1}


def test_a_word_in_no_subset_is_refused() -> None:
    with pytest.raises(ValueError, match="no subset"):
        Negation.model_validate(
            {"contractions": [], "words": {"not": []}, "scope": {"breaks": [], "window": 3}}
        )
