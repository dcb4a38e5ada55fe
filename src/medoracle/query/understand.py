"""Understand a question: clean it, type it, expand its abbreviations and MeSH headings.

`understand` is the first stage of the pipeline in DESIGN.md: a pure function of the question
and the loaded resources, returning a `ParsedQuery` whose `expanded_terms()` retrieval adds to
the query with weights below 1, so an expansion can help recall without outweighing the
words the user typed.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict

from medoracle.query.abbreviations import Cooccurs, Expansion, Lexicon, expand
from medoracle.query.mesh import Descriptor, MeshTree, mesh_key, natural_order
from medoracle.query.qtype import QType, classify

__all__ = [
    "MAX_CHARS",
    "MeshTerm",
    "ParsedQuery",
    "QueryResources",
    "WeightedTerm",
    "normalise",
    "understand",
]

log = logging.getLogger(__name__)
_R = TypeVar("_R")

MAX_CHARS = 2_000
# Weights of added terms relative to the user's own words (weight 1). Expansions of an
# abbreviation the user typed are near-synonyms; a MeSH heading's natural-order name is its
# synonym; a broader heading widens the topic and so counts least.
EXPANSION_WEIGHT = 0.8
MESH_SYNONYM_WEIGHT = 0.6
MESH_BROADER_WEIGHT = 0.3
MAX_BROADER = 3


class WeightedTerm(NamedTuple):
    term: str
    weight: float
    origin: str  # "abbreviation", "mesh" or "mesh-broader"


class MeshTerm(NamedTuple):
    matched: str
    ui: str
    heading: str
    how: str
    broader: tuple[str, ...]
    trees: tuple[str, ...] = ()


class ParsedQuery(BaseModel):
    """A question as the rest of the pipeline sees it."""

    model_config = ConfigDict(frozen=True)

    original: str
    text: str
    truncated: bool
    qtype: QType
    expansions: tuple[Expansion, ...] = ()
    mesh: tuple[MeshTerm, ...] = ()

    def expanded_terms(self) -> list[WeightedTerm]:
        """Terms to add to the query, weighted below 1, none already in the question."""
        present = f" {mesh_key(self.text)} "
        terms: dict[str, WeightedTerm] = {}

        def add(term: str, weight: float, origin: str) -> None:
            key = mesh_key(term)
            if key and f" {key} " not in present and key not in terms:
                terms[key] = WeightedTerm(term, weight, origin)

        for expansion in self.expansions:
            add(expansion.long, EXPANSION_WEIGHT, "abbreviation")
        for term in self.mesh:
            add(natural_order(term.heading).lower(), MESH_SYNONYM_WEIGHT, "mesh")
        for term in self.mesh:
            for broader in term.broader[:MAX_BROADER]:
                add(natural_order(broader).lower(), MESH_BROADER_WEIGHT, "mesh-broader")
        return list(terms.values())


@dataclass(frozen=True)
class QueryResources:
    """The lexicon and MeSH tree `understand` uses; None where unavailable (no expansion)."""

    lexicon: Lexicon | None = None
    mesh: MeshTree | None = None

    @classmethod
    def empty(cls) -> QueryResources:
        return cls()

    @classmethod
    def load(cls, data_dir: Path | None, cache_dir: Path) -> QueryResources:
        """Load (building on first use) the caches in `cache_dir` from `data_dir`.

        A missing data folder or source file gives empty resources for that part, not an error:
        understanding works without expansion.
        """
        if data_dir is None or not data_dir.is_dir():
            return cls.empty()
        return cls(
            lexicon=_load_or_none(Lexicon.from_data_dir, data_dir, cache_dir),
            mesh=_load_or_none(MeshTree.from_data_dir, data_dir, cache_dir),
        )


def _load_or_none(loader: Callable[[Path, Path], _R], data_dir: Path, cache_dir: Path) -> _R | None:
    try:
        return loader(data_dir, cache_dir)
    except FileNotFoundError as exc:
        log.info("query expansion resource unavailable: %s", exc)
        return None


_WHITESPACE_CONTROLS = re.compile(r"[\t\n\r\v\f\x1c-\x1f\x85\u2028\u2029]")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def normalise(question: str, max_chars: int = MAX_CHARS) -> tuple[str, bool]:
    """(cleaned text, truncated?): line breaks and tabs become spaces; other control, format,
    surrogate, private-use and unassigned characters are dropped; whitespace is collapsed; the
    text is cut to `max_chars` characters."""
    spaced = _WHITESPACE_CONTROLS.sub(" ", question)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    text = " ".join(kept.split())
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars].rstrip(), True


def _mesh_terms(text: str, expansions: list[Expansion], mesh: MeshTree) -> list[MeshTerm]:
    """Headings named in the question or in its abbreviations' long forms, with parents."""
    seen: dict[str, MeshTerm] = {}
    for source in (text, *(e.long for e in expansions)):
        for match in mesh.match(source):
            descriptor: Descriptor = match.descriptor
            if descriptor.ui not in seen:
                broader = tuple(mesh.broader(descriptor.heading))
                seen[descriptor.ui] = MeshTerm(
                    match.text,
                    descriptor.ui,
                    descriptor.heading,
                    match.how,
                    broader,
                    descriptor.tree_numbers,
                )
    return list(seen.values())


def understand(
    question: str, resources: QueryResources, cooccurs: Cooccurs | None = None
) -> ParsedQuery:
    """Parse `question`; raises ValueError when it holds no visible text.

    `cooccurs(phrase)`, when given, is the number of library passages containing `phrase`;
    it helps choose among an abbreviation's senses.
    """
    text, truncated = normalise(question)
    if not text:
        raise ValueError("the question is empty: type a question with at least one word")
    expansions = expand(text, resources.lexicon, cooccurs) if resources.lexicon else []
    mesh = _mesh_terms(text, expansions, resources.mesh) if resources.mesh else []
    return ParsedQuery(
        original=question,
        text=text,
        truncated=truncated,
        qtype=classify(text),
        expansions=tuple(expansions),
        mesh=tuple(mesh),
    )
