"""`bench.components`: every figure is reported with its target; nothing here asserts a
speed (that is what the bench measures)."""

from __future__ import annotations

from pathlib import Path

from medoracle.bench.components import TARGETS, run_components


def test_without_data_the_understanding_figures_are_none(tmp_path: Path) -> None:
    report = run_components(None, tmp_path / "cache")
    assert report["mesh_load_s"] is None and report["abbreviations_load_s"] is None
    for name in ("redflag_ms_per_question", "redflag_long_message_ms", "sentence_grade_ms"):
        assert report[name] > 0
    assert report["targets"] == TARGETS
    assert set(report["met"]) == {
        "redflag_ms_per_question",
        "redflag_long_message_ms",
        "sentence_grade_ms",
    }


def test_an_empty_data_folder_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    report = run_components(tmp_path / "data", tmp_path / "cache")
    assert report["mesh_load_s"] is None and report["abbreviations_load_s"] is None
