"""Signing in and out of the web app: a session cookie for a reviewer or editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from medoracle.articles import accounts
from medoracle.web.deps import SESSION_COOKIE, client_of, state_of
from medoracle.web.render import check_csrf, page, secure, see, set_cookie

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
Token = Annotated[str, Form(max_length=200)]


def _local(url: str) -> str:
    """Only same-site paths after sign-in: no `//host` or `https://host`."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html.j2", next=_local(next), error="")


@router.post("/login")
def login(
    request: Request,
    username: Token,
    password: Token,
    csrf_token: Token = "",
    next: Text = "/",
) -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    try:
        user = web.sign_in(client_of(request), username.strip(), password)
    except HTTPException as exc:  # too many failures: said on the form, with Retry-After
        refused = page(
            request, "login.html.j2", status=exc.status_code, next=_local(next), error=exc.detail
        )
        refused.headers.update(exc.headers or {})
        return refused
    if user is None:
        return page(
            request,
            "login.html.j2",
            status=401,
            next=_local(next),
            error="Wrong user name or password.",
        )
    hours = web.settings.web.session_hours
    token = accounts.open_session(web.site.store, user, hours)
    response = see(_local(next))
    set_cookie(request, response, SESSION_COOKIE, token, max_age=int(hours * 3600))
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Token = "") -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    accounts.end_session(web.site.store, request.cookies.get(SESSION_COOKIE))
    response = see("/")
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure(request), httponly=True, samesite="lax"
    )
    return response
