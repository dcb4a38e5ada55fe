"""Generators of real-format input for store and ingest tests."""

from __future__ import annotations

import json
from pathlib import Path


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
