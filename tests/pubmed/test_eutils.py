"""E-utilities against a fake server on 127.0.0.1: NCBI's parameters, pacing, retries,
the cache, every reply format, and records landing in the library."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fake_eutils import (
    BOMB,
    EFETCH_ERROR,
    ESEARCH_ERROR,
    ESEARCH_XML,
    PMIDS,
    efetch,
    esearch_json,
)
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from medoracle.corpus.store import Library
from medoracle.errors import RemoteError
from medoracle.pubmed.eutils import EUtils
from medoracle.pubmed.service import fetch_term
from medoracle.settings import PubmedSettings, Settings


class Clock:
    """A monotonic clock that sleeping moves forward."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 4))
        self.now += seconds


def eutils(server: HTTPServer, cache: Path | None = None, **changes: Any) -> tuple[EUtils, Clock]:
    settings = PubmedSettings.model_validate(
        {"base_url": server.url_for("/eutils"), "email": "dev@example.org", **changes}
    )
    clock = Clock()
    return EUtils(settings, cache, clock=clock, sleep=clock.sleep), clock


def test_esearch_json_sends_ncbis_parameters(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    client, _ = eutils(httpserver, api_key="k" * 36)
    found = client.search("sinusitis[mh]", retmax=2, mindate=2017)
    assert found.count == 3 and found.pmids == tuple(PMIDS[:2])
    sent = httpserver.log[0][0].args
    assert sent["tool"] == "medoracle" and sent["email"] == "dev@example.org"
    assert sent["api_key"] == "k" * 36 and sent["db"] == "pubmed"
    assert (sent["datetype"], sent["mindate"], sent["term"]) == ("pdat", "2017", "sinusitis[mh]")


def test_esearch_xml_is_read_too(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(
        ESEARCH_XML, content_type="text/xml"
    )
    client, _ = eutils(httpserver)
    assert client.search("x", retmax=5).pmids == ("90000002", "90000005")


@pytest.mark.parametrize(
    ("body", "kind", "message"),
    [
        (ESEARCH_ERROR, "application/json", "PubMed ESearch failed: Invalid query syntax$"),
        (BOMB, "text/xml", "declares XML entities; refused"),
        ("<eSearchResult><Count>1", "text/xml", "not well-formed XML"),
        ("<html>maintenance</html>", "text/html", "expected JSON or XML, got text/html"),
    ],
)
def test_a_bad_esearch_reply_is_one_line(
    httpserver: HTTPServer, body: str, kind: str, message: str
) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data(body, content_type=kind)
    client, _ = eutils(httpserver)
    with pytest.raises(RemoteError, match=message) as caught:
        client.search("x", retmax=5)
    assert "\n" not in str(caught.value)


def test_an_efetch_error_and_a_wrong_content_type_are_one_line(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/eutils/efetch.fcgi").respond_with_data(
        EFETCH_ERROR, content_type="text/xml"
    )
    httpserver.expect_ordered_request("/eutils/efetch.fcgi").respond_with_data(
        '{"ok": true}', content_type="application/json"
    )
    client, _ = eutils(httpserver, cache_hours=0)
    with pytest.raises(RemoteError, match="ID list is empty"):
        client.fetch(["1"])
    with pytest.raises(RemoteError, match="expected XML, got application/json"):
        client.fetch(["2"])


def test_429_waits_for_retry_after_and_5xx_backs_off(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/eutils/esearch.fcgi").respond_with_response(
        Response('{"error":"API rate limit exceeded"}', status=429, headers={"Retry-After": "3"})
    )
    httpserver.expect_ordered_request("/eutils/esearch.fcgi").respond_with_data("", status=502)
    httpserver.expect_ordered_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    client, clock = eutils(httpserver)
    assert client.search("x", retmax=1).pmids == ("90000001",)
    assert 3.0 in clock.slept and 1.0 in clock.slept  # Retry-After, then the second backoff
    assert client.stats.requests == 3 and client.stats.retries == 2


def test_a_server_that_keeps_failing_is_given_up(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_data("", status=503)
    client, _ = eutils(httpserver, retries=2)
    with pytest.raises(RemoteError, match=r"esearch\.fcgi answered HTTP 503$"):
        client.search("x", retmax=1)
    assert len(httpserver.log) == 3


def test_a_timeout_is_retried_then_reported(httpserver: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return esearch_json(request)

    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(slow)
    client, _ = eutils(httpserver, timeout_s=0.2, retries=1)
    with pytest.raises(RemoteError, match=r"no reply within 0\.2 s"):
        client.search("x", retmax=1)
    assert client.stats.requests == 2


@pytest.mark.parametrize(("key", "gap"), [(None, 0.3333), ("k" * 36, 0.1)])
def test_requests_are_paced_to_ncbis_limit(
    httpserver: HTTPServer, key: str | None, gap: float
) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    client, clock = eutils(httpserver, api_key=key)
    for n in range(4):
        client.search(f"term {n}", retmax=1)
    assert clock.slept == [gap] * 3


def test_the_same_request_is_answered_from_the_cache(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    client, _ = eutils(httpserver, tmp_path / "cache")
    first = client.search("x", retmax=3)
    assert client.search("x", retmax=3) == first
    assert (client.stats.requests, client.stats.cache_hits, client.stats.hit_rate) == (1, 1, 0.5)
    stale, _ = eutils(httpserver, tmp_path / "cache", cache_hours=0)
    stale.search("x", retmax=3)
    assert stale.stats.requests == 1 and len(httpserver.log) == 2


def test_fetched_records_become_library_documents_once(
    httpserver: HTTPServer, home: Path, tmp_path: Path
) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(efetch)
    settings = Settings(home=home, cache_dir=tmp_path / "cache")
    client, _ = eutils(httpserver, None)
    report = fetch_term(settings, "sinusitis", max_results=3, client=client)
    assert report["new"] == PMIDS
    with Library.open(settings.library_path) as library:
        held = sorted(library.known_hashes([f"pubmed:{p}" for p in PMIDS]))
        document = library.document("pubmed:90000001")
    assert report["ingest"]["added"] == len(held) >= 2
    assert document is not None and document.pub_type == "randomized_trial"
    again = fetch_term(settings, "sinusitis", max_results=3, client=client)
    assert again["new"] == [p for p in PMIDS if f"pubmed:{p}" not in held]
    efetches = [r[0].args["id"] for r in httpserver.log if r[0].path.endswith("efetch.fcgi")]
    assert efetches[0] == ",".join(PMIDS) and efetches[1:] == [",".join(again["new"])] * bool(
        again["new"]
    )
