"""What the web app does, without HTTP: ask, follow up, render for an audience, regenerate,
review, annotate, relate and flag new evidence. The CLI's `review` commands use it too.

Composition runs on one dedicated thread that owns the `Answerer` (its SQLite connection and
caches are not shared between threads); requests wait for it. Reading articles needs no
composer: every thread gets its own connection to `site.sqlite`.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from medoracle.answer.model import Answer, AnswerAudience
from medoracle.answer.service import Answerer, screen_question
from medoracle.articles import workflow
from medoracle.articles.store import Annotation, Article, SiteStore, User, Version
from medoracle.articles.workflow import ReviewState
from medoracle.errors import ConfigError, NotFound, Refused, TransitionError
from medoracle.query.understand import normalise
from medoracle.settings import Settings

__all__ = [
    "AUDIENCES",
    "DiffLine",
    "Related",
    "Site",
]

AUDIENCES = tuple(a.value for a in AnswerAudience)
T = TypeVar("T")
# MeSH tree letters carried from a parent question to its follow-ups: diseases (C), drugs
# (D), mental disorders (F03), persons (M) and the population qualifiers of G (pregnancy).
_CONTEXT_TREES = ("C", "D", "F03", "M", "G08.686")
_WORD = re.compile(r"[^\W_]")  # a letter or digit


@dataclass(frozen=True)
class Related:
    article: Article
    similarity: float


@dataclass(frozen=True)
class DiffLine:
    op: str  # "same", "added" or "removed"
    section: str
    text: str


class Site:
    """The web app's state and actions over one home folder."""

    def __init__(
        self,
        settings: Settings,
        answerer: Callable[[], Answerer],
        encoder: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self._make_answerer = answerer
        self._make_encoder = encoder
        self._local = threading.local()
        self._stores: list[SiteStore] = []
        self._stores_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medoracle-answer")
        self._answerer: Answerer | None = None
        self._encoder: Any = None
        self._vectors: tuple[int, list[int], NDArray[np.float32]] | None = None
        self._vectors_lock = threading.Lock()
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
        self._on_answer_thread(lambda: self._ready())

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        with self._stores_lock:
            for store in self._stores:
                with contextlib.suppress(sqlite3.ProgrammingError):
                    store.close()
            self._stores.clear()

    def _ready(self) -> Answerer:
        if self._answerer is None:
            self._answerer = self._make_answerer()
            if self._make_encoder is not None:
                self._encoder = self._make_encoder()
        return self._answerer

    def _on_answer_thread(self, work: Callable[[], T]) -> T:
        return self._executor.submit(work).result()

    # ------------------------------------------------------------------ asking

    def find(self, slug: str) -> Article:
        article = self.store.find(slug)
        if article is None or article.current_version == 0:
            raise NotFound(f"no article at {slug!r}")
        return article

    def ask(
        self, question: str, *, parent: Article | None = None, actor: str = "anonymous"
    ) -> tuple[Article, bool]:
        """The article for `question` (a child of `parent` for a follow-up), composed now if
        it is new. Returns the article and whether it was created."""
        screened = screen_question(question)
        if screened.refusal is not None:
            raise Refused(screened.refusal)
        existing = self.store.by_question(screened.text, parent)
        if existing is not None and existing.current_version:
            return existing, False
        context = self._context(parent) if parent is not None else ""

        def compose() -> tuple[Answer, bytes | None]:
            answer = self._ready().ask(screened.text, AnswerAudience.CLINICIAN, context=context)
            return answer, self._embed(screened.text)

        answer, embedding = self._on_answer_thread(compose)
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
            evidence=_evidence(answer),
            renditions={AnswerAudience.CLINICIAN.value: answer.model_dump_json()},
        )
        return self.store.get(article.id), True

    def _context(self, parent: Article) -> str:
        """The parent's condition, population and drugs, as retrieval terms; inherited down
        a thread."""

        def topics() -> list[str]:
            plan = self._ready().retriever.planner(parent.question)
            return [
                topic.name
                for topic in plan.topics
                if topic.kind == "abbreviation"
                or any(tree.startswith(_CONTEXT_TREES) for tree in topic.trees)
            ]

        names = self._on_answer_thread(topics)
        words: list[str] = []
        for name in [*parent.context.split(" | "), *names]:
            if name and name.casefold() not in {w.casefold() for w in words}:
                words.append(name)
        return " | ".join(words[:8])

    def _embed(self, text: str) -> bytes | None:
        if self._encoder is None:
            return None
        vector = np.asarray(self._encoder.encode([text])[0], dtype=np.float32)
        return vector.tobytes()

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
        answer = self._on_answer_thread(
            lambda: self._ready().ask(article.question, audience, context=article.context)
        )
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
        count = self.settings.web.related_count
        if count == 0:
            return []
        ids, matrix = self._matrix()
        if article.id not in ids:
            return []
        own = matrix[ids.index(article.id)]
        scores = matrix @ own
        chain, children = self.thread(article)
        excluded = {a.id for a in chain} | {a.id for a in children}
        found: list[Related] = []
        for index in np.argsort(-scores):
            score = float(scores[index])
            if score < self.settings.web.related_floor or len(found) == count:
                break
            if ids[index] in excluded:
                continue
            other = self.store.get(ids[index])
            if other.current_version:
                found.append(Related(other, round(score, 3)))
        return found

    def generation(self) -> int:
        """Changes with every commit that may change a rendered page: an audit event (a new
        article, a move, a strike or note, new evidence, a regeneration) or a new version."""
        return self.store.generation()

    def stamp(self) -> int:
        """Changes whenever an article joins the related-questions pool."""
        count, top = self.store.conn.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM articles WHERE embedding IS NOT NULL"
        ).fetchone()
        return int(count) * 1_000_003 + int(top)

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        """The evidence library's best passages for `query`; a query with no word in it
        (blank, control characters, punctuation, undecodable bytes) is refused."""
        text, _ = normalise(query)
        if not text:
            raise Refused("the question is empty: type a question with at least one word")
        if not _WORD.search(text):
            raise Refused("the question has no searchable words: type at least one word")

        def run() -> list[dict[str, Any]]:
            try:
                result = self._ready().retriever.search(query, k=k)
            except ValueError as exc:  # the retriever's "no searchable words"
                raise Refused(str(exc)) from None
            return [
                {
                    "doc_id": h.doc_id,
                    "title": h.title,
                    "section": h.section,
                    "kind": h.kind,
                    "text": h.text,
                    "grade": h.grade,
                    "pmid": h.pmid,
                    "score": round(h.score, 4),
                }
                for h in result.hits
            ]

        return self._on_answer_thread(run)

    def _matrix(self) -> tuple[list[int], NDArray[np.float32]]:
        stamp = self.stamp()
        with self._vectors_lock:
            if self._vectors is None or self._vectors[0] != stamp:
                rows = self.store.embeddings()
                ids = [article_id for article_id, _ in rows]
                vectors = [np.frombuffer(blob, dtype=np.float32) for _, blob in rows]
                if vectors:
                    matrix = np.vstack(vectors)
                    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                    matrix = matrix / np.maximum(norms, 1e-9)
                else:
                    matrix = np.zeros((0, 1), dtype=np.float32)
                self._vectors = (stamp, ids, matrix.astype(np.float32))
            _, ids, matrix = self._vectors
        return ids, matrix

    def diff(self, article: Article, old: int, new: int, audience: str) -> list[DiffLine]:
        """Statement by statement, what changed from version `old` to `new`."""

        def lines(answer: Answer) -> list[tuple[str, str]]:
            found = [("Bottom line", s.text) for s in answer.bottom_line]
            for section in answer.sections:
                found.extend((section.heading, s.text) for s in section.statements)
            return found

        before = lines(self.answer(article, audience, old))
        after = lines(self.answer(article, audience, new))
        result: list[DiffLine] = []
        matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op == "equal":
                result.extend(DiffLine("same", s, t) for s, t in before[a0:a1])
                continue
            result.extend(DiffLine("removed", s, t) for s, t in before[a0:a1])
            result.extend(DiffLine("added", s, t) for s, t in after[b0:b1])
        return result

    def versions(self, article: Article) -> list[Version]:
        return self.store.versions(article.id)

    # ------------------------------------------------------------------ review

    def transition(
        self, article: Article, user: User | None, to_state: str, comment: str
    ) -> Article:
        """Move the article along the review track, as `user`; refused moves raise."""
        role = user.role if user is not None and not user.disabled else None
        regenerated = True
        if article.state == ReviewState.CHANGES_REQUESTED:
            regenerated = self._changed_since_request(article)
        workflow.check(article.state, to_state, role, regenerated=regenerated)
        assert user is not None
        return self.store.set_state(
            article,
            to_state,
            actor=user.username,
            comment=comment.strip()[:2000],
            expected=article.state,
        )

    def _changed_since_request(self, article: Article) -> bool:
        events = self.store.events(article.id)
        requested = max(
            (
                e.id
                for e in events
                if e.kind == "transition" and e.to_state == ReviewState.CHANGES_REQUESTED
            ),
            default=0,
        )
        return any(e.id > requested and e.kind in {"regenerated", "strike", "note"} for e in events)

    def regenerate(self, article: Article, user: User | None, reason: str = "") -> Article:
        """Compose the article again from today's library as a new version; the old one is
        kept. The new text goes back to Submitted for review, whatever state the old one had
        reached (see `workflow`): an audited move, made with the version."""
        if user is None or user.disabled:
            raise TransitionError("sign in as a reviewer or editor to regenerate")
        move = None
        if article.state != ReviewState.SUBMITTED:  # checked first: a refusal costs nothing
            workflow.check(article.state, ReviewState.SUBMITTED, user.role, regenerating=True)
            move = (article.state, ReviewState.SUBMITTED)
        answer = self._on_answer_thread(
            lambda: self._ready().ask(
                article.question, AnswerAudience.CLINICIAN, context=article.context
            )
        )
        self.store.add_version(
            article,
            actor=user.username,
            reason=reason.strip()[:500] or "regenerated",
            library_version=answer.provenance.library_version,
            evidence=_evidence(answer),
            renditions={AnswerAudience.CLINICIAN.value: answer.model_dump_json()},
            move=move,
            comment="regenerated: the new version needs review",
        )
        return self.store.get(article.id)

    def annotate(self, article: Article, user: User | None, key: str, kind: str, body: str) -> None:
        """Strike a statement or attach a note to it, as a signed-in reviewer or editor."""
        if user is None or user.disabled:
            raise TransitionError("sign in as a reviewer or editor to edit statements")
        if kind not in {"strike", "note"}:
            raise ConfigError(f"unknown annotation {kind!r}; expected strike or note")
        body = body.strip()[:2000]
        if kind == "note" and not body:
            raise ConfigError("the note is empty")
        answer = self.answer(article, AnswerAudience.CLINICIAN.value)
        keys = {s.key() for s in answer.statements()}
        if key not in keys:
            raise NotFound(f"no statement {key!r} on {article.slug}")
        self.store.annotate(article, user, key, kind, body)

    # ------------------------------------------------------------------ new evidence

    def flag_new_evidence(self, since: str) -> list[str]:
        """Flag articles that a composition today would cite from a document added or
        changed at or after `since` (an ingest's start). Returns the flagged slugs.

        "Would now rank in its top evidence" is taken literally: the article is composed
        again (not stored) and its references are compared, so a new document that merely
        lands among the search hits of an unrelated question flags nothing."""
        articles = [
            a
            for a in self.store.listing(limit=1_000_000)
            if a.current_version and not a.new_evidence
        ]

        def newcomers() -> list[tuple[Article, list[str]]]:
            answerer = self._ready()
            found = []
            for article in articles:
                answer = answerer.ask(article.question, context=article.context)
                ids = sorted({ref.doc_id for ref in answer.references})
                if not ids:
                    continue
                marks = ",".join("?" * len(ids))
                rows = answerer.retriever.conn.execute(
                    f"SELECT id FROM documents WHERE id IN ({marks}) "
                    "AND max(added_at, updated_at) >= ?",
                    (*ids, since),
                ).fetchall()
                if rows:
                    found.append((article, sorted(str(row[0]) for row in rows)))
            return found

        flagged = []
        for article, documents in self._on_answer_thread(newcomers):
            self.store.flag_new_evidence(article, documents[:10])
            flagged.append(article.slug)
        return flagged


def _evidence(answer: Answer) -> list[str]:
    return [r.doc_id for r in [*answer.references, *answer.closest]]
