"""One running app per test module (starting one reads the library and loads MiniLM), with
signed-in browsers for the reviewer and the editor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from web_kit import EDITOR, REVIEWER, Web, running


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MEDORACLE_SECRET_KEY", raising=False)  # the key file in the home
        with running(tmp_path_factory.mktemp("web")) as app:
            yield app


@pytest.fixture(scope="module")
def reviewer(web: Web) -> TestClient:
    return web.signed_in(REVIEWER)


@pytest.fixture(scope="module")
def editor(web: Web) -> TestClient:
    return web.signed_in(EDITOR)


@pytest.fixture
def browser(web: Web) -> TestClient:
    """A fresh anonymous browser from an address of its own."""
    return web.browser()
