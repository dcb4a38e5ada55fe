"""The review pages: moving an article along the review track, regenerating it, striking or
noting its statements, and the review queue."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from medoracle.articles.workflow import ReviewState
from medoracle.web.deps import state_of
from medoracle.web.render import check_csrf, page, see

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]
Token = Annotated[str, Form(max_length=200)]


@router.post("/questions/{slug}/transition")
def transition(
    request: Request, slug: str, to: Token, comment: Text = "", csrf_token: Token = ""
) -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    article = web.site.find(slug)
    web.site.transition(article, web.user(request), to, comment)
    return see(f"/questions/{quote(slug)}")


@router.post("/questions/{slug}/regenerate")
def regenerate(request: Request, slug: str, csrf_token: Token = "") -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    article = web.site.find(slug)
    web.site.regenerate(article, web.user(request))
    return see(f"/questions/{quote(slug)}/history")


@router.post("/questions/{slug}/annotate")
def annotate(
    request: Request, slug: str, key: Token, kind: Token, body: Text = "", csrf_token: Token = ""
) -> Response:
    check_csrf(request, csrf_token)
    web = state_of(request)
    article = web.site.find(slug)
    web.site.annotate(article, web.user(request), key, kind, body)
    return see(f"/questions/{quote(slug)}#s-{quote(key)}")


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request) -> Response:
    web = state_of(request)
    user = web.user(request)
    if user is None:
        return see("/login?next=/review")
    site = web.site
    queues = [
        ("Submitted", site.listing(state=ReviewState.SUBMITTED, limit=200)),
        ("Under review", site.listing(state=ReviewState.UNDER_REVIEW, limit=200)),
        ("Changes requested", site.listing(state=ReviewState.CHANGES_REQUESTED, limit=200)),
        ("New evidence available: re-review", site.listing(new_evidence=True, limit=200)),
    ]
    return page(request, "review.html.j2", user=user, queues=queues)
