"""The statement verifier: how well the source sentences a statement cites support it.

Each shown statement cites one or more source sentences ("quotes"). Six signals, each in
[0, 1], compare the statement with its quotes:

- `lexical`: share of the statement's content words (lower-cased, stop words out, Snowball-
  stemmed) found in the quotes; `bigram`: the same for adjacent content-word pairs, a
  ROUGE-2 recall (Lin 2004, "ROUGE: A Package for Automatic Evaluation of Summaries");
- `embedding`: the best cosine between the statement and one quote (needs an encoder);
- `numbers`: share of the statement's quantities ("0.5 g/kg", "30%", "5-10 mm") that a
  quote states, with "1,000 mg" = "1000 mg" = "1 g";
- `negation`: agreement of negation scope, NegEx style (Chapman et al. 2001, J Biomed
  Inform 34(5):301-310), on the content words the statement shares with its closest quote;
- `drugs`: share of the drug names in the statement (`drugs.toml`) that the quotes name.

A logistic model (Cox 1958, "The regression analysis of binary sequences", JRSS B 20(2))
turns them into one support score in [0, 1]. Its weights and the floor below which a
statement is not shown are data in `verify.toml`: one model per encoder family and one for
no encoder, fitted on the HealthVer dev split only by `medoracle.eval.verifier.tune`.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import tantivy
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from medoracle.embed.encoders import Encoder

__all__ = [
    "DEFAULT_FLOOR",
    "SIGNALS",
    "Analysis",
    "Model",
    "Rules",
    "Support",
    "Verifier",
    "analyse",
    "model_for",
    "rules",
    "signals",
]

#: Signal names, in the order a model's features are laid out.
SIGNALS = ("lexical", "bigram", "embedding", "numbers", "negation", "drugs")
#: Characters of a quote read: quotes are sentences, so this only bounds odd input.
MAX_CHARS = 4000

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][a-z]+)?|\d+|[,;:.!?()]")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_QUANTITY = re.compile(
    rf"(?<![\w.,/-])({_NUMBER})(?:\s*(?:-|–|—|to)\s*({_NUMBER}))?"
    r"(?:\s*(%|per ?cent\b|[a-zµμ°]+(?:/[a-zµμ0-9]+)*))?"
)
_PER = re.compile(r"(?<=[a-zµμ%]) per (?=[a-z])")  # "mg per day" -> "mg/day"
# Spelled-out numbers count in quotes only: a statement's "one of" is not a quantity claim.
_NUMBER_WORDS = re.compile(
    r"\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
    r"(?:\s+([a-z%]+(?:/[a-z]+)*))?"
)
_WORD_VALUES = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}


class Model(BaseModel):
    """A fitted logistic model: score = sigmoid(bias + sum of weight x signal)."""

    model_config = ConfigDict(extra="forbid")

    bias: float
    floor: float = Field(ge=0, le=1, description="lowest score a shown statement may have")
    weights: dict[str, float] = Field(description="weight per signal name; absent means 0")

    def score(self, values: dict[str, float]) -> float:
        z = self.bias + sum(w * values.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


class _Negation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cues: frozenset[str] = Field(description="words negating the words after them")
    post_cues: frozenset[str] = Field(description="words negating the words before them")
    breaks: frozenset[str] = Field(description="words and punctuation ending a scope")
    window: int = Field(ge=1, le=20, description="words a scope reaches at most")


class _Units(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aliases: dict[str, list[str]] = Field(description="canonical unit -> its spellings")
    scale: dict[str, tuple[str, float]] = Field(description="unit -> (base unit, factor)")


class _Drugs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    min_length: int = Field(ge=3)
    suffixes: tuple[str, ...]
    exceptions: frozenset[str]
    names: frozenset[str]


class _Fit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lower: dict[str, float] = Field(description="least weight per signal (default 0)")
    l2: float = Field(ge=0, description="L2 penalty on the weights")
    min_precision: float = Field(ge=0, le=1, description="dev precision the floor must reach")
    margin: float = Field(ge=0, le=0.2, description="added to min_precision on dev")


class _Fitted(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_encoder: str = Field(description="encoder family whose floor is DEFAULT_FLOOR")
    evidence: str = Field(description="HealthVer evidence as quotes: sentences or whole")
    models: dict[str, Model] = Field(description='"none" and one model per encoder family')


class Rules(BaseModel):
    """The validated contents of `verify.toml` (with `drugs.toml` as `drugs`)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    stop_words: frozenset[str]
    negation: _Negation
    units: _Units
    drugs: _Drugs
    fit: _Fit
    fitted: _Fitted

    def is_drug(self, word: str) -> bool:
        """A drug name: listed, or long enough, with an INN stem and not an exception."""
        drugs = self.drugs
        if word in drugs.names:
            return True
        if len(word) < drugs.min_length or word in drugs.exceptions:
            return False
        return word.endswith(drugs.suffixes)


@cache
def rules() -> Rules:
    """The verifier's rules and models, read once from the package data."""
    files = resources.files("medoracle.cite")
    raw = tomllib.loads(files.joinpath("verify.toml").read_text("utf-8"))
    raw["drugs"] = tomllib.loads(files.joinpath("drugs.toml").read_text("utf-8"))
    return Rules.model_validate(raw)


@cache
def _units() -> tuple[dict[str, str], dict[str, tuple[str, float]]]:
    table = rules().units
    spelled = {s.lower(): unit for unit, spellings in table.aliases.items() for s in spellings}
    return spelled, table.scale


def model_for(encoder: Encoder | None) -> Model:
    """The fitted model for an encoder: by its name ("static-256"), then its family
    ("static"), else the default encoder's; "none" when there is no encoder."""
    fitted = rules().fitted
    if encoder is None:
        return fitted.models["none"]
    family = encoder.name.split("-")[0]
    default = fitted.models[fitted.default_encoder]
    return fitted.models.get(encoder.name) or fitted.models.get(family) or default


#: The floor of the default encoder's model, tuned on HealthVer dev.
DEFAULT_FLOOR: float = rules().fitted.models[rules().fitted.default_encoder].floor


_STEMMER = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.stemmer("english"))
    .build()
)


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Snowball English stem (Porter 2001), as the lexical index stems."""
    stems = _STEMMER.analyze(word)
    return stems[0] if stems else word


Quantity = tuple[float, str]


def _quantity(value: str, unit: str | None) -> Quantity:
    """A number and its unit in canonical form: commas out, converted to the base unit."""
    spelled, scale = _units()
    number = float(value.replace(",", ""))
    parts = [spelled.get(part, "") for part in unit.split("/")] if unit else [""]
    if not parts[0]:
        return round(number, 9), ""
    base, factor = scale.get(parts[0], (parts[0], 1.0))
    return round(number * factor, 9), "/".join([base, *parts[1:]])


def quantities(text: str, *, spelled_numbers: bool = False) -> frozenset[Quantity]:
    """Number-unit pairs in `text`; a range gives both ends its unit ("5-10 mm")."""
    lowered = _PER.sub("/", text.lower())
    found: set[Quantity] = set()
    for match in _QUANTITY.finditer(lowered):
        first, second, unit = match.groups()
        unit = unit.replace(" ", "") if unit else None
        found.add(_quantity(first, unit))
        if second:
            found.add(_quantity(second, unit))
    if spelled_numbers:
        for match in _NUMBER_WORDS.finditer(lowered):
            found.add(_quantity(str(_WORD_VALUES[match.group(1)]), match.group(2)))
    return frozenset(found)


def number_agreement(claimed: frozenset[Quantity], stated: frozenset[Quantity]) -> float:
    """Share of the `claimed` quantities that are `stated`: the same value in the base
    unit, in an agreeing unit ("5 mm" rests on "5 or 10 mm"). 1.0 when none is claimed."""
    if not claimed:
        return 1.0
    found = sum(
        any(v == value and _same_unit(unit, u) for v, u in stated) for value, unit in claimed
    )
    return found / len(claimed)


def _same_unit(ours: str, theirs: str) -> bool:
    """Units agree when either is missing, or the numerators agree and so do the
    denominators where both give one ("10 mg/day" rests on "10 mg daily", not on
    "10 mg/kg")."""
    if not ours or not theirs:
        return True
    top, _, bottom = ours.partition("/")
    their_top, _, their_bottom = theirs.partition("/")
    return top == their_top and (bottom == their_bottom or not bottom or not their_bottom)


class Analysis(NamedTuple):
    """What the signals need of one text, computed once per text."""

    stems: tuple[str, ...]  # content-word stems in order
    negated: frozenset[str]  # stems with an occurrence inside a negation scope
    asserted: frozenset[str]  # stems with an occurrence outside any negation scope
    quantities: frozenset[Quantity]
    words: frozenset[str]  # lower-cased words, and their singulars


def _unclitic(token: str) -> str:
    """ "it's" -> "it", "patient's" -> "patient"; "doesn't" stays whole (a cue)."""
    if token.endswith(("n't", "n’t")):
        return token
    return token.split("'")[0].split("’")[0]


def _is_cue(token: str, cues: frozenset[str]) -> bool:
    return token in cues or token.endswith(("n't", "n’t"))


def negated_positions(tokens: Sequence[str]) -> set[int]:
    """Indexes of tokens inside a negation scope: up to `window` words after a cue, or
    before a post-cue ("... is contraindicated"), stopping at a scope break (NegEx)."""
    negation = rules().negation
    inside: set[int] = set()
    for i, token in enumerate(tokens):
        reaches = []
        if _is_cue(token, negation.cues):
            reaches.append(range(i + 1, min(len(tokens), i + 1 + negation.window)))
        if token in negation.post_cues:
            reaches.append(range(i - 1, max(-1, i - 1 - negation.window), -1))
        for reach in reaches:
            for j in reach:
                if tokens[j] in negation.breaks:
                    break
                inside.add(j)
    return inside


def analyse(text: str, *, quote: bool = False) -> Analysis:
    """Content stems, negation scopes, quantities and words of `text`; a `quote` also
    states numbers in words ("five days")."""
    table = rules()
    text = text[:MAX_CHARS]
    tokens = [_unclitic(token) for token in _TOKEN.findall(text.lower())]
    scoped = negated_positions(tokens)
    stems: list[str] = []
    inside: set[str] = set()
    outside: set[str] = set()
    for i, token in enumerate(tokens):
        if token in table.stop_words or token in table.negation.breaks:
            continue
        if _is_cue(token, table.negation.cues) and token not in table.negation.post_cues:
            continue
        stem = _stem(token)
        stems.append(stem)
        (inside if i in scoped else outside).add(stem)
    words = {token for token in tokens if token[0].isalpha()}
    words |= {word[:-1] for word in words if len(word) > 3 and word.endswith("s")}
    found = quantities(text, spelled_numbers=quote)
    return Analysis(tuple(stems), frozenset(inside), frozenset(outside), found, frozenset(words))


def _bigrams(stems: Sequence[str]) -> set[tuple[str, str]]:
    return set(pairwise(stems))


def _share(wanted: Iterable[object], found: Iterable[object]) -> float:
    """Share of distinct `wanted` items in `found`; 1.0 when nothing is wanted."""
    want = set(wanted)
    return len(want & set(found)) / len(want) if want else 1.0


def weighted_containment(wanted: set[str], found: set[str]) -> float:
    """Share of `wanted` stems in `found`, each weighted by its length: longer words are
    rarer (Zipf 1935, "The Psycho-Biology of Language"), so length stands in for IDF where
    no corpus statistics are at hand. 0.0 when nothing is wanted."""
    total = sum(len(stem) for stem in wanted)
    return sum(len(stem) for stem in wanted & found) / total if total else 0.0


def negation_agreement(statement: Analysis, quote: Analysis) -> float:
    """Share of the shared words in a negation scope on either side whose polarity the
    quote bears out: a word the statement negates must be negated somewhere in the quote,
    and a word it asserts must be asserted somewhere there. "X is not recommended"
    against "X is recommended" gives 0; "X helped, not Y" supports "X helped". 1.0 when no
    shared word is negated."""
    shared = set(statement.stems) & set(quote.stems)
    involved = shared & (statement.negated | quote.negated)
    if not involved:
        return 1.0
    wrong = (statement.negated - quote.negated) | (statement.asserted - quote.asserted)
    return 1.0 - len(wrong & involved) / len(involved)


def signals(
    statement: Analysis, quotes: Sequence[Analysis], cosines: Sequence[float] | None = None
) -> dict[str, float]:
    """The signals of one statement against its quotes (`embedding` only with cosines)."""
    if not statement.stems or not quotes:
        return dict.fromkeys(SIGNALS if cosines is not None else _LEXICAL_SIGNALS, 0.0)
    ours = set(statement.stems)
    overlap = [len(ours & set(q.stems)) for q in quotes]
    closest = quotes[overlap.index(max(overlap))]
    theirs: set[str] = set().union(*(q.stems for q in quotes))
    pairs: set[tuple[str, str]] = set().union(*(_bigrams(q.stems) for q in quotes))
    drugs = {word for word in statement.words if rules().is_drug(word)}
    values = {
        "lexical": weighted_containment(ours, theirs),
        # A one-word statement has no pair: its word share stands in.
        "bigram": _share(_bigrams(statement.stems) or ours, pairs | theirs),
        "numbers": number_agreement(
            statement.quantities, frozenset().union(*(q.quantities for q in quotes))
        ),
        "negation": negation_agreement(statement, closest),
        "drugs": _share(drugs, set().union(*(q.words for q in quotes))),
    }
    if cosines is not None:
        values["embedding"] = max(0.0, min(1.0, max(cosines)))
    return values


_LEXICAL_SIGNALS = tuple(name for name in SIGNALS if name != "embedding")


@dataclass(frozen=True)
class Support:
    """A statement's support score in [0, 1] and the signals behind it."""

    score: float
    signals: dict[str, float] = field(default_factory=dict)


class Verifier:
    """Scores statements against the quotes they cite.

    `encoder` adds the embedding signal and picks the model fitted for it (the static
    encoder is the default: ~25 ms for an answer's 25 statements, where MiniLM, better on
    HealthVer, takes ~800 ms); without one, the model fitted without that signal is used
    and the signals carry no `embedding`. `model` overrides the fitted model.
    """

    def __init__(self, encoder: Encoder | None = None, model: Model | None = None) -> None:
        self.encoder = encoder
        self.model = model or model_for(encoder)

    @property
    def floor(self) -> float:
        """The lowest score a shown statement may have, for this verifier's model."""
        return self.model.floor

    def score(self, statement: str, quotes: Sequence[str]) -> Support:
        return self.score_many([(statement, quotes)])[0]

    def score_many(self, pairs: Sequence[tuple[str, Sequence[str]]]) -> list[Support]:
        """Score many (statement, quotes) pairs, embedding every distinct text once."""
        statements = {s: analyse(s) for s, _ in pairs}
        quoted = {q: analyse(q, quote=True) for _, quotes in pairs for q in quotes}
        vectors = self._embed([*statements, *quoted]) if self.encoder is not None else None
        out = []
        for statement, quotes in pairs:
            cosines = None
            if vectors is not None:
                row = vectors[statement]
                cosines = [float(row @ vectors[q]) for q in quotes] or [0.0]
            values = signals(statements[statement], [quoted[q] for q in quotes], cosines)
            empty = not quotes or not statements[statement].stems
            out.append(Support(0.0 if empty else self.model.score(values), values))
        return out

    def _embed(self, texts: list[str]) -> dict[str, NDArray[np.float32]]:
        assert self.encoder is not None
        unique = list(dict.fromkeys(t[:MAX_CHARS] for t in texts))
        matrix = self.encoder.encode(unique) if unique else np.zeros((0, self.encoder.dim))
        by_text = dict(zip(unique, matrix, strict=True))
        return {t: by_text[t[:MAX_CHARS]] for t in texts}
