"""The shared JSONL reader: a broken record costs that record, whatever its shape, in every
loader that reads JSONL."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medoracle.corpus.loaders import FORMATS, Skipped, get_loader
from medoracle.corpus.loaders._common import MAX_DEPTH, iter_jsonl
from medoracle.corpus.models import LoadedDocument

JSONL_FORMATS = sorted(n for n in FORMATS if any("jsonl" in f for f in get_loader(n).FILES))
# Field names the loaders read, so that generated records reach the converters' insides.
KEYS = (
    "Answer AnswerID CONTEXTS LABELS MESHES YEAR abstract_results_conclusions answer "
    "answer_removed beginSection bibliographic_source cd_number date_released developer "
    "disease_conditions doc_id document doi focus major_recommendations ngc_id "
    "offsetInBeginSection offsetInEndSection pid plain_language_summary pmcid pubid qtype "
    "question snippets source status synonyms text title uid url"
).split()
GOOD = {
    "uid": "1-0000001_1-1", "doc_id": "0000001_1", "source": "GHR", "pid": "1",
    "url": "https://example.org/x", "question": "What is Varnell syndrome?",
    "answer": "Varnell syndrome is an invented condition of the knees.", "qtype": "information",
    "focus": "Varnell syndrome",
}  # fmt: skip


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _nested(depth: int) -> str:
    return json.dumps({"uid": "1-0000002_1-1", "answer": "x", "focus": _deep(depth)})


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


def test_one_broken_record_of_any_shape_is_skipped_and_the_rest_load(tmp_path: Path) -> None:
    """The probe: one line of '[' * 100000 aborted a whole medquad ingest with an internal
    RecursionError, and added nothing."""
    lines = [
        json.dumps(GOOD),
        "[" * 100_000,
        "{" * 50_000,
        _nested(MAX_DEPTH + 1),  # valid JSON, but deeper than any record format
        '{"uid": ' + "1" * 5000 + "}",  # an integer Python will not convert
        json.dumps({**GOOD, "uid": "1-0000004_1-1", "answer": "Brackets [[[[ in text " * 40}),
    ]
    records = list(get_loader("medquad").read(_write(tmp_path / "medquad.jsonl", lines)))
    loaded = [r.document.id for r in records if isinstance(r, LoadedDocument)]
    assert loaded == ["medquad:1-0000001_1-1", "medquad:1-0000004_1-1"]
    skipped = [r for r in records if isinstance(r, Skipped)]
    assert [s.where for s in skipped] == [f"medquad.jsonl:{n}" for n in (2, 3, 4, 5)]
    assert all(s.malformed for s in skipped)
    assert skipped[0].reason == skipped[1].reason == f"nested deeper than {MAX_DEPTH} levels"
    assert skipped[2].reason == f"nested deeper than {MAX_DEPTH} levels"
    assert "integer string conversion" in skipped[3].reason


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.jsonl", [_nested(MAX_DEPTH - 1), '{"a": "' + "[" * 500 + '"}'])
    records = [record for _, record in iter_jsonl(path)]
    assert all(isinstance(r, dict) for r in records)


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_RECORDS = st.dictionaries(st.sampled_from(KEYS), _VALUES, max_size=8) | _VALUES
_LINES = st.lists(
    st.one_of(
        _RECORDS.map(json.dumps),
        st.integers(1, 3 * MAX_DEPTH).map(lambda n: "[" * n),
        st.integers(1, 3 * MAX_DEPTH).map(lambda n: json.dumps({"snippets": _deep(n)})),
        st.text(max_size=40).filter(lambda t: "\n" not in t and "\r" not in t),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.parametrize("format_name", JSONL_FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_LINES)
def test_no_line_can_stop_a_jsonl_loader(format_name: str, lines: list[str]) -> None:
    loader = get_loader(format_name)
    with tempfile.TemporaryDirectory() as folder:
        _write(Path(folder) / "medquad.jsonl", lines)  # medquad-judged reads it too
        path = _write(Path(folder) / "liveqa_test_judged_answers_1.jsonl", lines)
        records = list(loader.read(path))
    assert all(isinstance(r, LoadedDocument | Skipped) for r in records)
