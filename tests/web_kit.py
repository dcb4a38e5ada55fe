"""The web and site-command tests' library, app and browser helpers (in tests/, so that
tests/web and tests/cli both import it).

The library is the one `tests/answer/test_compose.py` reads (an invented NGC guideline on the
made-up "Varnell syndrome", the corpus NGC and MedQuAD fixtures), so no real corpus knowledge
leaks into the expectations. The app is the real one: `create_app` over a `Site` whose
answerer runs lexical search with query understanding, and the related-question encoder the
settings name (MiniLM by default).
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result
from fastapi import FastAPI
from fastapi.testclient import TestClient

from medoracle.answer.service import Answerer
from medoracle.articles.accounts import add_account
from medoracle.articles.records import User
from medoracle.articles.related import related_encoder
from medoracle.articles.service import Site
from medoracle.cli import main
from medoracle.corpus.schema import utc_now
from medoracle.corpus.service import ingest_paths
from medoracle.retrieve.service import open_retriever
from medoracle.settings import Settings
from medoracle.web.app import create_app

TESTS = Path(__file__).resolve().parent
HERE = TESTS / "web"
INVENTED = TESTS / "answer" / "fixtures" / "ngc_invented.jsonl"
CORPUS = TESTS / "corpus" / "fixtures"
VARNELL_UPDATE = HERE / "fixtures" / "ngc_varnell_update.jsonl"
MARKUP = HERE / "fixtures" / "ngc_markup.jsonl"

QUESTION = "What is the management of Varnell syndrome with progressive leg weakness?"
RELATED = "How is Varnell syndrome diagnosed?"
UNRELATED = "What is the treatment of quorn fever?"
REVIEWER = ("rita", "rita-reviews-1")
EDITOR = ("eddie", "eddie-edits-12")
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_HOSTS = itertools.count(1)


def build_library(home: Path, extra: Sequence[Path] = (), **web: Any) -> Settings:
    """The small real-format library in `home`; `web` overrides `Settings.web` fields."""
    settings = Settings(home=home, data_dir=None, web=web)
    ingest_paths(settings, "ngc", [INVENTED, *extra])
    ingest_paths(settings, "ngc", [CORPUS / "ngc"])
    ingest_paths(settings, "medquad", [CORPUS / "medquad"])
    return settings


def make_site(settings: Settings) -> Site:
    return Site(
        settings,
        answerer=lambda: Answerer(
            settings, open_retriever(settings, dense=False, understand=True), "test"
        ),
        encoder=related_encoder(settings),
    )


def add_user(settings: Settings, username: str, password: str, role: str) -> User:
    return add_account(settings.site_path, username, password, role)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no csrf_token input"
    return found.group(1)


def unique_host() -> str:
    """A client address of its own, so per-client rate limits never carry between tests."""
    n = next(_HOSTS)
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


def wait_for_next_second(stamp: str) -> None:
    """Library and site timestamps have one-second resolution: step past `stamp`."""
    while utc_now() == stamp:
        time.sleep(0.05)


def cli(home: Path, *args: str, stdin: str | None = None) -> Result:
    """`medoracle ARGS` with MEDORACLE_HOME at `home`."""
    return CliRunner().invoke(main, list(args), input=stdin, env={"MEDORACLE_HOME": str(home)})


@dataclass
class Web:
    """A running app over one home, and ways to drive it like a browser."""

    settings: Settings
    site: Site
    app: FastAPI
    client: TestClient  # holds the lifespan; an anonymous browser of its own

    @property
    def home(self) -> Path:
        return self.settings.home

    def browser(self, host: str | None = None) -> TestClient:
        """A new browser (its own cookies) from its own address; the app is already running."""
        return TestClient(self.app, client=(host or unique_host(), 50000), follow_redirects=False)

    def token(self, browser: TestClient, url: str = "/") -> str:
        """The CSRF token of a form on `url`; fetching it sets the browser's CSRF cookie."""
        page = browser.get(url)
        assert page.status_code == 200, page.text
        return csrf_of(page.text)

    def ask(self, browser: TestClient, question: str) -> httpx.Response:
        token = self.token(browser)
        return browser.post("/ask", data={"question": question, "csrf_token": token})

    def slug(self, question: str, browser: TestClient | None = None) -> str:
        """The article for `question`, asked through the form if it is new."""
        reply = self.ask(browser or self.browser(), question)
        assert reply.status_code == 303, reply.text
        return reply.headers["location"].removeprefix("/questions/")

    def sign_in(self, browser: TestClient, who: tuple[str, str], next: str = "/") -> httpx.Response:
        token = self.token(browser, "/login")
        username, password = who
        return browser.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token, "next": next},
        )

    def signed_in(self, who: tuple[str, str]) -> TestClient:
        browser = self.browser()
        reply = self.sign_in(browser, who)
        assert reply.status_code == 303, reply.text
        return browser

    def post_form(
        self, browser: TestClient, url: str, data: dict[str, str], page: str = "/"
    ) -> httpx.Response:
        """Submit a form on `page` to `url`, with the page's CSRF token."""
        return browser.post(url, data={**data, "csrf_token": self.token(browser, page)})

    def move(self, browser: TestClient, slug: str, to: str, comment: str = "") -> httpx.Response:
        return self.post_form(
            browser,
            f"/questions/{slug}/transition",
            {"to": to, "comment": comment},
            page=f"/questions/{slug}",
        )


@contextmanager
def running(home: Path, extra: Sequence[Path] = (), **web: Any) -> Iterator[Web]:
    """The app over a fresh library in `home`, with a reviewer and an editor account."""
    settings = build_library(home, extra, **{"ask_per_minute": 10_000, **web})
    add_user(settings, *REVIEWER, "reviewer")
    add_user(settings, *EDITOR, "editor")
    site = make_site(settings)
    app = create_app(settings, site)
    with TestClient(app, client=(unique_host(), 50000), follow_redirects=False) as client:
        yield Web(settings, site, app, client)
