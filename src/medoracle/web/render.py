"""The responses the page routers share: pages with this browser's CSRF token, cookies,
redirects, the CSRF check, the chosen audience and the ask limit."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from medoracle.articles.records import User
from medoracle.articles.service import AUDIENCES
from medoracle.web import auth
from medoracle.web.deps import AUDIENCE_COOKIE, CSRF_COOKIE, client_of, state_of

__all__ = [
    "YEAR",
    "audience_of",
    "check_csrf",
    "filled",
    "limit_ask",
    "page",
    "secure",
    "see",
    "set_cookie",
]

YEAR = 365 * 24 * 3600


def _binding(request: Request) -> tuple[str, bool]:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(cookie) <= 100:
        return cookie, False
    return secrets.token_urlsafe(24), True


def page(
    request: Request, name: str, *, status: int = 200, user: User | None = None, **context: Any
) -> HTMLResponse:
    """Template `name` rendered with a CSRF token for this browser (and its cookie, if new)."""
    web = state_of(request)
    binding, new = _binding(request)
    context.setdefault("model_on", bool(web.settings.llm.base_url))
    body = web.render(name, user=user, csrf=auth.csrf_token(web.secret, binding), **context)
    response = HTMLResponse(body, status_code=status)
    if new:
        set_cookie(request, response, CSRF_COOKIE, binding, max_age=YEAR)
    return response


def filled(request: Request, body: str) -> HTMLResponse:
    """A cached page with this browser's CSRF token put in."""
    web = state_of(request)
    binding, new = _binding(request)
    response = HTMLResponse(body.replace(web.placeholder, auth.csrf_token(web.secret, binding)))
    if new:
        set_cookie(request, response, CSRF_COOKIE, binding, max_age=YEAR)
    return response


def set_cookie(
    request: Request, response: Response, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path="/",
    )


def secure(request: Request) -> bool:
    """Cookies are marked Secure when configured, or when this request came over HTTPS,
    directly or by a trusted proxy's X-Forwarded-Proto (see `web.trusted_proxies`)."""
    return state_of(request).settings.web.secure_cookies or request.url.scheme == "https"


def check_csrf(request: Request, token: str) -> None:
    web = state_of(request)
    if not auth.csrf_valid(web.secret, request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, "the form has expired or was not sent from this site: reload it")


def audience_of(request: Request, asked: str | None) -> str:
    """The audience asked for, else the one this browser chose last, else clinician."""
    if asked in AUDIENCES:
        return asked
    cookie = request.cookies.get(AUDIENCE_COOKIE)
    return cookie if cookie in AUDIENCES else "clinician"


def see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def limit_ask(request: Request) -> None:
    if not state_of(request).ask_limiter.allow(client_of(request)):
        raise HTTPException(
            429,
            "too many questions from this address: wait a minute and ask again",
            headers={"Retry-After": "60"},
        )
