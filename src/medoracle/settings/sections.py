"""The sections of `Settings`: search, answers, the language model, live PubMed and the web
app, each a validated model whose every field is described and bounded."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = [
    "AnswerSettings",
    "LlmSettings",
    "PubmedSettings",
    "RerankWeights",
    "RetrievalSettings",
    "WebSettings",
]


class RerankWeights(BaseModel):
    """Weights of the re-ranking features (see `medoracle.retrieve.rerank`); tuned on the
    dev splits only."""

    model_config = ConfigDict(extra="forbid")

    fused: float = Field(1.0, ge=0, le=10, description="RRF score, scaled to the best candidate")
    match: float = Field(1.5, ge=0, le=10, description="IDF-weighted share of question words found")
    title: float = Field(
        0.3, ge=0, le=10, description="share of the source title's words asked about"
    )
    level: float = Field(0.1, ge=0, le=10, description="evidence level, guideline highest")
    recency: float = Field(0.05, ge=0, le=10, description="publication year, 10-year half-life")
    kind: float = Field(0.1, ge=0, le=10, description="recommendation/conclusion over background")
    audience: float = Field(0.2, ge=0, le=10, description="passage written for the asked audience")


class RetrievalSettings(BaseModel):
    """How search gathers, fuses and re-ranks candidates."""

    model_config = ConfigDict(extra="forbid")

    lexical_candidates: int = Field(100, ge=10, le=5000, description="BM25 candidates per query")
    dense_candidates: int = Field(100, ge=10, le=5000, description="dense candidates per query")
    rrf_k: int = Field(60, ge=1, le=1000, description="RRF constant (Cormack et al. 2009)")
    rerank_depth: int = Field(100, ge=10, le=5000, description="fused candidates re-ranked")
    title_boost: float = Field(0.5, ge=0, le=20, description="BM25 weight of title over text")
    keyword_boost: float = Field(
        0.5, ge=0, le=20, description="BM25 weight of MeSH headings and topics over text"
    )
    expansion_weight: float = Field(
        0.5, ge=0, le=1, description="query weight of abbreviation and MeSH expansions"
    )
    encoder: str = Field("static", description="dense encoder: static (distilled) or minilm")
    weights: RerankWeights = Field(default_factory=RerankWeights)


class AnswerSettings(BaseModel):
    """How `ask` gathers, selects and verifies the statements of an answer page."""

    model_config = ConfigDict(extra="forbid")

    documents: int = Field(20, ge=1, le=200, description="top documents whose passages are read")
    relevance_floor: float | None = Field(
        None,
        ge=0,
        le=1,
        description="least relevance probability for a statement to be shown; default: the "
        "floor in answer/relevance.json, tuned on the question bank's dev split",
    )
    support_floor: float | None = Field(
        None,
        ge=0,
        le=1,
        description="least verifier support for a statement to be shown; default: the "
        "verifier's floor fitted on HealthVer dev",
    )
    max_statements: int = Field(
        18, ge=1, le=100, description="statements per page, bottom line out"
    )
    max_candidates: int = Field(
        200,
        ge=10,
        le=100_000,
        description="clean sentences considered per question, best-ranked sources first",
    )
    max_per_document: int = Field(20, ge=1, le=100, description="statements from any one source")
    bottom_line: int = Field(2, ge=1, le=5, description="statements in the bottom line")
    duplicate_overlap: float = Field(
        0.7, ge=0, le=1, description="word overlap at which a sentence counts as a near-duplicate"
    )
    outdated_years: int = Field(
        10, ge=1, le=100, description="a guideline older than this is flagged as possibly outdated"
    )
    lead_weight: float = Field(
        0.5,
        ge=0,
        le=5,
        description="logit units a bottom-line cue (graded, first section, patient-written...) "
        "is worth beside the ranking model's logit",
    )
    second_margin: float = Field(
        1.0,
        ge=0,
        le=10,
        description="how much weaker (logit units) a second bottom-line statement may be than "
        "the first",
    )
    section_saturation: float = Field(
        0.08,
        ge=0,
        le=1,
        description="share of its score a candidate loses for each statement its section "
        "already shows",
    )
    general_per_section: int = Field(
        1,
        ge=0,
        le=20,
        description="statements per section about the condition in general when the question "
        "names a complaint",
    )
    patient_max_grade: float = Field(
        13.0,
        ge=1,
        le=30,
        description="hardest sentence (Flesch-Kincaid grade) a patient page considers",
    )
    patient_sources: int = Field(
        3,
        ge=1,
        le=100,
        description="patient-information statements that make a patient page draw on them "
        "alone (when one answers outright)",
    )
    conflict_overlap: float = Field(
        0.5,
        ge=0,
        le=1,
        description="word overlap at which two high-level sources, one negated, are flagged "
        "as conflicting",
    )


class LlmSettings(BaseModel):
    """The language model that may write pages (`composer = "llm"`): any server speaking
    the OpenAI Chat Completions protocol (vLLM, llama.cpp server, Ollama, hosted APIs)."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(
        "",
        description="the server's OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1",
    )
    model: str = Field(
        "", description="model name; empty: the first model the server lists under /models"
    )
    api_key: SecretStr | None = Field(
        None, description="bearer token; never logged (prefer api_key_file)"
    )
    api_key_file: Path | None = Field(
        None, description="file holding the bearer token; must be readable by its owner only"
    )
    timeout_s: float = Field(120.0, gt=0, le=3600, description="seconds to wait for one reply")
    max_tokens: int = Field(1200, ge=64, le=32_000, description="most tokens the model writes")
    temperature: float = Field(0.0, ge=0, le=2, description="sampling temperature; 0 repeats")
    retries: int = Field(3, ge=0, le=10, description="retries after a 429 or 5xx reply")
    evidence: int = Field(
        24, ge=1, le=200, description="numbered evidence sentences given to the model"
    )
    min_statements: int = Field(
        2,
        ge=1,
        le=50,
        description="verified statements the model's page must keep, else the page is "
        "composed from the sources' own sentences and says so",
    )


class PubmedSettings(BaseModel):
    """Live PubMed through NCBI E-utilities: off by default, so offline use never waits."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        False, description="let `ask` and `search` query PubMed and ingest what they find"
    )
    base_url: str = Field(
        "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
        description="E-utilities base URL (a mirror or a test server)",
    )
    tool: str = Field("medoracle", min_length=1, description="the `tool` parameter NCBI asks for")
    email: str = Field("", description="the `email` parameter NCBI asks for: a contact address")
    api_key: SecretStr | None = Field(
        None, description="NCBI API key: 10 requests a second instead of 3; never logged"
    )
    max_results: int = Field(10, ge=1, le=200, description="records fetched per question")
    years: int = Field(10, ge=1, le=100, description="only records published in this many years")
    cache_hours: float = Field(
        24.0, ge=0, le=24 * 365, description="an identical request is answered from the cache"
    )
    timeout_s: float = Field(15.0, gt=0, le=300, description="seconds to wait for one reply")
    retries: int = Field(3, ge=0, le=10, description="retries after a 429, 5xx or timeout")


class WebSettings(BaseModel):
    """How `medoracle serve` answers, limits and remembers."""

    model_config = ConfigDict(extra="forbid")

    ask_per_minute: int = Field(
        10, ge=1, le=100_000, description="new questions one client may ask per minute"
    )
    max_body_bytes: int = Field(
        65_536, ge=1024, le=10_000_000, description="largest request body accepted"
    )
    session_hours: float = Field(12, gt=0, le=24 * 30, description="a sign-in lasts this long")
    secure_cookies: bool = Field(
        False,
        description="always mark cookies Secure; off, they are marked when the request came "
        "over HTTPS (directly or by a trusted proxy's X-Forwarded-Proto)",
    )
    related_floor: float = Field(
        0.5, ge=0, le=1, description="least question similarity for a related question"
    )
    related_count: int = Field(5, ge=0, le=50, description="related questions shown")
    related_encoder: Literal["minilm", "static", "none"] = Field(
        "minilm",
        description="question encoder for related questions: minilm (MiniLM-L6 on one thread), "
        "static (the distilled table) or none (no related questions); questions embedded by "
        "another encoder are not compared",
    )
    page_cache: int = Field(512, ge=0, le=100_000, description="rendered pages kept in memory")
    log_questions: bool = Field(
        False, description="write question text into the access log (off: route names only)"
    )
    trusted_proxies: str = Field(
        "",
        max_length=4000,
        description="comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; empty: none, so a client is "
        "always its own connection's address",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        """Each entry an IP address or network, so a typo is an error, not a silent miss."""
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (like 10.0.0.1 or 10.0.0.0/8)"
                ) from None
        return ",".join(entries)
