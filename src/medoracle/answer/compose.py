"""The extractive composer: an answer page built only from the library's own sentences.

    question -> searches (all sources; guidelines and reviews; presenting-complaint terms)
             -> every passage of the top documents -> self-contained sentences
             -> relevance (question concepts covered) x evidence (level, kind, grade, recency)
             -> section by the template's cues -> near-duplicates out (MMR)
             -> bottom line: the strongest directly-answering recommendation(s)
             -> references numbered by first use

No sentence is reworded: a statement is its source sentence with at most a leading grade
marker or connective removed, so numbers, doses, units and negations are as the source has
them. Nothing is composed when no sentence reaches the relevance floor.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from medoracle.answer.concepts import (
    Concept,
    build_concepts,
    coverage,
    find_presentations,
    other_manifestations,
)
from medoracle.answer.model import (
    Answer,
    AnswerAudience,
    Provenance,
    Quote,
    Reference,
    Section,
    Statement,
    Warning,
    WarningKind,
    web_links,
)
from medoracle.answer.sentences import display_text, grade_marker, is_self_contained
from medoracle.corpus.citation import citation_line
from medoracle.corpus.models import Document, PubType, Status
from medoracle.corpus.store import document_from_row
from medoracle.index.lexical import Filters
from medoracle.retrieve.search import Hit, QueryPlan, Retriever
from medoracle.settings import AnswerSettings

__all__ = ["Candidate", "Composer", "SectionSpec", "Template", "template_for"]

# Passage kinds that can hold answer sentences, and how much each is preferred.
KIND_WEIGHT = {
    "recommendation": 0.30,
    "conclusion": 0.20,
    "plain_summary": 0.15,
    "answer": 0.10,
    "result": 0.05,
    "snippet": 0.05,
    "background": 0.0,
    "other": 0.0,
}
PATIENT_KIND_WEIGHT = {"answer": 0.35, "plain_summary": 0.35}
HIGH_LEVEL_TYPES = (
    PubType.GUIDELINE.value,
    PubType.SYSTEMATIC_REVIEW.value,
    PubType.META_ANALYSIS.value,
)
MAX_PASSAGES_PER_DOCUMENT = 400
# Weight of the passage's dense similarity to the question: it separates, within one
# guideline, the recommendations about the asked manifestation from the others.
SIMILARITY_WEIGHT = 0.5
# A patient page reads at grade 8 at most: sentences far above it are not candidates,
# and the rest lose score with every grade above 8.
PATIENT_MAX_SENTENCE_GRADE = 13.0
PATIENT_GRADE_PENALTY = 0.1
# How many of the question's rarest concepts an eased sentence must hold one of.
LEADING_CONCEPTS = 2
# Concepts a question may name before the relevance floor starts to ease.
CROWD = 3
# Bottom-line weight of the source's search rank: the top document answers most directly.
BOTTOM_RANK_WEIGHT = 0.3
# Share of its score a candidate loses for each statement its section already shows.
SECTION_SATURATION = 0.08
# Statements per section about the condition in general when the question names a
# complaint ("lupus" statements on a page about lupus with leg weakness).
GENERAL_PER_SECTION = 1
# A question naming an organ-threatening complaint makes the evidence's guidance for
# severe or refractory disease relevant to it.
SEVERE_BOOST = 1.25
_SEVERE = re.compile(
    r"\b(?:severe|serious|refractory|life[- ]threatening|major organs?|organ[- ]threatening)\b",
    re.IGNORECASE,
)
# Extra relevance a patient-information sentence needs to appear on a clinician page.
PATIENT_SOURCE_MARGIN = 0.15
# Relevance kept by a sentence about another manifestation than the one asked about.
OFF_FOCUS = 0.7
_NEGATIVE = re.compile(
    r"\b(?:not|no|never|without|neither|nor|ineffective|unsupported|insufficient evidence|"
    r"does not recommend|not recommended|against)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    heading: str
    order: int
    max: int
    cues: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Template:
    qtype: str
    title: str
    fallback: str | None
    action: re.Pattern[str]
    sections: tuple[SectionSpec, ...]
    bottom: tuple[str, ...] = ()


@cache
def _templates() -> dict[str, Template]:
    text = resources.files("medoracle.answer").joinpath("templates.toml").read_text("utf-8")
    templates: dict[str, Template] = {}
    for qtype, spec in tomllib.loads(text).items():
        sections = tuple(
            SectionSpec(
                key=s["key"],
                heading=s["heading"],
                order=int(s["order"]),
                max=int(s["max"]),
                cues=tuple(re.compile(cue, re.IGNORECASE) for cue in s["cues"]),
            )
            for s in spec["sections"]
        )
        templates[qtype] = Template(
            qtype=qtype,
            title=spec["title"],
            fallback=spec.get("fallback"),
            action=re.compile(spec["action"], re.IGNORECASE),
            sections=sections,
            bottom=tuple(spec.get("bottom", ())),
        )
    return templates


def template_for(qtype: str | None) -> Template:
    """The section template of a question type; treatment questions use `management`."""
    templates = _templates()
    if qtype in (None, "treatment"):
        return templates["management"]
    return templates.get(qtype or "", templates["management"])


@dataclass
class Candidate:
    """One source sentence that may become a statement."""

    text: str  # as shown
    quote: str  # as the source has it
    pid: int
    doc_id: str
    seq: int
    section: str
    kind: str
    grade: str | None
    level: int
    year: int | None
    status: str
    audience: str
    doc_rank: int
    tokens: frozenset[str]
    relevance: float = 0.0
    direct: int = 0
    similarity: float = 0.0  # dense similarity of the passage to the question
    general: bool = False  # about the condition, not the complaint the question names
    score: float = 0.0
    section_key: str | None = None
    cue_hits: int = 0
    weights: dict[str, float] = field(default_factory=dict)  # token -> IDF


class Composer:
    """Composes answers over one retriever; build once, call `compose` per question."""

    def __init__(
        self,
        retriever: Retriever,
        settings: AnswerSettings,
        library_version: str = "",
    ) -> None:
        self.retriever = retriever
        self.conn: sqlite3.Connection = retriever.conn
        self.settings = settings
        self.library_version = library_version
        self.now = datetime.now(UTC).year
        self._token_cache: dict[str, frozenset[str]] = {}
        self._idf_cache: dict[str, float] = {}

    # ------------------------------------------------------------------ public

    def compose(
        self,
        question: str,
        audience: AnswerAudience = AnswerAudience.CLINICIAN,
        *,
        context: str = "",
        sentence_grade: Callable[[str], float] | None = None,
    ) -> tuple[Answer, list[Candidate]]:
        """The answer page for `question`, and the candidates it chose from (for the
        verifier and for diagnostics). `context` (a parent question's condition, population
        and drugs) is searched with the question but not shown."""
        timings: dict[str, float] = {}
        started = time.perf_counter()
        plan = self.retriever.planner(f"{question} {context}".strip())
        template = template_for(plan.qtype)
        concepts = build_concepts(
            plan.text, plan.topics, self.retriever.lexical.tokens, self.retriever.lexical.idf
        )
        timings["understand"] = _ms(started)

        started = time.perf_counter()
        query = self._query(plan, question, context)
        hits = self._search(query, audience)
        timings["search"] = _ms(started)

        started = time.perf_counter()
        candidates = self._candidates(hits, concepts, audience, sentence_grade, query)
        timings["candidates"] = _ms(started)

        started = time.perf_counter()
        answer = self._page(question, plan, template, concepts, candidates, hits, audience)
        timings["select"] = _ms(started)
        answer.provenance.timings_ms.update(timings)
        return answer, candidates

    # ------------------------------------------------------------------ evidence

    def _query(self, plan: QueryPlan, question: str, context: str) -> str:
        """The search text: the question, its context, and the syndromes behind any
        presenting complaint it names."""
        words = [" ".join(p.terms) for p, _ in find_presentations(plan.text)]
        return " ".join([question, context, *words]).strip()

    def _search(self, query: str, audience: AnswerAudience) -> list[Hit]:
        """Documents from three searches: everything, the highest-level sources only, and
        (for patients) patient information; each document once, best rank kept."""
        patient = audience is AnswerAudience.PATIENT
        searches: list[tuple[Filters | None, int]] = [(None, self.settings.documents)]
        searches.append((Filters(pub_types=HIGH_LEVEL_TYPES), max(4, self.settings.documents // 3)))
        if patient:
            searches.append((Filters(audience="patient"), max(4, self.settings.documents // 2)))
        seen: dict[str, Hit] = {}
        ranked: list[tuple[int, Hit]] = []
        for filters, k in searches:
            try:
                result = self.retriever.search(
                    query, k=k, filters=filters, audience="patient" if patient else None
                )
            except ValueError:
                continue
            for rank, hit in enumerate(result.hits):
                if hit.doc_id not in seen:
                    seen[hit.doc_id] = hit
                    ranked.append((rank, hit))
        ranked.sort(key=lambda item: item[0])
        return [hit for _, hit in ranked]

    def _candidates(
        self,
        hits: list[Hit],
        concepts: list[Concept],
        audience: AnswerAudience,
        sentence_grade: Callable[[str], float] | None,
        query_text: str,
    ) -> list[Candidate]:
        """Every self-contained sentence of the top documents, scored; those below the
        relevance floor are dropped."""
        if not hits or not concepts:
            return []
        doc_rank = {hit.doc_id: rank for rank, hit in enumerate(hits)}
        query_vector = self._query_vector(query_text)
        marks = ",".join("?" * len(doc_rank))
        kinds = tuple(KIND_WEIGHT)
        rows = self.conn.execute(
            f"""SELECT p.pid, p.doc_id, p.seq, p.section, p.kind, p.text, p.sentences, p.grade,
                       p.audience, d.title, d.evidence_level, d.year, d.status, d.pub_type
                FROM passages p JOIN documents d ON d.id = p.doc_id
                WHERE p.doc_id IN ({marks}) AND p.kind IN ({",".join("?" * len(kinds))})
                ORDER BY p.doc_id, p.seq""",
            [*doc_rank, *kinds],
        ).fetchall()
        floor = self.settings.relevance_floor
        hardest = PATIENT_MAX_SENTENCE_GRADE if audience is AnswerAudience.PATIENT else None
        # A question of many concepts is rarely covered whole by one sentence: the floor
        # eases with their number, for sentences holding the rarest concept.
        crowd = min(1.0, (CROWD / len(concepts)) ** 0.5)
        leading = sorted(concepts, key=lambda c: -c.weight)[:LEADING_CONCEPTS]
        rarest = frozenset(t for c in leading for t in c.tokens)
        off_focus = other_manifestations(concepts, self.retriever.lexical.tokens)
        asked = frozenset(t for c in concepts if c.kind == "presentation" for t in c.tokens)
        severe = any(p.severe for p, _ in find_presentations(query_text))
        per_doc: Counter[str] = Counter()
        candidates: list[Candidate] = []
        seen_text: set[str] = set()
        tokens = self._tokens
        for row in rows:
            if per_doc[row["doc_id"]] >= MAX_PASSAGES_PER_DOCUMENT:
                continue
            per_doc[row["doc_id"]] += 1
            context = tokens(f"{row['title']} {row['section']}")
            subject = (
                tokens(row["title"])
                if row["pub_type"] in HIGH_LEVEL_TYPES
                and row["kind"] in ("recommendation", "conclusion")
                else frozenset()
            )
            similarity = self._similarity(row["pid"], query_vector)
            text = row["text"]
            for start, end in json.loads(row["sentences"]):
                quote = text[start:end]
                shown = display_text(quote)
                key = shown.lower()
                if key in seen_text:
                    continue
                # A later copy is a duplicate, or (the test being of the text alone) just as
                # unable to stand alone; the costly self-containment test runs last.
                seen_text.add(key)
                words = tokens(shown)
                relevance, direct = coverage(concepts, words, context, subject)
                if words & off_focus and not words & asked:
                    relevance *= OFF_FOCUS
                general = bool(asked) and not words & asked
                if general and severe and _SEVERE.search(shown):
                    relevance *= SEVERE_BOOST
                if row["evidence_level"] >= 7 and audience is not AnswerAudience.PATIENT:
                    least = floor + PATIENT_SOURCE_MARGIN  # a clinician page needs more
                else:
                    least = floor
                eased = relevance >= least * crowd and bool(words & rarest)
                if direct == 0 or (relevance < least and not eased):
                    continue
                if not is_self_contained(shown):
                    continue
                if hardest is not None and sentence_grade and sentence_grade(shown) > hardest:
                    continue  # a patient page cannot be made plain from this
                candidate = Candidate(
                    text=shown,
                    quote=" ".join(quote.split()),
                    pid=row["pid"],
                    doc_id=row["doc_id"],
                    seq=row["seq"],
                    section=row["section"],
                    kind=row["kind"],
                    grade=row["grade"] or grade_marker(quote),
                    level=row["evidence_level"],
                    year=row["year"],
                    status=row["status"],
                    audience=row["audience"],
                    doc_rank=doc_rank[row["doc_id"]],
                    tokens=words,
                    relevance=relevance,
                    direct=direct,
                    similarity=similarity,
                    general=general,
                )
                candidate.weights = self._idf(words)
                candidate.score = self._score(candidate, audience, sentence_grade)
                candidates.append(candidate)
        candidates.sort(key=lambda c: -c.score)
        return candidates

    def _score(
        self,
        candidate: Candidate,
        audience: AnswerAudience,
        sentence_grade: Callable[[str], float] | None,
    ) -> float:
        """Relevance first; evidence level, passage kind, an explicit grade, recency and
        the document's search rank break near-ties."""
        level = (7 - candidate.level) / 6  # 1 for guidelines, 0 for level 7
        kind = KIND_WEIGHT.get(candidate.kind, 0.0)
        boost = 0.25 * level + kind + (0.1 if candidate.grade else 0.0)
        if candidate.year:
            boost += 0.05 * max(0.0, 1 - (self.now - candidate.year) / 20)
        boost += 0.15 / (1 + candidate.doc_rank / 5)
        if candidate.status != Status.CURRENT.value:
            boost -= 1.0
        if audience is AnswerAudience.PATIENT:
            boost += PATIENT_KIND_WEIGHT.get(candidate.kind, 0.0)
            if candidate.audience == "patient":
                boost += 0.2
            if sentence_grade is not None:
                boost -= PATIENT_GRADE_PENALTY * max(0.0, sentence_grade(candidate.text) - 8)
        return candidate.relevance * (1 + boost) + SIMILARITY_WEIGHT * candidate.similarity

    def _query_vector(self, text: str) -> NDArray[np.float32] | None:
        vector_for = getattr(self.retriever.dense, "query_vector", None)
        if vector_for is None:
            return None
        vector: NDArray[np.float32] = vector_for(text)
        return vector if vector.any() else None

    def _similarity(self, pid: int, query: NDArray[np.float32] | None) -> float:
        """Cosine of the passage's stored vector with the question's, 0 when unknown."""
        if query is None:
            return 0.0
        index = getattr(self.retriever.dense, "index", None)
        vectors = getattr(index, "vectors", None)
        valid = getattr(index, "valid", None)
        if vectors is None or valid is None or pid >= len(valid) or not valid[pid]:
            return 0.0
        return max(0.0, float(vectors[pid] @ query))

    def _idf(self, tokens: frozenset[str]) -> dict[str, float]:
        missing = [t for t in tokens if t not in self._idf_cache]
        if missing:
            if len(self._idf_cache) > 200_000:
                self._idf_cache.clear()
            self._idf_cache.update(self.retriever.lexical.idf(missing))
        return {t: self._idf_cache[t] for t in tokens}

    def _tokens(self, text: str) -> frozenset[str]:
        cached = self._token_cache.get(text)
        if cached is None:
            cached = frozenset(self.retriever.lexical.tokens(text))
            if len(self._token_cache) > 50_000:
                self._token_cache.clear()
            self._token_cache[text] = cached
        return cached

    # ------------------------------------------------------------------ the page

    def _page(
        self,
        question: str,
        plan: QueryPlan,
        template: Template,
        concepts: list[Concept],
        candidates: list[Candidate],
        hits: list[Hit],
        audience: AnswerAudience,
    ) -> Answer:
        provenance = Provenance(
            library_version=self.library_version,
            settings=self.settings.model_dump(),
        )
        title = make_title(question, plan, template, concepts)
        if not candidates:
            return self._abstain(question, plan, title, hits, audience, provenance)
        for candidate in candidates:
            _assign_section(candidate, template)
        bottom = self._bottom_line(candidates, template)
        chosen = self._select(candidates, template, exclude={id(c) for c in bottom})
        numbering = _Numbering(self.conn)
        bottom_statements = [numbering.statement(c) for c in bottom]
        sections: list[Section] = []
        for spec in sorted(template.sections, key=lambda s: s.order):
            picked = chosen.get(spec.key, [])
            if picked:
                statements = [numbering.statement(c) for c in picked]
                sections.append(Section(key=spec.key, heading=spec.heading, statements=statements))
        warnings = self._warnings(bottom + [c for cs in chosen.values() for c in cs], numbering)
        return Answer(
            question=question,
            qtype=plan.qtype or "treatment",
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
        question: str,
        plan: QueryPlan,
        title: str,
        hits: list[Hit],
        audience: AnswerAudience,
        provenance: Provenance,
    ) -> Answer:
        numbering = _Numbering(self.conn)
        for hit in hits[:5]:
            numbering.number(hit.doc_id, None)
        closest = numbering.references()
        return Answer(
            question=question,
            qtype=plan.qtype or "treatment",
            title=title,
            audience=audience,
            abstained=True,
            closest=closest,
            warnings=[
                Warning(
                    kind=WarningKind.INSUFFICIENT_EVIDENCE,
                    message=(
                        "The library does not cover this question: no source sentence is "
                        "relevant enough to answer it. The closest sources found are listed."
                    ),
                )
            ],
            provenance=provenance,
        )

    def _bottom_line(self, candidates: list[Candidate], template: Template) -> list[Candidate]:
        """The strongest directly-answering sentences: an action or answer cue, the most
        relevance, graded guideline recommendations first; from different sections."""

        preferred = {key: len(template.bottom) - i for i, key in enumerate(template.bottom)}

        def strength(c: Candidate) -> float:
            graded = 0.3 if c.grade and c.grade[:1].upper() in "A1" else 0.15 if c.grade else 0
            section = 0.1 * preferred.get(c.section_key or "", 0)
            retrieved = BOTTOM_RANK_WEIGHT / (1 + c.doc_rank)  # the search's best source
            kind = 0.2 if c.kind == "recommendation" else 0.0
            return c.score + graded + section + retrieved + kind

        best_relevance = max(c.relevance for c in candidates)
        answering = [
            c for c in candidates if template.action.search(c.text) and not _NEGATIVE.match(c.text)
        ]
        # The sections that answer the question (first-line treatment for a management
        # question) lead when they hold a sentence nearly as relevant as the best.
        pool = [
            c
            for c in answering
            if c.section_key in template.bottom and c.relevance >= 0.7 * best_relevance
        ]
        pool = (
            pool or [c for c in answering if c.relevance >= 0.85 * best_relevance] or candidates[:1]
        )
        pool.sort(key=lambda c: -strength(c))
        chosen: list[Candidate] = []
        for candidate in pool:
            if len(chosen) >= self.settings.bottom_line:
                break
            if any(c.section_key == candidate.section_key for c in chosen):
                continue
            if chosen and strength(candidate) < 0.8 * strength(chosen[0]):
                break
            if any(_overlap(candidate, c) >= self.settings.duplicate_overlap for c in chosen):
                continue
            chosen.append(candidate)
        return chosen

    def _select(
        self, candidates: list[Candidate], template: Template, exclude: set[int]
    ) -> dict[str, list[Candidate]]:
        """Per section, the best sentences without near-duplicates (maximal marginal
        relevance), within the page and per-source bounds."""
        limits = {spec.key: spec.max for spec in template.sections}
        queues: dict[str, list[Candidate]] = {key: [] for key in limits}
        for candidate in candidates:  # best first
            key = candidate.section_key
            if id(candidate) not in exclude and key in queues:
                queues[key].append(candidate)
        chosen: dict[str, list[Candidate]] = {key: [] for key in limits}
        picked: list[Candidate] = [c for c in candidates if id(c) in exclude]
        per_doc: Counter[str] = Counter(c.doc_id for c in picked)
        overlap_limit = self.settings.duplicate_overlap
        total = 0
        # Greedy over all sections at once; each statement a section already holds costs
        # its next candidate a little, so one rich section does not crowd out the others.
        while total < self.settings.max_statements:
            best: tuple[float, str] | None = None
            for key, queue in queues.items():
                general = sum(c.general for c in chosen[key])
                while queue and (
                    per_doc[queue[0].doc_id] >= self.settings.max_per_document
                    or (queue[0].general and general >= GENERAL_PER_SECTION)
                    or any(_overlap(queue[0], other) >= overlap_limit for other in picked)
                ):
                    queue.pop(0)
                if not queue or len(chosen[key]) >= limits[key]:
                    continue
                value = queue[0].score * (1 - SECTION_SATURATION * len(chosen[key]))
                if best is None or value > best[0]:
                    best = (value, key)
            if best is None:
                break
            candidate = queues[best[1]].pop(0)
            chosen[best[1]].append(candidate)
            picked.append(candidate)
            per_doc[candidate.doc_id] += 1
            total += 1
        return chosen

    def _warnings(self, used: Sequence[Candidate], numbering: _Numbering) -> list[Warning]:
        warnings: list[Warning] = []
        old: list[int] = []
        flagged: list[int] = []
        for doc_id, number in numbering.numbers.items():
            document = numbering.documents[doc_id]
            if document.status is not Status.CURRENT:
                flagged.append(number)
            elif (
                document.pub_type is PubType.GUIDELINE
                and document.year
                and self.now - document.year > self.settings.outdated_years
            ):
                old.append(number)
        outdated = (
            (
                flagged,
                "Some sources are superseded, withdrawn or retracted; "
                "their statements are shown last and should not guide care.",
            ),
            (
                old,
                f"Some guidelines are more than {self.settings.outdated_years} "
                "years old; check for a newer edition before relying on them.",
            ),
        )
        for numbers, message in outdated:
            if numbers:
                warnings.append(
                    Warning(kind=WarningKind.OUTDATED_SOURCE, message=message, references=numbers)
                )
        high = [c for c in used if c.level <= 2]
        if not high:
            warnings.append(
                Warning(
                    kind=WarningKind.INSUFFICIENT_EVIDENCE,
                    message="No guideline or systematic review in the library answers this "
                    "question; the page rests on lower-level evidence.",
                )
            )
        conflict = _conflict(high)
        if conflict is not None:
            first, second = conflict
            warnings.append(
                Warning(
                    kind=WarningKind.CONFLICTING_EVIDENCE,
                    message="High-level sources disagree on this point; both are shown.",
                    references=sorted(
                        {numbering.numbers[first.doc_id], numbering.numbers[second.doc_id]}
                    ),
                )
            )
        return warnings


class _Numbering:
    """References numbered by first use, and statements that cite them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.numbers: dict[str, int] = {}
        self.documents: dict[str, Document] = {}
        self.grades: dict[str, str | None] = {}

    def number(self, doc_id: str, grade: str | None) -> int:
        if doc_id not in self.numbers:
            row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
            self.documents[doc_id] = document_from_row(row)
            self.numbers[doc_id] = len(self.numbers) + 1
            self.grades[doc_id] = grade
        return self.numbers[doc_id]

    def statement(self, candidate: Candidate) -> Statement:
        number = self.number(candidate.doc_id, candidate.grade)
        quote = Quote(
            reference=number,
            passage_id=f"{candidate.doc_id}#{candidate.seq}",
            section=candidate.section,
            text=candidate.quote,
        )
        return Statement(
            text=candidate.text,
            citations=[number],
            support=1.0,  # set by the verifier
            quotes=[quote],
            grade=candidate.grade,
            relevance=round(candidate.relevance, 4),
        )

    def references(self) -> list[Reference]:
        references: list[Reference] = []
        for doc_id, number in self.numbers.items():
            document = self.documents[doc_id]
            references.append(
                Reference(
                    number=number,
                    doc_id=doc_id,
                    type_label=document.evidence_label,
                    pub_type=document.pub_type,
                    evidence_level=document.evidence_level,
                    title=document.title,
                    source=document.source,
                    year=document.year,
                    identifiers=document.identifiers,
                    links=web_links(
                        document.identifiers, guideline=document.pub_type is PubType.GUIDELINE
                    ),
                    status=document.status,
                    status_note=document.status_note,
                    grade=self.grades.get(doc_id),
                    patient_information=document.pub_type is PubType.PATIENT_INFORMATION,
                    citation=citation_line(document),
                )
            )
        return references


def _assign_section(candidate: Candidate, template: Template) -> None:
    """The first section (more specific ones are listed first) with a matching cue."""
    for spec in template.sections:
        hits = sum(1 for cue in spec.cues if cue.search(candidate.text))
        if hits:
            candidate.section_key = spec.key
            candidate.cue_hits = hits
            return
    candidate.section_key = template.fallback


def _overlap(a: Candidate, b: Candidate) -> float:
    """IDF-weighted share of the lighter sentence's words found in the other: two
    recommendations that differ only in the drug they name are not duplicates."""
    if not a.weights or not b.weights:
        return 0.0
    shared = sum(a.weights[t] for t in a.tokens & b.tokens)
    return shared / min(sum(a.weights.values()), sum(b.weights.values()))


def _conflict(high: Sequence[Candidate]) -> tuple[Candidate, Candidate] | None:
    """Two high-level sources that say opposite things about the same intervention: one
    sentence negated, the other not, from different documents, sharing most content words."""
    for i, first in enumerate(high):
        for second in high[i + 1 :]:
            if first.doc_id == second.doc_id:
                continue
            if bool(_NEGATIVE.search(first.text)) == bool(_NEGATIVE.search(second.text)):
                continue
            if _overlap(first, second) >= 0.5:
                return first, second
    return None


# ---------------------------------------------------------------------- title

_MODIFIERS = ("progressive", "sudden", "acute", "chronic", "severe", "recurrent", "persistent")
_STEM = re.compile(
    r"^\s*(?:what|which|how|when|why|who|is|are|can|should|does|do)\b[^?]*?"
    r"\b(?:for|of|in|with|about|to)\s+(?:an?\s+|the\s+)?(?:(?:adult\s+|elderly\s+)?"
    r"(?:patients?|people|persons?|someone|children|adults|women|men)\s+(?:with|who have)\s+)?",
    re.IGNORECASE,
)


def make_title(question: str, plan: QueryPlan, template: Template, concepts: list[Concept]) -> str:
    """A short noun phrase from the condition, the presenting complaint and the question
    type: "Progressive Leg Weakness in SLE: Management Approach"."""
    complaints = [words for _, words in find_presentations(question)]
    condition = _condition(plan, complaints) or _named_words(question, concepts)
    presentation = _presentation(question)
    if condition and presentation and condition.lower() in presentation.lower():
        condition = ""
    if condition and presentation:
        return f"{presentation} in {condition}: {template.title}"
    if condition or presentation:
        return f"{condition or presentation}: {template.title}"
    stem = _STEM.sub("", question).strip(" ?.!")
    words = stem.split()
    if not words:
        return template.title
    phrase = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
    return f"{_title_case(phrase)}: {template.title}"


def _condition(plan: QueryPlan, complaints: list[str]) -> str:
    """The question's main topic: a disease heading (MeSH category C or F) first, written
    as the question writes it when that is a short abbreviation. A heading that only names
    the presenting complaint ("leukopenia", "bone") is not the condition."""
    said = " ".join(complaints).lower()
    topics = [t for t in plan.topics if t.text.lower() not in said]
    diseases = [t for t in topics if any(tree[:1] in "CF" for tree in t.trees)]
    for topic in diseases or topics:
        short = [
            t.text
            for t in topics
            if t.kind == "abbreviation" and t.name.lower() == topic.name.lower()
        ]
        if short and short[0].isupper() and len(short[0]) <= 6:
            return short[0]
        return _title_case(topic.name)
    return ""


def _named_words(question: str, concepts: list[Concept]) -> str:
    """The longest run of question words that are themselves concepts ("Varnell
    syndrome"), for questions whose subject no lexicon names."""
    words = {t for c in concepts if c.kind == "word" for t in c.tokens}
    best: list[str] = []
    run: list[str] = []
    for word in re.findall(r"[A-Za-z][\w'-]*", question):
        stem = _stem_of(word, words)
        if stem:
            run.append(word)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    return _title_case(" ".join(best[:5]))


def _stem_of(word: str, stems: set[str]) -> str | None:
    lowered = word.lower()
    for stem in stems:
        if lowered.startswith(stem) and len(lowered) - len(stem) <= 3:
            return stem
    return None


def _presentation(question: str) -> str:
    found = find_presentations(question)
    if not found:
        return ""
    phrase = " and ".join(p.phrase for p, _ in found[:2])
    lowered = question.lower()
    for modifier in _MODIFIERS:
        if re.search(rf"\b{modifier}\b", lowered):
            phrase = f"{modifier} {phrase}"
            break
    return _title_case(phrase)


_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


def _title_case(text: str) -> str:
    words = text.split()
    out = []
    for index, word in enumerate(words):
        if word.isupper() and len(word) > 1:
            out.append(word)
        elif index and word.lower() in _SMALL:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
