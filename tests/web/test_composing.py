"""Pages a language model writes, in the web app: the ask form offers it when a model is
configured, the asker watches a composing page until the article is ready, the article names
the model and shows only verified statements; a model that cannot be reached is one message.
The model is a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pytest_httpserver import HTTPServer

from fake_model import INVENTED_DOSE, echoing_model
from medoracle.web.app import create_app
from web_kit import QUESTION, RELATED, Web, build_library, csrf_of, make_site, unique_host


@pytest.fixture(scope="module")
def model() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1")
    server.expect_request("/v1/chat/completions").respond_with_handler(echoing_model)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def writer_web(tmp_path_factory: pytest.TempPathFactory, model: HTTPServer) -> Iterator[Web]:
    settings = build_library(tmp_path_factory.mktemp("writer"), ask_per_minute=10_000)
    settings.llm.base_url = model.url_for("/v1")
    settings.llm.model = "fake-model"
    settings.llm.retries = 0
    site = make_site(settings)
    app = create_app(settings, site)
    with TestClient(app, client=(unique_host(), 50000), follow_redirects=False) as client:
        yield Web(settings, site, app, client)


def _ask(web: Web, browser: TestClient, question: str, composer: str) -> httpx.Response:
    token = csrf_of(browser.get("/").text)
    return browser.post(
        "/ask", data={"question": question, "csrf_token": token, "composer": composer}
    )


def _watch(browser: TestClient, url: str) -> httpx.Response:
    """Poll the composing page as a browser following its Refresh header would."""
    for _ in range(200):
        page = browser.get(url)
        if page.status_code != 200:
            return page
        assert page.headers["refresh"] == "2" and "checked against the source" in page.text
        time.sleep(0.05)
    raise AssertionError("the page was never composed")


def test_the_model_writes_while_the_asker_watches(writer_web: Web) -> None:
    browser = writer_web.browser()
    assert 'name="composer" value="llm"' in browser.get("/").text
    reply = _ask(writer_web, browser, QUESTION, "llm")
    assert reply.status_code == 303 and reply.headers["location"].startswith("/composing/")
    done = _watch(browser, reply.headers["location"])
    assert done.status_code == 303 and done.headers["location"].startswith("/questions/")
    article = browser.get(done.headers["location"])
    assert "Written by the language model fake-model" in article.text
    assert "(support 0." in article.text and INVENTED_DOSE not in article.text
    again = _ask(writer_web, browser, QUESTION, "llm")  # composed once: the same article
    assert (
        _watch(browser, again.headers["location"]).headers["location"] == done.headers["location"]
    )


def test_the_api_takes_the_composer_per_request(writer_web: Web) -> None:
    client = writer_web.browser()
    reply = client.post("/api/v1/ask", json={"question": RELATED, "composer": "llm"})
    assert reply.status_code == 201, reply.text
    answer = reply.json()["answer"]
    assert answer["provenance"]["composer"] == "llm"
    assert answer["provenance"]["model"]["dropped"][0]["reason"] == "number"


def test_without_a_model_the_form_and_api_say_so(web: Web) -> None:
    browser = web.browser()
    assert 'name="composer"' not in browser.get("/").text
    reply = _ask(web, browser, "How is Varnell syndrome treated in children?", "llm")
    assert reply.status_code == 400 and "no language model is configured" in reply.text
    api = browser.post("/api/v1/ask", json={"question": "Varnell rash?", "composer": "llm"})
    assert api.status_code == 400 and "MEDORACLE_LLM__BASE_URL" in api.text


def test_a_dead_model_server_is_one_message_on_the_composing_page(
    tmp_path: Path, model: HTTPServer
) -> None:
    settings = build_library(tmp_path / "home", ask_per_minute=10_000)
    settings.llm.base_url, settings.llm.model, settings.llm.retries = (
        "http://127.0.0.1:9/v1",
        "m",
        0,
    )
    app = create_app(settings, make_site(settings))
    with TestClient(app, client=(unique_host(), 50000), follow_redirects=False) as browser:
        reply = _ask(Web(settings, app.state.web.site, app, browser), browser, QUESTION, "llm")
        page = _watch(browser, reply.headers["location"])
        assert page.status_code == 503
        assert "cannot reach the language model server" in page.text
