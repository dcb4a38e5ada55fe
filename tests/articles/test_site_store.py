"""site.sqlite itself: its migrations over a database that already holds articles, follow-up
identity and addresses."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from medoracle.articles.slugs import follow_up_slug
from medoracle.articles.store import MIGRATIONS, SiteStore
from medoracle.corpus.schema import migrations, utc_now


def _site_at(path: Path, version: int) -> None:
    """A site.sqlite made by an older medoracle: migrations 1..`version` only."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for migration in migrations(MIGRATIONS)[:version]:
            conn.executescript(
                f"BEGIN;\n{migration.sql}\nINSERT INTO schema_migrations VALUES "
                f"({migration.version}, '{migration.name}', '{utc_now()}');\n"
                f"PRAGMA user_version = {migration.version};\nCOMMIT;"
            )


def test_the_identity_migration_keeps_every_article_and_reference(tmp_path: Path) -> None:
    path = tmp_path / "site.sqlite"
    _site_at(path, 2)
    now = utc_now()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(
            "INSERT INTO articles (id, slug, question, question_key, created_at, updated_at) "
            "VALUES (1, 'lupus', 'Lupus?', 'lupus', ?, ?)",
            (now, now),
        )
        conn.execute(
            "INSERT INTO articles (id, slug, question, question_key, parent_id, state, "
            "current_version, created_at, updated_at) "
            "VALUES (2, 'about-pregnancy', 'What about pregnancy?', 'what about pregnancy', "
            "1, 'approved', 1, ?, ?)",
            (now, now),
        )
        conn.execute("INSERT INTO versions VALUES (2, 1, ?, 'x', '', 'v', '[]')", (now,))
        conn.execute(
            "INSERT INTO events (article_id, at, actor, kind) VALUES (2, ?, 'x', 'created')",
            (now,),
        )
    store = SiteStore(path)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(
            migrations(MIGRATIONS)
        )
        child = store.find("about-pregnancy")
        assert child is not None and (child.parent_id, child.state) == (1, "approved")
        assert [v.number for v in store.versions(2)] == [1]
        assert [e.kind for e in store.events(2)] == ["created"]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # The same words after another article, and on their own, are other articles.
        other = store.create("Atrial fibrillation?")
        twin = store.create("What about pregnancy?", parent=other)
        alone = store.create("What about pregnancy?")
        assert len({child.id, twin.id, alone.id}) == 3
        assert store.by_question("what about pregnancy", other) == twin
        assert store.by_question("What about pregnancy?") == alone
        with pytest.raises(sqlite3.IntegrityError):
            store.create("What about pregnancy", parent=other)
        with pytest.raises(sqlite3.IntegrityError):  # references hold in the rebuilt table
            store.conn.execute(
                "INSERT INTO versions VALUES (999, 1, ?, 'x', '', 'v', '[]')", (now,)
            )
    finally:
        store.close()


@pytest.mark.parametrize(
    ("parent", "question", "slug"),
    [
        ("management-atrial-fibrillation", "What about during pregnancy?",
         "management-atrial-fibrillation--about-during-pregnancy"),
        ("management-varnell-syndrome-progressive-leg-weakness-children-adults-elderly",
         "And in children?", "management-varnell-syndrome-progressive-leg--children"),
        ("a" * 90, "Dose?", "a" * 45 + "--dose"),
        ("x" * 45 + "-tail", "Dose?", "x" * 45 + "--dose"),
    ],
)  # fmt: skip
def test_a_follow_ups_address_starts_with_its_parents(
    parent: str, question: str, slug: str
) -> None:
    assert follow_up_slug(parent, question) == slug


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(path: Path) -> dict[str, int]:
    files = [path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")]
    return {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}


def test_site_sqlite_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    """The probe: site.sqlite, which holds password and session hashes, was made 0644."""
    path = tmp_path / "home" / "site.sqlite"
    with _umask(0o022):
        store = SiteStore(path)
    try:
        store.add_user("rita", "$argon2id$not-a-real-hash", "reviewer")  # writes the WAL
        assert _modes(path) == {"site.sqlite": 0o600, "site.sqlite-wal": 0o600,
                                "site.sqlite-shm": 0o600}  # fmt: skip
    finally:
        store.close()


def test_a_site_sqlite_left_readable_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "site.sqlite"
    with _umask(0o022):
        _site_at(path, 1)  # as an older medoracle left it
        with closing(sqlite3.connect(path)) as open_meanwhile:
            open_meanwhile.execute("PRAGMA journal_mode=WAL")
            open_meanwhile.execute("DELETE FROM sessions")
            open_meanwhile.commit()
            assert set(_modes(path).values()) == {0o644}
            SiteStore(path).close()
            assert set(_modes(path).values()) == {0o600}
