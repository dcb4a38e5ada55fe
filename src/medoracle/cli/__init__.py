"""The `medoracle` command line: parse, call one service function, render.

One module per command group; `medoracle.cli.common` maps errors to exit codes (0 success,
1 a medoracle error in one line on stderr, 2 usage error, 130 interrupted).

    library.py   library build|stats|show, ingest
    search.py    search, ask
    evaluate.py  eval ...
    bench.py     bench load|retrieval
    site.py      serve, user add, review list|show|approve|request-changes
    pubmed.py    pubmed fetch|update (live PubMed)
"""

from __future__ import annotations

import click

from medoracle import __version__
from medoracle.cli.bench import bench_group
from medoracle.cli.evaluate import eval_group
from medoracle.cli.library import ingest_command, library
from medoracle.cli.pubmed import pubmed_group
from medoracle.cli.search import ask_command, search_command
from medoracle.cli.site import review_group, serve, user_group

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="medoracle")
def main() -> None:
    """medoracle: an offline, evidence-first clinical answer engine."""


for command in (
    library,
    ingest_command,
    search_command,
    ask_command,
    eval_group,
    bench_group,
    pubmed_group,
    serve,
    user_group,
    review_group,
):
    main.add_command(command)
