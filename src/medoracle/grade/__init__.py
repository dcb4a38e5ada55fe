"""Evidence grading as data: publication type to level and label (see evidence.toml)."""

from __future__ import annotations

from medoracle.grade.levels import EvidenceTable, Grade, evidence_table
from medoracle.grade.publication import PubType, Status

__all__ = ["EvidenceTable", "Grade", "PubType", "Status", "evidence_table"]
