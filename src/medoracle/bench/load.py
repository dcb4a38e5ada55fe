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

Latency percentiles are nearest-rank (`medoracle.eval.retrieval.percentile`) over the
successful requests only; a non-2xx answer (429 included), a timeout or a transport error
counts in `errors`, tallied by a short reason. Throughput counts every finished request over
the phase's measured wall time. Each request is cut off after `timeout` seconds and each
phase after its length plus `timeout` plus some grace, so a run takes at most about
`ask_seconds + read_seconds + 6 * timeout + 40` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import queue
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from medoracle.errors import ConfigError
from medoracle.eval.datasets import load_questions as load_eval_questions
from medoracle.eval.retrieval import percentile

__all__ = ["APPROVE_LIMIT", "TARGETS", "load_questions", "run_load"]

# The service goals the load test checks: no failed request, a composed answer within 3 s
# at p95 under 20 askers, and a cached page within 50 ms at p50 under 200 readers.
TARGETS: dict[str, int] = {"errors": 0, "ask_p95_ms": 3000, "read_p50_ms": 50}
APPROVE_LIMIT = 50
_GRACE_S = 5.0
_START_S = 15.0  # for reader processes to open their connections
_SOURCES = ("bioasq", "pubmedqa")  # the test splits that `load_questions` draws on
# The transitions that lead from an article's state to approved.
_STEPS: dict[str, tuple[str, ...]] = {
    "submitted": ("under_review", "approved"),
    "under_review": ("approved",),
    "approved": (),
}
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Plan:
    base_url: str
    ask_clients: int
    ask_seconds: float
    read_clients: int
    read_seconds: float
    read_processes: int
    auth: tuple[str, str] | None
    timeout: float


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu_share: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors.total()


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
    plan = _Plan(
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
            asyncio.run(_warm(plan, slug))
        read = read_with_wrk(base_url, pages, clients=read_clients, seconds=read_seconds)
    else:
        if read_processes > 1:
            tally = _read_in_processes(plan, pages)
        else:
            tally = _read(plan, pages, read_clients)
        read = _summary(tally, read_clients, read_seconds)
    read["pages"], read["source"] = len(pages), source
    say(f"read: {read['requests']} requests, {read['errors']} errors, p50 {read['p50_ms']} ms")
    return _report(ask, approval, read)


async def _warm(plan: _Plan, slug: str) -> None:
    async with _client(plan) as client:
        await _request(client, _Tally(), "GET", f"/questions/{quote(slug)}", plan)


async def _ask_and_approve(
    plan: _Plan, questions: list[str], say: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, Any], list[str], str]:
    """The ask and approval summaries, and the pages to read with where they came from."""
    await _check_health(plan)
    say(f"ask: {plan.ask_clients} clients for {plan.ask_seconds:g} s, {len(questions)} questions")
    tally, pool = _Tally(), iter(questions)
    created: dict[str, str] = {}  # slug -> state, in the order answered
    async with _clients(plan, plan.ask_clients) as clients:
        jobs = [_asker(c, pool, tally, created, plan) for c in clients]
        ran_out = await _timed(tally, jobs, plan.ask_seconds + plan.timeout + _GRACE_S)
    ask = _summary(tally, plan.ask_clients, plan.ask_seconds)
    ask["created"], ask["pool_exhausted"] = len(created), any(ran_out)
    say(f"ask: {ask['requests']} requests, {ask['errors']} errors, p95 {ask['p95_ms']} ms")

    chosen = dict(itertools.islice(created.items(), APPROVE_LIMIT))
    approval = await _approve_all(plan, chosen)
    say(f"approve: {approval['approved']} of {len(chosen)} articles approved")
    if chosen:
        return ask, approval, list(chosen), "created"
    return ask, approval, await _approved_pages(plan), "approved list"


async def _approve_all(plan: _Plan, chosen: dict[str, str]) -> dict[str, Any]:
    tally, approved = _Tally(), 0
    if plan.auth is not None and chosen:
        # A few at a time: each Basic sign-in is an argon2 check, costly by design.
        async with _client(plan, connections=4, auth=plan.auth) as client:
            jobs = [_approve(client, slug, state, tally, plan) for slug, state in chosen.items()]
            done = await _bounded(jobs, len(_STEPS["submitted"]) * plan.timeout + _GRACE_S)
        approved = sum(1 for ok in done if ok)
    return {
        "approved": approved,
        "requests": tally.requests,
        "errors": tally.errors.total(),
        "error_reasons": dict(tally.errors.most_common()),
    }


async def _approved_pages(plan: _Plan) -> list[str]:
    params: dict[str, str | int] = {"state": "approved", "limit": APPROVE_LIMIT}
    async with _client(plan) as client:
        result = await _request(client, _Tally(), "GET", "/api/v1/articles", plan, params=params)
    try:
        return [str(a["slug"]) for a in result[0].json()["articles"]] if result else []
    except (ValueError, KeyError, TypeError):
        return []


def _read(
    plan: _Plan, pages: list[str], clients: int, first: int = 0, barrier: Any = None
) -> _Tally:
    """`clients` readers in this process, starting at page `first`; with a `barrier`, the
    reading starts once every reader process has made its clients."""

    async def read() -> _Tally:
        tally, turns = _Tally(), itertools.count(first)
        if not pages:
            return tally
        async with _clients(plan, clients) as opened:
            if barrier is not None:
                barrier.wait(_START_S)  # nothing else runs on this loop yet
            jobs = [_reader(c, pages, turns, tally, plan) for c in opened]
            await _timed(tally, jobs, plan.read_seconds + plan.timeout + _GRACE_S)
        return tally

    return asyncio.run(read())


def _read_child(
    plan: _Plan, pages: list[str], clients: int, first: int, barrier: Any, out: Any
) -> None:
    tally = _read(plan, pages, clients, first, barrier)
    out.put((tally.latencies, dict(tally.errors), tally.elapsed, tally.cpu_share))


def _read_in_processes(plan: _Plan, pages: list[str]) -> _Tally:
    """The readers split over `plan.read_processes` forked processes, their tallies merged."""
    n, tally = plan.read_processes, _Tally()
    if not pages:
        return tally
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(n + 1), context.Queue()
    shares = [len(range(i, plan.read_clients, n)) for i in range(n)]  # clients per process
    children = [
        context.Process(
            target=_read_child,
            args=(plan, pages, shares[i], i * len(pages) // n, barrier, out),
            daemon=True,
        )
        for i in range(n)
    ]
    for child in children:
        child.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # those lost are tallied below
        barrier.wait(_START_S)
    end = time.monotonic() + plan.read_seconds + plan.timeout + 2 * _GRACE_S
    for _ in children:
        try:
            latencies, errors, elapsed, cpu_share = out.get(
                timeout=max(end - time.monotonic(), 0.1)
            )
        except queue.Empty:
            tally.errors["reader process lost"] += 1
            continue
        tally.latencies += latencies
        tally.errors.update(errors)
        tally.elapsed = max(tally.elapsed, elapsed)
        tally.cpu_share = max(tally.cpu_share, cpu_share)
    for child in children:
        child.join(timeout=1.0)
        if child.is_alive():
            child.terminate()
    return tally


@contextlib.asynccontextmanager
async def _client(
    plan: _Plan,
    *,
    connections: int = 1,
    auth: tuple[str, str] | None = None,
    verify: Any = True,
) -> AsyncIterator[httpx.AsyncClient]:
    # No proxies or .netrc from the environment: they would measure something else.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(
        base_url=plan.base_url,
        limits=limits,
        timeout=plan.timeout,
        auth=auth,
        verify=verify,
        trust_env=False,
    ) as client:
        yield client


@contextlib.asynccontextmanager
async def _clients(plan: _Plan, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One client, with one connection, per simulated user."""
    verify = httpx.create_ssl_context()  # made once: loading the CA store takes ~10 ms
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(_client(plan, verify=verify)) for _ in range(count)]


async def _check_health(plan: _Plan) -> None:
    async with _client(plan) as client:
        try:
            response = await client.get("/healthz")
            healthy = response.status_code == 200 and response.json().get("status") == "ok"
        except (httpx.HTTPError, OSError, ValueError, AttributeError) as exc:
            raise ConfigError(f"no medoracle server answers at {plan.base_url}: {exc}") from None
    if not healthy:
        raise ConfigError(f"{plan.base_url}/healthz answered {response.status_code}, not ok")


async def _request(
    client: httpx.AsyncClient, tally: _Tally, method: str, url: str, plan: _Plan, **kw: Any
) -> tuple[httpx.Response, float] | None:
    """One request and its latency in seconds, or None once its failure is tallied."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(plan.timeout):
            response = await client.request(method, url, **kw)
    except (TimeoutError, httpx.TimeoutException):
        tally.errors["timeout"] += 1
        return None
    except (httpx.HTTPError, OSError) as exc:
        tally.errors[type(exc).__name__] += 1
        return None
    except asyncio.CancelledError:
        tally.errors["cut off at the hard time bound"] += 1
        raise
    if not response.is_success:
        tally.errors[f"HTTP {response.status_code}"] += 1
        return None
    return response, time.perf_counter() - started


async def _asker(
    client: httpx.AsyncClient,
    pool: Iterator[str],
    tally: _Tally,
    created: dict[str, str],
    plan: _Plan,
) -> bool:
    """Ask new questions until the deadline; True when the pool ran out first."""
    deadline = time.monotonic() + plan.ask_seconds
    while time.monotonic() < deadline:
        question = next(pool, None)
        if question is None:
            return True
        body = {"question": question, "audience": "clinician"}
        result = await _request(client, tally, "POST", "/api/v1/ask", plan, json=body)
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
    client: httpx.AsyncClient, slug: str, state: str, tally: _Tally, plan: _Plan
) -> bool:
    url = f"/api/v1/articles/{quote(slug, safe='')}/transitions"
    for step in _STEPS.get(state, _STEPS["submitted"]):
        body = {"to": step, "comment": "medoracle bench load"}
        result = await _request(client, tally, "POST", url, plan, json=body)
        if result is None:
            return False
        tally.latencies.append(result[1])
    return True


async def _reader(
    client: httpx.AsyncClient, pages: list[str], turns: Iterator[int], tally: _Tally, plan: _Plan
) -> None:
    deadline = time.monotonic() + plan.read_seconds
    while time.monotonic() < deadline:
        slug = pages[next(turns) % len(pages)]
        result = await _request(client, tally, "GET", f"/questions/{quote(slug, safe='')}", plan)
        if result is not None:
            tally.latencies.append(result[1])


async def _timed(
    tally: _Tally, jobs: list[Coroutine[Any, Any, _T]], bound: float
) -> list[_T | None]:
    """`_bounded`, noting its wall time and this process's CPU share in `tally`."""
    cpu, started = time.process_time(), time.perf_counter()
    results = await _bounded(jobs, bound)
    tally.elapsed = time.perf_counter() - started
    tally.cpu_share = (time.process_time() - cpu) / max(tally.elapsed, 1e-9)
    return results


async def _bounded(jobs: list[Coroutine[Any, Any, _T]], bound: float) -> list[_T | None]:
    """Run the jobs together; cancel those still running after `bound` seconds (None)."""
    if not jobs:
        return []
    tasks = [asyncio.create_task(job) for job in jobs]
    _, pending = await asyncio.wait(tasks, timeout=bound)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return [None if task in pending else task.result() for task in tasks]


def _summary(tally: _Tally, clients: int, seconds: float) -> dict[str, Any]:
    ms = [latency * 1000 for latency in tally.latencies]
    return {
        "clients": clients,
        "seconds": seconds,
        "elapsed_s": round(tally.elapsed, 2),
        "requests": tally.requests,
        "ok": len(ms),
        "errors": tally.errors.total(),
        "error_reasons": dict(tally.errors.most_common()),
        "p50_ms": round(percentile(ms, 50), 1) if ms else None,
        "p95_ms": round(percentile(ms, 95), 1) if ms else None,
        "max_ms": round(max(ms), 1) if ms else None,
        "throughput_per_s": round(tally.requests / tally.elapsed, 2) if tally.elapsed else 0.0,
        "client_cpu": round(tally.cpu_share, 2),
    }


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
