"""Is this sentence relevant to this question? Features, and a logistic model over them.

Each candidate sentence gets the features below (all in [0, 1]). `RelevanceModel.probability`
is a logistic regression over the relevance features, fitted on labelled question-sentence
pairs from the open sets (BioASQ gold snippets, TREC LiveQA judged answers, PubMedQA
conclusions, MEDIQA 2019 judged answers; `medoracle eval relevance --fit`, dev splits only)
and kept as data in `relevance.json`. The evidence features are fixed priors of the ranking.

The features say what a physician checks first: is the source about this patient's problem
(focus), does the sentence answer what was asked (ask cue), how good is the evidence, and
how close is the sentence to the question in words and in meaning.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from medoracle.answer.pages import PageSpec
from medoracle.query.focus import FocusTerm

__all__ = [
    "EVIDENCE_FEATURES",
    "FEATURES",
    "NEUTRAL_SIMILARITY",
    "RELEVANCE_FEATURES",
    "RelevanceModel",
    "SentenceView",
    "dense_similarities",
    "features_of",
    "load_model",
]

RELEVANCE_FEATURES = (
    "doc_focus",  # the source's title or topics name the focus (0.5: only a broader name)
    "doc_ask",  # the source's title says it answers this kind of question
    "sent_focus",  # the sentence names the focus
    "passage_focus",  # its passage names the focus
    "secondary",  # share of the question's other subjects (drug, complaint) named nearby
    "population",  # the asked population is named nearby (0.5 when none is asked)
    "ask_cue",  # the sentence (or its section) answers the kind of question asked
    "lead_cue",  # it can open the page (a dose for a dose question, an action...)
    "intervention",  # names a drug, a class of drugs or a procedure
    "drug",  # names a drug from the dictionary
    "coverage",  # IDF-weighted share of the question's concepts it holds
    "similarity",  # dense cosine of sentence and question
    "rank",  # the document's search rank
    "number",  # holds a figure (dose, threshold, rate)
)
# What kind of evidence the sentence is. Not fitted: in every labelled set the relevant
# sentences come from one kind of source (BioASQ and PubMedQA from research abstracts, LiveQA
# and MEDIQA from patient pages), so a weight fitted on them would learn which set a sentence
# came from, not whether it is good evidence. The ranking weighs these as fixed priors
# (`medoracle.answer.candidates`), after the Oxford CEBM levels.
EVIDENCE_FEATURES = (
    "level",  # evidence level, 1 for guidelines, 0 for level 7
    "recommendation",
    "conclusion",
    "patient_answer",
    "result",
    "background",
    "graded",  # the source grades it
    "patient_source",
    "consumer_patient",  # a consumer's question and a patient source
    "recent",
)
FEATURES = RELEVANCE_FEATURES + EVIDENCE_FEATURES
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class SentenceView:
    """What the features read about one candidate: its text and its surroundings."""

    key: str  # the sentence as a matching key
    passage_key: str
    doc_key: str
    doc_focus: float
    kind: str
    level: int
    graded: bool
    rank: int
    patient_source: bool
    year: int | None
    words: int
    text: str
    section: str
    intervention: bool = False
    title: str = ""
    drug: bool = False


def features_of(
    view: SentenceView,
    *,
    main: FocusTerm | None,
    others: tuple[FocusTerm, ...],
    populations: tuple[tuple[str, ...], ...],
    page: PageSpec,
    coverage: float,
    similarity: float,
    consumer: bool,
    now: int,
) -> dict[str, float]:
    """The feature vector of one sentence for one analysed question: `main` is its focus,
    `others` the other subjects it names."""
    sent_focus = 0.0
    passage_focus = 0.0
    if main is not None:
        if main.named_in(view.key):
            sent_focus = 1.0
        elif main.broadly_named_in(view.key):
            sent_focus = 0.5
        passage_focus = float(main.named_in(view.passage_key))
    nearby = f"{view.key} {view.passage_key} {view.doc_key}"
    secondary = sum(term.named_in(nearby) for term in others) / len(others) if others else 1.0
    if populations:
        population = float(any(f" {t} " in nearby for names in populations for t in names))
    else:
        population = 0.5
    kind = view.kind
    return {
        "doc_focus": view.doc_focus,
        "doc_ask": float(page.source_answers(view.title)),
        "sent_focus": sent_focus,
        "passage_focus": passage_focus,
        "secondary": secondary,
        "population": population,
        "ask_cue": float(page.answers_ask(view.text, view.section)),
        "lead_cue": float(page.can_lead(view.text)),
        "intervention": float(view.intervention),
        "drug": float(view.drug),
        "coverage": coverage,
        "similarity": max(0.0, similarity),
        "level": (7 - view.level) / 6,
        "recommendation": float(kind == "recommendation"),
        "conclusion": float(kind in ("conclusion", "plain_summary")),
        "patient_answer": float(kind == "answer"),
        "result": float(kind in ("result", "snippet")),
        "background": float(kind in ("background", "other", "field")),
        "graded": float(view.graded),
        "rank": 1 / (1 + view.rank / 5),
        "number": float(bool(_DIGIT.search(view.text))),
        "patient_source": float(view.patient_source),
        "consumer_patient": float(consumer and view.patient_source),
        "recent": max(0.0, 1 - (now - view.year) / 20) if view.year else 0.0,
    }


# Without a dense encoder (a library searched lexically only) the similarity feature is
# unknown: it takes the typical value of candidate sentences, not zero, which would read as
# "unlike the question".
NEUTRAL_SIMILARITY = 0.45


def dense_similarities(
    texts: list[str],
    encode: Callable[[list[str]], np.ndarray] | None,
    query_vector: np.ndarray | None,
) -> list[float]:
    """The `similarity` feature of each text: its cosine with the question's vector, or
    `NEUTRAL_SIMILARITY` for all without an encoder or a question vector."""
    if not texts or encode is None or query_vector is None:
        return [NEUTRAL_SIMILARITY] * len(texts)
    vectors = encode(texts)
    return [float(v) for v in vectors @ query_vector]


class _Weights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bias: float
    weights: dict[str, float]
    floor: float = Field(ge=0, le=1, description="least probability for a statement to be shown")
    ranking: dict[str, float] | None = Field(
        None, description="the ranking model over all features (bias under key 'bias')"
    )
    fitted_on: str = ""
    metrics: dict[str, object] = Field(default_factory=dict)


@dataclass(frozen=True)
class RelevanceModel:
    bias: float
    weights: Mapping[str, float]
    floor: float
    ranking_bias: float = 0.0
    ranking: Mapping[str, float] | None = None

    def score(self, features: Mapping[str, float]) -> float:
        """The model's logit; `probability` squashes it."""
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())

    def rank(self, features: Mapping[str, float]) -> float:
        """The ranking model's logit (relevance when no ranking model is fitted)."""
        if self.ranking is None:
            return self.score(features)
        return self.ranking_bias + sum(self.ranking.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.score(features)
        return 1 / (1 + math.exp(-z)) if z > -40 else 0.0


_FILE = "relevance.json"


@cache
def load_model() -> RelevanceModel:
    raw = resources.files("medoracle.answer").joinpath(_FILE).read_text("utf-8")
    data = _Weights.model_validate(json.loads(raw))
    unknown = set(data.weights) - set(RELEVANCE_FEATURES)
    ranking = dict(data.ranking) if data.ranking is not None else None
    bias = ranking.pop("bias", 0.0) if ranking is not None else 0.0
    unknown |= set(ranking or {}) - set(FEATURES)
    if unknown:
        raise ValueError(f"{_FILE} weighs unknown features {sorted(unknown)}")
    return RelevanceModel(data.bias, data.weights, data.floor, bias, ranking)


def model_path() -> Path:
    """Where `eval relevance --fit` writes the fitted weights (the package's own file)."""
    return Path(str(resources.files("medoracle.answer").joinpath(_FILE)))
