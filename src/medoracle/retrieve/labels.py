"""Drug questions prefer the drug's label: its dosage section for a dose, its interactions
section for an interaction, its warnings for harms, its pregnancy section in pregnancy.

Which sections answer which question is data (`label_sections.toml`). `wanted_sections` reads
it for an analysed question; `prefer_label_sections` puts the labels of the drug the
question names first among the evidence, each represented by its passage from the wanted
section. A question that names no drug, or asks something else, and a library without drug
labels, get their evidence unchanged.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from medoracle.corpus.models import PubType
from medoracle.index.lexical import Filters
from medoracle.query.analysis import QuestionAnalysis
from medoracle.query.asks import Ask
from medoracle.query.focus import names_in
from medoracle.retrieve.search import Hit, Retriever

__all__ = ["LabelSections", "label_sections", "prefer_label_sections", "wanted_sections"]

LABEL = PubType.DRUG_LABEL.value
LABELS_SEARCHED = 10  # labels read per question: generics of one drug share a name
LABELS_PREFERRED = 2  # of those naming the drug, how many lead the evidence
LoincCode = Annotated[str, Field(pattern=r"^\d{1,7}-\d$")]


class LabelSections(BaseModel):
    """The validated contents of `label_sections.toml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    asks: dict[Ask, tuple[LoincCode, ...]] = Field(default_factory=dict)
    populations: dict[str, tuple[LoincCode, ...]] = Field(default_factory=dict)

    def codes(self, analysis: QuestionAnalysis) -> tuple[str, ...]:
        """Codes for the populations the question names, then for its ask; each once."""
        found = [code for p in analysis.populations for code in self.populations.get(p.name, ())]
        found += self.asks.get(analysis.ask, ())
        return tuple(dict.fromkeys(found))


@cache
def label_sections() -> LabelSections:
    raw = resources.files("medoracle.retrieve").joinpath("label_sections.toml").read_text("utf-8")
    return LabelSections.model_validate(tomllib.loads(raw))


def wanted_sections(analysis: QuestionAnalysis) -> tuple[str, ...]:
    """The LOINC section codes that answer `analysis`, best first; () unless it names a drug."""
    if not analysis.drugs:
        return ()
    return label_sections().codes(analysis)


def prefer_label_sections(
    retriever: Retriever, analysis: QuestionAnalysis, hits: Sequence[tuple[int, Hit]]
) -> list[tuple[int, Hit]]:
    """`hits` ((rank, hit) per document, best first) with the labels of the drug the question
    names moved to the front at rank 0, each as its passage from the best wanted section."""
    codes = wanted_sections(analysis)
    if not codes or not _has_labels(retriever):
        return list(hits)
    preferred = _label_hits(retriever, analysis, codes)
    if not preferred:
        return list(hits)
    moved = {hit.doc_id for hit in preferred}
    return [(0, hit) for hit in preferred] + [(r, h) for r, h in hits if h.doc_id not in moved]


def _has_labels(retriever: Retriever) -> bool:
    return retriever.library.has_pub_type(LABEL)


def _label_hits(
    retriever: Retriever, analysis: QuestionAnalysis, codes: tuple[str, ...]
) -> list[Hit]:
    """Labels found for the question that name one of its drugs (title or product names),
    each with its passage from the first of `codes` it has."""
    query = " ".join([*(d.names[0] for d in analysis.drugs[:2]), analysis.search_text])
    try:
        found = retriever.search(
            query, k=LABELS_SEARCHED, filters=Filters(pub_types=(LABEL,)), mode="lexical"
        ).hits
    except ValueError:  # nothing searchable
        return []
    preferred: list[Hit] = []
    documents = retriever.library.documents([hit.doc_id for hit in found])
    for hit in found:
        document = documents.get(hit.doc_id)
        if document is None:
            continue
        key = names_in(" ; ".join([document.title, *document.mesh]))
        if not any(drug.named_in(key) for drug in analysis.drugs):
            continue
        passage = _section_passage(retriever, hit, dict(document.extra), codes)
        if passage is not None:
            preferred.append(passage)
        if len(preferred) >= LABELS_PREFERRED:
            break
    return preferred


def _section_passage(
    retriever: Retriever, hit: Hit, extra: dict[str, object], codes: tuple[str, ...]
) -> Hit | None:
    """The label's first passage in the best-placed of `codes`, as a hit."""
    entries = extra.get("loinc")
    sections: dict[str, str] = {}  # passage section -> LOINC code
    for entry in entries if isinstance(entries, list) else []:
        code, _, section = str(entry).partition(" ")
        sections.setdefault(section, code)
    rows = retriever.library.passage_rows([hit.doc_id])
    ranked = [
        (codes.index(sections[row["section"]]), row["seq"], row)
        for row in rows
        if sections.get(row["section"]) in codes
    ]
    if not ranked:
        return None
    _, _, row = min(ranked, key=lambda item: item[:2])
    return Hit(
        pid=row["pid"], doc_id=hit.doc_id, seq=row["seq"], section=row["section"],
        kind=row["kind"], text=row["text"], grade=row["grade"], title=hit.title,
        score=hit.score, pmid=None, features={**hit.features, "label_section": 1.0},
    )  # fmt: skip
