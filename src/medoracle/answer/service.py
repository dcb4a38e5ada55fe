"""`ask`: a question in, a verified answer page out, for the CLI and the web app.

    screen (empty, too long, instructions, other languages) -> red flags -> compose
    -> verify every statement against its quotes (below the floor: not shown)
    -> personalise for the audience -> Answer

An `Answerer` opens the library, its indexes and the verifier once; `ask` is then cheap.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from medoracle.answer.compose import Composer, ExtractiveComposer
from medoracle.answer.model import (
    Answer,
    AnswerAudience,
    Provenance,
    Section,
    Statement,
    Warning,
    WarningKind,
)
from medoracle.answer.tools import TextTools
from medoracle.corpus.ingest import Reporter
from medoracle.errors import ConfigError
from medoracle.query.analysis import Analyser
from medoracle.query.screen import Screened, screen_question
from medoracle.retrieve.evidence import gather
from medoracle.retrieve.search import Retriever
from medoracle.retrieve.service import index_dir, open_retriever
from medoracle.settings import Settings

__all__ = ["Answerer", "Screened", "open_answerer", "screen_question"]


class Answerer:
    """Answers questions over one library; build with `open_answerer`."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        library_version: str,
        analyser: Analyser | None = None,
    ) -> None:
        from medoracle.audience.readability import sentence_grade
        from medoracle.cite.verify import Verifier

        self.settings = settings
        self.retriever = retriever
        self.analyser = analyser or load_analyser(settings, retriever)
        tools = text_tools(retriever)
        tools.drug_words = self.analyser.entities.drug_words()
        if self.analyser.speller is not None:
            tools.glued = self.analyser.speller.is_glued
        self.composer = ExtractiveComposer(settings.answer, tools, library_version)
        encoder = getattr(retriever.dense, "encoder", None)
        self.verifier = Verifier(encoder)
        configured = settings.answer.support_floor
        self.floor = self.verifier.floor if configured is None else configured
        self._written: Composer | None = None
        self.sentence_grade = sentence_grade
        self.library_version = library_version

    def ask(
        self,
        question: str,
        audience: AnswerAudience | str = AnswerAudience.CLINICIAN,
        *,
        context: str = "",
        composer: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Answer:
        """The answer page for `question`; raises ConfigError on empty or huge input or an
        unknown audience. `context` carries a parent question's subject to a follow-up;
        `composer` ("extractive" or "llm") overrides the setting for this question;
        `progress` hears each stage ("evidence", then a model's "writing" and "checking")."""
        from medoracle.audience.readers import personalise
        from medoracle.query.redflags import check

        started = time.perf_counter()
        audience = _audience(audience)
        writer = self.composer_for(composer or self.settings.composer)
        screened = screen_question(question)
        if screened.refusal is not None:
            return self._refusal(screened, audience)
        flag = check(screened.text)
        analysed = time.perf_counter()
        analysis = self.analyser.analyse(screened.text)
        if context.strip():
            analysis = analysis.with_context(self.analyser.analyse(context))
        understood_ms = _ms(analysed)
        if progress is not None:
            progress("evidence")
        evidence = gather(
            self.retriever,
            analysis,
            documents=self.settings.answer.documents,
            patient=audience is AnswerAudience.PATIENT,
            context=context,
        )
        answer = writer.compose(
            evidence,
            audience,
            sentence_grade=self.sentence_grade if audience is AnswerAudience.PATIENT else None,
            progress=progress,
        )
        answer.provenance.timings_ms["understand"] = understood_ms
        verify_started = time.perf_counter()
        answer = self._verified(answer)
        answer.provenance.settings["support_floor"] = self.floor
        answer.provenance.timings_ms["verify"] = _ms(verify_started)
        personalise_started = time.perf_counter()
        answer = personalise(answer, audience)
        answer.provenance.timings_ms["personalise"] = _ms(personalise_started)
        if flag is not None:
            answer.emergency = flag.advice
            answer.warnings.insert(
                0,
                Warning(
                    kind=WarningKind.RED_FLAG,
                    message=f"The question describes a possible emergency ({flag.name}).",
                ),
            )
        answer.provenance.timings_ms["total"] = _ms(started)
        return answer

    def composer_for(self, name: str) -> Composer:
        """The extractive composer, or the model's (its client built on first use)."""
        if name == "extractive":
            return self.composer
        if name != "llm":
            raise ConfigError(f"unknown composer {name!r}; expected one of: extractive, llm")
        if self._written is None:
            from medoracle.answer.written import LlmComposer
            from medoracle.llm.cache import ReplyCache
            from medoracle.llm.client import ChatClient

            self._written = LlmComposer(
                self.settings.llm,
                ChatClient(self.settings.llm),
                self.composer,
                self.verifier,
                self.floor,
                ReplyCache(self.settings.home / "llm-replies"),
            )
        return self._written

    def _verified(self, answer: Answer) -> Answer:
        """Every statement scored against its quotes; those below the floor are removed.
        A page left with no statement becomes an abstention. A model-written page was
        scored by this verifier, at this floor, in its gate (`cite.gate`): not again."""
        if answer.abstained or answer.provenance.composer == "llm":
            return answer
        statements = answer.statements()
        supports = self.verifier.score_many(
            [(s.text, [q.text for q in s.quotes]) for s in statements]
        )
        floor = self.floor
        for statement, support in zip(statements, supports, strict=True):
            statement.support = round(min(1.0, max(0.0, support.score)), 4)
            statement.signals = {k: round(v, 4) for k, v in support.signals.items()}

        def kept(items: list[Statement]) -> list[Statement]:
            return [s for s in items if s.support >= floor]

        bottom = kept(answer.bottom_line)
        sections = [
            Section(key=s.key, heading=s.heading, statements=kept(s.statements))
            for s in answer.sections
        ]
        sections = [s for s in sections if s.statements]
        if not bottom and sections:  # the strongest remaining statement leads
            bottom = [sections[0].statements.pop(0)]
            sections = [s for s in sections if s.statements]
        if not bottom:
            return answer.model_copy(
                update={
                    "bottom_line": [],
                    "sections": [],
                    "abstained": True,
                    "closest": answer.references[:5],
                    "references": [],
                    "warnings": [
                        Warning(
                            kind=WarningKind.INSUFFICIENT_EVIDENCE,
                            message="No statement could be verified against its source; "
                            "the closest sources are listed.",
                        )
                    ],
                }
            )
        return answer.model_copy(update={"bottom_line": bottom, "sections": sections})

    def _refusal(self, screened: Screened, audience: AnswerAudience) -> Answer:
        return Answer(
            question=screened.text,
            qtype="none",
            title="Not a medical question",
            audience=audience,
            abstained=True,
            warnings=[Warning(kind=WarningKind.NOT_A_QUESTION, message=screened.refusal or "")],
            provenance=Provenance(library_version=self.library_version),
        )


def load_analyser(settings: Settings, retriever: Retriever) -> Analyser:
    """The question reader over this library: its vocabulary (cached by the library's change
    cursor) for spelling, its passage counts to choose among senses and names."""
    from medoracle.query.spelling import VOCABULARY_NAME, library_vocabulary

    cursor = retriever.library.change_cursor()
    path = index_dir(settings) / VOCABULARY_NAME
    vocabulary = library_vocabulary(retriever.library, path, cursor)
    return Analyser.load(
        settings.resolved_data_dir(), settings.cache_dir, vocabulary, retriever.lexical.doc_freq
    )


def text_tools(retriever: Retriever) -> TextTools:
    """The tokenizer, IDF and encoder of the retriever's indexes, cached for the composer."""
    lexical = retriever.lexical
    token_cache: dict[str, frozenset[str]] = {}
    idf_cache: dict[str, float] = {}

    def tokens(text: str) -> frozenset[str]:
        found = token_cache.get(text)
        if found is None:
            if len(token_cache) > 50_000:
                token_cache.clear()
            found = token_cache[text] = frozenset(lexical.tokens(text))
        return found

    def idf(words: frozenset[str]) -> dict[str, float]:
        missing = [w for w in words if w not in idf_cache]
        if missing:
            if len(idf_cache) > 200_000:
                idf_cache.clear()
            idf_cache.update(lexical.idf(missing))
        return {w: idf_cache[w] for w in words}

    encoder = getattr(retriever.dense, "encoder", None)
    encode = encoder.encode if encoder is not None else None
    return TextTools(tokens, idf, encode)


def _audience(value: AnswerAudience | str) -> AnswerAudience:
    try:
        return AnswerAudience(value)
    except ValueError:
        choices = ", ".join(a.value for a in AnswerAudience)
        raise ConfigError(f"unknown audience {value!r}; expected one of: {choices}") from None


def open_answerer(settings: Settings, reporter: Reporter | None = None) -> Answerer:
    """An answerer over the library in `settings.home`; its indexes are brought up to date."""
    retriever = open_retriever(settings, reporter)
    library = retriever.library  # the same connection
    documents = library.count_documents()
    return Answerer(settings, retriever, f"{library.change_cursor()}:{documents}")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
