"""The middleware around the routes: cached anonymous article pages served before routing,
the request size limit, and security headers with the access log (route names, no
question text)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from medoracle.web import auth
from medoracle.web.deps import AUDIENCE_COOKIE, CSRF_COOKIE, SESSION_COOKIE, WebState
from medoracle.web.errors import HEADERS, internal_error, route_name

__all__ = ["BodyLimit", "FrontPages", "headers_and_log"]

log = logging.getLogger("medoracle.web")

ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0
        exceeded = started = False

        async def limited() -> Any:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Any) -> None:
            # The form parser turns any error while reading into its own 400: drop that
            # reply, the 413 below says what happened.
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with suppress(_BodyTooLarge):
            await self.app(scope, limited, guarded)
        if exceeded and not started:
            await _too_large(self.limit)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> Response:
    return JSONResponse(
        {"error": f"request body over {limit} bytes"}, status_code=413, headers=HEADERS
    )


class FrontPages:
    """Anonymous reads of an article page, served from the page cache before routing.

    Only the plain address (`/questions/{slug}`, no query) of a browser that already holds
    its CSRF cookie and no session qualifies, and only while the site generation is the one
    the page was rendered at; everything else goes to the app, which fills the cache.
    """

    def __init__(self, app: ASGIApp, web: Callable[[], WebState]) -> None:
        self.app = app
        self.web = web

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        slug = path[len("/questions/") :] if path.startswith("/questions/") else ""
        if not slug or "/" in slug or scope["method"] != "GET" or scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        cookies = _cookies(scope)
        binding = cookies.get(CSRF_COOKIE, "")
        web = self.web()
        cached = None
        if SESSION_COOKIE not in cookies and 20 <= len(binding) <= 100:
            audience = cookies.get(AUDIENCE_COOKIE, "clinician")
            cached = web.pages.get((slug, audience, None))
        if cached is None or cached[0] != web.site.generation():
            await self.app(scope, receive, send)
            return
        body = cached[1].replace(web.placeholder, auth.csrf_token(web.secret, binding)).encode()
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            *((name.lower().encode(), value.encode()) for name, value in HEADERS.items()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        shown = path if web.settings.web.log_questions else "/questions/{slug}"
        log.info("GET %s 200 %.1fms", shown, (time.perf_counter() - started) * 1000)


def _cookies(scope: MutableMapping[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, item = part.strip().partition("=")
                found.setdefault(key, item)
    return found


def headers_and_log(app: FastAPI, log_questions: bool) -> None:
    """Add the security headers to every response of `app` and log each request: method,
    route (the path itself only with `log_questions`), status and time. A failure in a route
    becomes a one-line 500 here."""

    @app.middleware("http")
    async def log_request(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:
            response = internal_error(request, exc)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        path = request.url.path if log_questions else route_name(request)
        log.info(
            "%s %s %d %.1fms",
            request.method,
            path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response
