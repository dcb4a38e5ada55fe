"""The JSON API under /api/v1, described by the OpenAPI schema at /api/v1/openapi.json.

Reading and asking are open (asking is rate limited). Review transitions need a reviewer or
editor: HTTP Basic credentials, or the browser session with its CSRF token in the
`X-CSRF-Token` header.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from medoracle.articles.records import Article, User
from medoracle.articles.service import Site
from medoracle.articles.summaries import annotation_records, article_summary
from medoracle.articles.workflow import STATES, ReviewState
from medoracle.web import auth
from medoracle.web.deps import CSRF_COOKIE, client_of, state_of
from medoracle.web.errors import error_responses

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])
Audience = Literal["clinician", "student", "patient"]
if TYPE_CHECKING:
    StateName = ReviewState
else:  # the review states as a Literal: validated and described inline, as before the enum
    StateName = Literal[STATES]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=4000, description="a medical question")
    audience: Audience = "clinician"
    parent: str | None = Field(None, max_length=200, description="slug of the parent article")
    composer: Literal["extractive", "llm"] | None = Field(
        None,
        description="who writes a new article: the sources' own sentences, or the server's "
        "language model with every statement verified (waits while it writes); default: the "
        "server's setting",
    )


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: StateName
    comment: str = Field("", max_length=2000)


def _article(site: Site, article: Article, audience: str, version: int | None) -> dict[str, Any]:
    answer = site.answer(article, audience, version)
    chain, children = site.thread(article)
    return {
        **article_summary(article),
        "shown_version": version or article.current_version,
        "audience": audience,
        "context": article.context,
        "thread": [article_summary(a) for a in chain],
        "follow_ups": [article_summary(a) for a in children],
        "related": [
            {**article_summary(r.article), "similarity": r.similarity}
            for r in site.related(article)
        ],
        "annotations": annotation_records(site.annotations(article)),
        "answer": json.loads(answer.model_dump_json()),
    }


@router.post(
    "/ask",
    status_code=201,
    summary="Ask a question; returns its article",
    responses={
        200: {"description": "asked before: its existing article"},
        201: {"description": "a new article, composed now"},
        **error_responses(400, 404, 413, 422, 429, 503),
    },
)
def ask(request: Request, body: AskRequest) -> JSONResponse:
    web = state_of(request)
    if not web.ask_limiter.allow(client_of(request)):
        raise HTTPException(429, "too many questions from this address", {"Retry-After": "60"})
    parent = web.site.find(body.parent) if body.parent else None
    article, created = web.site.ask(body.question, parent=parent, composer=body.composer)
    data = _article(web.site, article, body.audience, None)
    return JSONResponse(data, status_code=201 if created else 200)


@router.get("/articles", summary="List or search articles", responses=error_responses(422))
def articles(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    state: Annotated[str | None, Query(pattern="^(" + "|".join(STATES) + ")$")] = None,
    new_evidence: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> dict[str, Any]:
    site = state_of(request).site
    found = site.listing(state=state, query=q, new_evidence=new_evidence, limit=limit)
    return {"articles": [article_summary(a) for a in found if a.current_version]}


@router.get(
    "/articles/{slug}",
    summary="One article, for any audience and version",
    responses=error_responses(404, 422, 503),
)
def article(
    request: Request,
    slug: str,
    audience: Audience = "clinician",
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> dict[str, Any]:
    site = state_of(request).site
    return _article(site, site.find(slug), audience, version)


@router.get(
    "/articles/{slug}/history",
    summary="Versions and audit events of an article",
    responses=error_responses(404, 422),
)
def article_history(request: Request, slug: str) -> dict[str, Any]:
    site = state_of(request).site
    found = site.find(slug)
    return {
        "article": article_summary(found),
        "versions": [
            {
                "number": v.number,
                "created_at": v.created_at,
                "created_by": v.created_by,
                "reason": v.reason,
                "library_version": v.library_version,
                "evidence": list(v.evidence),
            }
            for v in site.versions(found)
        ],
        "events": [
            {
                "at": e.at,
                "actor": e.actor,
                "kind": e.kind,
                "from": e.from_state,
                "to": e.to_state,
                "comment": e.comment,
            }
            for e in site.events(found)
        ],
    }


@router.get("/evidence", summary="Search the evidence library", responses=error_responses(422, 503))
def evidence(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=2000)],
    k: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    return {"query": q, "hits": state_of(request).site.search(q, k)}


def _api_user(request: Request, authorization: str | None, csrf: str | None) -> User:
    web = state_of(request)
    if authorization and authorization.lower().startswith("basic "):
        try:
            name, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise HTTPException(401, "malformed Basic credentials") from None
        user = web.sign_in(client_of(request), name, password)
        if user is None:
            raise HTTPException(401, "wrong user name or password", {"WWW-Authenticate": "Basic"})
        return user
    session_user = web.user(request)
    if session_user is None:
        raise HTTPException(
            401,
            "authenticate: HTTP Basic, or a session with X-CSRF-Token",
            {"WWW-Authenticate": "Basic"},
        )
    if not auth.csrf_valid(web.secret, request.cookies.get(CSRF_COOKIE), csrf):
        raise HTTPException(403, "missing or wrong X-CSRF-Token header")
    return session_user


@router.post(
    "/articles/{slug}/transitions",
    summary="Move an article along the review track",
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 429),
)
def transitions(
    request: Request,
    slug: str,
    body: TransitionRequest,
    authorization: Annotated[str | None, Header()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    user = _api_user(request, authorization, x_csrf_token)
    site = state_of(request).site
    moved = site.transition(site.find(slug), user, body.to, body.comment)
    return {**article_summary(moved), "by": user.username}
