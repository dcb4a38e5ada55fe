"""`ask --composer llm`, `eval`-free: the CLI against a fake OpenAI-compatible server, and
live PubMed (`pubmed fetch`, `ask` with PubMed on) against a fake E-utilities server."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from cli_kit import run as _run
from medoracle.answer.model import Answer

sys.path.insert(0, str(Path(__file__).parents[1] / "pubmed"))
from fake_eutils import efetch, esearch_json

from fake_model import echoing_model

INVENTED = Path(__file__).parents[1] / "answer" / "fixtures" / "ngc_invented.jsonl"
QUESTION = "What is the management of Varnell syndrome with progressive leg weakness?"


def _library() -> None:
    code, _, err = _run("ingest", "ngc", str(INVENTED))
    assert code == 0, err


def test_ask_with_the_model_shows_only_verified_prose(
    home: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _library()
    httpserver.expect_request("/v1/chat/completions").respond_with_handler(echoing_model)
    monkeypatch.setenv("MEDORACLE_LLM__BASE_URL", httpserver.url_for("/v1"))
    monkeypatch.setenv("MEDORACLE_LLM__MODEL", "fake-model")
    code, out, err = _run("ask", QUESTION, "--composer", "llm", "--format", "json")
    assert code == 0, err
    answer = Answer.model_validate(json.loads(out))
    report = answer.provenance.model
    assert answer.provenance.composer == "llm" and report is not None
    assert [d.reason for d in report.dropped] == ["number"]
    assert "900 mg" not in answer.text() and report.kept == 2
    code, out, _ = _run("ask", QUESTION, "--composer", "llm")
    assert "Written by the language model fake-model" in out and "(support 0." in out
    assert len(httpserver.log) == 1  # the second page came from the reply cache


def test_ask_with_no_or_a_dead_model_server_is_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _library()
    code, _, err = _run("ask", QUESTION, "--composer", "llm")
    assert code == 1 and "MEDORACLE_LLM__BASE_URL" in err and len(err.strip().splitlines()) == 1
    monkeypatch.setenv("MEDORACLE_LLM__BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MEDORACLE_LLM__MODEL", "m")
    code, _, err = _run("ask", QUESTION, "--composer", "llm")
    assert code == 1 and "cannot reach the language model server" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    code, out, _ = _run("ask", QUESTION)  # without the model: unchanged
    assert code == 0 and "Bottom line:" in out


def test_pubmed_fetch_ingests_and_ask_goes_on_without_pubmed(
    home: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _library()
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(efetch)
    monkeypatch.setenv("MEDORACLE_PUBMED__BASE_URL", httpserver.url_for("/eutils"))
    monkeypatch.setenv("MEDORACLE_PUBMED__CACHE_HOURS", "0")  # no cache shared with others
    code, out, err = _run("pubmed", "fetch", "dressing burns", "--max", "3", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["new"] == ["90000001", "90000002", "90000003"]
    assert report["ingest"]["added"] >= 2 and "indexes" in report["ingest"]
    code, out, _ = _run("library", "show", "pubmed:90000001")
    assert code == 0 and "PMID" in out
    monkeypatch.setenv("MEDORACLE_PUBMED__ENABLED", "true")
    monkeypatch.setenv("MEDORACLE_PUBMED__BASE_URL", "http://127.0.0.1:9/eutils")
    monkeypatch.setenv("MEDORACLE_PUBMED__RETRIES", "0")
    code, out, err = _run("ask", QUESTION)
    assert code == 0 and "Bottom line:" in out
    assert "PubMed not searched: cannot reach PubMed" in err
