"""The project's question bank for `medoracle eval quality`: questions a physician or a
patient asks, each with its focus, the key points a physician expects in the answer, and
the library documents that hold them.

The bank is data (`eval/questions/*.toml`), written by the project before any tuning of
the composer; `splits/quality.json` fixes which ids are dev and which are test. A key point
is a list of short alternative phrases ("80 mg/kg", "80-90 mg/kg"); a page states the key
point when it holds any of them (`mentions`). Questions the library cannot answer have
`covered = false` and no key points.

`check_bank` verifies the bank against a built library: every key point of a covered
question is found in one of its listed documents. `write_split` fixed the split once.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from collections import Counter
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from medoracle.corpus.store import Library
from medoracle.errors import ConfigError

__all__ = [
    "Ask",
    "BankQuestion",
    "Wording",
    "check_bank",
    "load_bank",
    "mentions",
    "normalise_for_match",
    "quality_split",
    "write_split",
]


class Ask(StrEnum):
    """What a question asks for; the kinds the bank must cover."""

    TREATMENT = "treatment"  # treatment, management, first-line choice
    DOSE = "dose"
    ADVERSE_EFFECTS = "adverse_effects"
    INTERACTIONS = "interactions"
    DIAGNOSIS = "diagnosis"  # diagnosis, work-up, a test and its thresholds
    YES_NO = "yes_no"
    PROGNOSIS = "prognosis"
    PREVENTION = "prevention"  # prevention and screening
    TIMING = "timing"  # timing or duration
    COMPARISON = "comparison"
    WHAT_TO_DO = "what_to_do"  # "what should I do now"
    SYMPTOMS = "symptoms"
    CAUSE = "cause"  # causes, risk factors, mechanism
    DEFINITION = "definition"


class Wording(StrEnum):
    CLINICAL = "clinical"
    CONSUMER = "consumer"


Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]


class BankQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z]+-\d{3}$")]
    text: Annotated[str, StringConstraints(min_length=8, max_length=400)]
    specialty: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    ask: Ask
    wording: Wording
    covered: bool = True
    focus: list[Phrase] = Field(min_length=1, max_length=12)
    key_points: list[list[Phrase]] = Field(default_factory=list, max_length=6)
    documents: list[str] = Field(default_factory=list, max_length=8)
    note: str = ""

    @model_validator(mode="after")
    def _shape(self) -> BankQuestion:
        if self.covered:
            if not 2 <= len(self.key_points) <= 6:
                raise ValueError(f"{self.id}: a covered question has 2-6 key points")
            if not self.documents:
                raise ValueError(f"{self.id}: a covered question names its documents")
            for point in self.key_points:
                if not point:
                    raise ValueError(f"{self.id}: a key point needs at least one phrase")
        elif self.key_points or self.documents:
            raise ValueError(f"{self.id}: an uncovered question has no key points or documents")
        return self


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")


def normalise_for_match(text: str) -> str:
    """Lower case, compatibility forms (µ, ≥ kept), one kind of dash, single spaces, and
    no space around a slash or hyphen ("mg / kg" == "mg/kg")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DASHES.sub("-", text)
    text = re.sub(r"\s*([/-])\s*", r"\1", text)
    return _SPACES.sub(" ", text).strip()


@cache
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    norm = normalise_for_match(phrase)
    left = r"(?<![a-z0-9])" if norm[:1].isalnum() else ""
    right = r"(?![a-z0-9])" if norm[-1:].isalnum() else ""
    return re.compile(left + re.escape(norm) + right)


def mentions(text: str, phrases: list[str]) -> bool:
    """Whether normalised `text` holds any of `phrases` as whole words."""
    norm = normalise_for_match(text)
    return any(_phrase_pattern(p).search(norm) for p in phrases)


@cache
def load_bank() -> tuple[BankQuestion, ...]:
    """Every question of every bank file, ids unique."""
    folder = resources.files("medoracle.eval").joinpath("questions")
    questions: list[BankQuestion] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            raw = tomllib.loads(entry.read_text("utf-8"))
            questions.extend(BankQuestion(**q) for q in raw.get("question", []))
    counts = Counter(q.id for q in questions)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if repeated:
        raise ValueError(f"question ids repeated in the bank: {', '.join(repeated)}")
    return tuple(questions)


def quality_split(question_id: str) -> str:
    """The fixed rule behind `splits/quality.json`: sha1 of the id, odd -> test."""
    digest = hashlib.sha1(f"quality:{question_id}".encode()).digest()
    return "test" if digest[-1] % 2 else "dev"


def check_bank(library_path: Path) -> dict[str, Any]:
    """The bank against the library at `library_path`: every key point of a covered
    question must be found in the title or passages of one of its listed documents.
    Returns a summary of the bank with `problems` (a count) and `findings` (one line per
    missing document or key point not found); the bank is sound when `problems` is 0."""
    bank = load_bank()
    findings: list[str] = []
    with Library.open(library_path) as library:
        for question in bank:
            if not question.covered:
                continue
            texts: list[str] = []
            for doc_id in question.documents:
                document = library.document(doc_id)
                if document is None:
                    findings.append(f"{question.id}: document {doc_id} is not in the library")
                    continue
                texts.append(document.title)
                texts.extend(library.passage_texts(doc_id))
            joined = "\n".join(texts)
            for point in question.key_points:
                if not mentions(joined, point):
                    findings.append(
                        f"{question.id}: key point {point} not found in {question.documents}"
                    )
    asks = Counter(q.ask.value for q in bank if q.covered)
    specialties = Counter(q.specialty for q in bank if q.covered)
    consumer = sum(q.wording is Wording.CONSUMER for q in bank if q.covered)
    covered = sum(q.covered for q in bank)
    return {
        "questions": len(bank),
        "covered": covered,
        "uncovered": len(bank) - covered,
        "consumer_share": round(consumer / max(1, covered), 3),
        "asks": dict(sorted(asks.items())),
        "specialties": dict(sorted(specialties.items())),
        "problems": len(findings),
        "findings": findings,
    }


def write_split(path: Path | None = None) -> dict[str, Any]:
    """Fix the dev/test split of every question in the bank by its id (`quality_split`),
    once, before any tuning: an existing split file is never rewritten (`ConfigError`).
    `path` defaults to the package's `splits/quality.json`."""
    if path is None:
        path = Path(
            str(resources.files("medoracle.eval").joinpath("splits").joinpath("quality.json"))
        )
    if path.is_file():
        raise ConfigError(
            f"{path} exists: the split is fixed; remove it only to start the bank again"
        )
    bank = load_bank()
    split = {
        "dataset": "quality",
        "rule": "sha1('quality:'+id), last byte odd -> test, even -> dev; fixed before tuning",
        "dev": sorted(q.id for q in bank if quality_split(q.id) == "dev"),
        "test": sorted(q.id for q in bank if quality_split(q.id) == "test"),
    }
    with path.open("w", encoding="utf-8") as handle:
        json.dump(split, handle, indent=0)
        handle.write("\n")
    return {"path": str(path), "dev": len(split["dev"]), "test": len(split["test"])}
