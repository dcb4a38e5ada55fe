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
  Inform 34(5):301-310), on the content words the statement shares with its closest quote
  (cues and scopes from the one negation vocabulary, `medoracle.cite.negation`);
- `drugs`: share of the drug names in the statement (`drugs.toml`) that the quotes name.

A logistic model (Cox 1958, "The regression analysis of binary sequences", JRSS B 20(2))
turns them into one support score in [0, 1]. Its weights and the floor below which a
statement is not shown are data in `verify.toml`: one model per encoder family and one for
no encoder, fitted on the HealthVer dev split only by `medoracle.eval.verifier.tune`.

This module owns the text analysis behind the signals, the signals and the `Verifier`;
quantities are read in `medoracle.cite.quantities`, and the rules and fitted models are
loaded in `medoracle.cite.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

import numpy as np
import tantivy
from numpy.typing import NDArray

from medoracle.cite.negation import negated_positions, negation
from medoracle.cite.quantities import Quantity, number_agreement, quantities
from medoracle.cite.rules import Model, model_for, rules
from medoracle.embed.encoders import Encoder

__all__ = [
    "SIGNALS",
    "Analysis",
    "Support",
    "Verifier",
    "analyse",
    "negation_agreement",
    "signals",
    "weighted_containment",
]

#: Signal names, in the order a model's features are laid out.
SIGNALS = ("lexical", "bigram", "embedding", "numbers", "negation", "drugs")
#: Characters of a quote read: quotes are sentences, so this only bounds odd input.
MAX_CHARS = 4000

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][a-z]+)?|\d+|[,;:.!?()]")
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


def analyse(text: str, *, quote: bool = False) -> Analysis:
    """Content stems, negation scopes, quantities and words of `text`; a `quote` also
    states numbers in words ("five days")."""
    table, vocabulary = rules(), negation()
    text = text[:MAX_CHARS]
    tokens = [_unclitic(token) for token in _TOKEN.findall(text.lower())]
    scoped = negated_positions(tokens)
    stems: list[str] = []
    inside: set[str] = set()
    outside: set[str] = set()
    for i, token in enumerate(tokens):
        if token in table.stop_words or token in vocabulary.scope.breaks:
            continue
        if vocabulary.is_cue(token) and token not in vocabulary.post_cues:
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
