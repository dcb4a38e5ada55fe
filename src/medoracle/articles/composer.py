"""The one thread that composes: it owns the `Answerer` (its SQLite connection and caches are
not shared between threads) and the question encoder; callers wait for it."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

from medoracle.answer.model import Answer, AnswerAudience
from medoracle.answer.service import Answerer
from medoracle.embed.encoders import Encoder

__all__ = ["Composer"]

T = TypeVar("T")
# MeSH tree letters carried from a parent question to its follow-ups: diseases (C), drugs
# (D), mental disorders (F03), persons (M) and the population qualifiers of G (pregnancy).
_CONTEXT_TREES = ("C", "D", "F03", "M", "G08.686")


class Composer:
    """Runs work on the composing thread; the answerer and encoder are made there on first
    use (or by `start`)."""

    def __init__(
        self, answerer: Callable[[], Answerer], encoder: Callable[[], Encoder] | None = None
    ) -> None:
        self._make_answerer = answerer
        self._make_encoder = encoder
        self._answerer: Answerer | None = None
        self._encoder: Encoder | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medoracle-answer")

    def start(self) -> None:
        """Open the library, its indexes and the encoder now rather than on the first ask."""
        self.run(lambda _answerer: None)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def run(self, work: Callable[[Answerer], T]) -> T:
        """`work(answerer)` on the composing thread; its result or its exception."""
        return self._executor.submit(lambda: work(self._ready())).result()

    def compose(self, question: str, audience: str, context: str) -> Answer:
        return self.run(lambda answerer: answerer.ask(question, audience, context=context))

    def compose_new(
        self,
        question: str,
        context: str,
        composer: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> tuple[Answer, bytes | None]:
        """A new article's clinician page (by `composer`, default the setting) and its
        question's embedding (None without an encoder), in one trip to the composing
        thread; `progress` hears "composing" when the thread takes it up, then each stage."""

        def work(answerer: Answerer) -> tuple[Answer, bytes | None]:
            if progress is not None:
                progress("composing")
            answer = answerer.ask(
                question,
                AnswerAudience.CLINICIAN,
                context=context,
                composer=composer,
                progress=progress,
            )
            return answer, self._embed(question)

        return self.run(work)

    def context_topics(self, question: str) -> list[str]:
        """The condition, population and drug topics of `question`, as a follow-up's
        retrieval context."""

        def topics(answerer: Answerer) -> list[str]:
            plan = answerer.retriever.planner(question)
            return [
                topic.name
                for topic in plan.topics
                if topic.kind == "abbreviation"
                or any(tree.startswith(_CONTEXT_TREES) for tree in topic.trees)
            ]

        return self.run(topics)

    def _ready(self) -> Answerer:
        if self._answerer is None:
            self._answerer = self._make_answerer()
            if self._make_encoder is not None:
                self._encoder = self._make_encoder()
        return self._answerer

    def _embed(self, text: str) -> bytes | None:
        if self._encoder is None:
            return None
        vector = np.asarray(self._encoder.encode([text])[0], dtype=np.float32)
        return vector.tobytes()
