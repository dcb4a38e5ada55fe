from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from helpers import write_cochrane
from medoracle.corpus.ingest import ingest
from medoracle.corpus.loaders import get_loader
from medoracle.corpus.schema import WriterLock, migrations
from medoracle.corpus.store import Library
from medoracle.errors import LibraryCorruptError, LibraryError, LibraryLockedError


def _ingest(lib: Library, path: Path) -> dict[str, object]:
    report = ingest(lib, [(get_loader("cochrane"), path)], command="test", batch_size=7)
    return report.totals()


def test_new_library_is_wal_with_every_migration_recorded(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib.sqlite", create=True) as lib:
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        versions = [r[0] for r in lib.conn.execute("SELECT version FROM schema_migrations")]
        assert versions == [m.version for m in migrations()]
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations())


def test_second_ingest_adds_nothing_and_changed_content_updates(tmp_path: Path) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 30)
    with Library.open(tmp_path / "lib.sqlite", create=True) as lib:
        first = _ingest(lib, source)
        second = _ingest(lib, source)
        changed = _ingest(lib, write_cochrane(tmp_path / "reviews.jsonl", 30, variant=" (revised)"))
        stats = lib.stats()
    assert (first["added"], first["unchanged"]) == (30, 0)
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 30)
    assert (changed["added"], changed["updated"]) == (0, 30)
    assert stats["documents"] == 30
    assert stats["passages"] == 60


def test_reading_back_gives_the_stored_models(tmp_path: Path) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 3)
    with Library.open(tmp_path / "lib.sqlite", create=True) as lib:
        _ingest(lib, source)
        doc = lib.document("cochrane:CD900001")
        passages = lib.passages("cochrane:CD900001")
    expected = next(iter(get_loader("cochrane").read(source)))
    assert doc is not None
    assert doc.identifiers.doi == "10.1002/14651858.CD900001"
    assert [p.sentences for p in passages] != []
    assert passages[0].sentence_texts()[0] == "Trial group 1 enrolled 101 participants."
    assert expected.__class__.__name__ == "LoadedDocument"


def test_a_file_that_is_not_sqlite_is_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(LibraryCorruptError, match="not a usable medoracle library"):
        Library.open(path, create=True)


def test_a_foreign_sqlite_file_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE mine (x)")
    with pytest.raises(LibraryCorruptError, match="not a medoracle library"):
        Library.open(path, create=True)


def test_a_library_from_a_newer_medoracle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    Library.open(path, create=True).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(migrations()) + 5}")
    with pytest.raises(LibraryError, match="newer than this medoracle"):
        Library.open(path)


def test_missing_library_is_an_error_when_reading(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="library build"):
        Library.open(tmp_path / "absent.sqlite")


def test_second_writer_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite"
    with WriterLock(path), pytest.raises(LibraryLockedError, match="locked by another writer"):
        WriterLock(path).__enter__()
    with WriterLock(path):  # released after the first holder leaves
        pass


def test_passage_changes_log_adds_and_deletes_in_order(tmp_path: Path) -> None:
    source = write_cochrane(tmp_path / "reviews.jsonl", 3)
    with Library.open(tmp_path / "lib.sqlite", create=True) as lib:
        _ingest(lib, source)
        first = lib.change_cursor()
        assert [op for _, _, op in lib.changes_since(0)] == ["add"] * 6
        _ingest(lib, write_cochrane(tmp_path / "reviews.jsonl", 3, variant=" (v2)"))
        later = lib.changes_since(first)
        live = {row[0] for row in lib.conn.execute("SELECT pid FROM passages")}
    assert [op for _, _, op in later] == ["del", "del", "add", "add"] * 3
    applied: set[int] = set()
    with Library.open(tmp_path / "lib.sqlite") as lib:
        for _, pid, op in lib.changes_since(0):
            if op == "add":
                applied.add(pid)
            else:
                applied.discard(pid)
    assert applied == live
