from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medoracle.query.qtype import QType
from medoracle.query.understand import (
    EXPANSION_WEIGHT,
    MAX_CHARS,
    ParsedQuery,
    QueryResources,
    normalise,
    understand,
)


@pytest.fixture
def resources(query_data: Path, tmp_path: Path) -> QueryResources:
    return QueryResources.load(query_data, tmp_path / "cache")


@pytest.fixture(scope="module")
def module_resources(tmp_path_factory: pytest.TempPathFactory) -> QueryResources:
    import gzip

    fixtures = Path(__file__).parent / "fixtures"
    root = tmp_path_factory.mktemp("data")
    for target, source in {
        "clinical_abbreviations/abbreviations.jsonl.gz": "abbreviations.jsonl",
        "mesh_tree_2017/mesh_tree_2017.jsonl.gz": "mesh_tree.jsonl",
    }.items():
        (root / target).parent.mkdir(parents=True)
        (root / target).write_bytes(gzip.compress((fixtures / source).read_bytes()))
    return QueryResources.load(root, tmp_path_factory.mktemp("cache"))


def test_understand_sle_nephritis(resources: QueryResources) -> None:
    parsed = understand("How is SLE nephritis treated?", resources)
    assert parsed.qtype == QType.TREATMENT
    assert [(e.short, e.long) for e in parsed.expansions] == [
        ("SLE", "systemic lupus erythematosus")
    ]
    mesh = {m.heading for m in parsed.mesh}
    assert {"Nephritis", "Lupus Erythematosus, Systemic"} <= mesh
    terms = {t.term: t for t in parsed.expanded_terms()}
    assert terms["systemic lupus erythematosus"].weight == EXPANSION_WEIGHT
    assert all(0 < t.weight < 1 for t in terms.values())
    assert "nephritis" not in terms  # already in the question


def test_expanded_terms_add_broader_headings(resources: QueryResources) -> None:
    parsed = understand("lupus nephritis outcome", resources)
    terms = {t.term: t for t in parsed.expanded_terms()}
    assert terms["systemic lupus erythematosus"].origin == "mesh-broader"
    assert parsed.qtype == QType.PROGNOSIS


def test_diabetes_adds_diabetes_mellitus(resources: QueryResources) -> None:
    terms = [t.term for t in understand("diabetes diet", resources).expanded_terms()]
    assert "diabetes mellitus" in terms


def test_missing_data_gives_empty_resources(tmp_path: Path) -> None:
    for data_dir in (None, tmp_path / "absent", tmp_path):
        empty = QueryResources.load(data_dir, tmp_path / "cache")
        parsed = understand("GBS IVIG dose", empty)
        assert parsed.expansions == () and parsed.mesh == () and parsed.expanded_terms() == []
        assert parsed.qtype == QType.DRUG


@pytest.mark.parametrize("blank", ["", "   ", "\n\t\r", "\x00\x01\u200b", "\u2028\x7f"])
def test_empty_question_raises_value_error(blank: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        understand(blank, QueryResources.empty())


def test_control_characters_removed_and_whitespace_collapsed() -> None:
    assert normalise("what\x00 is\t\tlupus\n?\u200b") == ("what is lupus ?", False)


def test_long_question_is_truncated_with_a_flag(resources: QueryResources) -> None:
    parsed = understand("treatment of SLE " * 500, resources)
    assert parsed.truncated and len(parsed.text) <= MAX_CHARS
    assert parsed.original.startswith("treatment of SLE")
    assert parsed.expansions[0].long == "systemic lupus erythematosus"


@pytest.mark.parametrize(
    "question",
    [
        "💊💊 dose of metformin?? 😷",
        "¿Cuál es el tratamiento del lupus eritematoso sistémico?",
        "系统性红斑狼疮的治疗方法是什么",
        "Какая доза ибупрофена?",
        "ما هو علاج السكري",
        "\ud800 lone surrogate",
        "a" * 20_000,
    ],
)
def test_emoji_and_non_english_never_crash(question: str, resources: QueryResources) -> None:
    parsed = understand(question, resources)
    assert isinstance(parsed.qtype, QType)
    assert len(parsed.text) <= MAX_CHARS


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=20_000))
def test_any_text_parses_or_raises_only_value_error(
    module_resources: QueryResources, question: str
) -> None:
    try:
        parsed = understand(question, module_resources)
    except ValueError:
        assert normalise(question)[0] == ""
        return
    assert isinstance(parsed, ParsedQuery)
    assert parsed.text and len(parsed.text) <= MAX_CHARS
    assert parsed.truncated == (len(normalise(question, 10**9)[0]) > MAX_CHARS)
    assert all(0 < t.weight < 1 for t in parsed.expanded_terms())


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["SLE", "MS", "gbs", "IVIG", "is", "it", "lupus", "nephritis", "é", "\x00"])
        | st.text(max_size=12),
        max_size=30,
    )
)
def test_abbreviation_heavy_text_never_crashes(
    module_resources: QueryResources, words: list[str]
) -> None:
    question = " ".join(words)
    try:
        parsed = understand(question, module_resources)
    except ValueError:
        return
    assert {e.short.lower() for e in parsed.expansions}.isdisjoint({"is", "it"})


@pytest.mark.shared_data
def test_real_resources(shared_data: Path, real_cache: Path) -> None:
    resources = QueryResources.load(shared_data, real_cache)
    parsed = understand("How is SLE nephritis treated?", resources)
    terms = {t.term for t in parsed.expanded_terms()}
    assert "systemic lupus erythematosus" in terms
    gbs = understand("GBS IVIG dose", resources)
    assert gbs.qtype == QType.DRUG
    assert {e.long for e in gbs.expansions} >= {
        "Guillain-Barré syndrome",
        "intravenous immunoglobulin",
    }
    assert "Guillain-Barre Syndrome" in {m.heading for m in gbs.mesh}
    assert "polyradiculoneuropathy" in {t.term for t in gbs.expanded_terms()}
