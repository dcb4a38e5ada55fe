"""The one place errors become HTTP status codes and one-line replies: JSON under /api, an
error page elsewhere, never a traceback.

    NotFound 404 · Refused 422 · TransitionError 403 · Conflict 409
    any other ArticleError or ConfigError 400 · any other MedoracleError 503
    request validation 422 · HTTPException its own · anything else 500
"""

from __future__ import annotations

import logging
import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from medoracle.errors import (
    ArticleError,
    ConfigError,
    Conflict,
    MedoracleError,
    NotFound,
    Refused,
    TransitionError,
)
from medoracle.web.deps import state_of

__all__ = [
    "HEADERS",
    "ErrorBody",
    "error_responses",
    "install",
    "internal_error",
    "reply",
    "route_name",
    "status_of",
]

log = logging.getLogger("medoracle.web")

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
#: The security headers of every response, errors included.
HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The most specific class first: the first that matches gives the status.
_STATUS: tuple[tuple[type[MedoracleError], int], ...] = (
    (NotFound, 404),
    (Refused, 422),
    (TransitionError, 403),
    (Conflict, 409),
    (ArticleError, 400),
    (ConfigError, 400),
    (MedoracleError, 503),
)
_TITLES = {
    400: "That request could not be used",
    401: "Sign in first",
    403: "Not allowed",
    404: "Not found",
    409: "Changed meanwhile",
    413: "Too large",
    422: "Not a question medoracle answers",
    429: "Too many questions",
}
# What each status means in the API, for its OpenAPI description.
_API_ERRORS = {
    400: "the request cannot be used: a body that cannot be read as JSON, or a question "
    "that is empty once spacing and control characters are dropped, or too long",
    401: "no credentials, or a wrong user name or password (HTTP Basic)",
    403: "a move this role may not make or that does not exist, or a session without its "
    "X-CSRF-Token",
    404: "no article at that address (or no such parent, or version)",
    409: "the article changed meanwhile: reload and try again",
    413: "the request body is over the size limit",
    422: "a parameter or body field is invalid, or the text is not a question medoracle "
    "answers (instructions, another language, no words)",
    429: "too many requests from this address, or failed sign-ins for this account: see "
    "Retry-After",
    503: "the evidence library cannot be used right now",
}


def status_of(exc: MedoracleError) -> int:
    """The HTTP status of a medoracle error: 4xx when the request can be changed to
    succeed, 503 when the library or the site cannot be used."""
    return next(status for kind, status in _STATUS if isinstance(exc, kind))


class ErrorBody(BaseModel):
    """Every error the API answers: one line, never a traceback."""

    error: str = Field(description="what went wrong, in one line")


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that can answer `codes`, each with ErrorBody."""
    return {code: {"model": ErrorBody, "description": _API_ERRORS[code]} for code in codes}


def route_name(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def reply(request: Request, status: int, message: str) -> Response:
    """A one-line error: JSON under /api, a page elsewhere; with the security headers, since
    a 500 never passes the middleware that adds them."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status, headers=HEADERS)
    title = _TITLES.get(status, "Something went wrong")
    body = state_of(request).render(
        "error.html.j2", title=title, message=message, user=None, csrf=""
    )
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def internal_error(request: Request, exc: Exception) -> Response:
    """A bug, answered as a one-line 500. The log names the route and the exception's type;
    the traceback, which may quote question text, only under MEDORACLE_DEBUG."""
    log.error(
        "%s %s failed: %s",
        request.method,
        route_name(request),
        type(exc).__name__,
        exc_info=exc if os.environ.get("MEDORACLE_DEBUG") else None,
    )
    return reply(request, 500, "internal error: this request could not be answered")


def install(app: FastAPI) -> None:
    """Answer every error `app` raises in one line, with the status `status_of` gives."""

    @app.exception_handler(MedoracleError)
    async def medoracle_error(request: Request, exc: MedoracleError) -> Response:
        return reply(request, status_of(exc), str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
        return reply(request, 422, f"{where or 'request'}: {first.get('msg', 'invalid')}")

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        # Only what escapes the middleware stack itself gets here; the app's own failures
        # are answered by the access-log middleware.
        return internal_error(request, exc)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = reply(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response
