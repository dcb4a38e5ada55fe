"""The review track through the articles service, without HTTP: moves as typed audit events,
lost updates refused, the one-step approval, regeneration back to Submitted, and statement
marks. Articles are made directly in a fresh site.sqlite; nothing is composed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from medoracle.answer.model import Answer
from medoracle.articles import review, workflow
from medoracle.articles.events import Created, EventKind, Marked, Moved, NewEvidence
from medoracle.articles.records import Article, User
from medoracle.articles.service import Site
from medoracle.articles.store import SiteStore
from medoracle.articles.workflow import ReviewState
from medoracle.errors import ConfigError, Conflict, NotFound, TransitionError
from medoracle.settings import Settings

STATES = tuple(ReviewState)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    settings = Settings(home=tmp_path / "home", data_dir=None)

    def no_answerer() -> Any:
        raise AssertionError("nothing here composes")

    with Site(settings, answerer=no_answerer) as site:
        for name, role in (("rita", "reviewer"), ("eddie", "editor"), ("olga", "reviewer")):
            site.store.add_user(name, "$argon2id$not-a-real-hash", role)
        site.store.conn.execute("UPDATE users SET disabled = 1 WHERE username = 'olga'")
        yield site


def _user(site: Site, name: str) -> User:
    found = site.store.user(name)
    assert found is not None
    return found


def _article(site: Site, question: str = "What treats Varnell syndrome?") -> Article:
    store = site.store
    article = store.by_question(question) or store.create(question)
    if not article.current_version:
        store.add_version(
            article,
            actor="anonymous",
            reason="first composition",
            library_version="test",
            evidence=[],
            renditions={},
        )
    return store.get(article.id)


def _put(store: SiteStore, article: Article, state: ReviewState) -> Article:
    if article.state == state:
        return article
    return store.set_state(article, Moved("setup", article.state, state, ""))


def _moves(store: SiteStore, article: Article) -> list[tuple[str, str | None, str | None, str]]:
    return [
        (e.actor, e.from_state, e.to_state, e.comment)
        for e in store.events(article.id)
        if e.kind == EventKind.TRANSITION and e.actor != "setup"
    ]


@pytest.mark.parametrize("to_state", STATES)
@pytest.mark.parametrize("from_state", STATES)
def test_a_move_is_made_and_audited_exactly_when_the_table_allows_it(
    site: Site, from_state: ReviewState, to_state: ReviewState
) -> None:
    for name in ("rita", "eddie", "olga"):
        article = _put(site.store, _article(site), from_state)
        if from_state == ReviewState.CHANGES_REQUESTED:  # leaving it needs an edit since
            review.annotate(site.store, lambda: {"k1"}, article, _user(site, "rita"), "k1",
                            "note", "checked")  # fmt: skip
        user = _user(site, name)
        allowed = to_state in workflow.allowed(from_state, review.role_of(user))
        if allowed:
            moved = site.transition(article, user, to_state, f"{name} moves")
            assert moved.state == to_state
            assert _moves(site.store, moved)[-1] == (name, from_state, to_state, f"{name} moves")
        else:
            with pytest.raises(TransitionError):
                site.transition(article, user, to_state, "no")
            assert site.store.get(article.id).state == from_state


def test_a_move_on_a_stale_article_is_a_conflict_and_changes_nothing(site: Site) -> None:
    stale = _article(site)
    _put(site.store, stale, ReviewState.UNDER_REVIEW)  # somebody else started the review
    with pytest.raises(Conflict, match="now under_review"):
        site.transition(stale, _user(site, "rita"), ReviewState.CHANGES_REQUESTED, "")
    assert site.store.get(stale.id).state == ReviewState.UNDER_REVIEW


def test_approving_a_submitted_article_goes_by_way_of_review(site: Site) -> None:
    article = _article(site)
    approved = site.advance(article.slug, "rita", ReviewState.APPROVED, "checked")
    assert approved.state == ReviewState.APPROVED
    assert _moves(site.store, article) == [
        ("rita", "submitted", "under_review", "checked"),
        ("rita", "under_review", "approved", "checked"),
    ]
    again = site.advance(article.slug, "rita", ReviewState.APPROVED, "")
    assert again.state == ReviewState.APPROVED and len(_moves(site.store, article)) == 2


def test_a_refused_approval_moves_nothing(site: Site) -> None:
    article = _article(site)
    with pytest.raises(TransitionError, match="editor role may not move an article to Approved"):
        site.advance(article.slug, "eddie", ReviewState.APPROVED, "")
    assert site.store.get(article.id).state == ReviewState.SUBMITTED
    assert [e.kind for e in site.events(article)] == ["created"]
    with pytest.raises(ConfigError, match="no user 'zed'"):
        site.advance(article.slug, "zed", ReviewState.APPROVED, "")
    with pytest.raises(NotFound, match="no article at 'nope'"):
        site.advance("nope", "rita", ReviewState.APPROVED, "")


def _answer(version: str = "v2") -> Answer:
    """Just what regeneration reads of a page (it never renders one)."""
    stub = SimpleNamespace(
        provenance=SimpleNamespace(library_version=version),
        references=[SimpleNamespace(doc_id="ngc:1")],
        closest=[],
        model_dump_json=lambda: "{}",
    )
    return stub  # type: ignore[return-value]


@pytest.mark.parametrize("from_state", STATES)
def test_regenerating_goes_back_to_submitted_by_a_move_in_the_table(
    site: Site, from_state: ReviewState
) -> None:
    article = _put(site.store, _article(site), from_state)
    fresh = review.regenerate(site.store, lambda _a: _answer(), article, _user(site, "eddie"))
    assert (fresh.state, fresh.current_version) == ("submitted", article.current_version + 1)
    events = site.events(fresh)
    if from_state == ReviewState.SUBMITTED:
        assert (events[-1].kind, events[-1].comment) == ("regenerated", "regenerated")
    else:
        assert [e.kind for e in events[-2:]] == ["regenerated", "transition"]
        assert _moves(site.store, fresh)[-1] == (
            "eddie", from_state, "submitted", "regenerated: the new version needs review",
        )  # fmt: skip
    assert {(m[1], m[2]) for m in _moves(site.store, fresh)} <= set(workflow.TRANSITIONS)
    assert site.versions(fresh)[-1].evidence == ("ngc:1",)


def test_regenerating_needs_an_enabled_account_and_composes_nothing_when_refused(
    site: Site,
) -> None:
    article = _article(site)

    def compose(_article: Article) -> Answer:
        raise AssertionError("composed before the check")

    for user in (None, _user(site, "olga")):
        with pytest.raises(TransitionError, match="sign in as a reviewer or editor to regenerate"):
            review.regenerate(site.store, compose, article, user)


def test_statement_marks_are_checked_then_kept_with_their_event(site: Site) -> None:
    article, rita = _article(site), _user(site, "rita")
    keys = lambda: {"abc123"}  # noqa: E731
    with pytest.raises(TransitionError, match="sign in"):
        review.annotate(site.store, keys, article, None, "abc123", "strike", "")
    with pytest.raises(ConfigError, match="unknown annotation 'erase'"):
        review.annotate(site.store, keys, article, rita, "abc123", "erase", "")
    with pytest.raises(ConfigError, match="the note is empty"):
        review.annotate(site.store, keys, article, rita, "abc123", "note", "  ")
    with pytest.raises(NotFound, match="no statement 'zzz'"):
        review.annotate(site.store, keys, article, rita, "zzz", "strike", "")
    review.annotate(site.store, keys, article, rita, "abc123", "note", " check the dose ")
    (note,) = site.store.annotations(article.id)
    assert (note.statement_key, note.kind, note.body, note.username) == (
        "abc123", "note", "check the dose", "rita",
    )  # fmt: skip
    last = site.events(article)[-1]
    assert (last.actor, last.kind, last.comment) == (
        "rita",
        "note",
        "statement abc123: check the dose",
    )


def test_audit_events_are_typed_records_with_one_row_each() -> None:
    assert Created("ann").row() == ("ann", "created", None, "submitted", "")
    moved = Moved("rita", ReviewState.SUBMITTED, ReviewState.UNDER_REVIEW, "go")
    assert moved.row() == ("rita", "transition", "submitted", "under_review", "go")
    assert NewEvidence(("ngc:1", "ngc:2")).row() == (
        "medoracle", "new_evidence", None, None,
        "newly ingested sources now rank in its evidence: ngc:1, ngc:2",
    )  # fmt: skip
    assert Marked("rita", EventKind.STRIKE, "k", "").row()[4] == "statement k"
    with pytest.raises(AttributeError):
        moved.comment = "changed"  # type: ignore[misc]
