"""The review track's actions: moves, the command line's one-step approval, regeneration and
statement strikes and notes. Who may do what is `medoracle.articles.workflow`'s table."""

from __future__ import annotations

from collections.abc import Callable

from medoracle.answer.model import Answer, AnswerAudience
from medoracle.articles import workflow
from medoracle.articles.events import EventKind, Marked, Moved
from medoracle.articles.records import Article, User
from medoracle.articles.store import SiteStore
from medoracle.articles.workflow import ReviewState
from medoracle.errors import ConfigError, NotFound, TransitionError

__all__ = ["advance", "annotate", "evidence_of", "regenerate", "role_of", "transition"]


def role_of(user: User | None) -> str | None:
    """What `user` may do on the review track: nothing when signed out or disabled."""
    return user.role if user is not None and not user.disabled else None


def evidence_of(answer: Answer) -> list[str]:
    """The documents a version rests on, as kept with it."""
    return [r.doc_id for r in [*answer.references, *answer.closest]]


def _changed_since_request(store: SiteStore, article: Article) -> bool:
    events = store.events(article.id)
    requested = max(
        (
            e.id
            for e in events
            if e.kind == EventKind.TRANSITION and e.to_state == ReviewState.CHANGES_REQUESTED
        ),
        default=0,
    )
    edits = {EventKind.REGENERATED, EventKind.STRIKE, EventKind.NOTE}
    return any(e.id > requested and e.kind in edits for e in events)


def transition(
    store: SiteStore, article: Article, user: User | None, to_state: str, comment: str
) -> Article:
    """Move the article along the review track, as `user`; refused moves raise."""
    regenerated = True
    if article.state == ReviewState.CHANGES_REQUESTED:
        regenerated = _changed_since_request(store, article)
    workflow.check(article.state, to_state, role_of(user), regenerated=regenerated)
    assert user is not None
    move = Moved(user.username, article.state, ReviewState(to_state), comment.strip()[:2000])
    return store.set_state(article, move)


def advance(
    store: SiteStore, article: Article, user: User, goal: ReviewState, comment: str
) -> Article:
    """Take the article to `goal` by as many moves as `workflow.path_to` needs (a submitted
    article is approved by way of Under Review), the whole path checked before the first
    move; an article already there is left as it is."""
    for target in workflow.path_to(article.state, goal, role_of(user)):
        article = transition(store, article, user, target, comment)
    return article


def regenerate(
    store: SiteStore,
    compose: Callable[[Article], Answer],
    article: Article,
    user: User | None,
    reason: str = "",
) -> Article:
    """Compose the article again from today's library (`compose`) as a new version; the old
    one is kept. The new text goes back to Submitted for review, whatever state the old one
    had reached (see `workflow`): an audited move, made with the version."""
    if user is None or user.disabled:
        raise TransitionError("sign in as a reviewer or editor to regenerate")
    move = None
    if article.state != ReviewState.SUBMITTED:  # checked first: a refusal costs nothing
        workflow.check(article.state, ReviewState.SUBMITTED, user.role, regenerating=True)
        comment = "regenerated: the new version needs review"
        move = Moved(user.username, article.state, ReviewState.SUBMITTED, comment)
    answer = compose(article)
    store.add_version(
        article,
        actor=user.username,
        reason=reason.strip()[:500] or "regenerated",
        library_version=answer.provenance.library_version,
        evidence=evidence_of(answer),
        renditions={AnswerAudience.CLINICIAN.value: answer.model_dump_json()},
        move=move,
    )
    return store.get(article.id)


def annotate(
    store: SiteStore,
    statements: Callable[[], set[str]],
    article: Article,
    user: User | None,
    key: str,
    kind: str,
    body: str,
) -> None:
    """Strike a statement or attach a note to it, as a signed-in reviewer or editor;
    `statements` gives the keys of the article's current statements."""
    if user is None or user.disabled:
        raise TransitionError("sign in as a reviewer or editor to edit statements")
    if kind not in {EventKind.STRIKE, EventKind.NOTE}:
        raise ConfigError(f"unknown annotation {kind!r}; expected strike or note")
    body = body.strip()[:2000]
    if kind == EventKind.NOTE and not body:
        raise ConfigError("the note is empty")
    if key not in statements():
        raise NotFound(f"no statement {key!r} on {article.slug}")
    if kind == EventKind.STRIKE:
        mark = Marked(user.username, EventKind.STRIKE, key, body)
    else:
        mark = Marked(user.username, EventKind.NOTE, key, body)
    store.annotate(article, user, mark)
