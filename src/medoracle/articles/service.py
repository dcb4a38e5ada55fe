"""What the web app and the CLI do with articles, without HTTP or a terminal: ask, follow up,
render for an audience, regenerate, review, annotate, relate and flag new evidence.

    Site ── store (one `SiteStore` per thread)     articles.store
         ├─ composer (the one composing thread)    articles.composer
         ├─ related questions                      articles.related
         ├─ review moves, regeneration, marks      articles.review  (rules: articles.workflow)
         ├─ version diffs                          articles.diff
         └─ new-evidence flags                     articles.evidence

Reading articles needs no composer: every thread gets its own connection to `site.sqlite`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from medoracle.answer.model import Answer, AnswerAudience
from medoracle.answer.service import Answerer, screen_question
from medoracle.articles import evidence, review
from medoracle.articles.composer import Composer
from medoracle.articles.diff import DiffLine, statement_diff
from medoracle.articles.events import Event
from medoracle.articles.records import Annotation, Article, User, Version
from medoracle.articles.related import Related, RelatedIndex
from medoracle.articles.store import SiteStore
from medoracle.articles.workflow import ReviewState
from medoracle.embed.encoders import Encoder
from medoracle.errors import ConfigError, NotFound, Refused
from medoracle.settings import Settings

__all__ = ["AUDIENCES", "Site", "open_site"]

AUDIENCES = tuple(a.value for a in AnswerAudience)


class Site:
    """The articles of one home folder and what can be done with them."""

    def __init__(
        self,
        settings: Settings,
        answerer: Callable[[], Answerer],
        encoder: Callable[[], Encoder] | None = None,
    ) -> None:
        self.settings = settings
        self.composer = Composer(answerer, encoder)
        self._related = RelatedIndex()
        self._local = threading.local()
        self._stores: list[SiteStore] = []
        self._stores_lock = threading.Lock()
        SiteStore(settings.site_path).close()  # migrate once, before any thread opens it

    # ------------------------------------------------------------------ plumbing

    @property
    def store(self) -> SiteStore:
        store: SiteStore | None = getattr(self._local, "store", None)
        if store is None:
            store = SiteStore(self.settings.site_path)
            self._local.store = store
            with self._stores_lock:
                self._stores.append(store)
        return store

    def start(self) -> None:
        """Open the library, its indexes and the encoder now rather than on the first ask."""
        self.composer.start()

    def close(self) -> None:
        self.composer.close()
        with self._stores_lock:
            for store in self._stores:
                with contextlib.suppress(sqlite3.ProgrammingError):
                    store.close()
            self._stores.clear()

    def __enter__(self) -> Site:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ asking

    def find(self, slug: str) -> Article:
        article = self.store.find(slug)
        if article is None or article.current_version == 0:
            raise NotFound(f"no article at {slug!r}")
        return article

    def ask(
        self,
        question: str,
        *,
        parent: Article | None = None,
        actor: str = "anonymous",
        composer: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[Article, bool]:
        """The article for `question` (a child of `parent` for a follow-up), composed now if
        it is new, by `composer` ("extractive" or "llm"; default the setting). An article is
        composed once: asking again returns it whoever wrote it. Returns the article and
        whether it was created."""
        screened = screen_question(question)
        if screened.refusal is not None:
            raise Refused(screened.refusal)
        existing = self.store.by_question(screened.text, parent)
        if existing is not None and existing.current_version:
            return existing, False
        context = self._context(parent) if parent is not None else ""
        answer, embedding = self.composer.compose_new(screened.text, context, composer, progress)
        try:
            article = existing or self.store.create(
                screened.text, parent=parent, context=context, embedding=embedding, actor=actor
            )
        except sqlite3.IntegrityError:  # the same question, asked at the same moment
            raced = self.store.by_question(screened.text, parent)
            if raced is None:
                raise
            return raced, False
        self.store.add_version(
            article,
            actor=actor,
            reason="first composition",
            library_version=answer.provenance.library_version,
            evidence=review.evidence_of(answer),
            renditions={AnswerAudience.CLINICIAN.value: answer.model_dump_json()},
        )
        return self.store.get(article.id), True

    def _context(self, parent: Article) -> str:
        """The parent's condition, population and drugs, as retrieval terms; inherited down
        a thread."""
        words: list[str] = []
        for name in [*parent.context.split(" | "), *self.composer.context_topics(parent.question)]:
            if name and name.casefold() not in {w.casefold() for w in words}:
                words.append(name)
        return " | ".join(words[:8])

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        """The evidence library's best passages for `query` (see `evidence.search`)."""
        return evidence.search(self.composer, query, k)

    # ------------------------------------------------------------------ pages

    def answer(self, article: Article, audience: str, version: int | None = None) -> Answer:
        """The article's page for `audience`: stored, or composed now from the same
        question and context (for the current version only)."""
        if audience not in AUDIENCES:
            raise ConfigError(
                f"unknown audience {audience!r}; expected one of: {', '.join(AUDIENCES)}"
            )
        number = article.current_version if version is None else version
        if not 1 <= number <= article.current_version:
            raise NotFound(f"{article.slug} has no version {number}")
        stored = self.store.rendition(article.id, number, audience)
        if stored is not None:
            return Answer.model_validate_json(stored)
        if number != article.current_version:
            fallback = self.store.rendition(article.id, number, AnswerAudience.CLINICIAN.value)
            if fallback is None:
                raise NotFound(f"{article.slug} version {number} was not kept")
            return Answer.model_validate_json(fallback)
        answer = self.composer.compose(article.question, audience, article.context)
        self.store.add_rendition(article.id, number, audience, answer.model_dump_json())
        stored = self.store.rendition(article.id, number, audience)
        return Answer.model_validate_json(stored) if stored else answer

    def annotations(self, article: Article) -> dict[str, list[Annotation]]:
        found: dict[str, list[Annotation]] = {}
        for annotation in self.store.annotations(article.id):
            found.setdefault(annotation.statement_key, []).append(annotation)
        return found

    def reviewed(self, article: Article, answer: Answer) -> Answer:
        """The page as exported: struck statements removed, notes left to the caller."""
        struck = {
            key
            for key, items in self.annotations(article).items()
            if any(a.kind == "strike" for a in items)
        }
        if not struck:
            return answer
        page = answer.model_copy(deep=True)
        page.bottom_line = [s for s in page.bottom_line if s.key() not in struck]
        for section in page.sections:
            section.statements = [s for s in section.statements if s.key() not in struck]
        page.sections = [s for s in page.sections if s.statements]
        return page

    def thread(self, article: Article) -> tuple[list[Article], list[Article]]:
        """Its ancestors and itself, then its follow-ups."""
        return self.store.thread(article), self.store.children(article.id)

    def related(self, article: Article) -> list[Related]:
        """The nearest other articles by question embedding, above the floor; none when the
        article has no embedding. Articles of its own thread are listed there instead."""
        if self.settings.web.related_count == 0:
            return []
        chain, children = self.thread(article)
        return self._related.nearest(
            self.store,
            article,
            count=self.settings.web.related_count,
            floor=self.settings.web.related_floor,
            excluded={a.id for a in [*chain, *children]},
        )

    def listing(
        self,
        *,
        state: str | None = None,
        query: str = "",
        new_evidence: bool | None = None,
        limit: int = 20,
    ) -> list[Article]:
        """Articles, newest change first (see `SiteStore.listing`)."""
        return self.store.listing(state=state, query=query, new_evidence=new_evidence, limit=limit)

    def generation(self) -> int:
        """Changes with every commit that may change a rendered page: an audit event (a new
        article, a move, a strike or note, new evidence, a regeneration) or a new version."""
        return self.store.generation()

    def stamp(self) -> int:
        """Changes whenever an article joins the related-questions pool."""
        return self.store.embeddings_stamp()

    def diff(self, article: Article, old: int, new: int, audience: str) -> list[DiffLine]:
        """Statement by statement, what changed from version `old` to `new`."""
        return statement_diff(
            self.answer(article, audience, old), self.answer(article, audience, new)
        )

    def versions(self, article: Article) -> list[Version]:
        return self.store.versions(article.id)

    def events(self, article: Article) -> list[Event]:
        return self.store.events(article.id)

    # ------------------------------------------------------------------ review

    def transition(
        self, article: Article, user: User | None, to_state: str, comment: str
    ) -> Article:
        """Move the article along the review track, as `user`; refused moves raise."""
        return review.transition(self.store, article, user, to_state, comment)

    def advance(self, slug: str, username: str, goal: ReviewState, comment: str) -> Article:
        """Take SLUG to `goal` as the account `username` (see `review.advance`)."""
        user = self.store.user(username)
        if user is None:
            raise ConfigError(f"no user {username!r}; add one with `medoracle user add`")
        return review.advance(self.store, self.find(slug), user, goal, comment)

    def regenerate(self, article: Article, user: User | None, reason: str = "") -> Article:
        """A new version from today's library, back to Submitted (see `review.regenerate`)."""

        def compose(article: Article) -> Answer:
            return self.composer.compose(
                article.question, AnswerAudience.CLINICIAN, article.context
            )

        return review.regenerate(self.store, compose, article, user, reason)

    def annotate(self, article: Article, user: User | None, key: str, kind: str, body: str) -> None:
        """Strike a statement or attach a note to it, as a signed-in reviewer or editor."""

        def statements() -> set[str]:
            answer = self.answer(article, AnswerAudience.CLINICIAN.value)
            return {s.key() for s in answer.statements()}

        review.annotate(self.store, statements, article, user, key, kind, body)

    def flag_new_evidence(self, since: str) -> list[str]:
        """Flag the articles whose evidence an ingest since `since` changed; their slugs."""
        return evidence.flag_new_evidence(self.store, self.composer, since)


def open_site(settings: Settings) -> Site:
    """The site of `settings.home` with the library's answerer (opened on first use) and no
    question encoder: what the command line needs."""
    from medoracle.answer.service import open_answerer

    return Site(settings, answerer=lambda: open_answerer(settings))
