"""`medoracle bench load`: many askers, then many readers, against a running `medoracle serve`.

Three phases:
1. ask: `ask_clients` clients each POST a new question to `/api/v1/ask` until `ask_seconds`
   have passed (a request in flight at the deadline finishes and counts). Every question is
   asked once across all clients, in the given order; a client stops when the pool runs out.
2. approve: up to 50 of the articles created are moved submitted -> under_review -> approved
   through `/api/v1/articles/{slug}/transitions` with the reviewer's HTTP Basic credentials.
3. read: `read_clients` clients GET `/questions/{slug}` round-robin over those pages for
   `read_seconds`, spread over `read_processes` processes. If the ask phase created nothing,
   the server's approved articles are read instead.

Each simulated client is closed-loop (it sends its next request when the last one is
answered) and has its own `httpx.AsyncClient` and connection: many tasks sharing one pool
slow httpx down by an order of magnitude (encode/httpx#3215). By Little's law, 200 readers
at a 50 ms median need some 4,000 requests a second, more than one Python process can send,
so `client_cpu` (the load generator's CPU seconds per wall second, per process) is reported:
near 1.0 means the generator, not the server, set the pace; add `read_processes`.

The HTTP clients, timing and tallies are `medoracle.bench.clients`; the read phase is
`medoracle.bench.reading`. Latency percentiles are nearest-rank
(`medoracle.eval.retrieval.percentile`) over the successful requests only; a non-2xx answer
(429 included), a timeout or a transport error counts in `errors`, tallied by a short
reason. Throughput counts every finished request over the phase's measured wall time. Each
request is cut off after `timeout` seconds and each phase after its length plus `timeout`
plus some grace, so a run takes at most about `ask_seconds + read_seconds + 6 * timeout +
40` seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from medoracle.bench.clients import (
    GRACE_S,
    Plan,
    Tally,
    bounded,
    check_health,
    open_client,
    open_clients,
    send,
    summary,
    timed,
)
from medoracle.bench.reading import read_in_processes, read_pages, warm
from medoracle.errors import ConfigError
from medoracle.eval.datasets import load_questions as load_eval_questions

__all__ = ["APPROVE_LIMIT", "TARGETS", "load_questions", "run_load"]

# The service goals the load test checks: no failed request, a composed answer within 3 s
# at p95 under 20 askers, and a cached page within 50 ms at p50 under 200 readers.
TARGETS: dict[str, int] = {"errors": 0, "ask_p95_ms": 3000, "read_p50_ms": 50}
APPROVE_LIMIT = 50
_SOURCES = ("bioasq", "pubmedqa")  # the test splits that `load_questions` draws on
# The transitions that lead from an article's state to approved.
_STEPS: dict[str, tuple[str, ...]] = {
    "submitted": ("under_review", "approved"),
    "under_review": ("approved",),
    "approved": (),
}


def load_questions(data_dir: Path, limit: int) -> list[str]:
    """Up to `limit` distinct real questions: the BioASQ and PubMedQA test splits, taken
    alternately in file order, duplicates (ignoring case and spacing) dropped."""
    if limit < 0:
        raise ConfigError(f"question limit must be 0 or more, not {limit}")
    pools = [[q.text for q in load_eval_questions(data_dir, name, "test")] for name in _SOURCES]
    seen: set[str] = set()
    questions: list[str] = []
    for text in itertools.chain.from_iterable(itertools.zip_longest(*pools, fillvalue="")):
        if len(questions) == limit:
            break
        text = " ".join(text.split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            questions.append(text)
    return questions


def run_load(
    base_url: str,
    questions: list[str],
    *,
    ask_clients: int = 20,
    ask_seconds: float = 60.0,
    read_clients: int = 200,
    read_seconds: float = 30.0,
    auth: tuple[str, str] | None = None,
    reporter: Callable[[str], None] | None = None,
    read_processes: int = 1,
    timeout: float = 30.0,
    reader: str = "httpx",
) -> dict[str, Any]:
    """Run the three phases against the server at `base_url` and report on each.

    `auth` is a reviewer's (username, password); without it nothing is approved and the
    created pages are read as they are. `timeout` bounds each request, in seconds. Raises
    `ConfigError` when `base_url` does not answer `/healthz` with ok, or when a count or a
    duration is out of range.
    """
    for name, count in (("ask_clients", ask_clients), ("read_processes", read_processes)):
        if count < 1:
            raise ConfigError(f"{name} must be 1 or more, not {count}")
    if not read_processes <= read_clients:
        raise ConfigError(f"read_clients must be at least read_processes, not {read_clients}")
    for name, seconds in (("ask_seconds", ask_seconds), ("read_seconds", read_seconds)):
        if seconds < 0:
            raise ConfigError(f"{name} must be 0 or more, not {seconds}")
    if timeout <= 0:
        raise ConfigError(f"timeout must be more than 0, not {timeout}")
    plan = Plan(
        base_url,
        ask_clients,
        ask_seconds,
        read_clients,
        read_seconds,
        read_processes,
        auth,
        timeout,
    )
    say = reporter or (lambda _line: None)
    ask, approval, pages, source = asyncio.run(_ask_and_approve(plan, questions, say))
    say(f"read: {read_clients} clients for {read_seconds:g} s over {len(pages)} pages")
    if reader == "wrk":
        from medoracle.bench.wrk import read_with_wrk

        for slug in pages:  # the first read of each page renders and caches it
            asyncio.run(warm(plan, slug))
        read = read_with_wrk(base_url, pages, clients=read_clients, seconds=read_seconds)
    else:
        if read_processes > 1:
            tally = read_in_processes(plan, pages)
        else:
            tally = read_pages(plan, pages, read_clients)
        read = summary(tally, read_clients, read_seconds)
    read["pages"], read["source"] = len(pages), source
    say(f"read: {read['requests']} requests, {read['errors']} errors, p50 {read['p50_ms']} ms")
    return _report(ask, approval, read)


async def _ask_and_approve(
    plan: Plan, questions: list[str], say: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any], list[str], str]:
    """The ask and approval summaries, and the pages to read with where they came from."""
    await check_health(plan)
    say(f"ask: {plan.ask_clients} clients for {plan.ask_seconds:g} s, {len(questions)} questions")
    tally, pool = Tally(), iter(questions)
    created: dict[str, str] = {}  # slug -> state, in the order answered
    async with open_clients(plan, plan.ask_clients) as clients:
        jobs = [_asker(c, pool, tally, created, plan) for c in clients]
        ran_out = await timed(tally, jobs, plan.ask_seconds + plan.timeout + GRACE_S)
    ask = summary(tally, plan.ask_clients, plan.ask_seconds)
    ask["created"], ask["pool_exhausted"] = len(created), any(ran_out)
    say(f"ask: {ask['requests']} requests, {ask['errors']} errors, p95 {ask['p95_ms']} ms")

    chosen = dict(itertools.islice(created.items(), APPROVE_LIMIT))
    approval = await _approve_all(plan, chosen)
    say(f"approve: {approval['approved']} of {len(chosen)} articles approved")
    if chosen:
        return ask, approval, list(chosen), "created"
    return ask, approval, await _approved_pages(plan), "approved list"


async def _approve_all(plan: Plan, chosen: dict[str, str]) -> dict[str, Any]:
    tally, approved = Tally(), 0
    if plan.auth is not None and chosen:
        # A few at a time: each Basic sign-in is an argon2 check, costly by design.
        async with open_client(plan, connections=4, auth=plan.auth) as client:
            jobs = [_approve(client, slug, state, tally, plan) for slug, state in chosen.items()]
            done = await bounded(jobs, len(_STEPS["submitted"]) * plan.timeout + GRACE_S)
        approved = sum(1 for ok in done if ok)
    return {
        "approved": approved,
        "requests": tally.requests,
        "errors": tally.errors.total(),
        "error_reasons": dict(tally.errors.most_common()),
    }


async def _approved_pages(plan: Plan) -> list[str]:
    params: dict[str, str | int] = {"state": "approved", "limit": APPROVE_LIMIT}
    async with open_client(plan) as client:
        result = await send(client, Tally(), "GET", "/api/v1/articles", plan, params=params)
    try:
        return [str(a["slug"]) for a in result[0].json()["articles"]] if result else []
    except (ValueError, KeyError, TypeError):
        return []


async def _asker(
    client: httpx.AsyncClient,
    pool: Iterator[str],
    tally: Tally,
    created: dict[str, str],
    plan: Plan,
) -> bool:
    """Ask new questions until the deadline; True when the pool ran out first."""
    deadline = time.monotonic() + plan.ask_seconds
    while time.monotonic() < deadline:
        question = next(pool, None)
        if question is None:
            return True
        body = {"question": question, "audience": "clinician"}
        result = await send(client, tally, "POST", "/api/v1/ask", plan, json=body)
        if result is None:
            continue
        try:
            answer = result[0].json()
            slug, state = str(answer["slug"]), str(answer.get("state", "submitted"))
        except (ValueError, KeyError, TypeError, AttributeError):
            tally.errors["bad response body"] += 1
            continue
        tally.latencies.append(result[1])
        created.setdefault(slug, state)
    return False


async def _approve(
    client: httpx.AsyncClient, slug: str, state: str, tally: Tally, plan: Plan
) -> bool:
    url = f"/api/v1/articles/{quote(slug, safe='')}/transitions"
    for step in _STEPS.get(state, _STEPS["submitted"]):
        body = {"to": step, "comment": "medoracle bench load"}
        result = await send(client, tally, "POST", url, plan, json=body)
        if result is None:
            return False
        tally.latencies.append(result[1])
    return True


def _report(ask: dict[str, Any], approval: dict[str, Any], read: dict[str, Any]) -> dict[str, Any]:
    errors = ask["errors"] + approval["errors"] + read["errors"]
    return {
        "ask": ask,
        "approved": approval.pop("approved"),
        "approval": approval,
        "read": read,
        "targets": dict(TARGETS),
        "met": {
            "errors": errors <= TARGETS["errors"],
            "ask_p95": ask["p95_ms"] is not None and ask["p95_ms"] <= TARGETS["ask_p95_ms"],
            "read_p50": read["p50_ms"] is not None and read["p50_ms"] <= TARGETS["read_p50_ms"],
        },
    }
