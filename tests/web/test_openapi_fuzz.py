"""The API against its own OpenAPI schema, in process: schemathesis generates requests from
the schema, valid and invalid, and checks every reply (no server error, a documented status,
content type and body). Bounded to 25 examples per operation and mode: 275 in all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.openapi import from_asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from web_kit import Web

EXAMPLES = 25
OPERATIONS = [
    ("POST", "/api/v1/ask"),
    ("GET", "/api/v1/articles"),
    ("GET", "/api/v1/articles/{slug}"),
    ("GET", "/api/v1/articles/{slug}/history"),
    ("GET", "/api/v1/evidence"),
    ("POST", "/api/v1/articles/{slug}/transitions"),
]
# Nothing in a bare path string can be made invalid.
NO_INVALID_INPUT = {("GET", "/api/v1/articles/{slug}/history")}
# Their text also passes a screen no schema can state (a question, in words, in English, not
# instructions): a schema-valid "  - " is rightly refused with 400 or 422.
SCREENED = {("POST", "/api/v1/ask"), ("GET", "/api/v1/evidence")}


def _running(app: FastAPI) -> Callable[..., Awaitable[None]]:
    """`app` for a client that starts and stops it around every request: the module's
    fixture already runs it, and stopping it would close the site."""

    async def served(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    return served


@pytest.mark.parametrize(
    ("method", "path", "mode"),
    [
        (method, path, mode)
        for method, path in OPERATIONS
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if not (mode is GenerationMode.NEGATIVE and (method, path) in NO_INVALID_INPUT)
    ],
)
def test_the_api_keeps_to_its_schema(
    web: Web, method: str, path: str, mode: GenerationMode
) -> None:
    schema = from_asgi("/api/v1/openapi.json", _running(web.app))
    assert {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()} == set(
        OPERATIONS
    )
    operation = schema[path][method]
    excluded = [positive_data_acceptance] if (method, path) in SCREENED else []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: Case) -> None:
        case.call_and_validate(excluded_checks=excluded)

    check()
