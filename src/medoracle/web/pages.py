"""The server-rendered pages: home, article, follow-up, history, diff, exports, sign-in and
the review queue. Every form carries a CSRF token; every value is escaped by the templates.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from medoracle.answer.model import Answer
from medoracle.answer.render import html_environment, render_markdown
from medoracle.articles import workflow
from medoracle.articles.records import Article, User
from medoracle.articles.service import AUDIENCES, Site
from medoracle.articles.summaries import annotation_records, article_summary
from medoracle.articles.workflow import ReviewState
from medoracle.errors import ArticleError, ConfigError, Refused
from medoracle.query.understand import MAX_CHARS
from medoracle.web import auth
from medoracle.web.app import (
    AUDIENCE_COOKIE,
    CSRF_COOKIE,
    SESSION_COOKIE,
    client_of,
    state_of,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
Token = Annotated[str, Form(max_length=200)]
# Twice what screening accepts, so an over-long question gets the screen's own message.
AskText = Annotated[str, Form(max_length=2 * MAX_CHARS)]
_YEAR = 365 * 24 * 3600


# ---------------------------------------------------------------------- helpers


def _binding(request: Request) -> tuple[str, bool]:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(cookie) <= 100:
        return cookie, False
    return secrets.token_urlsafe(24), True


def _page(
    request: Request, name: str, *, status: int = 200, user: User | None = None, **context: Any
) -> HTMLResponse:
    web = state_of(request)
    binding, new = _binding(request)
    body = web.render(name, user=user, csrf=auth.csrf_token(web.secret, binding), **context)
    response = HTMLResponse(body, status_code=status)
    if new:
        _cookie(request, response, CSRF_COOKIE, binding, max_age=_YEAR)
    return response


def _cookie(request: Request, response: Response, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def _secure(request: Request) -> bool:
    """Cookies are marked Secure when configured, or when this request came over HTTPS,
    directly or by a trusted proxy's X-Forwarded-Proto (see `web.trusted_proxies`)."""
    return state_of(request).settings.web.secure_cookies or request.url.scheme == "https"


def _check_csrf(request: Request, token: str) -> None:
    web = state_of(request)
    if not auth.csrf_valid(web.secret, request.cookies.get(CSRF_COOKIE), token):
        raise HTTPException(403, "the form has expired or was not sent from this site: reload it")


def _audience(request: Request, asked: str | None) -> str:
    if asked in AUDIENCES:
        return asked
    cookie = request.cookies.get(AUDIENCE_COOKIE)
    return cookie if cookie in AUDIENCES else "clinician"


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _limit_ask(request: Request) -> None:
    if not state_of(request).ask_limiter.allow(client_of(request)):
        raise HTTPException(
            429,
            "too many questions from this address: wait a minute and ask again",
            headers={"Retry-After": "60"},
        )


def article_context(article: Article) -> str:
    return article.context.replace(" | ", ", ")


# ---------------------------------------------------------------------- home and asking


@router.get("/", response_class=HTMLResponse)
def home(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    web = state_of(request)
    store = web.site.store
    results = store.listing(query=q, limit=20) if q.strip() else []
    return _page(
        request,
        "home.html.j2",
        user=web.user(request),
        query=q,
        question="",
        error="",
        results=[a for a in results if a.current_version],
        approved=store.listing(state=ReviewState.APPROVED, limit=10),
        recent=[
            a
            for a in store.listing(limit=10)
            if a.state != ReviewState.APPROVED and a.current_version
        ],
    )


@router.post("/ask")
def ask(request: Request, question: AskText = "", csrf_token: Token = "") -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    try:
        _limit_ask(request)
        article, _ = web.site.ask(question)
    except (ConfigError, ArticleError, HTTPException) as exc:
        # Shown on the home page with the question kept, not on a bare error page.
        if isinstance(exc, HTTPException):
            status, message, headers = exc.status_code, str(exc.detail), exc.headers or {}
        else:
            status, message, headers = 422 if isinstance(exc, Refused) else 400, str(exc), {}
        response = _page(
            request,
            "home.html.j2",
            status=status,
            user=web.user(request),
            query="",
            question=question[:2000],
            error=message,
            results=[],
            approved=[],
            recent=[],
        )
        response.headers.update(headers)
        return response
    return _see(f"/questions/{quote(article.slug)}")


# ---------------------------------------------------------------------- articles


@router.get("/questions/{slug}", response_class=HTMLResponse)
def article_page(
    request: Request,
    slug: str,
    audience: str | None = None,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> HTMLResponse:
    web = state_of(request)
    site = web.site
    chosen = _audience(request, audience)
    user = web.user(request)
    remember = audience in AUDIENCES and request.cookies.get(AUDIENCE_COOKIE) != audience
    key = None
    if user is None:
        # Any commit to the site database (a move, a strike, a new version, a new related
        # article) may change the page: the cached copy keeps the generation it was made at.
        generation = site.generation()
        key = (slug, chosen, version)
        cached = web.pages.get(key)
        if cached is not None and cached[0] == generation:
            response = _filled(request, cached[1])
            if remember:
                _cookie(request, response, AUDIENCE_COOKIE, chosen, max_age=_YEAR)
            return response
    article = site.find(slug)
    shown = version or article.current_version
    answer = site.answer(article, chosen, shown)
    chain, children = site.thread(article)
    context: dict[str, Any] = {
        "article": article,
        "answer": answer,
        "audience": chosen,
        "shown_version": shown,
        "review_status": article.state,
        "annotations": site.annotations(article),
        "chain": chain,
        "children": children,
        "related": site.related(article),
        "article_context": article_context(article),
        "moves": workflow.allowed(article.state, user.role if user else None),
    }
    if key is not None:
        body = web.render("article.html.j2", csrf=web.placeholder, user=None, **context)
        web.pages.put(key, (generation, body))
        response = _filled(request, body)
    else:
        response = _page(request, "article.html.j2", user=user, **context)
    if remember:
        _cookie(request, response, AUDIENCE_COOKIE, chosen, max_age=_YEAR)
    return response


def _filled(request: Request, body: str) -> HTMLResponse:
    """A cached page with this browser's CSRF token put in."""
    web = state_of(request)
    binding, new = _binding(request)
    response = HTMLResponse(body.replace(web.placeholder, auth.csrf_token(web.secret, binding)))
    if new:
        _cookie(request, response, CSRF_COOKIE, binding, max_age=_YEAR)
    return response


@router.post("/questions/{slug}/follow-up")
def follow_up(request: Request, slug: str, question: Text, csrf_token: Token = "") -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    parent = web.site.find(slug)
    _limit_ask(request)
    child, _ = web.site.ask(question, parent=parent)
    return _see(f"/questions/{quote(child.slug)}")


@router.get("/questions/{slug}/history", response_class=HTMLResponse)
def history(request: Request, slug: str) -> HTMLResponse:
    web = state_of(request)
    article = web.site.find(slug)
    return _page(
        request,
        "history.html.j2",
        user=web.user(request),
        article=article,
        versions=web.site.versions(article),
        events=web.site.store.events(article.id),
    )


@router.get("/questions/{slug}/diff", response_class=HTMLResponse)
def diff(
    request: Request,
    slug: str,
    old: Annotated[int, Query(alias="from", ge=1, le=100_000)],
    new: Annotated[int, Query(alias="to", ge=1, le=100_000)],
    audience: str = "clinician",
) -> HTMLResponse:
    web = state_of(request)
    article = web.site.find(slug)
    lines = web.site.diff(article, old, new, _audience(request, audience))
    return _page(
        request,
        "diff.html.j2",
        user=web.user(request),
        article=article,
        old=old,
        new=new,
        audience=audience,
        lines=lines,
    )


def _exported(request: Request, slug: str, audience: str | None) -> tuple[Site, Article, Answer]:
    site = state_of(request).site
    article = site.find(slug)
    answer = site.reviewed(article, site.answer(article, _audience(request, audience)))
    return site, article, answer


@router.get("/questions/{slug}/export.md")
def export_markdown(request: Request, slug: str, audience: str | None = None) -> Response:
    site, article, answer = _exported(request, slug, audience)
    notes = [
        f"- Reviewer note ({a.username}) on statement {a.statement_key}: {a.body}"
        for items in site.annotations(article).values()
        for a in items
        if a.kind == "note"
    ]
    header = (
        f"<!-- medoracle article {article.slug}, version {article.current_version}, "
        f"review state: {workflow.LABELS[article.state]} -->\n"
    )
    body = header + render_markdown(answer)
    if notes:
        body += "\n## Reviewer notes\n\n" + "\n".join(notes) + "\n"
    return Response(
        body,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{article.slug}.md"'},
    )


@router.get("/questions/{slug}/export.json")
def export_json(request: Request, slug: str, audience: str | None = None) -> Response:
    site, article, answer = _exported(request, slug, audience)
    data = {
        "article": article_summary(article),
        "answer": json.loads(answer.model_dump_json()),
        "annotations": annotation_records(site.annotations(article)),
    }
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'inline; filename="{article.slug}.json"'},
    )


@router.get("/questions/{slug}/print", response_class=HTMLResponse)
def export_print(request: Request, slug: str, audience: str | None = None) -> HTMLResponse:
    _, article, answer = _exported(request, slug, audience)
    page = html_environment().get_template("answer.html.j2")
    return HTMLResponse(page.render(answer=answer, review_status=article.state))


# ---------------------------------------------------------------------- review


@router.post("/questions/{slug}/transition")
def transition(
    request: Request, slug: str, to: Token, comment: Text = "", csrf_token: Token = ""
) -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    article = web.site.find(slug)
    web.site.transition(article, web.user(request), to, comment)
    return _see(f"/questions/{quote(slug)}")


@router.post("/questions/{slug}/regenerate")
def regenerate(request: Request, slug: str, csrf_token: Token = "") -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    article = web.site.find(slug)
    web.site.regenerate(article, web.user(request))
    return _see(f"/questions/{quote(slug)}/history")


@router.post("/questions/{slug}/annotate")
def annotate(
    request: Request, slug: str, key: Token, kind: Token, body: Text = "", csrf_token: Token = ""
) -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    article = web.site.find(slug)
    web.site.annotate(article, web.user(request), key, kind, body)
    return _see(f"/questions/{quote(slug)}#s-{quote(key)}")


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request) -> Response:
    web = state_of(request)
    user = web.user(request)
    if user is None:
        return _see("/login?next=/review")
    store = web.site.store
    queues = [
        ("Submitted", store.listing(state=ReviewState.SUBMITTED, limit=200)),
        ("Under review", store.listing(state=ReviewState.UNDER_REVIEW, limit=200)),
        ("Changes requested", store.listing(state=ReviewState.CHANGES_REQUESTED, limit=200)),
        ("New evidence available: re-review", store.listing(new_evidence=True, limit=200)),
    ]
    return _page(request, "review.html.j2", user=user, queues=queues)


# ---------------------------------------------------------------------- sign-in


def _local(url: str) -> str:
    """Only same-site paths after sign-in: no `//host` or `https://host`."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html.j2", next=_local(next), error="")


@router.post("/login")
def login(
    request: Request,
    username: Token,
    password: Token,
    csrf_token: Token = "",
    next: Text = "/",
) -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    try:
        user = web.sign_in(client_of(request), username.strip(), password)
    except HTTPException as exc:  # too many failures: said on the form, with Retry-After
        refused = _page(
            request, "login.html.j2", status=exc.status_code, next=_local(next), error=exc.detail
        )
        refused.headers.update(exc.headers or {})
        return refused
    if user is None:
        return _page(
            request,
            "login.html.j2",
            status=401,
            next=_local(next),
            error="Wrong user name or password.",
        )
    token = auth.new_token()
    hours = web.settings.web.session_hours
    web.site.store.add_session(auth.hash_token(token), user, auth.expiry(hours))
    response = _see(_local(next))
    _cookie(request, response, SESSION_COOKIE, token, max_age=int(hours * 3600))
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Token = "") -> Response:
    _check_csrf(request, csrf_token)
    web = state_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        web.site.store.end_session(auth.hash_token(token))
    response = _see("/")
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )
    return response
