"""Running the `medoracle` command line in-process, for the CLI tests."""

from __future__ import annotations

from click.testing import CliRunner

from medoracle.cli import main


def run(*args: str) -> tuple[int, str, str]:
    """`medoracle ARGS`: the exit code, standard output and standard error."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr
