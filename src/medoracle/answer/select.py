"""From numbered evidence to the statements a page shows: relevance first, then sections.

    every sentence of the evidence
      -> about the focus?  (its source's title or topics, its passage or itself name it)
      -> answers the ask?  (the page's cues for a dose, a test, a harm...)
      -> says something on its own about care? (no fragment, pointer, protocol, animal study)
      -> relevant enough? (the learned model's probability over the floor)
      -> sections of the ask's page, near-duplicates out, the bottom line first

Nothing reaches a page on word overlap alone: a sentence about another condition that
happens to share the question's words fails the focus test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from medoracle.answer.pages import PageSpec
from medoracle.answer.relevance import RelevanceModel, SentenceView, features_of
from medoracle.answer.sentences import display_text, grade_marker, is_clinical, is_self_contained
from medoracle.query.analysis import FocusTerm, QuestionAnalysis, names_in
from medoracle.query.asks import Ask
from medoracle.query.concepts import Concept, coverage
from medoracle.query.mesh import mesh_key
from medoracle.query.presentations import presentations
from medoracle.retrieve.evidence import Evidence, EvidenceDocument, EvidenceSentence

__all__ = [
    "Candidate",
    "Featured",
    "TextTools",
    "bottom_line",
    "candidates",
    "featurize",
    "select_sections",
]

_OPERATIONS = ("ectomy", "plasty", "otomy", "ostomy", "pexy", "rrhaphy")
# Statements per section about the condition in general when the question names a
# complaint ("lupus" statements on a page about lupus with leg weakness).
GENERAL_PER_SECTION = 1
# Share of its score a candidate loses for each statement its section already shows.
SECTION_SATURATION = 0.08
# Asks whose page is about a drug: a sentence must name it (or its passage must).
_DRUG_ASKS = (Ask.DOSE, Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS)
_FIELD_ASKS = (Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS)
_ABOUT_A_DRUG = (Ask.PREVENTION, Ask.YES_NO, Ask.COMPARISON)
_CLASS_ASKS = (Ask.ADVERSE_EFFECTS, Ask.INTERACTIONS, Ask.YES_NO, Ask.TIMING, Ask.TREATMENT)
# Age groups that exclude each other: a sentence only about children does not answer a
# question about adults.
_YOUNG = re.compile(
    r"\b(?:child|children|childhood|paediatric|pediatric|infants?|neonat\w*|newborns?|"
    r"toddlers?|babies|baby|adolescents?|teenagers?|school[- ]age\w*)\b",
    re.IGNORECASE,
)
_GROWN = re.compile(r"\b(?:adults?|men|elderly|older (?:adults|people|patients)|aged \d\d)\b")
PATIENT_MAX_SENTENCE_GRADE = 13.0
_LONG_WORD = re.compile(r"\b[a-z]{7,}\b")
_LABEL = re.compile(r"^[A-Z][\w /()-]{0,30}:\s")


@dataclass
class TextTools:
    """What the composer may use on text: the index's tokenizer and IDF, and the encoder.
    None of these searches or reads the library."""

    tokens: Callable[[str], frozenset[str]]
    idf: Callable[[frozenset[str]], dict[str, float]]
    encode: Callable[[list[str]], np.ndarray] | None = None
    drug_words: frozenset[str] = frozenset()
    glued: Callable[[str], bool] | None = None  # two words run together ("effectsoccur")

    def names_drug(self, key: str) -> bool:
        """Whether a sentence (as a matching key) names a drug from the dictionary."""
        return any(word in self.drug_words for word in key.split())

    def intervenes(self, key: str, text: str, page: PageSpec) -> bool:
        """Whether a sentence names a drug (dictionary), a class of drugs or a procedure
        (an operation's suffix, or the page's `intervention` cues)."""
        words = key.split()
        if any(w in self.drug_words or w.endswith(_OPERATIONS) for w in words):
            return True
        return bool(page.intervention.search(key))


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
    limit: int = 100_000,
) -> list[Featured]:
    """Every clean sentence (self-contained, about care, not a duplicate) with its features;
    with `gate`, only those that pass the focus, population, drug and ask tests."""
    analysis = evidence.analysis
    patient = patient or analysis.consumer  # a consumer's question: patient pages first
    main = analysis.main
    others = tuple(t for t in analysis.focus[1:] if t.kind != "term")
    populations = tuple(p.terms for p in analysis.populations if p.name not in ("women", "men"))
    passage_keys: dict[int, str] = {}
    elsewhere = _other_manifestations(analysis)
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
            and _about_focus(main, document, key, passage_key, by_class)
            and not _other_population(analysis, key)
            and not _elsewhere(analysis, elsewhere, key)
            and _names_drugs(analysis, key, passage_key, document.key)
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
        if patient and sentence_grade and sentence_grade(text) > PATIENT_MAX_SENTENCE_GRADE:
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
    similarities = _similarities(evidence, tools, [k[2] for k in kept])
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
            candidate.other_dose = _dose_of_another(asked_drug, item.text, page, tools)
        candidate.score = _score(candidate, prefer_patient, sentence_grade)
        candidate.section = page.section_of(item.text)
        found.append(candidate)
    found.sort(key=lambda c: -c.score)
    return found


def _dose_of_another(drug: FocusTerm, text: str, page: PageSpec, tools: TextTools) -> bool:
    """Whether the first dose a sentence gives is another drug's: the last drug it names
    before the dose is not the one asked ("if allergic to amoxicillin, azithromycin
    30 mg/kg" on an amoxicillin dose page)."""
    dose = next((m for cue in page.bottom if (m := cue.search(text))), None)
    if dose is None:
        return False
    words = names_in(text[: dose.start()]).split()
    last = next((i for i in range(len(words) - 1, -1, -1) if words[i] in tools.drug_words), None)
    if last is None:
        return False
    return not drug.named_in(f" {' '.join(words[last:])} ")


def _other_manifestations(analysis: QuestionAnalysis) -> tuple[str, ...]:
    """When the question names a complaint of one organ ("leg weakness in SLE"), the words
    of the other organs' complaints (`presentations.toml`, focus entries): a sentence about
    lupus nephritis is not about lupus with leg weakness."""
    asked = {name for t in analysis.focus if t.kind == "symptom" for name in t.names}
    if not asked:
        return ()
    others = {
        mesh_key(term)
        for presentation in presentations()
        if presentation.focus
        for term in presentation.terms
    }
    return tuple(sorted(others - asked))


def _elsewhere(analysis: QuestionAnalysis, others: tuple[str, ...], key: str) -> bool:
    if not others or not any(f" {name} " in key for name in others):
        return False
    return not any(t.named_in(key) for t in analysis.focus if t.kind == "symptom")


def _other_population(analysis: QuestionAnalysis, key: str) -> bool:
    """The sentence is about another age group than the one asked about, and not this one."""
    asked = {p.name for p in analysis.populations}
    young = bool(asked & {"children", "infants", "adolescents"})
    grown = bool(asked & {"adults", "older adults"})
    if young == grown:  # none asked, or both
        return False
    names_young = bool(_YOUNG.search(key))
    names_grown = bool(_GROWN.search(key))
    return (names_grown and not names_young) if young else (names_young and not names_grown)


def _about_focus(
    main: FocusTerm | None,
    document: EvidenceDocument,
    key: str,
    passage_key: str,
    by_class: bool = False,
) -> bool:
    """The source is about the focus, or the sentence names it (a drug by its class too,
    with `by_class`). A question with no named subject ("term" focus) needs the words
    nearby."""
    if main is None:
        return True
    if main.kind == "term":
        return main.named_in(key) or main.named_in(passage_key) or document.focus > 0
    if main.named_in(key):
        return True
    if by_class and main.kind == "drug" and main.broadly_named_in(key):
        return True
    if _sibling(main, key):  # "hospital-acquired pneumonia" on a page about CAP
        return False
    if not document.titled and main.named_in(passage_key):
        return True  # an abstract with no title: its own text says what it is about
    if document.focus >= 1.0:
        # A guideline, review or patient page named for the focus is about it throughout; a
        # study naming it in its title may be about something else in it, so its passage
        # must name the focus too.
        return document.level <= 2 or document.patient or main.named_in(passage_key)
    return document.focus >= 0.5 and main.broadly_named_in(key)


# Words that may stand before a broader name without making it another condition.
_NEUTRAL = frozenset(
    "a an the of with for and or in to on by from at as is are was were had has have without "
    "severe mild moderate low high severity acute chronic suspected confirmed possible "
    "probable uncomplicated complicated recurrent early late adult adults child children "
    "patients patient people women men elderly older young treated untreated".split()
)


def _sibling(main: FocusTerm, key: str) -> bool:
    """Whether the sentence names a different kind of the focus's broader condition and not
    the focus itself: "ventilator associated pneumonia" when CAP is asked about."""
    names = [f" {name}" for name in main.names]
    for broader in main.broader:
        start = key.find(f" {broader} ")
        while start >= 0:
            before = key[:start].split()[-2:]
            if before and before[-1] not in _NEUTRAL:
                phrase = " ".join([*before, broader])
                if not any(n.endswith(f" {phrase}") or n == f" {phrase}" for n in names):
                    return True
            start = key.find(f" {broader} ", start + 1)
    return False


def _names_drugs(analysis: QuestionAnalysis, key: str, passage_key: str, doc_key: str) -> bool:
    """A dose, harm or interaction page is about the drugs asked: each must be named in the
    sentence, its passage or its source's title. A prevention, yes/no or comparison question
    naming a drug ("should I take aspirin to prevent...") is about it too: its passage or
    source must name it."""
    if not analysis.drugs:
        return True
    nearby = f"{key} {passage_key} {doc_key}"

    def near(drug: FocusTerm, text: str) -> bool:  # by name, or by class ("statins")
        return drug.named_in(text) or drug.broadly_named_in(text)

    if analysis.ask in _ABOUT_A_DRUG:
        return any(near(d, nearby) for d in analysis.drugs)
    if analysis.ask is Ask.DOSE:  # a dose is the dose of the drug itself
        return analysis.drugs[0].named_in(nearby)
    if analysis.ask is Ask.ADVERSE_EFFECTS:
        return near(analysis.drugs[0], nearby) and near(analysis.drugs[0], f"{key} {doc_key}")
    if analysis.ask is not Ask.INTERACTIONS:
        return True
    # An interaction: two of the drugs (one, when only one is named) nearby, one of them
    # in the sentence itself.
    named = [d for d in analysis.drugs if near(d, nearby)]
    return len(named) >= min(2, len(analysis.drugs)) and any(near(d, key) for d in named)


# Without a dense encoder (a library searched lexically only) the similarity feature is
# unknown: it takes the typical value of candidate sentences, not zero, which would read as
# "unlike the question".
NEUTRAL_SIMILARITY = 0.45


def _similarities(evidence: Evidence, tools: TextTools, texts: list[str]) -> list[float]:
    if not texts or tools.encode is None or evidence.query_vector is None:
        return [NEUTRAL_SIMILARITY] * len(texts)
    vectors = tools.encode(texts)
    return [float(v) for v in vectors @ evidence.query_vector]


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


def bottom_line(
    found: Sequence[Candidate], page: PageSpec, limit: int, overlap_limit: float
) -> list[Candidate]:
    """The strongest sentences that answer the question outright: on the focus, matching
    the page's lead cue, graded guideline recommendations first; at most `limit`, from
    different sections, the second only when nearly as strong."""
    primary = page.primary or min(page.sections, key=lambda spec: spec.order).key
    complaint = any(c.features["secondary"] < 1 for c in found)
    leading = [
        c
        for c in found
        if c.on_focus
        and page.can_lead(c.text)
        and (page.ask is not Ask.TREATMENT or c.features["intervention"])
    ]
    pool = leading or [c for c in found if c.on_focus][:3] or list(found[:1])
    if page.lead_section is not None:
        pool = [c for c in pool if c.section == page.lead_section] or pool
    # A consumer's question is answered first from what was written for patients.
    pool = [c for c in pool if c.features["consumer_patient"]] or pool
    # An answer for a special case (an allergy, a failed first choice, another drug's dose)
    # leads only when there is no general one.
    pool = [c for c in pool if c.section not in _QUALIFIED and not c.other_dose] or pool

    def strength(c: Candidate) -> float:
        # The ranking model's logit (does it hold what a physician expects?), then what
        # makes a sentence fit to open the page: the page's first section, an answer that
        # is not for a special case, settled evidence, a graded recommendation.
        f = c.features
        value = c.rank + LEAD_WEIGHT * (f["graded"] + 0.5 * f["sent_focus"])
        if page.drug_answers:
            value += LEAD_WEIGHT * _names_a_drug(c)
        if page.ask is Ask.YES_NO:
            value += LEAD_WEIGHT * f["conclusion"]
        if page.ask is Ask.TREATMENT and _FIRST_LINE.search(c.text):
            value += LEAD_WEIGHT
        if c.section == primary:
            value += LEAD_WEIGHT
        elif c.section in _QUALIFIED:
            value -= LEAD_WEIGHT  # an answer for a special case does not lead the page
        if page.ask is not Ask.YES_NO and _UNSETTLED.search(c.text):
            value -= 2 * LEAD_WEIGHT
        if not c.document.current:
            value -= 4 * LEAD_WEIGHT
        # A consumer's question is answered first in the words written for patients.
        value += 2 * LEAD_WEIGHT * f["consumer_patient"]
        if complaint:  # "leg weakness in SLE": the answer about the complaint leads
            value += 2 * LEAD_WEIGHT * f["secondary"]
        if c.other_dose:
            value -= 2 * LEAD_WEIGHT  # a dose page leads with the dose of the drug asked
        if page.ask is not Ask.YES_NO and _REFUSAL_FIRST.match(c.text):
            value -= LEAD_WEIGHT  # what not to do is not the first thing to say
        return value

    ranked = sorted(pool, key=lambda c: -strength(c))
    chosen: list[Candidate] = []
    for candidate in ranked:
        if len(chosen) >= limit:
            break
        if chosen and (
            strength(candidate) < strength(chosen[0]) - SECOND_MARGIN
            or candidate.section == chosen[0].section
            or any(overlap(candidate, c) >= overlap_limit for c in chosen)
        ):
            continue
        chosen.append(candidate)
    if chosen and len(chosen) < limit and page.also:
        # A compound question ("which antibiotic, and for how long?"): its second ask's
        # strongest answer completes the bottom line.
        other = page.also[0]
        second = [
            c
            for c in found
            if c not in chosen
            and c.on_focus
            and other.can_lead(c.text)
            and not any(overlap(c, d) >= overlap_limit for d in chosen)
        ]
        if second:
            chosen.append(max(second, key=strength))
    return chosen


def _names_a_drug(candidate: Candidate) -> float:
    return float(candidate.drug)


# Logit units a bottom-line cue is worth, beside the ranking model's logit; a second
# bottom-line sentence may be this much weaker than the first.
LEAD_WEIGHT = 0.5
SECOND_MARGIN = 1.0
_REFUSAL_FIRST = re.compile(
    r"^(?:\w+ ){0,6}(?:does not recommend|do not|should not|is not recommended|"
    r"recommends? against)",
    re.IGNORECASE,
)
_QUALIFIED = ("special", "alternatives", "avoid", "adjust", "cautions", "pitfalls", "caveats")
_UNSETTLED = re.compile(
    r"\b(?:insufficient evidence|evidence is insufficient|not well[- ](?:documented|studied)|"
    r"unclear|unknown|remains? (?:controversial|uncertain))\b",
    re.IGNORECASE,
)
_FIRST_LINE = re.compile(
    r"\b(?:first[- ]line|drug of choice|treatment of choice|preferred|"
    r"initial (?:treatment|therapy)|recommend\w*|should be (?:treated|offered|given))\b",
    re.IGNORECASE,
)


def select_sections(
    found: Sequence[Candidate],
    page: PageSpec,
    exclude: set[int],
    *,
    max_statements: int,
    max_per_document: int,
    overlap_limit: float,
) -> dict[str, list[Candidate]]:
    """Per section, the best statements without near-duplicates, within the page and
    per-source bounds; greedy over all sections, each shown statement costing its section's
    next candidate a little so one rich section does not crowd out the others."""
    limits = {spec.key: spec.max for spec in page.sections}
    queues: dict[str, list[Candidate]] = {key: [] for key in limits}
    for candidate in found:
        if id(candidate) not in exclude and candidate.section in queues:
            queues[candidate.section].append(candidate)
    chosen: dict[str, list[Candidate]] = {key: [] for key in limits}
    picked = [c for c in found if id(c) in exclude]
    per_doc: Counter[int] = Counter(c.document.number for c in picked)
    total = 0
    while total < max_statements:
        best: tuple[float, str] | None = None
        for key, queue in queues.items():
            general = sum(c.general for c in chosen[key])
            while queue and (
                per_doc[queue[0].document.number] >= max_per_document
                or (queue[0].general and general >= GENERAL_PER_SECTION)
                or any(overlap(queue[0], other) >= overlap_limit for other in picked)
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
        per_doc[candidate.document.number] += 1
        total += 1
    return chosen


def overlap(a: Candidate, b: Candidate) -> float:
    """IDF-weighted share of the lighter sentence's words found in the other: two
    recommendations that differ only in the drug they name are not duplicates."""
    if not a.weights or not b.weights:
        return 0.0
    shared = sum(a.weights[t] for t in a.tokens & b.tokens)
    return shared / min(sum(a.weights.values()), sum(b.weights.values()))
