"""Publication types and statuses: the vocabulary the evidence table grades.

They live here, below both `grade` and `corpus`, so that grading depends on nothing above
it: `corpus.models` builds documents out of these values and every loader asks
`medoracle.grade` for a level, while `grade` itself never imports `corpus`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PubType", "Status"]


class PubType(StrEnum):
    """Publication type; `medoracle.grade` maps each to an evidence level and label."""

    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    META_ANALYSIS = "meta_analysis"
    RANDOMIZED_TRIAL = "randomized_trial"
    COHORT = "cohort"
    CASE_CONTROL = "case_control"
    RESEARCH = "research"
    CASE_SERIES = "case_series"
    CASE_REPORT = "case_report"
    NARRATIVE_REVIEW = "narrative_review"
    OPINION = "opinion"
    PATIENT_INFORMATION = "patient_information"
    DRUG_LABEL = "drug_label"  # regulator-approved prescribing information (FDA SPL)


class Status(StrEnum):
    """Whether a source is in use: only current sources rank as current evidence."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    RETRACTED = "retracted"
