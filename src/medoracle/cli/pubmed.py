"""`medoracle pubmed fetch|update`: PubMed records into the library on demand, and the web
app's articles searched again for newer evidence."""

from __future__ import annotations

from typing import Any

import click

from medoracle.cli.common import errors, print_report, with_progress
from medoracle.cli.library import index_and_flag
from medoracle.corpus.progress import RichReporter
from medoracle.corpus.schema import utc_now
from medoracle.settings import get_settings

__all__ = ["pubmed_group"]


@click.group("pubmed")
def pubmed_group() -> None:
    """Live PubMed (NCBI E-utilities): records fetched into the library as documents."""


@pubmed_group.command("fetch")
@click.argument("query")
@click.option("--max", "max_results", type=click.IntRange(1, 200), default=None,
              help="records to fetch; default MEDORACLE_PUBMED__MAX_RESULTS")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def pubmed_fetch(query: str, max_results: int | None, as_json: bool) -> None:
    """Search PubMed for QUERY (PubMed syntax) and ingest the records the library lacks."""
    from medoracle.pubmed.service import fetch_term

    with errors():
        settings = get_settings()

        def run(reporter: RichReporter) -> dict[str, Any]:
            since = utc_now()
            report = fetch_term(settings, query, max_results=max_results, reporter=reporter)
            if report.get("ingest"):
                report["ingest"] = index_and_flag(settings, report["ingest"], reporter, since)
            return report

        print_report(with_progress(run), as_json)


@pubmed_group.command("update")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="articles searched again, most recently changed first")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def pubmed_update(limit: int, as_json: bool) -> None:
    """Search PubMed again for every article's question, ingest what is new, and flag the
    articles whose top evidence now holds it."""
    from medoracle.articles.service import open_site
    from medoracle.pubmed.service import fetch_questions

    with errors():
        settings = get_settings()
        with open_site(settings) as site:
            questions = list(dict.fromkeys(a.question for a in site.listing(limit=limit)))

        def run(reporter: RichReporter) -> dict[str, Any]:
            since = utc_now()
            report = fetch_questions(settings, questions, reporter=reporter)
            if report["added"]:
                summary = {"added": report["added"], "updated": 0}
                flagged = index_and_flag(settings, summary, reporter, since)
                report["articles_with_new_evidence"] = flagged.get("articles_with_new_evidence", [])
            return report

        print_report(with_progress(run), as_json)
