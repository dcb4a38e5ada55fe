"""Pages a language model writes: the question is composed in the background and the asker
watches a page that says what is happening (gathering evidence, the model writing, every
statement being checked) and refreshes itself until the article is ready."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from medoracle.articles.jobs import Job
from medoracle.errors import ConfigError, Refused
from medoracle.query.screen import screen_question
from medoracle.web.deps import WebState, state_of
from medoracle.web.errors import status_of
from medoracle.web.render import page, see

__all__ = ["router", "start_writing"]

router = APIRouter(include_in_schema=False)
REFRESH_S = 2


def start_writing(web: WebState, question: str) -> Job:
    """A background job composing `question` with the language model; what can be refused
    at once (no model configured, not a question) is refused before any job starts."""
    if not web.settings.llm.base_url:
        raise ConfigError("no language model is configured on this server")
    screened = screen_question(question)
    if screened.refusal is not None:
        raise Refused(screened.refusal)
    return web.jobs.start(
        screened.text,
        lambda progress: web.site.ask(screened.text, composer="llm", progress=progress)[0],
    )


@router.get("/composing/{job_id}")
def composing(request: Request, job_id: str) -> Response:
    web = state_of(request)
    job = web.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such question is being composed (it may have finished "
                            "a while ago): ask it again")  # fmt: skip
    if job.article is not None:
        return see(f"/questions/{quote(job.article.slug)}")
    status = status_of(job.error) if job.error is not None else 200
    response = page(
        request,
        "composing.html.j2",
        status=status,
        user=web.user(request),
        job=job,
        model=web.settings.llm.model or "the configured model",
        error=str(job.error) if job.error is not None else "",
        refresh=REFRESH_S,
    )
    if job.error is None:
        response.headers["Refresh"] = str(REFRESH_S)
        response.headers["Cache-Control"] = "no-store"
    return response
