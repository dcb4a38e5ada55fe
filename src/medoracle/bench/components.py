"""The speed of the parts a question passes through, measured one at a time.

Unit tests check behaviour; speed is measured here and reported, never asserted in a test.
Each figure below was once a timed assertion in a unit test; its old bound is kept as the
figure's target, and `met` says whether this machine reached it:

- `mesh_load_s`: reading the cached MeSH tree (the second load; the first builds the cache)
  (target 2 s);
- `abbreviations_load_s`: the abbreviation inventory, built or read from its cache (30 s);
- `redflag_ms_per_question`: the red-flag check over every labelled question, best of three
  passes (1 ms);
- `redflag_long_message_ms`: the check on one long message, 300 everyday sentences then an
  emergency (1,000 ms);
- `sentence_grade_ms`: the readability grade of one sentence, over 2,000 sentences (0.2 ms).

The MeSH and abbreviation figures need the open data folder; without it they are None. The
statement verifier's speed is `ms_per_pair` in `medoracle eval verifier`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["TARGETS", "run_components"]

TARGETS: dict[str, float] = {
    "mesh_load_s": 2.0,
    "abbreviations_load_s": 30.0,
    "redflag_ms_per_question": 1.0,
    "redflag_long_message_ms": 1000.0,
    "sentence_grade_ms": 0.2,
}
_FILLER = "I have been reading about healthy diets and exercise for weeks. " * 300
_EMERGENCY = "Right now my husband is choking and can't breathe."
_SENTENCE = "Intravenous cyclophosphamide is given with steroid medicines for lupus."


def run_components(data_dir: Path | None, cache_dir: Path) -> dict[str, Any]:
    """Each figure of the module docstring, with the targets and whether each was met.
    Caches are read from and written to `cache_dir / "query"`, as question reading does."""
    figures: dict[str, float | None] = {
        "mesh_load_s": None,
        "abbreviations_load_s": None,
    }
    if data_dir is not None and data_dir.is_dir():
        figures.update(_understanding(data_dir, cache_dir / "query"))
    figures.update(_redflags())
    figures["sentence_grade_ms"] = _sentence_grade()
    return {
        **figures,
        "targets": dict(TARGETS),
        "met": {
            name: value <= TARGETS[name] for name, value in figures.items() if value is not None
        },
    }


def _seconds(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _understanding(data_dir: Path, cache: Path) -> dict[str, float | None]:
    from medoracle.query.lexicon import Lexicon
    from medoracle.query.mesh import MeshTree

    found: dict[str, float | None] = {}
    try:
        found["abbreviations_load_s"] = round(
            _seconds(lambda: Lexicon.from_data_dir(data_dir, cache)), 3
        )
    except FileNotFoundError:
        found["abbreviations_load_s"] = None
    try:
        MeshTree.from_data_dir(data_dir, cache)  # builds the cache when missing
        found["mesh_load_s"] = round(_seconds(lambda: MeshTree.from_data_dir(data_dir, cache)), 3)
    except FileNotFoundError:
        found["mesh_load_s"] = None
    return found


def _redflags() -> dict[str, float]:
    from medoracle.eval.redflags import redflag_questions
    from medoracle.query.redflags import check

    texts = [question.text for question in redflag_questions()]
    best = float("inf")
    for _ in range(3):
        seconds = _seconds(lambda: [check(text) for text in texts])
        best = min(best, seconds / max(1, len(texts)))
    long_message = _seconds(lambda: check(_FILLER + _EMERGENCY))
    return {
        "redflag_ms_per_question": round(best * 1000, 4),
        "redflag_long_message_ms": round(long_message * 1000, 2),
    }


def _sentence_grade() -> float:
    from medoracle.audience.readability import sentence_grade

    # Each sentence differs, so the grade's cache does not answer for the work.
    sentences = [f"{_SENTENCE[:-1]} in invented group {i}." for i in range(2000)]
    seconds = _seconds(lambda: [sentence_grade(text) for text in sentences])
    return round(seconds * 1000 / len(sentences), 4)
