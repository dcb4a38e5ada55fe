"""The web app's commands: `user add`, `review list|show|approve|request-changes`, `serve`.
Errors are one line on stderr with exit code 1, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from medoracle.articles import accounts
from medoracle.articles.slugs import slugify
from medoracle.articles.store import SiteStore
from web_kit import QUESTION, RELATED, UNRELATED, build_library, cli, make_site

MAINTENANCE = "What maintenance therapy follows remission of Varnell syndrome?"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A library with four articles and two accounts made through the CLI."""
    home = tmp_path_factory.mktemp("commands")
    settings = build_library(home)
    site = make_site(settings)
    try:
        for question in (QUESTION, RELATED, UNRELATED, MAINTENANCE):
            site.ask(question)
    finally:
        site.close()
    for name, role in (("rita", "reviewer"), ("eddie", "editor")):
        added = cli(
            home,
            "user",
            "add",
            name,
            "--role",
            role,
            "--password-stdin",
            stdin=f"{name}-password-1\n",
        )
        assert added.exit_code == 0, added.output
    yield home


def _slug(question: str) -> str:
    return slugify(question)


def _one_line_error(result: Result, fragment: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("medoracle: error: "), result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.output


def _events(home: Path, slug: str) -> list[Any]:
    store = SiteStore(home / "site.sqlite")
    try:
        article = store.find(slug)
        assert article is not None
        return store.events(article.id)
    finally:
        store.close()


def _state(home: Path, slug: str) -> str:
    store = SiteStore(home / "site.sqlite")
    try:
        article = store.find(slug)
        assert article is not None
        return article.state
    finally:
        store.close()


# ---------------------------------------------------------------------- user add


def test_user_add_stores_an_argon2_hash_of_the_password(home: Path) -> None:
    result = cli(
        home,
        "user",
        "add",
        "nora",
        "--role",
        "reviewer",
        "--password-stdin",
        stdin="nora-password-1\n",
    )
    assert result.exit_code == 0 and result.stdout == "added reviewer nora\n"
    store = SiteStore(home / "site.sqlite")
    try:
        user = store.user("nora")
    finally:
        store.close()
    assert user is not None and user.role == "reviewer" and not user.disabled
    assert user.password_hash.startswith("$argon2id$")
    assert accounts.verify_password(user.password_hash, "nora-password-1")
    assert not accounts.verify_password(user.password_hash, "nora-password-2")


def test_user_add_asks_for_the_password_twice(home: Path) -> None:
    result = cli(
        home, "user", "add", "pia", "--role", "editor", stdin="pia-password-1\npia-password-1\n"
    )
    assert result.exit_code == 0, result.output
    assert "added editor pia" in result.stdout
    assert "pia-password-1" not in result.output  # the prompt hides what is typed


def test_user_add_refuses_a_duplicate_name_in_one_line(home: Path) -> None:
    result = cli(
        home,
        "user",
        "add",
        "rita",
        "--role",
        "editor",
        "--password-stdin",
        stdin="another-password-1\n",
    )
    _one_line_error(result, "user 'rita' already exists")


@pytest.mark.parametrize(
    ("name", "password", "fragment"),
    [
        ("sam", "short", "the password is too short: use at least 10 characters"),
        ("two words", "long-enough-password", "the user name must be"),
        ("   ", "long-enough-password", "the user name must be"),
    ],
)
def test_user_add_refuses_bad_names_and_short_passwords(
    home: Path, name: str, password: str, fragment: str
) -> None:
    result = cli(
        home, "user", "add", name, "--role", "reviewer", "--password-stdin", stdin=password + "\n"
    )
    _one_line_error(result, fragment)
    store = SiteStore(home / "site.sqlite")
    try:
        assert store.user(name.strip()) is None
    finally:
        store.close()


def test_user_add_needs_a_known_role(home: Path) -> None:
    result = cli(home, "user", "add", "val", "--role", "admin", "--password-stdin", stdin="x" * 12)
    assert result.exit_code == 2 and "'admin' is not one of 'reviewer', 'editor'" in result.stderr
    assert cli(home, "user", "add", "val", stdin="x" * 12).exit_code == 2  # --role is required


# ---------------------------------------------------------------------- review list and show


def test_review_list_shows_state_version_and_slug(home: Path) -> None:
    result = cli(home, "review", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert f"submitted         v1  {_slug(UNRELATED)}" in lines
    assert len(lines) >= 4
    assert cli(home, "review", "list", "--state", "approved", "--limit", "5").exit_code == 0
    listed = json.loads(cli(home, "review", "list", "--json").stdout)
    assert {a["slug"] for a in listed} >= {_slug(q) for q in (QUESTION, RELATED, UNRELATED)}
    assert all({"state", "version", "new_evidence", "url"} <= set(a) for a in listed)
    none = cli(home, "review", "list", "--new-evidence")
    assert none.exit_code == 0 and none.stdout == "no articles\n"
    assert cli(home, "review", "list", "--state", "published").exit_code == 2


def test_review_show_prints_the_page_and_its_history(home: Path) -> None:
    slug = _slug(QUESTION)
    text = cli(home, "review", "show", slug)
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith(f"{slug} · Submitted · version 1\n")
    assert "methylprednisolone" in text.stdout and "History:" in text.stdout
    assert " anonymous created -> submitted \n" in text.stdout
    markdown = cli(home, "review", "show", slug, "--format", "markdown")
    assert "](#ref-1)" in markdown.stdout
    data = json.loads(cli(home, "review", "show", slug, "--format", "json").stdout)
    assert (data["slug"], data["state"], data["version"], data["new_evidence"]) == (
        slug,
        "submitted",
        1,
        False,
    )
    assert data["answer"]["references"] and data["events"][0]["kind"] == "created"


def test_review_show_an_unknown_article_is_one_line(home: Path) -> None:
    _one_line_error(
        cli(home, "review", "show", "no-such-article"), "no article at 'no-such-article'"
    )


# ---------------------------------------------------------------------- approve, request changes


def test_approving_a_submitted_article_starts_its_review_first(home: Path) -> None:
    slug = _slug(RELATED)
    result = cli(home, "review", "approve", slug, "--as", "rita", "--comment", "checked")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{slug}: approved\n"
    moves = [
        (e.actor, e.from_state, e.to_state, e.comment)
        for e in _events(home, slug)
        if e.kind == "transition"
    ]
    assert moves == [
        ("rita", "submitted", "under_review", "checked"),
        ("rita", "under_review", "approved", "checked"),
    ]
    again = cli(home, "review", "approve", slug, "--as", "rita")
    assert again.exit_code == 0 and again.stdout == f"{slug}: approved\n"
    assert len(_events(home, slug)) == 3  # approving an approved article changes nothing
    listed = cli(home, "review", "list", "--state", "approved")
    assert f"approved          v1  {slug}" in listed.stdout.splitlines()


def test_an_editor_may_not_approve_and_nothing_moves(home: Path) -> None:
    slug = _slug(MAINTENANCE)
    result = cli(home, "review", "approve", slug, "--as", "eddie")
    _one_line_error(result, "the editor role may not move an article to Approved")
    assert _state(home, slug) == "submitted"
    assert [e.kind for e in _events(home, slug)] == ["created"]


def test_requesting_changes_records_the_comment(home: Path) -> None:
    slug = _slug(UNRELATED)
    result = cli(home, "review", "request-changes", slug, "--as", "eddie", "--comment", "cite it")
    assert result.exit_code == 0 and result.stdout == f"{slug}: changes_requested\n"
    event = _events(home, slug)[-1]
    assert (event.actor, event.from_state, event.to_state, event.comment) == (
        "eddie",
        "submitted",
        "changes_requested",
        "cite it",
    )
    # From there an approval is an invalid jump, refused in one line.
    _one_line_error(
        cli(home, "review", "approve", slug, "--as", "rita"),
        "cannot go from Changes requested to Approved",
    )
    assert cli(home, "review", "request-changes", slug, "--as", "rita").exit_code == 2


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ("review", "approve", "no-such-article", "--as", "rita"),
            "no article at 'no-such-article'",
        ),
        (("review", "approve", "SLUG", "--as", "zed"), "no user 'zed'"),
        (
            ("review", "request-changes", "no-such-article", "--as", "rita", "--comment", "x"),
            "no article at 'no-such-article'",
        ),
        (("review", "request-changes", "SLUG", "--as", "zed", "--comment", "x"), "no user 'zed'"),
    ],
)
def test_unknown_users_and_articles_are_one_line_errors(
    home: Path, args: tuple[str, ...], fragment: str
) -> None:
    slug = _slug(QUESTION)
    result = cli(home, *(slug if a == "SLUG" else a for a in args))
    _one_line_error(result, fragment)
    assert _state(home, slug) == "submitted"


# ---------------------------------------------------------------------- serve


def test_serve_needs_a_library(tmp_path: Path) -> None:
    _one_line_error(cli(tmp_path / "empty", "serve"), "medoracle library build")


def test_serve_runs_the_app_factory_without_an_access_log(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **options: calls.append({"app": app, **options})
    )
    result = cli(home, "serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["app"] == "medoracle.web.app:serve_app" and call["factory"] is True
    assert (call["host"], call["port"], call["workers"]) == ("127.0.0.1", 8123, 1)
    assert call["access_log"] is False and call["server_header"] is False
    # uvicorn's default would believe X-Forwarded-For from 127.0.0.1: no proxy is trusted
    assert call["proxy_headers"] is False and call["forwarded_allow_ips"] == ""


def test_the_served_app_reads_its_home_from_the_environment(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medoracle.web.app import serve_app

    monkeypatch.setenv("MEDORACLE_HOME", str(home))
    monkeypatch.delenv("MEDORACLE_SECRET_KEY", raising=False)
    app = serve_app()
    try:
        assert app.state.web.settings.home == home
        assert app.state.web.secret == (home / "secret_key").read_text().strip().encode()
    finally:
        app.state.web.site.close()
