"""The reading pages: home, asking, an article in any audience and version, follow-ups,
history and the diff of two versions. Every form carries a CSRF token; every value is
escaped by the templates."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from medoracle.articles import workflow
from medoracle.articles.records import Article
from medoracle.articles.service import AUDIENCES
from medoracle.articles.workflow import ReviewState
from medoracle.errors import MedoracleError
from medoracle.query.understand import MAX_CHARS
from medoracle.web.composing import start_writing
from medoracle.web.deps import AUDIENCE_COOKIE, state_of
from medoracle.web.errors import status_of
from medoracle.web.render import (
    YEAR,
    audience_of,
    check_csrf,
    filled,
    limit_ask,
    page,
    see,
    set_cookie,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
Token = Annotated[str, Form(max_length=200)]
# Twice what screening accepts, so an over-long question gets the screen's own message.
AskText = Annotated[str, Form(max_length=2 * MAX_CHARS)]
Composer = Annotated[str, Form(pattern="^(|extractive|llm)$")]


def article_context(article: Article) -> str:
    return article.context.replace(" | ", ", ")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    web = state_of(request)
    site = web.site
    results = site.listing(query=q, limit=20) if q.strip() else []
    return page(
        request,
        "home.html.j2",
        user=web.user(request),
        query=q,
        question="",
        error="",
        results=[a for a in results if a.current_version],
        approved=site.listing(state=ReviewState.APPROVED, limit=10),
        recent=[
            a
            for a in site.listing(limit=10)
            if a.state != ReviewState.APPROVED and a.current_version
        ],
    )


@router.post("/ask")
def ask(
    request: Request, question: AskText = "", csrf_token: Token = "", composer: Composer = ""
) -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    try:
        limit_ask(request)
        if (composer or web.settings.composer) == "llm":
            return see(f"/composing/{quote(start_writing(web, question).id)}")
        article, _ = web.site.ask(question, composer=composer or None)
    except (MedoracleError, HTTPException) as exc:
        # Shown on the home page with the question kept, not on a bare error page; what the
        # asker cannot fix (the library is unusable: 503) gets the error page.
        if isinstance(exc, HTTPException):
            status, message, headers = exc.status_code, str(exc.detail), exc.headers or {}
        else:
            status, message, headers = status_of(exc), str(exc), {}
            if status >= 500:
                raise
        response = page(
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
    return see(f"/questions/{quote(article.slug)}")


@router.get("/questions/{slug}", response_class=HTMLResponse)
def article_page(
    request: Request,
    slug: str,
    audience: str | None = None,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> HTMLResponse:
    web = state_of(request)
    site = web.site
    chosen = audience_of(request, audience)
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
            response = filled(request, cached[1])
            if remember:
                set_cookie(request, response, AUDIENCE_COOKIE, chosen, max_age=YEAR)
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
        response = filled(request, body)
    else:
        response = page(request, "article.html.j2", user=user, **context)
    if remember:
        set_cookie(request, response, AUDIENCE_COOKIE, chosen, max_age=YEAR)
    return response


@router.post("/questions/{slug}/follow-up")
def follow_up(request: Request, slug: str, question: Text, csrf_token: Token = "") -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    parent = web.site.find(slug)
    limit_ask(request)
    child, _ = web.site.ask(question, parent=parent)
    return see(f"/questions/{quote(child.slug)}")


@router.get("/questions/{slug}/history", response_class=HTMLResponse)
def history(request: Request, slug: str) -> HTMLResponse:
    web = state_of(request)
    article = web.site.find(slug)
    return page(
        request,
        "history.html.j2",
        user=web.user(request),
        article=article,
        versions=web.site.versions(article),
        events=web.site.events(article),
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
    lines = web.site.diff(article, old, new, audience_of(request, audience))
    return page(
        request,
        "diff.html.j2",
        user=web.user(request),
        article=article,
        old=old,
        new=new,
        audience=audience,
        lines=lines,
    )
