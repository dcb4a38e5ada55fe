"""Evaluation of query understanding on medoracle's own labelled questions."""

from __future__ import annotations

from medoracle.query.eval.qtype_eval import LabelledQuestion, evaluate_qtype, labelled_questions

__all__ = ["LabelledQuestion", "evaluate_qtype", "labelled_questions"]
