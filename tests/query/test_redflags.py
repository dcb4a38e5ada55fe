from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from medoracle.eval.redflags import evaluate_redflags, redflag_questions
from medoracle.query.redflags import (
    ADVICE_PREFIX,
    RedFlag,
    RedFlagRules,
    check,
    normalise,
    red_flag_rules,
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("I've got crushing chest pain and I'm drenched in sweat", "heart_attack"),
        ("my father has pain in his chest spreading into his jaw", "heart_attack"),
        ("My wife's face is drooping on one side and she can't get her words out", "stroke"),
        ("he suddenly has weakness down his left side and slurred speech", "stroke"),
        ("i keep thinking about killing myself", "suicide"),
        ("I cant breathe and my lips are turning blue", "breathing_difficulty"),
        ("Got stung by a wasp and now my throat feels tight", "anaphylaxis"),
        ("my toddler is choking on a sweet", "choking"),
        ("My grandad collapsed and he isn't responding", "unconscious"),
        ("her seizure has gone on for over 5 minutes", "prolonged_seizure"),
        ("my 5 week old has a temperature of 38.3", "infant_fever"),
        ("I'm vomiting blood", "gi_bleeding"),
        ("fever and a stiff neck, and the light hurts my eyes", "meningitis"),
        ("the worst headache of my life came on out of nowhere", "thunderclap_headache"),
        ("my son swallowed a button battery", "poisoning_overdose"),
        ("my brother swallowed a whole bunch of his lithium on purpose", "poisoning_overdose"),
        ("sudden severe pain in my left testicle", "testicular_torsion"),
        ("I suddenly lost the vision in my right eye", "vision_loss"),
        ("I'm 20 weeks pregnant and bleeding heavily", "pregnancy_emergency"),
        ("A 60-year-old man presents with substernal chest pain and diaphoresis", "heart_attack"),
    ],
)
def test_an_acute_emergency_is_flagged_with_its_own_id(question: str, expected: str) -> None:
    flag = check(question)
    assert flag is not None, question
    assert flag.id == expected


@pytest.mark.parametrize(
    "question",
    [
        "I have a headache but no fever and no stiff neck",
        "Patient denies chest pain, shortness of breath or diaphoresis",
        "No chest pain, no sweating; just heartburn after meals",
        "wasp sting on my hand, without any swelling of my lips or throat",
        "not suicidal, just stressed about exams",
    ],
)
def test_negated_findings_do_not_fire(question: str) -> None:
    assert check(question) is None


@pytest.mark.parametrize(
    "question",
    [
        "history of stroke, what blood pressure target?",
        "I had a heart attack 5 years ago, can I go skiing?",
        "after my stroke last year, how long until I can drive",
        "How can I prevent a stroke?",
        "risk factors for heart attack in women",
        "What is anaphylaxis?",
        "what causes meningitis",
        "What causes a stiff neck and fever in children?",
        "incidence of sepsis in older adults",
        "What is the adult dose of IM epinephrine for anaphylaxis?",
        "How is chronic heart failure managed?",
        "What should you do if someone is choking?",
        "How can I stop my toddler from choking on grapes?",
    ],
)
def test_history_prevention_definition_and_drug_questions_are_routine(question: str) -> None:
    assert check(question) is None


def test_case_punctuation_apostrophes_and_light_typos_are_handled() -> None:
    for question in (
        "CANT BREATHE!!! lips going blue",
        "can’t breathe… lips going blue",
        "cant breath, lips going blue",
        "i cannot breathe and my lips are blue",
    ):
        flag = check(question)
        assert flag is not None and flag.id == "breathing_difficulty", question
    assert normalise("My son’s temp is 38.5°C; BP 80/45.") == (
        "my sons temp is 38.5 c . bp 80/45 ."
    )


def test_every_advice_line_opens_with_the_emergency_phrase_and_names_who_to_call() -> None:
    for flag in red_flag_rules().flags:
        assert flag.advice.startswith(ADVICE_PREFIX)
        assert "seek emergency care" in flag.advice.lower()
        assert "local emergency number" in flag.advice
        assert flag.source
    result = check("I want to end my life")
    assert isinstance(result, RedFlag)
    assert result.advice.lower().startswith("seek emergency care now")
    assert "988" in result.advice


def test_the_required_emergencies_all_have_a_flag() -> None:
    ids = {flag.id for flag in red_flag_rules().flags}
    assert {
        "heart_attack", "stroke", "suicide", "anaphylaxis", "severe_allergic_reaction",
        "severe_bleeding", "gi_bleeding", "meningitis", "breathing_difficulty", "unconscious",
        "prolonged_seizure", "thunderclap_headache", "poisoning_overdose", "severe_burns",
        "head_injury", "sepsis", "pregnancy_emergency", "infant_fever", "child_dehydration",
        "vision_loss", "testicular_torsion", "dka", "choking",
    } <= ids  # fmt: skip


def test_the_labelled_set_is_large_balanced_and_free_of_duplicates() -> None:
    questions = redflag_questions()
    labels = Counter(q.label for q in questions)
    assert labels["emergency"] >= 120 and labels["routine"] >= 120
    assert len({q.id for q in questions}) == len(questions)
    assert len({normalise(q.text) for q in questions}) == len(questions)
    for split in ("dev", "test"):
        in_split = Counter(q.label for q in questions if q.split == split)
        assert in_split["emergency"] >= 50 and in_split["routine"] >= 50
    dev = sum(q.split == "dev" for q in questions)
    assert 0.4 <= dev / len(questions) <= 0.6
    hard = Counter(q.kind for q in questions if q.label == "routine")
    assert hard["history"] >= 10 and hard["prevention"] >= 10 and hard["negation"] >= 5


def test_held_out_test_split_meets_the_recall_and_false_alarm_targets() -> None:
    result = evaluate_redflags("test")
    assert result["questions"] >= 100
    assert result["recall"] >= 0.95, result["misses"]
    assert result["false_alarm_rate"] <= 0.05, result["false_alarms"]
    assert result["emergencies"] + result["routine"] == result["questions"]


def test_evaluation_report_is_consistent_and_rejects_unknown_splits() -> None:
    result = evaluate_redflags("all")
    assert result["split"] == "all"
    assert result["questions"] == len(redflag_questions())
    flagged = sum(c["detected"] for c in result["per_flag"].values())
    assert flagged == result["emergencies"] - len(result["misses"])
    alarms = sum(c["false_alarms"] for c in result["per_flag"].values())
    assert alarms == len(result["false_alarms"])
    with pytest.raises(ValueError, match="dev"):
        evaluate_redflags("train")


def test_upper_case_gives_the_same_answer_for_every_labelled_question() -> None:
    for question in redflag_questions():
        assert check(question.text.upper()) == check(question.text), question.text


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20_000))
def test_never_raises_on_any_unicode_text(text: str) -> None:
    result = check(text)
    assert result is None or result.advice.startswith(ADVICE_PREFIX)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([q.text for q in redflag_questions()]),
    st.lists(st.sampled_from([" ", "  ", "\t", "\n", " \u00a0"]), min_size=1, max_size=8),
)
def test_whitespace_does_not_change_the_answer(question: str, spaces: list[str]) -> None:
    words = question.split(" ")
    spaced = "".join(w + spaces[i % len(spaces)] for i, w in enumerate(words))
    assert check(spaced) == check(question)


def test_long_messages_are_read_whole() -> None:
    filler = "I have been reading about healthy diets and exercise for weeks. " * 300
    flag = check(filler + "Right now my husband is choking and can't breathe.")
    assert flag is not None and flag.id == "choking"  # its speed: `bench.components`


def _rules(**flag: Any) -> dict[str, Any]:
    row = {
        "id": "x",
        "name": "X",
        "advice": f"{ADVICE_PREFIX}: call 911.",
        "source": "test",
        "cues": [["\\bx\\b"]],
    }
    row.update(flag)
    return {
        "spelling": {},
        "terms": {"t": "\\bterm\\b"},
        "context": {"terminator": "[.]", "present": ["\\bi\\b"], "general": ["^what\\b"]},
        "contexts": [{"name": "negation", "before": "\\bno\\b", "window": 3}],
        "flags": [row],
    }


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ({"advice": "Call 911."}, "must start with"),
        ({"cues": [["{missing}"]]}, "unknown term"),
        ({"cues": [["a.*b"]]}, "unbounded"),
        ({"cues": [["x?"]]}, "empty string"),
        ({"cues": [["(unclosed"]]}, "invalid pattern"),
    ],
)
def test_the_rules_file_is_validated(flag: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RedFlagRules.model_validate(_rules(**flag))


def test_rules_from_data_apply_terms_negation_proximity_and_the_general_frame() -> None:
    rules = RedFlagRules.model_validate(_rules(cues=[{"all": ["{t}", "\\bnow\\b"], "within": 2}]))
    assert rules.check("i have term right now") is not None
    assert rules.check("i have no term right now") is None
    assert rules.check("i have term and then quite a while later now") is None
    assert rules.check("what is term now") is None
    assert re.fullmatch(r"[a-z_]+", rules.flags[0].id)
