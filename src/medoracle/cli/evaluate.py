"""`medoracle eval ...`: retrieval, answers, page quality, the relevance model, the verifier,
red flags, the instruction screen and question types on fixed splits."""

from __future__ import annotations

import json

import click

from medoracle.cli.common import errors, print_report, with_progress
from medoracle.errors import ConfigError
from medoracle.retrieve.search import MODES
from medoracle.settings import get_settings

__all__ = ["eval_group"]


@click.group("eval")
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

    with errors():
        settings = get_settings()
        report = with_progress(
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

    with errors():
        settings = get_settings()
        report = with_progress(
            lambda reporter: eval_answers(
                settings, dataset, split=split, limit=limit, audience=audience, reporter=reporter
            )
        )
        print_report(report, as_json)


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
@click.option(
    "--composer",
    type=click.Choice(["extractive", "llm"]),
    default="extractive",
    show_default=True,
    help="llm: the language model's pages beside the extractive ones",
)
@click.option("--llm-url", default=None, help="the model server's base URL (for --composer llm)")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_quality_command(
    split: str,
    limit: int | None,
    medlfqa: int | None,
    pages: bool,
    composer: str,
    llm_url: str | None,
    as_json: bool,
) -> None:
    """Answer pages on the project's question bank: key points, bottom lines, titles,
    off-focus statements, abstention and latency, against a top-passage baseline."""
    from medoracle.eval.service import eval_quality

    with errors():
        settings = get_settings()
        if llm_url:
            settings.llm.base_url = llm_url
        report = with_progress(
            lambda reporter: eval_quality(
                settings,
                split=split,
                limit=limit,
                medlfqa=medlfqa,
                composer=composer,
                reporter=reporter,
            )
        )
        if not pages:
            report.pop("pages", None)
        print_report(report, as_json)


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

    with errors():
        settings = get_settings()
        report = with_progress(
            lambda reporter: eval_relevance(
                settings, split=split, fit=fit or "", limit=limit, reporter=reporter
            )
        )
        print_report(report, as_json)


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

    with errors():
        settings = get_settings()
        data_dir = settings.resolved_data_dir()
        if data_dir is None or not (data_dir / "healthver").is_dir():
            raise ConfigError("no HealthVer data: set MEDORACLE_DATA_DIR to the datasets folder")
        model = None if encoder == "none" else load_encoder(encoder, settings.cache_dir / "models")
        report = evaluate_verifier(data_dir, model, split=split, floor=floor)
        print_report(report, as_json)


@eval_group.command("redflags")
@click.option(
    "--split", type=click.Choice(["dev", "test", "all"]), default="test", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_redflags_command(split: str, as_json: bool) -> None:
    """Red-flag recall and false alarms on the project's labelled questions."""
    from medoracle.eval.redflags import evaluate_redflags

    with errors():
        print_report(evaluate_redflags(split), as_json)


@eval_group.command("screen")
@click.option(
    "--split", type=click.Choice(["dev", "test", "all"]), default="test", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_screen_command(split: str, as_json: bool) -> None:
    """Precision and recall of the instruction screen on the project's labelled inputs."""
    from medoracle.eval.screen import evaluate_screen

    with errors():
        print_report(evaluate_screen(split), as_json)


@eval_group.command("qtype")
@click.option("--split", type=click.Choice(["dev", "test"]), default="test", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
def eval_qtype_command(split: str, as_json: bool) -> None:
    """Question-type accuracy on the project's labelled questions."""
    from medoracle.query.eval.qtype_eval import evaluate_qtype

    with errors():
        report = evaluate_qtype("test" if split == "test" else "dev")
        if as_json:
            click.echo(json.dumps(report, indent=2))
            return
        click.echo(f"question type, {split}: accuracy {report['accuracy']} on {report['n']}")


@eval_group.command("verifier-fit")
@click.option(
    "--encoder",
    "encoders",
    multiple=True,
    type=click.Choice(["none", "static", "minilm"]),
    help="fit for these encoders (repeatable); default: all three",
)
@click.option("--dry-run", is_flag=True, help="report the fits without writing verify.toml")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_verifier_fit_command(encoders: tuple[str, ...], dry_run: bool, as_json: bool) -> None:
    """Fit the verifier's models and floors on HealthVer dev and write them into the
    package's verify.toml (its fitted section)."""
    from medoracle.eval.verifier import ENCODER_KINDS, tune_verifier

    with errors():
        report = tune_verifier(
            get_settings(), encoders=encoders or ENCODER_KINDS, write=not dry_run
        )
        print_report(report, as_json)


@eval_group.command("bank")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
def eval_bank_command(as_json: bool) -> None:
    """Check the question bank against the library: every key point of a covered question
    must be found in one of its listed documents; exit 1 when any is not."""
    from medoracle.cli.common import fail
    from medoracle.eval.bank import check_bank

    with errors():
        report = check_bank(get_settings().library_path)
        print_report(report, as_json)
        if report["problems"]:
            fail(f"{report['problems']} problems in the question bank")
