"""Expand clinical abbreviations in a question, choosing among senses or declining to.

The lexicon (`medoracle.query.lexicon`) gives every sense a short form has in the
Meta-Inventory sources with a prior; `abbreviations.toml` curates the high-stakes ambiguous
forms with context words per sense. A sense is scored from the question's other words
(knowledge-based disambiguation by context overlap, after Lesk, SIGDOC 1986,
doi:10.1145/318723.318728), its share of library passages that mention it (`cooccurs`), and its
prior; it is expanded only when it leads the runner-up by a margin (Stevenson et al.,
"Disambiguation of biomedical abbreviations", BioNLP 2009, show context beats priors).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from medoracle.query.lexicon import Lexicon, Sense, build_lexicon, normalise_long_form

__all__ = [
    "AbbreviationTable",
    "Expansion",
    "Lexicon",
    "Sense",
    "abbreviation_table",
    "build_lexicon",
    "expand",
]

Cooccurs = Callable[[str], int]
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?")
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")


class Expansion(NamedTuple):
    short: str
    long: str
    reason: str


class _CuratedSense(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    long: str
    default: bool = False
    context: list[str] = Field(default_factory=list)


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sf: str = Field(min_length=2, max_length=10)
    senses: list[_CuratedSense] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_default(self) -> _Form:
        if sum(s.default for s in self.senses) > 1:
            raise ValueError(f"{self.sf}: at most one default sense")
        return self


class _Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    context: float = Field(ge=0)
    max_hits: int = Field(ge=1, le=10)
    cooccurrence: float = Field(ge=0)
    prior: float = Field(ge=0)
    default: float = Field(ge=0)
    margin: float = Field(ge=0)
    minimum: float = Field(ge=0)
    shouting: float = Field(gt=0, le=1)
    library_senses: int = Field(ge=0, le=50, description="senses whose library share is read")


class AbbreviationTable(BaseModel):
    """The validated contents of `abbreviations.toml`."""

    model_config = ConfigDict(extra="forbid")
    scoring: _Scoring
    common_words: frozenset[str]
    forms: list[_Form]
    _index: dict[str, _Form] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _unique_forms(self) -> AbbreviationTable:
        self._index = {form.sf.upper(): form for form in self.forms}
        if len(self._index) != len(self.forms):
            raise ValueError("a short form is curated twice")
        return self

    def curated(self, short_form: str) -> _Form | None:
        return self._index.get(short_form.upper())


@cache
def abbreviation_table() -> AbbreviationTable:
    """The packaged curated table, parsed and validated once."""
    raw = resources.files("medoracle.query").joinpath("abbreviations.toml").read_text("utf-8")
    return AbbreviationTable.model_validate(tomllib.loads(raw))


class _Candidate(NamedTuple):
    long: str
    context: tuple[str, ...]
    prior: float
    default: bool


def is_shouted(query: str, threshold: float) -> bool:
    """True when most letters are capitals ("HOW TO TREAT A BURN")."""
    letters = [ch for ch in query if ch.isalpha()]
    return len(letters) >= 8 and sum(ch.isupper() for ch in letters) / len(letters) > threshold


def is_candidate(token: str, shouted: bool, lexicon: Lexicon, table: AbbreviationTable) -> bool:
    """Whether `token` is written like an abbreviation this lexicon or table can expand.

    Lower-case tokens ("sle") only for curated forms that are not English words; tokens with
    capitals only when mostly capitals ("IVIg", not "Ms"); in a shouted question only curated
    forms that are not English words.
    """
    if not 2 <= len(token) <= 10:
        return False
    lower = token.lower()
    curated = table.curated(token) is not None
    if token.islower() or shouted:
        return curated and lower not in table.common_words
    capitals = sum(ch.isupper() or ch.isdigit() for ch in token)
    if sum(ch.isupper() for ch in token) < 2 or capitals / len(token) <= 0.5:
        return False
    return curated or token in lexicon


def _candidates(token: str, lexicon: Lexicon, table: AbbreviationTable) -> list[_Candidate]:
    form = table.curated(token)
    if form is not None:
        return [_Candidate(s.long, tuple(s.context), 0.0, s.default) for s in form.senses]
    return [_Candidate(s.long, (), s.prior, False) for s in lexicon.senses(token)]


def context_hits(candidate: _Candidate, words: Sequence[str]) -> list[str]:
    """Cue words (curated prefixes, then the long form's own words) found in `words`."""
    own = [w for w in normalise_long_form(candidate.long).split() if len(w) >= 4]
    cues = [normalise_long_form(c) for c in candidate.context] + own
    return [cue for cue in dict.fromkeys(cues) if any(word.startswith(cue) for word in words)]


def _library_shares(
    candidates: Sequence[_Candidate], cooccurs: Cooccurs | None, looked_up: int
) -> list[float]:
    """Each sense's share of the library's mentions; only the first `looked_up` senses are
    looked up, the rest count 0."""
    if cooccurs is None or len(candidates) < 2:
        return [0.0] * len(candidates)
    counts = [max(0, cooccurs(c.long)) if i < looked_up else 0 for i, c in enumerate(candidates)]
    total = sum(counts)
    return [n / total if total else 0.0 for n in counts]


def choose_sense(
    candidates: Sequence[_Candidate],
    words: Sequence[str],
    scoring: _Scoring,
    cooccurs: Cooccurs | None = None,
) -> tuple[str, str] | None:
    """(long form, reason) for the clearly best sense, or None when no sense clearly wins."""
    if not candidates:
        return None
    shares = _library_shares(candidates, cooccurs, scoring.library_senses)
    scored = []
    for candidate, share in zip(candidates, shares, strict=True):
        hits = context_hits(candidate, words)
        score = (
            scoring.context * min(len(hits), scoring.max_hits)
            + scoring.cooccurrence * share
            + scoring.prior * candidate.prior
            + scoring.default * candidate.default
        )
        scored.append((score, hits, share, candidate))
    scored.sort(key=lambda row: -row[0])
    best, runner_up = scored[0], (scored[1][0] if len(scored) > 1 else 0.0)
    if best[0] < scoring.minimum or best[0] - runner_up < scoring.margin:
        return None
    return best[3].long, _reason(best[1], best[2], best[3])


def _reason(hits: list[str], share: float, candidate: _Candidate) -> str:
    if hits:
        return "context: " + ", ".join(hits[:3])
    if share >= 0.5:
        return f"library co-occurrence ({share:.0%})"
    if candidate.default:
        return "usual clinical sense"
    return f"most frequent sense ({candidate.prior:.0%})"


def _singular(token: str, shouted: bool, lexicon: Lexicon, table: AbbreviationTable) -> str:
    """A plural 's' after capitals is not part of the form: "NSAIDs" -> "NSAID"."""
    if len(token) > 2 and token.endswith("s") and token[-2].isupper():
        stem = token[:-1]
        plural_is_form = is_candidate(token, shouted, lexicon, table)
        if not plural_is_form and is_candidate(stem, shouted, lexicon, table):
            return stem
    return token


def expand(
    query: str,
    lexicon: Lexicon,
    cooccurs: Cooccurs | None = None,
    table: AbbreviationTable | None = None,
) -> list[Expansion]:
    """The abbreviations in `query` with the sense each stands for, where one clearly wins."""
    table = table or abbreviation_table()
    shouted = is_shouted(query, table.scoring.shouting)
    words = _WORD.findall(normalise_long_form(query))
    expansions: dict[str, Expansion] = {}
    for written in dict.fromkeys(_TOKEN.findall(query)):
        token = _singular(written, shouted, lexicon, table)
        if token.upper() in expansions or not is_candidate(token, shouted, lexicon, table):
            continue
        others = [w for w in words if w != token.lower()]
        chosen = choose_sense(_candidates(token, lexicon, table), others, table.scoring, cooccurs)
        if chosen is not None:
            expansions[token.upper()] = Expansion(token, *chosen)
    return list(expansions.values())
