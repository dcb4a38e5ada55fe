"""The one negation vocabulary (`negation.toml`) and the NegEx scopes the verifier reads with it.

Every word or phrase that says "not" is listed once, with the named subsets that read it:
`scope` and `post` (the verifier's cues before and after what they negate), `meaning` (what
a patient page's plain rewording must keep), `stance` (the composer's test for two sources
that disagree) and `advice` (advice against, which does not open a bottom line). Each reader
keeps its own subset, so merging the lists changed nothing any of them does.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

__all__ = ["Negation", "Subset", "negated_positions", "negation"]

Subset = Literal["scope", "post", "meaning", "stance", "advice"]
_CONTRACTION = ("n't", "n’t")


class _Scope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    breaks: frozenset[str] = Field(description="words and punctuation ending a scope")
    window: int = Field(ge=1, le=20, description="words a scope reaches at most")


class Negation(BaseModel):
    """The validated contents of `negation.toml`."""

    model_config = ConfigDict(extra="forbid")

    contractions: frozenset[Subset] = Field(
        description='subsets in which a word ending in "n\'t" negates'
    )
    words: dict[str, frozenset[Subset]] = Field(description="word or phrase -> its subsets")
    scope: _Scope
    _subsets: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _index(self) -> Negation:
        for word, subsets in self.words.items():
            if not subsets:
                raise ValueError(f"negation word {word!r} belongs to no subset")
            for name in subsets:
                self._subsets[name] = self._subsets.get(name, frozenset()) | {word}
        return self

    def subset(self, name: Subset) -> frozenset[str]:
        """The words and phrases of one subset."""
        return self._subsets.get(name, frozenset())

    @property
    def cues(self) -> frozenset[str]:
        """Words negating the words after them (NegEx pre-negation cues)."""
        return self.subset("scope")

    @property
    def post_cues(self) -> frozenset[str]:
        """Words negating the words before them ("... is contraindicated")."""
        return self.subset("post")

    def is_cue(self, token: str) -> bool:
        """A scope cue: listed, or a word ending in "n't" when `scope` takes contractions."""
        if token in self.subset("scope"):
            return True
        return "scope" in self.contractions and token.endswith(_CONTRACTION)

    def alternation(self, name: Subset) -> str:
        """A subset as a regex alternation, longest first, each word or phrase escaped."""
        return "|".join(re.escape(w) for w in sorted(self.subset(name), key=lambda w: (-len(w), w)))

    def words_pattern(self, name: Subset) -> re.Pattern[str]:
        """The subset as whole words, case-insensitive, with the "n't" of a contraction
        where the subset takes contractions."""
        pattern = rf"\b(?:{self.alternation(name)})\b"
        if name in self.contractions:
            pattern += r"|n['’]t\b"
        return re.compile(pattern, re.IGNORECASE)


@cache
def negation() -> Negation:
    """The packaged negation vocabulary, read once."""
    raw = resources.files("medoracle.cite").joinpath("negation.toml").read_text("utf-8")
    return Negation.model_validate(tomllib.loads(raw))


def negated_positions(tokens: Sequence[str]) -> set[int]:
    """Indexes of tokens inside a negation scope: up to `window` words after a cue, or
    before a post-cue ("... is contraindicated"), stopping at a scope break (NegEx)."""
    vocabulary = negation()
    post_cues = vocabulary.post_cues
    breaks, window = vocabulary.scope.breaks, vocabulary.scope.window
    inside: set[int] = set()
    for i, token in enumerate(tokens):
        reaches = []
        if vocabulary.is_cue(token):
            reaches.append(range(i + 1, min(len(tokens), i + 1 + window)))
        if token in post_cues:
            reaches.append(range(i - 1, max(-1, i - 1 - window), -1))
        for reach in reaches:
            for j in reach:
                if tokens[j] in breaks:
                    break
                inside.add(j)
    return inside
