from __future__ import annotations

import tomllib
from importlib import resources

import pytest
from pydantic import ValidationError

from medoracle.query.eval import evaluate_qtype, labelled_questions
from medoracle.query.qtype import QType, QTypeRules, classify, qtype_rules, scores


def test_labelled_set_is_large_varied_and_split_about_evenly() -> None:
    questions = labelled_questions()
    assert len(questions) >= 180
    assert len({q.id for q in questions}) == len(questions)
    dev = sum(q.split == "dev" for q in questions)
    assert abs(dev - len(questions) / 2) <= len(questions) * 0.05
    for qtype in QType:
        assert sum(q.type == qtype for q in questions) >= 20


def test_accuracy_on_held_out_test_split_is_at_least_085() -> None:
    result = evaluate_qtype("test")
    assert result["n"] >= 90
    assert result["accuracy"] >= 0.85, result["confusions"]
    assert set(result["per_type"]) == {str(t) for t in QType}


def test_evaluation_reports_confusions_and_rejects_unknown_split() -> None:
    result = evaluate_qtype("all")
    wrong = result["n"] - round(result["accuracy"] * result["n"])
    assert len(result["confusions"]) == wrong
    with pytest.raises(ValueError, match="dev"):
        evaluate_qtype("train")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How is lupus nephritis treated?", QType.TREATMENT),
        ("first-line therapy for hypertension in black patients", QType.TREATMENT),
        ("how is celiac disease diagnosed", QType.DIAGNOSIS),
        ("work-up of microcytic anemia", QType.DIAGNOSIS),
        ("life expectancy with cystic fibrosis", QType.PROGNOSIS),
        ("what causes restless legs", QType.ETIOLOGY),
        ("pathophysiology of septic shock", QType.ETIOLOGY),
        ("side effects of methotrexate", QType.DRUG),
        ("dose of vancomycin in obesity", QType.DRUG),
        ("Does clopidogrel interact with omeprazole?", QType.DRUG),
        ("what is a pheochromocytoma", QType.DEFINITION),
        ("prevent migraine attacks", QType.PREVENTION),
        ("screening for cervical cancer age", QType.PREVENTION),
        ("my mother has heart failure, what should she do", QType.TREATMENT),
    ],
)
def test_specific_examples(question: str, expected: QType) -> None:
    assert classify(question) == expected


def test_no_cue_falls_back_to_definition_for_what_is_else_treatment() -> None:
    assert classify("what is xyzzy") == QType.DEFINITION
    assert classify("xyzzy plugh") == QType.TREATMENT
    assert all(v == 0 for v in scores("xyzzy plugh").values())


def test_scores_cover_every_type() -> None:
    assert set(scores("side effects of lithium")) == set(QType)
    assert scores("side effects of lithium")[QType.DRUG] > 0


def test_cue_table_rejects_bad_patterns_and_missing_types() -> None:
    raw = tomllib.loads(
        resources.files("medoracle.query").joinpath("qtype.toml").read_text("utf-8")
    )
    broken = dict(raw, cues=[*raw["cues"][:-1], {**raw["cues"][-1], "pattern": "(unclosed"}])
    with pytest.raises(ValidationError, match="invalid cue pattern"):
        QTypeRules.model_validate(broken)
    only_drug = dict(raw, cues=[c for c in raw["cues"] if c["type"] == "drug"])
    with pytest.raises(ValidationError, match="no cues"):
        QTypeRules.model_validate(only_drug)
    assert qtype_rules() is qtype_rules()
