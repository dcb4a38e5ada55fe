"""The web app's commands: `serve`, `user add`, and `review list|show|approve|request-changes`,
over the articles service (`medoracle.articles`)."""

from __future__ import annotations

import json
import sys

import click

from medoracle.articles.workflow import ReviewState, Role
from medoracle.cli.common import errors
from medoracle.settings import get_settings

__all__ = ["review_group", "serve", "user_group"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="server processes; each opens the library and its indexes",
)
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app: ask, read, follow up and review at http://HOST:PORT/."""
    from medoracle.web.app import serve as run_server

    with errors():
        run_server(get_settings(), host=host, port=port, workers=workers)


@click.group("user")
def user_group() -> None:
    """Reviewer and editor accounts of the web app."""


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def user_add(username: str, role: str, password_stdin: bool) -> None:
    """Create an account; the password is asked for twice (or read from stdin)."""
    from medoracle.articles.accounts import add_account, valid_username

    with errors():
        valid_username(username)  # before asking for a password
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
        user = add_account(get_settings().site_path, username, password, role)
        click.echo(f"added {user.role} {user.username}")


@click.group("review")
def review_group() -> None:
    """The review track from the command line."""


@review_group.command("list")
@click.option("--state", type=click.Choice([state.value for state in ReviewState]))
@click.option("--new-evidence", is_flag=True, help="only articles flagged for re-review")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
def review_list(state: str | None, new_evidence: bool, limit: int, as_json: bool) -> None:
    """Articles, newest change first."""
    from medoracle.articles.service import open_site
    from medoracle.articles.summaries import article_summary

    with errors():
        with open_site(get_settings()) as site:
            found = site.listing(
                state=state, new_evidence=True if new_evidence else None, limit=limit
            )
        if as_json:
            click.echo(json.dumps([article_summary(a) for a in found], indent=2))
            return
        if not found:
            click.echo("no articles")
        for article in found:
            flag = " [new evidence]" if article.new_evidence else ""
            click.echo(f"{article.state:<17} v{article.current_version}  {article.slug}{flag}")


@review_group.command("show")
@click.argument("slug")
@click.option(
    "--audience", type=click.Choice(["clinician", "student", "patient"]), default="clinician"
)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text")
def review_show(slug: str, audience: str, fmt: str) -> None:
    """An article's page, state, annotations and history."""
    from medoracle.answer.render import render
    from medoracle.articles.service import open_site

    with errors():
        with open_site(get_settings()) as site:
            article = site.find(slug)
            answer = site.answer(article, audience)
            events = site.events(article)
            notes = site.store.annotations(article.id)
        if fmt == "json":
            data = {
                "slug": article.slug,
                "state": article.state,
                "version": article.current_version,
                "new_evidence": article.new_evidence,
                "answer": json.loads(answer.model_dump_json()),
                "annotations": [a.__dict__ for a in notes],
                "events": [e.__dict__ for e in events],
            }
            click.echo(json.dumps(data, indent=2))
            return
        click.echo(
            f"{article.slug} · {article.state.label} · version {article.current_version}"
            + (" · new evidence available" if article.new_evidence else "")
        )
        click.echo(render(answer, "markdown" if fmt == "markdown" else "text"))
        for note in notes:
            click.echo(f"{note.kind} by {note.username} on {note.statement_key}: {note.body}")
        click.echo("History:")
        for event in events:
            move = f" -> {event.to_state}" if event.to_state else ""
            move = f" {event.from_state}{move}" if event.from_state else move
            click.echo(f"  {event.at} {event.actor} {event.kind}{move} {event.comment}")


def _advance(slug: str, username: str, goal: ReviewState, comment: str) -> None:
    from medoracle.articles.service import open_site

    with open_site(get_settings()) as site:
        article = site.advance(slug, username, goal, comment)
    click.echo(f"{article.slug}: {article.state}")


@review_group.command("approve")
@click.argument("slug")
@click.option("--as", "username", required=True, help="the reviewer approving it")
@click.option("--comment", default="", help="kept in the audit trail")
def review_approve(slug: str, username: str, comment: str) -> None:
    """Approve SLUG (starting its review first if it is only submitted)."""
    with errors():
        _advance(slug, username, ReviewState.APPROVED, comment)


@review_group.command("request-changes")
@click.argument("slug")
@click.option("--as", "username", required=True, help="the reviewer asking for changes")
@click.option("--comment", required=True, help="what must change; kept in the audit trail")
def review_request_changes(slug: str, username: str, comment: str) -> None:
    """Send SLUG back for changes."""
    with errors():
        _advance(slug, username, ReviewState.CHANGES_REQUESTED, comment)
