from __future__ import annotations

import json
from pathlib import Path

from cli_kit import run as _run
from medoracle.answer.model import Answer

INVENTED = Path(__file__).parents[1] / "answer" / "fixtures" / "ngc_invented.jsonl"
QUESTION = "What is the management of Varnell syndrome with progressive leg weakness?"


def _library() -> None:
    code, _, err = _run("ingest", "ngc", str(INVENTED))
    assert code == 0, err


def test_ask_prints_a_cited_page_in_every_format(home: Path) -> None:
    _library()
    code, out, err = _run("ask", QUESTION)
    assert code == 0, err
    assert "Bottom line:" in out and "References" in out
    assert "\x1b[" not in out  # no colour codes when not on a terminal
    code, out, _ = _run("ask", QUESTION, "--format", "json")
    answer = Answer.model_validate(json.loads(out))
    assert answer.references and all(s.citations for s in answer.statements())
    code, out, _ = _run("ask", QUESTION, "--format", "html")
    assert out.lstrip().lower().startswith("<!doctype html>") and 'id="ref-1"' in out
    code, out, _ = _run("ask", QUESTION, "--format", "markdown")
    assert "](#ref-1)" in out


def test_ask_for_a_patient_drops_doses(home: Path) -> None:
    _library()
    code, out, err = _run("ask", QUESTION, "--audience", "patient", "--format", "json")
    assert code == 0, err
    answer = Answer.model_validate(json.loads(out))
    assert answer.audience == "patient"
    assert "mg/m2" not in answer.text() and "g/kg" not in answer.text()


def test_ask_refuses_empty_and_huge_questions_in_one_line(home: Path) -> None:
    _library()
    for question in ("", "   ", "why " * 600):
        code, _, err = _run("ask", question)
        assert code == 1
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_ask_before_any_build_says_what_to_do(home: Path) -> None:
    code, _, err = _run("ask", QUESTION)
    assert code == 1
    assert "medoracle library build" in err


def test_ask_with_an_emergency_opens_with_care_advice(home: Path) -> None:
    _library()
    code, out, err = _run("ask", "I have crushing chest pain and I am sweating right now")
    assert code == 0, err
    assert out.startswith("EMERGENCY: Seek emergency care now")


def test_eval_redflags_meets_its_targets() -> None:
    code, out, err = _run("eval", "redflags", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["questions"] >= 100
    assert report["recall"] >= 0.95 and report["false_alarm_rate"] <= 0.05
