from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medoracle.retrieve.fusion import rrf

rankings = st.lists(st.lists(st.integers(0, 30), max_size=20), min_size=1, max_size=4)


def test_known_values_from_the_formula() -> None:
    fused = dict(rrf([["a", "b"], ["b", "c"]], k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["c"] == pytest.approx(1 / 62)
    assert [key for key, _ in rrf([["a", "b"], ["b", "c"]])] == ["b", "a", "c"]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="k must be"):
        rrf([["a"]], k=0)
    with pytest.raises(ValueError, match="weights"):
        rrf([["a"]], weights=[1.0, 2.0])


@given(rankings)
def test_every_key_appears_once_with_scores_descending(lists: list[list[int]]) -> None:
    fused = rrf(lists)
    keys = [key for key, _ in fused]
    assert sorted(keys) == sorted({key for ranking in lists for key in ranking})
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)


@given(rankings)
def test_order_of_the_lists_does_not_matter(lists: list[list[int]]) -> None:
    forward = dict(rrf(lists))
    backward = dict(rrf(list(reversed(lists))))
    assert forward.keys() == backward.keys()
    for key, score in forward.items():
        assert backward[key] == pytest.approx(score)


@given(st.lists(st.integers(0, 50), min_size=1, max_size=30, unique=True))
def test_a_single_list_keeps_its_order(ranking: list[int]) -> None:
    assert [key for key, _ in rrf([ranking])] == ranking


@given(rankings, st.integers(0, 30))
def test_promoting_a_key_in_one_list_never_lowers_its_score(
    lists: list[list[int]], key: int
) -> None:
    before = dict(rrf(lists)).get(key, 0.0)
    promoted = [[key, *[x for x in lists[0] if x != key]], *lists[1:]]
    assert dict(rrf(promoted))[key] >= before - 1e-12
