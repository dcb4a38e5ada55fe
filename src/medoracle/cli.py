"""The `medoracle` command line: parse, call one service function, render.

Exit codes: 0 success, 1 a medoracle error (one line on stderr), 2 usage error,
130 interrupted. Tracebacks are shown only with MEDORACLE_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from medoracle import __version__
from medoracle.corpus.build import PROFILES
from medoracle.corpus.citation import citation_line
from medoracle.corpus.ingest import FILE_ERRORS, WITH_ERRORS, IngestInterrupted
from medoracle.corpus.loaders import FORMATS
from medoracle.corpus.progress import RichReporter
from medoracle.corpus.schema import utc_now
from medoracle.corpus.service import build_library, ingest_paths, library_stats, show_document
from medoracle.errors import ConfigError, MedoracleError
from medoracle.retrieve.search import MODES
from medoracle.settings import Settings, get_settings
from medoracle.web.commands import register as register_web_commands

__all__ = ["main"]


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"medoracle: error: {message}", err=True)
    sys.exit(code)


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def _errors() -> Iterator[None]:
    """Map medoracle's exceptions to one-line messages and exit codes."""
    previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        yield
    except IngestInterrupted as exc:
        click.echo(f"medoracle: {exc}", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        click.echo("medoracle: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except MedoracleError as exc:
        _fail(str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        _fail(f"invalid setting {where}: {first['msg']}")
    except Exception as exc:
        if os.environ.get("MEDORACLE_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set MEDORACLE_DEBUG=1 for details)")
    finally:
        signal.signal(signal.SIGTERM, previous)


def _settings() -> Settings:
    return get_settings()


def _with_progress(run: Callable[[RichReporter], dict[str, Any]]) -> dict[str, Any]:
    reporter = RichReporter()
    try:
        return run(reporter)
    finally:
        reporter.close()


def _indexed(
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
        from medoracle.answer.service import open_answerer
        from medoracle.articles.service import Site

        site = Site(settings, answerer=lambda: open_answerer(settings))
        try:
            summary["articles_with_new_evidence"] = site.flag_new_evidence(since)
        finally:
            site.close()
    return summary


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    """An evaluation report: JSON, or one `key: value` line per entry (nested flattened)."""
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for key, value in report.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k} {v}" for k, v in value.items())
            click.echo(f"{key}: {shown}")
        elif isinstance(value, list) and len(value) > 5:
            click.echo(f"{key}: {len(value)} items (see --json)")
        else:
            click.echo(f"{key}: {value}")


def _print_summary(summary: dict[str, Any], as_json: bool) -> None:
    """The ingest summary; then, if whole files could not be loaded, one line and exit 1."""
    _summary_lines(summary, as_json)
    if summary["outcome"] == WITH_ERRORS:
        reasons = summary["skipped_reasons"]
        failed = ", ".join(f"{r}: {reasons[r]}" for r in FILE_ERRORS if reasons.get(r))
        command = "ingest" if "format" in summary else "library build"
        _fail(f"{command} completed with errors ({failed}); the other files were loaded")


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medoracle")
def main() -> None:
    """medoracle: an offline, evidence-first clinical answer engine."""


@main.group()
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
    with _errors():
        settings = _settings()

        def run(reporter: RichReporter) -> dict[str, Any]:
            since = utc_now()
            summary = build_library(
                settings, data_dir=data_dir, profile=profile, limit=limit, reporter=reporter
            )
            return summary if no_index else _indexed(settings, summary, reporter, since)

        _print_summary(_with_progress(run), as_json)


@main.command("ingest", help=f"Ingest files of one FORMAT ({', '.join(FORMATS)}).")
@click.argument("format_name", metavar="FORMAT")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--limit", type=click.IntRange(min=1), help="at most N documents per file")
@click.option("--no-index", is_flag=True, help="leave the search indexes for the next search")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def ingest_command(
    format_name: str, paths: tuple[Path, ...], limit: int | None, no_index: bool, as_json: bool
) -> None:
    with _errors():
        settings = _settings()

        def run(reporter: RichReporter) -> dict[str, Any]:
            since = utc_now()
            summary = ingest_paths(
                settings, format_name, list(paths), limit=limit, reporter=reporter
            )
            return summary if no_index else _indexed(settings, summary, reporter, since)

        _print_summary(_with_progress(run), as_json)


@library.command("stats")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
def stats(as_json: bool) -> None:
    """Count documents and passages, by type and by corpus."""
    with _errors():
        result = library_stats(_settings())
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
    with _errors():
        document, passages = show_document(_settings(), doc_id)
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


@main.command("search")
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

    with _errors():
        settings = _settings()
        payload = _with_progress(
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


@main.command("ask")
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
def ask_command(question: str, audience: str, fmt: str, context: str) -> None:
    """Answer QUESTION from the library: a cited, verified answer page."""
    from medoracle.answer.render import render
    from medoracle.answer.service import open_answerer, screen_question

    with _errors():
        screen_question(question)  # empty or huge: refuse before opening any index
        settings = _settings()
        answerer = _with_progress(lambda reporter: {"a": open_answerer(settings, reporter)})["a"]
        answer = answerer.ask(question, audience, context=context)
        color = fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        click.echo(render(answer, fmt, color=color))


@main.group("eval")
def eval_group() -> None:
    """Measure retrieval and answers on the open evaluation sets."""


@eval_group.command("retrieval")
@click.option("--dataset", type=click.Choice(["bioasq", "pubmedqa", "liveqa"]), required=True)
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="at most N questions")
@click.option(
    "--mode", "modes", multiple=True, type=click.Choice(MODES),
    help="retrieval mode(s); default: full and the plain bm25 baseline",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
def eval_retrieval_command(
    dataset: str, split: str, limit: int | None, modes: tuple[str, ...], as_json: bool
) -> None:
    """Recall, MRR or LiveQA grades, and latency, on a fixed dev or test split."""
    from medoracle.eval.service import eval_retrieval

    with _errors():
        settings = _settings()
        report = _with_progress(
            lambda reporter: eval_retrieval(
                settings,
                dataset,
                split=split,
                limit=limit,
                modes=modes or ("full", "bm25"),
                reporter=reporter,
            )
        )
        if as_json:
            click.echo(json.dumps(report, indent=2))
            return
        click.echo(f"{dataset} {split}: {report['questions']} questions")
        for mode, metrics in report["results"].items():
            shown = ", ".join(
                f"{name} {value}" for name, value in metrics.items() if name not in ("mode", "n")
            )
            click.echo(f"  {mode:<8} {shown}")


@eval_group.command("answers")
@click.option("--dataset", type=click.Choice(["bioasq", "pubmedqa", "liveqa"]), required=True)
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="first N questions")
@click.option(
    "--audience",
    type=click.Choice(["clinician", "student", "patient"]),
    default="clinician",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_answers_command(
    dataset: str, split: str, limit: int | None, audience: str, as_json: bool
) -> None:
    """Score composed answers (ROUGE-L, gold PMIDs, verified share, latency) against a
    top-passage baseline."""
    from medoracle.eval.service import eval_answers

    with _errors():
        settings = _settings()
        report = _with_progress(
            lambda reporter: eval_answers(
                settings, dataset, split=split, limit=limit, audience=audience, reporter=reporter
            )
        )
        _print_report(report, as_json)


@eval_group.command("quality")
@click.option(
    "--split", type=click.Choice(["dev", "test", "all"]), default="test", show_default=True
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="first N questions")
@click.option(
    "--medlfqa",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="also score must-have coverage on the first N questions of each MedLFQA set",
)
@click.option("--pages", is_flag=True, help="list each page's title and bottom line too")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_quality_command(
    split: str, limit: int | None, medlfqa: int | None, pages: bool, as_json: bool
) -> None:
    """Answer pages on the project's question bank: key points, bottom lines, titles,
    off-focus statements, abstention and latency, against a top-passage baseline."""
    from medoracle.eval.service import eval_quality

    with _errors():
        settings = _settings()
        report = _with_progress(
            lambda reporter: eval_quality(
                settings, split=split, limit=limit, medlfqa=medlfqa, reporter=reporter
            )
        )
        if not pages:
            report.pop("pages", None)
        _print_report(report, as_json)


@eval_group.command("relevance")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option(
    "--fit",
    type=click.Choice(["all", "relevance", "ranking"]),
    default=None,
    help="refit on the dev splits and write the weights first",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="at most N questions a set")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_relevance_command(split: str, fit: str | None, limit: int | None, as_json: bool) -> None:
    """The sentence relevance model: ROC AUC and average precision on labelled pairs from
    BioASQ, PubMedQA, LiveQA and MEDIQA, against a word-overlap baseline."""
    from medoracle.eval.service import eval_relevance

    with _errors():
        settings = _settings()
        report = _with_progress(
            lambda reporter: eval_relevance(
                settings, split=split, fit=fit or "", limit=limit, reporter=reporter
            )
        )
        _print_report(report, as_json)


@eval_group.command("verifier")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option(
    "--encoder",
    type=click.Choice(["none", "static", "minilm"]),
    default="static",
    show_default=True,
    help="embedding signal: none, the distilled static encoder, or MiniLM",
)
@click.option("--floor", type=click.FloatRange(0, 1), default=None, help="default: fitted")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_verifier_command(split: str, encoder: str, floor: float | None, as_json: bool) -> None:
    """The statement verifier as a supports / not-supports classifier on HealthVer."""
    from medoracle.embed.encoders import load_encoder
    from medoracle.eval.verifier import evaluate_verifier

    with _errors():
        settings = _settings()
        data_dir = settings.resolved_data_dir()
        if data_dir is None or not (data_dir / "healthver").is_dir():
            raise ConfigError("no HealthVer data: set MEDORACLE_DATA_DIR to the datasets folder")
        model = None if encoder == "none" else load_encoder(encoder, settings.cache_dir / "models")
        report = evaluate_verifier(data_dir, model, split=split, floor=floor)
        _print_report(report, as_json)


@eval_group.command("redflags")
@click.option(
    "--split", type=click.Choice(["dev", "test", "all"]), default="test", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_redflags_command(split: str, as_json: bool) -> None:
    """Red-flag recall and false alarms on the project's labelled questions."""
    from medoracle.eval.redflags import evaluate_redflags

    with _errors():
        _print_report(evaluate_redflags(split), as_json)


@eval_group.command("screen")
@click.option(
    "--split", type=click.Choice(["dev", "test", "all"]), default="test", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_screen_command(split: str, as_json: bool) -> None:
    """Precision and recall of the instruction screen on the project's labelled inputs."""
    from medoracle.eval.screen import evaluate_screen

    with _errors():
        _print_report(evaluate_screen(split), as_json)


@eval_group.command("qtype")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
def eval_qtype_command(split: str, as_json: bool) -> None:
    """Question-type accuracy on the project's labelled questions."""
    from medoracle.query.eval.qtype_eval import evaluate_qtype

    with _errors():
        report = evaluate_qtype("test" if split == "test" else "dev")
        if as_json:
            click.echo(json.dumps(report, indent=2))
            return
        click.echo(f"question type, {split}: accuracy {report['accuracy']} on {report['n']}")


@main.group("bench")
def bench_group() -> None:
    """Measure speed and memory at scale."""


@bench_group.command("load")
@click.option("--url", help="a running server to load; default: start one over the library")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True)
@click.option("--ask-clients", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--ask-seconds", type=click.FloatRange(0, 3600), default=60, show_default=True)
@click.option("--read-clients", type=click.IntRange(1, 5000), default=200, show_default=True)
@click.option("--read-seconds", type=click.FloatRange(0, 3600), default=30, show_default=True)
@click.option("--read-processes", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--reader",
    type=click.Choice(["wrk", "httpx"]),
    default=None,
    help="read-phase client; default wrk when installed (one Python process cannot send "
    "the 4,000 requests a second 200 readers at 50 ms need)",
)
@click.option("--questions", type=click.IntRange(1, 100_000), default=2000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def bench_load_command(
    url: str | None,
    workers: int,
    ask_clients: int,
    ask_seconds: float,
    read_clients: int,
    read_seconds: float,
    read_processes: int,
    reader: str | None,
    questions: int,
    as_json: bool,
) -> None:
    """New questions from many clients, then approved pages read by many more: errors,
    latency percentiles and throughput against 127.0.0.1."""
    from medoracle.bench.load import load_questions, run_load
    from medoracle.bench.server import local_server

    with _errors():
        settings = _settings()
        data_dir = settings.resolved_data_dir()
        if data_dir is None:
            raise ConfigError("no data folder for the questions: set MEDORACLE_DATA_DIR")
        pool = load_questions(data_dir, questions)
        say = None if as_json else (lambda line: click.echo(line, err=True))
        options: dict[str, Any] = {
            "ask_clients": ask_clients,
            "ask_seconds": ask_seconds,
            "read_clients": read_clients,
            "read_seconds": read_seconds,
            "read_processes": read_processes,
            "reporter": say,
            "reader": reader or ("wrk" if shutil.which("wrk") else "httpx"),
        }
        if url:
            report = run_load(url, pool, **options)
        else:
            with local_server(settings, workers=workers) as (base, reviewer):
                report = run_load(base, pool, auth=reviewer, **options)
            report["server"] = {"workers": workers}
        _print_report(report, as_json)


@bench_group.command("retrieval")
@click.option(
    "--passages", type=click.IntRange(1_000, 5_000_000), default=1_000_000, show_default=True
)
@click.option("--queries", type=click.IntRange(10, 10_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
def bench_retrieval_command(passages: int, queries: int, as_json: bool) -> None:
    """Synthetic library: build time, size, memory and latency against bm25s and numpy."""
    from medoracle.bench.retrieval import run_bench

    with _errors():
        report = run_bench(passages, queries)
        if as_json:
            click.echo(json.dumps(report, indent=2))
            return
        click.echo(f"{passages:,} synthetic passages, {queries} queries")
        for name, metrics in report["systems"].items():
            click.echo(f"  {name:<10} " + ", ".join(f"{k} {v}" for k, v in metrics.items()))
        click.echo("  ratios     " + ", ".join(f"{k} {v}" for k, v in report["ratios"].items()))


register_web_commands(main, _errors)
