"""Query understanding: question type, abbreviation and MeSH expansion.

understand(question, resources) -> ParsedQuery
    qtype        classify() with the weighted cues of qtype.toml
    expansions   expand() with the Meta-Inventory lexicon and abbreviations.toml
    mesh         MeshTree.match() with the MeSH 2017 tree, plus broader headings
"""

from __future__ import annotations

from medoracle.query.abbreviations import Expansion, expand
from medoracle.query.lexicon import Lexicon, build_lexicon
from medoracle.query.mesh import MeshTree, build_mesh
from medoracle.query.qtype import QType, classify, scores
from medoracle.query.understand import (
    MeshTerm,
    ParsedQuery,
    QueryResources,
    WeightedTerm,
    understand,
)

__all__ = [
    "Expansion",
    "Lexicon",
    "MeshTerm",
    "MeshTree",
    "ParsedQuery",
    "QType",
    "QueryResources",
    "WeightedTerm",
    "build_lexicon",
    "build_mesh",
    "classify",
    "expand",
    "scores",
    "understand",
]
