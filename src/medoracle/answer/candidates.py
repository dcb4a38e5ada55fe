"""From numbered evidence to ranked candidate statements: every clean sentence with its
relevance features, then those the learned model keeps, scored.

    every sentence of the evidence
      -> about the focus?  (its source's title or topics, its passage or itself name it:
                            `medoracle.answer.gates`)
      -> answers the ask?  (the page's cues for a dose, a test, a harm...)
      -> says something on its own about care? (no fragment, pointer, protocol, animal study)
      -> relevant enough? (the learned model's probability over the floor)

Nothing becomes a candidate on word overlap alone: a sentence about another condition that
happens to share the question's words fails the focus test. `medoracle.answer.select` then
picks the bottom line and the sections from the candidates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from medoracle.answer.gates import (
    about_elsewhere,
    about_focus,
    dose_of_another,
    names_drugs,
    other_manifestations,
    other_population,
)
from medoracle.answer.pages import PageSpec
from medoracle.answer.relevance import (
    RelevanceModel,
    SentenceView,
    dense_similarities,
    features_of,
)
from medoracle.answer.sentences import display_text, grade_marker, is_clinical, is_self_contained
from medoracle.answer.tools import TextTools
from medoracle.query.asks import Ask
from medoracle.query.concepts import Concept, coverage
from medoracle.query.focus import names_in
from medoracle.retrieve.evidence import Evidence, EvidenceDocument, EvidenceSentence

__all__ = ["Candidate", "Featured", "candidates", "featurize"]

_FIELD_ASKS = (Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS)
_CLASS_ASKS = (Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS, Ask.YES_NO, Ask.TIMING, Ask.TREATMENT)
_LONG_WORD = re.compile(r"\b[a-z]{7,}\b")


@dataclass
class Candidate:
    sentence: EvidenceSentence
    document: EvidenceDocument
    text: str  # as shown
    quote: str  # as the source has it
    grade: str | None
    features: dict[str, float]
    probability: float
    logit: float = 0.0
    rank: float = 0.0  # the ranking model's logit
    score: float = 0.0
    section: str = ""
    drug: bool = False  # names a drug from the dictionary
    general: bool = False  # about the condition, not the complaint the question names
    other_dose: bool = False  # its dose belongs to a drug other than the one asked
    tokens: frozenset[str] = frozenset()
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def on_focus(self) -> bool:
        return self.features["sent_focus"] > 0 or self.document.focus >= 1.0


@dataclass
class Featured:
    """A clean sentence of the evidence with its relevance features."""

    sentence: EvidenceSentence
    document: EvidenceDocument
    text: str
    key: str
    features: dict[str, float]
    passes: bool  # passes the focus, population, drug and ask tests


def featurize(
    evidence: Evidence,
    page: PageSpec,
    tools: TextTools,
    concepts: list[Concept],
    *,
    gate: bool = True,
    patient: bool = False,
    sentence_grade: Callable[[str], float] | None = None,
    max_grade: float = math.inf,
    limit: int = 100_000,
) -> list[Featured]:
    """Every clean sentence (self-contained, about care, not a duplicate) with its features;
    with `gate`, only those that pass the focus, population, drug and ask tests. For a
    patient, with `sentence_grade`, a sentence harder than `max_grade` is left out."""
    analysis = evidence.analysis
    patient = patient or analysis.consumer  # a consumer's question: patient pages first
    main = analysis.main
    others = tuple(t for t in analysis.focus[1:] if t.kind != "term")
    populations = tuple(p.terms for p in analysis.populations if p.name not in ("women", "men"))
    passage_keys: dict[int, str] = {}
    elsewhere = other_manifestations(analysis)
    # What is said of a drug's class ("PPIs can cause...") holds for the drug when the
    # question asks about its harms, interactions or use, not when it asks its own dose.
    by_class = analysis.ask in _CLASS_ASKS
    kept: list[tuple[EvidenceSentence, EvidenceDocument, str, str, SentenceView, bool]] = []
    seen: set[str] = set()
    # Best-ranked sources first, and no more than `limit` clean sentences: a research
    # question's evidence can hold thousands of on-topic sentences, and each costs the
    # cleaning tests (200 on the bank's dev split: key points 0.517 -> 0.521, composition
    # a third faster).
    for sentence in sorted(evidence.sentences, key=lambda s: s.document):
        if len(kept) >= limit:
            break
        document = evidence.document(sentence.document)
        if gate and sentence.kind == "field" and analysis.ask not in _FIELD_ASKS:
            continue
        key = names_in(sentence.quote)
        if key in seen:
            continue
        seen.add(key)
        passage_key = passage_keys.get(sentence.pid)
        if passage_key is None:
            passage_key = names_in(evidence.passages.get(sentence.pid, ""))
            passage_keys[sentence.pid] = passage_key
        # The cheap tests first: most sentences of the evidence are about something else.
        about = (
            (sentence.kind != "field" or analysis.ask in _FIELD_ASKS)
            and about_focus(main, document, key, passage_key, by_class)
            and not other_population(analysis, key)
            and not about_elsewhere(analysis, elsewhere, key)
            and names_drugs(analysis, key, passage_key, document.key)
        )
        if gate and not about:
            continue
        text = display_text(sentence.quote)
        if not text:
            continue
        # (Naming a treatment is tested only when the ask's own cues do not settle it: the
        # test is the costliest here.)
        intervention: bool | None = None
        passes = False
        if about and not page.refuses(text):
            passes = page.answers_ask(text, sentence.section)
            if not passes and page.takes_drugs:
                intervention = tools.intervenes(key, text, page)
                passes = intervention
        if gate and not passes:
            continue
        if not is_clinical(text) or not is_self_contained(text):
            continue
        if intervention is None:
            intervention = tools.intervenes(key, text, page)
        if tools.glued is not None and any(map(tools.glued, _LONG_WORD.findall(text))):
            continue  # text extraction lost a space or a full stop
        if patient and sentence_grade and sentence_grade(text) > max_grade:
            continue
        view = SentenceView(
            key=key,
            passage_key=passage_key,
            doc_key=document.key,
            doc_focus=document.focus,
            kind=sentence.kind,
            level=document.level,
            graded=bool(sentence.grade or grade_marker(sentence.quote)),
            rank=document.rank,
            patient_source=document.patient,
            year=document.year,
            words=len(text.split()),
            text=text,
            section=sentence.section,
            intervention=intervention,
            title=document.title,
            drug=tools.names_drug(key),
        )
        kept.append((sentence, document, text, key, view, passes))
    similarities = dense_similarities([k[2] for k in kept], tools.encode, evidence.query_vector)
    now = datetime.now(UTC).year
    featured: list[Featured] = []
    for (sentence, document, text, key, view, passes), similarity in zip(
        kept, similarities, strict=True
    ):
        tokens = tools.tokens(text)
        context = tools.tokens(f"{document.title} {sentence.section}")
        covered, _ = coverage(concepts, tokens, context)
        features = features_of(
            view,
            main=main,
            others=others,
            populations=populations,
            page=page,
            coverage=covered,
            similarity=similarity,
            consumer=analysis.consumer,
            now=now,
        )
        featured.append(Featured(sentence, document, text, key, features, passes))
    return featured


def candidates(
    evidence: Evidence,
    page: PageSpec,
    model: RelevanceModel,
    tools: TextTools,
    concepts: list[Concept],
    *,
    patient: bool = False,
    sentence_grade: Callable[[str], float] | None = None,
    max_grade: float = math.inf,
    limit: int = 100_000,
) -> list[Candidate]:
    """Every sentence that passes the focus, ask, cleanliness and relevance tests, best
    first. A consumer's question ranks patient information first, as the patient audience
    does."""
    prefer_patient = patient or evidence.analysis.consumer
    # Words every statement shares (the focus's names) say nothing about whether two
    # statements say the same thing.
    shared = frozenset(
        token
        for term in evidence.analysis.focus
        for name in term.names[:4]
        for token in tools.tokens(name)
    )
    complaints = [t for t in evidence.analysis.focus[1:] if t.kind == "symptom"]
    asked_drug = (
        evidence.analysis.drugs[0] if page.ask is Ask.DOSE and evidence.analysis.drugs else None
    )
    found: list[Candidate] = []
    for item in featurize(
        evidence,
        page,
        tools,
        concepts,
        patient=patient,
        sentence_grade=sentence_grade,
        max_grade=max_grade,
        limit=limit,
    ):
        logit = model.score(item.features)
        probability = model.probability(item.features)
        if probability < model.floor:
            continue
        tokens = tools.tokens(item.text)
        candidate = Candidate(
            sentence=item.sentence,
            document=item.document,
            text=item.text,
            quote=" ".join(item.sentence.quote.split()),
            grade=item.sentence.grade or grade_marker(item.sentence.quote),
            features=item.features,
            probability=probability,
            logit=logit,
            rank=model.rank(item.features),
            drug=tools.names_drug(item.key),
            tokens=tokens - shared,
        )
        candidate.weights = tools.idf(candidate.tokens)
        if complaints:
            nearby = f"{item.key} {names_in(evidence.passages.get(item.sentence.pid, ''))}"
            candidate.general = not any(t.named_in(nearby) for t in complaints)
        if asked_drug is not None:
            candidate.other_dose = dose_of_another(asked_drug, item.text, page, tools.drug_words)
        candidate.score = _score(candidate, prefer_patient, sentence_grade)
        candidate.section = page.section_of(item.text)
        found.append(candidate)
    found.sort(key=lambda c: -c.score)
    return found


def _score(
    candidate: Candidate, patient: bool, sentence_grade: Callable[[str], float] | None
) -> float:
    """Relevance first; evidence level, an explicit grade and a recommendation break ties.
    A patient page prefers patient information and plain sentences."""
    f = candidate.features
    # The ranking model's logit: it weighs relevance and the kind of evidence together,
    # learned from which sentences hold what a physician expects (the bank's dev split).
    score = candidate.rank / 4
    if not candidate.document.current:
        score -= 1.0
    if patient:
        score += 0.3 * f["patient_source"] + 0.1 * f["conclusion"]
        if sentence_grade is not None:
            score -= 0.05 * max(0.0, sentence_grade(candidate.text) - 8)
    return score
