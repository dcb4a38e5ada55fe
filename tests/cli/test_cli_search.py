from __future__ import annotations

import json
from pathlib import Path

from cli_kit import run as _run


def _library(home: Path, fixtures: Path) -> None:
    code, _, err = _run("ingest", "ngc", str(fixtures / "ngc"))
    assert code == 0, err


def test_search_before_any_build_says_what_to_do(home: Path) -> None:
    code, _, err = _run("search", "asthma")
    assert code == 1
    assert "medoracle library build" in err
    assert len(err.strip().splitlines()) == 1


def test_search_prints_citations_and_json(home: Path, fixtures: Path) -> None:
    _library(home, fixtures)
    code, out, err = _run("search", "imaginary tremor therapy", "--k", "2")
    assert code == 0, err
    assert "1. Practice parameter: invented therapy for imaginary tremor." in out
    assert "[Guideline, level 1]" in out
    code, out, _ = _run("search", "imaginary tremor therapy", "--json", "--type", "guideline")
    payload = json.loads(out)
    assert payload["hits"][0]["doc_id"] == "ngc:9001"
    assert {"citation", "score", "section", "text", "level"} <= payload["hits"][0].keys()
    assert payload["question_type"] == "treatment"


def test_empty_or_odd_queries_get_one_line(home: Path, fixtures: Path) -> None:
    _library(home, fixtures)
    code, _, err = _run("search", " \x01 ")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, _, err = _run("search", "tremor", "--type", "blog")
    assert code == 1
    assert "unknown type 'blog'" in err


def test_eval_retrieval_reports_metrics_and_bm25_baseline(
    home: Path, fixtures: Path, shared_data: Path
) -> None:
    _library(home, fixtures)
    code, out, err = _run("eval", "retrieval", "--dataset", "pubmedqa", "--split", "dev",
                          "--limit", "3", "--json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["questions"] == 3
    assert set(report["results"]) == {"full", "bm25"}
    full = report["results"]["full"]
    assert {"recall@1", "recall@5", "mrr@10", "latency_ms"} <= full.keys()
    assert 0.0 <= full["recall@5"] <= 1.0
