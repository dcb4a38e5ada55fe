"""`medoracle bench load|retrieval`: speed and memory at scale."""

from __future__ import annotations

import json
import shutil
from typing import Any

import click

from medoracle.cli.common import errors, print_report
from medoracle.errors import ConfigError
from medoracle.settings import get_settings

__all__ = ["bench_group"]


@click.group("bench")
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

    with errors():
        settings = get_settings()
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
        print_report(report, as_json)


@bench_group.command("retrieval")
@click.option(
    "--passages", type=click.IntRange(1_000, 5_000_000), default=1_000_000, show_default=True
)
@click.option("--queries", type=click.IntRange(10, 10_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
def bench_retrieval_command(passages: int, queries: int, as_json: bool) -> None:
    """Synthetic library: build time, size, memory and latency against bm25s and numpy."""
    from medoracle.bench.retrieval import run_bench

    with errors():
        report = run_bench(passages, queries)
        if as_json:
            click.echo(json.dumps(report, indent=2))
            return
        click.echo(f"{passages:,} synthetic passages, {queries} queries")
        for name, metrics in report["systems"].items():
            click.echo(f"  {name:<10} " + ", ".join(f"{k} {v}" for k, v in metrics.items()))
        click.echo("  ratios     " + ", ".join(f"{k} {v}" for k, v in report["ratios"].items()))


@bench_group.command("components")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def bench_components_command(as_json: bool) -> None:
    """Per-component speed: MeSH and abbreviation loading, red-flag checks, sentence grades,
    each against its target (these were timing asserts in unit tests once)."""
    from medoracle.bench.components import run_components

    with errors():
        settings = get_settings()
        print_report(run_components(settings.resolved_data_dir(), settings.cache_dir), as_json)


@bench_group.command("pubmed")
@click.option("--questions", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--url", help="E-utilities base URL; default MEDORACLE_PUBMED__BASE_URL")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def bench_pubmed_command(questions: int, url: str | None, as_json: bool) -> None:
    """E-utilities requests and cache hits for the first N bank questions, twice (cold and
    warm cache), ingesting into a scratch library."""
    from medoracle.bench.pubmed import run_pubmed_bench

    with errors():
        settings = get_settings()
        if url:
            settings.pubmed.base_url = url
        print_report(run_pubmed_bench(settings, questions), as_json)
