"""An article exported as Markdown, JSON or a printable page: the reviewed text (struck
statements left out), its review state and the reviewers' notes."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from medoracle.answer.model import Answer
from medoracle.answer.render import html_environment, render_markdown
from medoracle.articles.records import Article
from medoracle.articles.service import Site
from medoracle.articles.summaries import annotation_records, article_summary
from medoracle.web.deps import state_of
from medoracle.web.render import audience_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _exported(request: Request, slug: str, audience: str | None) -> tuple[Site, Article, Answer]:
    site = state_of(request).site
    article = site.find(slug)
    answer = site.reviewed(article, site.answer(article, audience_of(request, audience)))
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
        f"review state: {article.state.label} -->\n"
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
    template = html_environment().get_template("answer.html.j2")
    return HTMLResponse(template.render(answer=answer, review_status=article.state))
