from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest

from cli_kit import run as _run
from helpers import write_cochrane


def _one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_ingest_then_stats_and_show(home: Path, fixtures: Path) -> None:
    code, out, err = _run("ingest", "cochrane", str(fixtures / "cochrane"), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["added"], summary["skipped"]) == (2, 3)
    assert "skipped reviews.jsonl:3: not valid JSON" in err

    code, out, _ = _run("library", "stats", "--json")
    stats = json.loads(out)
    assert {"documents", "passages", "by_type", "by_corpus"} <= stats.keys()
    assert stats["documents"] == 2
    assert stats["by_type"] == {"systematic_review": 2}
    assert stats["by_corpus"] == {"cochrane": 2}

    code, out, _ = _run("library", "show", "cochrane:CD999901")
    assert code == 0
    assert out.splitlines()[0].startswith("Cochrane review CD999901.")
    assert "[Systematic review, level 2]" in out.splitlines()[0]
    assert "#1 Plain language summary (plain_summary)" in out


def test_second_ingest_reports_everything_unchanged(home: Path, tmp_path: Path) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 12)
    _run("ingest", "cochrane", str(source))
    code, out, _ = _run("ingest", "cochrane", str(source), "--json")
    summary = json.loads(out)
    assert (code, summary["added"], summary["unchanged"]) == (0, 0, 12)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("ingest", "nope", "x"), "unknown format 'nope'; expected one of: bioasq, cochrane"),
        (("ingest", "cochrane", "/no/such/file"), "/no/such/file: no such file or directory"),
        (("library", "show", "cochrane:CD000000"), "no library at"),
        (("library", "build", "--from", "/no/such/dir"), "/no/such/dir: data folder not found"),
    ],
)
def test_bad_input_gets_one_line_and_exit_1(
    home: Path, args: tuple[str, ...], expected: str
) -> None:
    code, _, err = _run(*args)
    assert code == 1
    assert expected in _one_line_error(err)


def test_unknown_document_is_one_line(home: Path, tmp_path: Path) -> None:
    _run("ingest", "cochrane", str(write_cochrane(tmp_path / "r.jsonl", 2)))
    code, _, err = _run("library", "show", "ngc:1")
    assert code == 1
    assert "no document 'ngc:1'" in _one_line_error(err)


def test_corrupt_library_exits_non_zero_with_one_line(home: Path, tmp_path: Path) -> None:
    home.mkdir(parents=True)
    (home / "library.sqlite").write_bytes(b"garbage" * 1000)
    code, _, err = _run("library", "stats")
    assert code == 1
    assert "not a usable medoracle library" in _one_line_error(err)


def test_an_unreadable_file_is_skipped_and_the_run_ends_with_errors(
    home: Path, tmp_path: Path
) -> None:
    good = write_cochrane(tmp_path / "good.jsonl", 4)
    truncated = tmp_path / "broken.jsonl.gz"
    truncated.write_bytes(gzip.compress(good.read_bytes())[:60])
    code, out, err = _run("ingest", "cochrane", str(truncated), str(good), "--json")
    assert code == 1  # the other files load, but the run did not do what was asked
    summary = json.loads(out)
    assert (summary["added"], summary["outcome"]) == (4, "completed with errors")
    assert summary["skipped_reasons"] == {"unreadable file": 1}
    assert "broken.jsonl.gz: unreadable or truncated" in err
    assert err.strip().splitlines()[-1] == (
        "medoracle: error: ingest completed with errors (unreadable file: 1); "
        "the other files were loaded"
    )
    assert "Traceback" not in err
    with sqlite3.connect(home / "library.sqlite") as conn:
        outcome = conn.execute("SELECT outcome FROM ingest_runs").fetchone()[0]
    assert outcome == "completed with errors"


def test_an_empty_file_is_reported_in_one_line_not_passed_over(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "medquad.jsonl"
    empty.touch()
    code, out, err = _run("ingest", "medquad", str(empty))
    assert code == 1
    assert err.count("empty file (0 bytes)") == 2  # the file's line and the run's
    assert f"skipped {empty}: empty file (0 bytes)" in err.splitlines()
    assert "skipped       1: empty file (0 bytes)" in out


def test_a_deeply_nested_record_costs_only_itself(home: Path, tmp_path: Path) -> None:
    """The probe: one '[' * 100000 line in a medquad file ended the ingest with
    'internal error: RecursionError' and added nothing."""
    record = {
        "uid": "1-1", "doc_id": "1", "source": "GHR", "pid": "1", "question": "What is X?",
        "answer": "X is an invented condition of the knees.", "url": "https://example.org",
    }  # fmt: skip
    lines = [json.dumps(record), "[" * 100_000, json.dumps({**record, "uid": "1-2"})]
    source = tmp_path / "medquad.jsonl"
    source.write_text("\n".join(lines) + "\n")
    code, out, err = _run("ingest", "medquad", str(source), "--no-index", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["added"], summary["outcome"]) == (2, "complete")
    assert summary["skipped_reasons"] == {"malformed record": 1}
    assert "skipped medquad.jsonl:2: nested deeper than 64 levels" in err
    assert "internal error" not in err


def test_locked_library_exits_non_zero(home: Path, tmp_path: Path) -> None:
    from medoracle.corpus.schema import WriterLock

    source = write_cochrane(tmp_path / "r.jsonl", 2)
    with WriterLock(home / "library.sqlite"):
        code, _, err = _run("ingest", "cochrane", str(source))
    assert code == 1
    assert "locked by another writer" in _one_line_error(err)


def test_invalid_setting_is_one_line(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDORACLE_BATCH_SIZE", "0")
    code, _, err = _run("library", "stats")
    assert code == 1
    assert "invalid setting batch_size" in _one_line_error(err)


def test_library_file_with_foreign_tables_is_refused(home: Path) -> None:
    home.mkdir(parents=True)
    with sqlite3.connect(home / "library.sqlite") as conn:
        conn.execute("CREATE TABLE other (x)")
    code, _, err = _run("library", "stats")
    assert code == 1
    assert "not a medoracle library" in _one_line_error(err)
