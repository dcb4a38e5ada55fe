from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from helpers import write_cochrane
from medoracle.corpus.ingest import IngestInterrupted, ingest
from medoracle.corpus.loaders import Skipped, get_loader
from medoracle.corpus.models import LoadedDocument
from medoracle.corpus.store import Library


def _interrupting_loader(after: int) -> Any:
    """The cochrane loader, with Ctrl-C pressed after `after` records."""
    real = get_loader("cochrane")

    def read(path: Path) -> Iterator[LoadedDocument | Skipped]:
        for count, record in enumerate(real.read(path)):
            if count == after:
                raise KeyboardInterrupt
            yield record

    return SimpleNamespace(FORMAT=real.FORMAT, CORPUS=real.CORPUS, FILES=real.FILES, read=read)


def _counts(path: Path) -> tuple[int, int, list[str]]:
    with Library.open(path) as lib:
        stats = lib.stats()
        return stats["documents"], stats["passages"], lib.incomplete_documents()


def test_ctrl_c_mid_batch_keeps_whole_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 95)
    library = tmp_path / "lib.sqlite"
    with Library.open(library, create=True) as lib, pytest.raises(IngestInterrupted) as caught:
        ingest(lib, [(_interrupting_loader(47), source)], command="test", batch_size=10)
    assert caught.value.report.outcome == "interrupted"
    assert _counts(library) == (40, 80, [])  # four whole batches, the fifth rolled back
    with Library.open(library) as lib:
        outcome = lib.conn.execute("SELECT outcome FROM ingest_runs").fetchone()[0]
        report = ingest(lib, [(get_loader("cochrane"), source)], command="test", batch_size=10)
    assert outcome == "interrupted"
    assert (report.totals()["added"], report.totals()["unchanged"]) == (55, 40)
    assert _counts(library) == (95, 190, [])


def test_failure_inside_a_write_rolls_the_whole_batch_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 25)
    library = tmp_path / "lib.sqlite"
    calls = {"n": 0}
    original = Library._insert

    def flaky(self: Library, *args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 15:  # the fifth document of the second batch
            raise KeyboardInterrupt
        original(self, *args)

    monkeypatch.setattr(Library, "_insert", flaky)
    with Library.open(library, create=True) as lib, pytest.raises(IngestInterrupted):
        ingest(lib, [(get_loader("cochrane"), source)], command="test", batch_size=10)
    assert _counts(library) == (10, 20, [])


def test_killed_process_leaves_whole_documents_and_rerun_matches_clean_build(
    tmp_path: Path,
) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 6000)
    env = {**os.environ, "MEDORACLE_BATCH_SIZE": "50"}
    command = [sys.executable, "-m", "medoracle", "ingest", "cochrane", str(source)]

    clean_home = tmp_path / "clean"
    subprocess.run(command, env={**env, "MEDORACLE_HOME": str(clean_home)}, check=True,
                   capture_output=True)  # fmt: skip
    expected = _counts(clean_home / "library.sqlite")

    home = tmp_path / "killed"
    library = home / "library.sqlite"
    process = subprocess.Popen(command, env={**env, "MEDORACLE_HOME": str(home)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    written = 0
    deadline = time.monotonic() + 60
    while written < 500 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
        if library.exists():
            try:
                with sqlite3.connect(library, timeout=1) as conn:
                    written = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                pass
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert written > 0, "the ingest never committed a batch before the kill"
    documents, _, incomplete = _counts(library)
    assert incomplete == []
    assert documents % 50 == 0 and documents < 6000

    rerun = subprocess.run(command, env={**env, "MEDORACLE_HOME": str(home)},
                           capture_output=True, text=True)  # fmt: skip
    assert rerun.returncode == 0, rerun.stderr
    assert _counts(library) == expected


def test_sigterm_rolls_back_and_exits_130(tmp_path: Path) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 6000)
    home = tmp_path / "home"
    env = {**os.environ, "MEDORACLE_BATCH_SIZE": "50", "MEDORACLE_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "medoracle", "ingest", "cochrane", str(source)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (home / "library.sqlite").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("ingest finished before the signal arrived")
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1].startswith("medoracle: interrupted")
    assert "Traceback" not in stderr
    assert _counts(home / "library.sqlite")[2] == []
