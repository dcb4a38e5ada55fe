"""`medoracle library build|stats|show` and `medoracle ingest`: filling the evidence
library, bringing its search indexes up to date, and flagging articles with new evidence."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from medoracle.cli.common import errors, fail, with_progress
from medoracle.corpus.build import PROFILES
from medoracle.corpus.citation import citation_line
from medoracle.corpus.ingest import FILE_ERRORS, WITH_ERRORS
from medoracle.corpus.loaders import FORMATS
from medoracle.corpus.progress import RichReporter
from medoracle.corpus.schema import utc_now
from medoracle.corpus.service import build_library, ingest_paths, library_stats, show_document
from medoracle.settings import Settings, get_settings

__all__ = ["index_and_flag", "ingest_command", "library"]


def index_and_flag(
    settings: Settings, summary: dict[str, Any], reporter: RichReporter, since: str
) -> dict[str, Any]:
    """Bring the search indexes up to the library just written (timed separately), then flag
    the web app's articles whose top evidence now holds a document added since `since`."""
    from medoracle.corpus.store import Library
    from medoracle.retrieve.service import update_indexes

    started = time.perf_counter()
    with Library.open(settings.library_path) as library:
        report = update_indexes(settings, library, reporter)
    summary = {
        **summary,
        "indexes": report,
        "index_seconds": round(time.perf_counter() - started, 2),
    }
    if settings.site_path.exists() and (summary.get("added") or summary.get("updated")):
        from medoracle.articles.service import open_site

        with open_site(settings) as site:
            summary["articles_with_new_evidence"] = site.flag_new_evidence(since)
    return summary


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    """The ingest summary; then, if whole files could not be loaded, one line and exit 1."""
    _summary_lines(summary, as_json)
    if summary["outcome"] == WITH_ERRORS:
        reasons = summary["skipped_reasons"]
        failed = ", ".join(f"{r}: {reasons[r]}" for r in FILE_ERRORS if reasons.get(r))
        command = "ingest" if "format" in summary else "library build"
        fail(f"{command} completed with errors ({failed}); the other files were loaded")


def _summary_lines(summary: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for source in summary["sources"]:
        click.echo(
            f"{source['format']:<19} {Path(source['path']).name:<38} added {source['added']:>7,}"
            f"  updated {source['updated']:>6,}  unchanged {source['unchanged']:>7,}"
            f"  skipped {source['skipped']:>6,}  {source['seconds']:>7.1f}s"
        )
    click.echo(
        f"total: added {summary['added']:,}, updated {summary['updated']:,}, "
        f"unchanged {summary['unchanged']:,}, skipped {summary['skipped']:,} "
        f"in {summary['seconds']:.1f}s; library now holds {summary['library_documents']:,} "
        f"documents, {summary['library_passages']:,} passages ({summary['library']})"
    )
    for reason, count in sorted(summary["skipped_reasons"].items(), key=lambda kv: -kv[1]):
        click.echo(f"  skipped {count:>7,}: {reason}")
    if "indexes" in summary:
        click.echo(f"search indexes brought up to date in {summary['index_seconds']:.1f}s")
    for slug in summary.get("articles_with_new_evidence", []):
        click.echo(f"new evidence available, listed for re-review: {slug}")


@click.group()
def library() -> None:
    """Build and inspect the evidence library."""


@library.command("build")
@click.option("--from", "data_dir", type=click.Path(path_type=Path), help="open datasets folder")
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="quick", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="at most N documents per source file")
@click.option("--no-index", is_flag=True, help="leave the search indexes for the next search")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def build(
    data_dir: Path | None, profile: str, limit: int | None, no_index: bool, as_json: bool
) -> None:
    """Ingest the open datasets into the library (quick: all but trial full texts), then
    bring the search indexes up to date."""
    with errors():
        settings = get_settings()

        def run(reporter: RichReporter) -> dict[str, Any]:
            since = utc_now()
            summary = build_library(
                settings, data_dir=data_dir, profile=profile, limit=limit, reporter=reporter
            )
            return summary if no_index else index_and_flag(settings, summary, reporter, since)

        _print_summary(with_progress(run), as_json)


@click.command("ingest", help=f"Ingest files of one FORMAT ({', '.join(FORMATS)}).")
@click.argument("format_name", metavar="FORMAT")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="at most N documents per file")
@click.option("--no-index", is_flag=True, help="leave the search indexes for the next search")
@click.option("--title", help="document: its title (one file only)")
@click.option("--body", help="document: the issuing body, e.g. a clinic or trust")
@click.option("--year", type=click.IntRange(1900, 2100), help="document: year issued")
@click.option("--type", "pub_type", help="document: publication type (default guideline)")
@click.option("--audience", type=click.Choice(["clinician", "patient"]), help="document: reader")
@click.option("--id", "doc_id", help="document: its id after local: (one file only)")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def ingest_command(
    format_name: str,
    paths: tuple[Path, ...],
    limit: int | None,
    no_index: bool,
    title: str | None,
    body: str | None,
    year: int | None,
    pub_type: str | None,
    audience: str | None,
    doc_id: str | None,
    as_json: bool,
) -> None:
    """Options --title, --body, --year, --type, --audience and --id describe `document`
    files (PDF, HTML, Markdown) over their NAME.meta.toml sidecars."""
    from medoracle.corpus.local import document_meta, ingest_documents
    from medoracle.errors import ConfigError

    with errors():
        settings = get_settings()
        options = {"title": title, "body": body, "year": year, "type": pub_type,
                   "audience": audience, "id": doc_id}  # fmt: skip
        given = [f"--{name}" for name, value in options.items() if value is not None]
        if given and format_name != "document":
            raise ConfigError(f"{', '.join(given)}: only for the document format")
        meta = None
        if format_name == "document":
            meta = document_meta(
                title=title, body=body, year=year, type=pub_type, audience=audience, id=doc_id
            )

        def run(reporter: RichReporter) -> dict[str, Any]:
            since = utc_now()
            if format_name == "document":
                summary = ingest_documents(
                    settings, list(paths), meta, limit=limit, reporter=reporter
                )
            else:
                summary = ingest_paths(
                    settings, format_name, list(paths), limit=limit, reporter=reporter
                )
            return summary if no_index else index_and_flag(settings, summary, reporter, since)

        _print_summary(with_progress(run), as_json)


@library.command("stats")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
def stats(as_json: bool) -> None:
    """Count documents and passages, by type and by corpus."""
    with errors():
        result = library_stats(get_settings())
        if as_json:
            click.echo(json.dumps(result, indent=2))
            return
        click.echo(f"{result['documents']:,} documents, {result['passages']:,} passages")
        for group in ("by_type", "by_corpus", "by_status"):
            click.echo(f"{group[3:]}:")
            for key, count in result[group].items():
                click.echo(f"  {key:<22} {count:>9,}")


@library.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="print the document and passages as JSON")
def show(doc_id: str, as_json: bool) -> None:
    """Print a document's citation line and its passages."""
    with errors():
        document, passages = show_document(get_settings(), doc_id)
        if as_json:
            payload = {
                "document": document.model_dump(mode="json"),
                "passages": [p.model_dump(mode="json") for p in passages],
            }
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        click.echo(click.style(citation_line(document), bold=True))
        details = [
            ("Source", document.source),
            ("Date", document.date),
            ("Authors", ", ".join(document.authors[:6]) or None),
            ("Type", f"{document.pub_type.value} (level {document.evidence_level})"),
            ("Status", document.status.value),
            ("Note", document.status_note),
            ("Corpus", document.corpus),
            ("Licence", document.licence),
        ]  # fmt: skip
        for label, value in details:
            if value:
                click.echo(f"{label + ':':<9} {value}")
        for passage in passages:
            grade = f" [{passage.grade}]" if passage.grade else ""
            head = f"#{passage.seq} {passage.section} ({passage.kind.value}){grade}"
            click.echo("\n" + click.style(head, underline=True))
            click.echo(passage.text)
