"""`library build` on the real datasets in ../shared/data, a few records per source."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from medoracle.cli import main

CORPORA = {"ngc", "cochrane", "evidence_inference", "pubmedqa", "bioasq", "medquad"}


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_full_profile_reads_every_corpus_and_rebuild_adds_nothing(
    shared_data: Path, home: Path
) -> None:
    first = json.loads(_invoke("library", "build", "--from", str(shared_data),
                               "--profile", "full", "--limit", "25", "--json"))  # fmt: skip
    assert first["outcome"] == "complete"
    assert first["added"] >= 6 * 20
    stats = json.loads(_invoke("library", "stats", "--json"))
    assert set(stats["by_corpus"]) == CORPORA
    assert stats["by_status"] == {"current": stats["documents"]}

    again = json.loads(_invoke("library", "build", "--from", str(shared_data),
                               "--profile", "full", "--limit", "25", "--json"))  # fmt: skip
    assert (again["added"], again["updated"]) == (0, 0)
    assert again["library_documents"] == first["library_documents"]


def test_quick_profile_leaves_out_trial_full_texts(shared_data: Path, home: Path) -> None:
    _invoke("library", "build", "--from", str(shared_data), "--limit", "5")
    stats = json.loads(_invoke("library", "stats", "--json"))
    assert set(stats["by_corpus"]) == CORPORA - {"evidence_inference"}


def test_show_guideline_prints_developer_date_status_and_grades(
    shared_data: Path, home: Path
) -> None:
    _invoke("ingest", "ngc", str(shared_data / "ngc_guidelines"), "--limit", "40")
    with_grades = []
    for doc_id in (f"ngc:{n}" for n in _ngc_ids(shared_data, 40)):
        out = _invoke("library", "show", doc_id)
        assert out.splitlines()[0].endswith(".")
        assert "Source:" in out and "Date:" in out and "Status:" in out
        with_grades.append("(recommendation) [" in out)
    assert sum(with_grades) >= 20


def _ngc_ids(shared_data: Path, count: int) -> list[str]:
    import gzip

    ids = []
    with gzip.open(shared_data / "ngc_guidelines" / "ngc_summaries.jsonl.gz", "rt") as handle:
        for line in handle:
            ids.append(json.loads(line)["ngc_id"].split("-", 1)[1])
            if len(ids) == count:
                break
    return ids
