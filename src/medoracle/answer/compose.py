"""The extractive composer: numbered evidence in, an answer page out, in the sources' words.

    Evidence (numbered documents and sentences, from `medoracle.retrieve.evidence`)
      -> candidates: about the focus, answering the ask, clean, relevant (`candidates`)
      -> bottom line: the strongest sentences that answer outright (`select`)
      -> sections of the ask's page (`pages.toml`), only those with statements
      -> references numbered by first use; warnings about the sources

No sentence is reworded: a statement is its source sentence with at most a leading grade
marker, inline source markers or a connective removed, so numbers, doses, units and
negations are as the source has them. With no relevant sentence the page abstains and lists
the closest sources. Any composer (a language model's, later) takes the same `Evidence` and
returns the same `Answer`; the verifier then checks every statement against its quotes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from medoracle.answer.candidates import Candidate, candidates
from medoracle.answer.model import Answer, AnswerAudience, Provenance, Section, Warning, WarningKind
from medoracle.answer.pages import PageSpec, page_for
from medoracle.answer.references import Numbering, source_warnings
from medoracle.answer.relevance import RelevanceModel, load_model
from medoracle.answer.select import bottom_line, select_sections
from medoracle.answer.titles import make_title
from medoracle.answer.tools import TextTools
from medoracle.query.concepts import Concept, build_concepts
from medoracle.query.mesh import natural_order
from medoracle.query.plan import Topic
from medoracle.retrieve.evidence import Evidence
from medoracle.settings import AnswerSettings

__all__ = ["Composer", "ExtractiveComposer"]


class Composer(Protocol):
    """Anything that turns numbered evidence into an answer page."""

    name: str

    def compose(
        self,
        evidence: Evidence,
        audience: AnswerAudience,
        *,
        sentence_grade: Callable[[str], float] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Answer: ...


class ExtractiveComposer:
    """Composes pages from the evidence's own sentences; build once, call per question."""

    name = "extractive"

    def __init__(
        self,
        settings: AnswerSettings,
        tools: TextTools,
        library_version: str = "",
        model: RelevanceModel | None = None,
    ) -> None:
        self.settings = settings
        self.tools = tools
        self.library_version = library_version
        self.model = model or load_model()
        if settings.relevance_floor is not None:
            self.model = replace(self.model, floor=settings.relevance_floor)

    def compose(
        self,
        evidence: Evidence,
        audience: AnswerAudience = AnswerAudience.CLINICIAN,
        *,
        sentence_grade: Callable[[str], float] | None = None,
        progress: Callable[[str], None] | None = None,  # quick: no stages worth reporting
    ) -> Answer:
        timings = dict(evidence.timings_ms)
        started = time.perf_counter()
        analysis = evidence.analysis
        page = page_for(analysis.ask, analysis.text, analysis.also)
        patient = audience is AnswerAudience.PATIENT
        found = candidates(
            evidence,
            page,
            self.model,
            self.tools,
            self.concepts(evidence),
            patient=patient,
            sentence_grade=sentence_grade if patient else None,
            max_grade=self.settings.patient_max_grade,
            limit=self.settings.max_candidates,
        )
        if patient:
            found = _patient_first(found, page, self.settings.patient_sources)
        timings["candidates"] = _ms(started)
        started = time.perf_counter()
        answer = self._page(evidence, page, found, audience)
        timings["select"] = _ms(started)
        answer.provenance.timings_ms.update(timings)
        return answer

    def concepts(self, evidence: Evidence) -> list[Concept]:
        analysis = evidence.analysis
        topics: list[Topic] = []
        if analysis.parsed is not None:
            topics.extend(
                Topic(e.short, e.long, "abbreviation") for e in analysis.parsed.expansions
            )
            topics.extend(
                Topic(m.matched, natural_order(m.heading), "mesh", m.trees)
                for m in analysis.parsed.mesh
            )
        tokens = self.tools.tokens

        def token_list(text: str) -> list[str]:
            return list(tokens(text))

        def idf(words: Iterable[str]) -> Mapping[str, float]:
            return self.tools.idf(frozenset(words))

        return build_concepts(analysis.search_text, topics, token_list, idf)

    def _page(
        self,
        evidence: Evidence,
        page: PageSpec,
        found: list[Candidate],
        audience: AnswerAudience,
    ) -> Answer:
        analysis = evidence.analysis
        provenance = Provenance(
            composer=self.name,
            library_version=self.library_version,
            settings=self.settings.model_dump(),
        )
        title = make_title(analysis, page)
        if analysis.unknown:
            named = ", ".join(analysis.unknown)
            reason = f"The library holds nothing on {named}: it cannot answer this question."
            return self._abstain(evidence, title, audience, provenance, reason)
        if not found:
            return self._abstain(evidence, title, audience, provenance)
        settings = self.settings
        bottom = bottom_line(
            found,
            page,
            settings.bottom_line,
            settings.duplicate_overlap,
            lead_weight=settings.lead_weight,
            second_margin=settings.second_margin,
        )
        chosen = select_sections(
            found,
            page,
            exclude={id(c) for c in bottom},
            max_statements=settings.max_statements,
            max_per_document=settings.max_per_document,
            overlap_limit=settings.duplicate_overlap,
            general_per_section=settings.general_per_section,
            saturation=settings.section_saturation,
        )
        numbering = Numbering()
        bottom_statements = [numbering.statement(c) for c in bottom]
        sections: list[Section] = []
        for spec in sorted(page.sections, key=lambda s: s.order):
            picked = chosen.get(spec.key, [])
            if picked:
                statements = [numbering.statement(c) for c in picked]
                sections.append(Section(key=spec.key, heading=spec.heading, statements=statements))
        used = bottom + [c for picked in chosen.values() for c in picked]
        warnings = source_warnings(
            used,
            numbering,
            now=datetime.now(UTC).year,
            outdated_years=settings.outdated_years,
            conflict_overlap=settings.conflict_overlap,
            plain=all(c.document.patient for c in used),
        )
        return Answer(
            question=analysis.original,
            qtype=_qtype(analysis),
            ask=analysis.ask.value,
            focus=[term.label for term in analysis.focus if term.kind != "term"][:4],
            title=title,
            audience=audience,
            bottom_line=bottom_statements,
            sections=sections,
            references=numbering.references(),
            warnings=warnings,
            provenance=provenance,
        )

    def _abstain(
        self,
        evidence: Evidence,
        title: str,
        audience: AnswerAudience,
        provenance: Provenance,
        reason: str = (
            "The library does not cover this question: no source sentence about it answers "
            "what was asked. The closest sources found are listed."
        ),
    ) -> Answer:
        numbering = Numbering()
        for document in evidence.documents[:5]:
            numbering.number(document)
        analysis = evidence.analysis
        return Answer(
            question=analysis.original,
            qtype=_qtype(analysis),
            ask=analysis.ask.value,
            focus=[term.label for term in analysis.focus if term.kind != "term"][:4],
            title=title,
            audience=audience,
            abstained=True,
            closest=numbering.references(),
            warnings=[Warning(kind=WarningKind.INSUFFICIENT_EVIDENCE, message=reason)],
            provenance=provenance,
        )


def _patient_first(found: list[Candidate], page: PageSpec, enough: int) -> list[Candidate]:
    """A patient's page is written from patient information when the library has `enough`
    of it on the focus (`answer.patient_sources`), and some of it answers the ask outright;
    clinical sources fill in only when it has not. (A consumer's question on a clinician's
    page ranks patient information first but keeps the clinical sources.)"""
    plain = [c for c in found if c.document.patient]
    answered = any(c.on_focus and page.can_lead(c.text) for c in plain)
    return plain if answered and len(plain) >= enough else found


def _qtype(analysis: object) -> str:
    """The coarse question type (`medoracle.query.QType`) the audience rules key on."""
    parsed = getattr(analysis, "parsed", None)
    return parsed.qtype.value if parsed is not None else "treatment"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
