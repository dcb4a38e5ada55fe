"""Generators of real-format input for store and ingest tests, and invented answer parts."""

from __future__ import annotations

import json
from pathlib import Path

from medoracle.answer.model import Quote, Reference, Statement
from medoracle.corpus.models import PubType


def reference(number: int, title: str = "") -> Reference:
    """An invented guideline as reference `number` (doc id `test:doc<number>`)."""
    title = title or f"Invented guideline {number}"
    return Reference(
        number=number,
        doc_id=f"test:doc{number}",
        type_label="Guideline",
        pub_type=PubType.GUIDELINE,
        evidence_level=1,
        title=title,
        citation=f"{title}.",
    )


def said(text: str, *citations: int) -> Statement:
    """A statement quoting itself from each cited invented reference."""
    quotes = [
        Quote(reference=n, passage_id=f"test:doc{n}#1", section="Recs", text=text)
        for n in citations
    ]
    return Statement(text=text, citations=list(citations), support=0.9, quotes=quotes)


def write_cochrane(path: Path, count: int, *, variant: str = "") -> Path:
    """`count` invented reviews in the cochrane_pls JSONL format."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            record = {
                "id": f"val_{i:04d}",
                "split": "val",
                "doi": f"10.1002/14651858.CD{900000 + i:06d}",
                "cd_number": f"CD{900000 + i:06d}",
                "abstract_results_conclusions": (
                    f"Trial group {i} enrolled {100 + i} participants. "
                    f"Drug {i} lowered relapse by {i % 50}% at 12 months{variant}."
                ),
                "plain_language_summary": f"Medicine {i} probably helps people stay well.",
            }
            handle.write(json.dumps(record) + "\n")
    return path
