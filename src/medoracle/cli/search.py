"""`medoracle search` and `medoracle ask`: the library's passages, and a cited answer page."""

from __future__ import annotations

import json
import os
import sys

import click

from medoracle.cli.common import errors, with_progress
from medoracle.settings import Settings, get_settings

__all__ = ["ask_command", "search_command"]


@click.command("search")
@click.argument("query")
@click.option("--k", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--type", "types", multiple=True, help="only this publication type (repeatable)")
@click.option("--audience", type=click.Choice(["clinician", "patient"]))
@click.option("--json", "as_json", is_flag=True, help="print the hits as JSON")
def search_command(
    query: str, k: int, types: tuple[str, ...], audience: str | None, as_json: bool
) -> None:
    """Search the library: ranked passages with their citation lines and scores."""
    from medoracle.retrieve.api import search_library

    with errors():
        settings = get_settings()
        _live_pubmed(settings, query)
        payload = with_progress(
            lambda reporter: search_library(
                settings, query, k=k, types=types, audience=audience, reporter=reporter
            )
        )
        if as_json:
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        if payload["expansions"]:
            click.echo("expanded: " + "; ".join(payload["expansions"]))
        if not payload["hits"]:
            click.echo("no passages match this query")
        for hit in payload["hits"]:
            grade = f" [{hit['grade']}]" if hit["grade"] else ""
            click.echo(f"\n{hit['rank']}. {click.style(hit['citation'], bold=True)}")
            click.echo(f"   {hit['section']} ({hit['kind']}){grade}  score {hit['score']:.3f}")
            text = hit["text"] if len(hit["text"]) <= 400 else hit["text"][:400] + "…"
            click.echo("   " + text.replace("\n", "\n   "))
        click.echo(f"\n{payload['timings_ms']['total']:.1f} ms")


@click.command("ask")
@click.argument("question")
@click.option(
    "--audience",
    type=click.Choice(["clinician", "student", "patient"]),
    default="clinician",
    show_default=True,
    help="who the page is written for",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option("--context", default="", help="a parent question's subject, for a follow-up")
@click.option(
    "--composer",
    type=click.Choice(["extractive", "llm"]),
    default=None,
    help="who writes the page: the sources' own sentences, or the language model of "
    "MEDORACLE_LLM__BASE_URL (every statement verified); default: MEDORACLE_COMPOSER",
)
def ask_command(question: str, audience: str, fmt: str, context: str, composer: str | None) -> None:
    """Answer QUESTION from the library: a cited, verified answer page."""
    from medoracle.answer.render import render
    from medoracle.answer.service import open_answerer, screen_question

    with errors():
        screen_question(question)  # empty or huge: refuse before opening any index
        settings = get_settings()
        if (composer or settings.composer) == "llm":
            from medoracle.llm.client import ChatClient

            ChatClient(settings.llm).close()  # a missing URL or unsafe key file: fail first
        _live_pubmed(settings, question)
        answerer = with_progress(lambda reporter: {"a": open_answerer(settings, reporter)})["a"]
        answer = answerer.ask(question, audience, context=context, composer=composer)
        color = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(render(answer, fmt, color=color))


def _live_pubmed(settings: Settings, question: str) -> None:
    """With live PubMed enabled, ingest what it holds on `question` first; a PubMed that
    cannot be reached costs one line on stderr, never the answer."""
    if not settings.pubmed.enabled:
        return
    from medoracle.errors import RemoteError
    from medoracle.pubmed.service import fetch_question

    try:
        report = fetch_question(settings, question)
    except RemoteError as exc:
        click.echo(f"medoracle: PubMed not searched: {exc}", err=True)
        return
    added = report.get("ingest", {}).get("added", 0)
    click.echo(f"medoracle: PubMed: {len(report['found'])} found, {added} new", err=True)
