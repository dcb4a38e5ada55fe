"""Evaluation questions and their gold answers, read from `../shared/data` at run time.

Retrieval sees only `Question.text`; the gold fields are used after the search, to score it.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from medoracle.errors import ConfigError

__all__ = ["DATASETS", "Question", "load_questions", "split_ids"]

DATASETS = ("bioasq", "pubmedqa", "liveqa")
_GRADES = {"1-Incorrect": 1, "2-Related": 2, "3-Incomplete": 3, "4-Excellent": 4}


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: str = ""  # BioASQ question type, when the dataset has one
    gold_pmids: frozenset[str] = frozenset()
    ideal: tuple[str, ...] = ()  # reference answers, for answer evaluation
    judgments: dict[str, int] = field(default_factory=dict)  # LiveQA: answer id -> grade 1..4


@cache
def split_ids(dataset: str) -> dict[str, frozenset[str]]:
    """The dev and test ids fixed in `medoracle/eval/splits/<dataset>.json`."""
    raw = resources.files("medoracle.eval").joinpath(f"splits/{dataset}.json").read_text("utf-8")
    data = json.loads(raw)
    return {"dev": frozenset(data["dev"]), "test": frozenset(data["test"])}


def load_questions(data_dir: Path, dataset: str, split: str) -> list[Question]:
    if dataset not in DATASETS:
        raise ConfigError(f"unknown dataset {dataset!r}; expected one of: {', '.join(DATASETS)}")
    if split not in ("dev", "test"):
        raise ConfigError(f"unknown split {split!r}; expected dev or test")
    wanted = split_ids(dataset)[split]
    reader = {"bioasq": _bioasq, "pubmedqa": _pubmedqa, "liveqa": _liveqa}[dataset]
    try:
        return [q for q in reader(data_dir) if q.id in wanted]
    except OSError as exc:
        raise ConfigError(
            f"cannot read the {dataset} evaluation data under {data_dir}: {exc}"
        ) from None


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _bioasq(data_dir: Path) -> Iterator[Question]:
    for record in _jsonl(data_dir / "bioasq" / "bioasq_taskb_golden_7b-12b.jsonl.gz"):
        pmids = frozenset(url.rstrip("/").rsplit("/", 1)[-1] for url in record["documents"])
        ideal = record.get("ideal_answer") or []
        yield Question(
            id=record["id"],
            text=record["body"],
            kind=record.get("type", ""),
            gold_pmids=pmids,
            ideal=tuple(ideal if isinstance(ideal, list) else [ideal]),
        )


def _pubmedqa(data_dir: Path) -> Iterator[Question]:
    for record in _jsonl(data_dir / "pubmedqa" / "pqal.jsonl"):
        yield Question(
            id=str(record["pubid"]),
            text=record["QUESTION"],
            kind=record.get("final_decision", ""),
            gold_pmids=frozenset([str(record["pubid"])]),
            ideal=(record.get("LONG_ANSWER", ""),),
        )


def _liveqa(data_dir: Path) -> Iterator[Question]:
    judgments: dict[str, dict[str, int]] = {}
    qrels = data_dir / "medquad" / "liveqa_test_qrels_2479_medquad.txt"
    for line in qrels.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in _GRADES:
            judgments.setdefault(f"TQ{parts[0]}", {})[parts[2].removesuffix(".txt")] = _GRADES[
                parts[1]
            ]
    for record in _jsonl(data_dir / "liveqa_med_2017" / "test_questions.jsonl"):
        if record["qid"] not in judgments:
            continue  # one question has no judged MedQuAD answers
        # The consumer's own words only: the NIST paraphrase and NLM summary are gold.
        text = f"{record.get('subject') or ''}. {record.get('message') or ''}".strip(". ")
        yield Question(id=record["qid"], text=text, judgments=judgments[record["qid"]])
