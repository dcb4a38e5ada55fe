"""The load test's read phase: readers GET the pages round-robin, in this process or split
over forked processes that start together at a barrier, their tallies merged. See
`medoracle.bench.load`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from medoracle.bench.clients import GRACE_S, Plan, Tally, open_client, open_clients, send, timed

__all__ = ["read_in_processes", "read_pages", "warm"]

_START_S = 15.0  # for reader processes to open their connections


async def warm(plan: Plan, slug: str) -> None:
    async with open_client(plan) as client:
        await send(client, Tally(), "GET", f"/questions/{quote(slug)}", plan)


def read_pages(
    plan: Plan, pages: list[str], clients: int, first: int = 0, barrier: Any = None
) -> Tally:
    """`clients` readers in this process, starting at page `first`; with a `barrier`, the
    reading starts once every reader process has made its clients."""

    async def read() -> Tally:
        tally, turns = Tally(), itertools.count(first)
        if not pages:
            return tally
        async with open_clients(plan, clients) as opened:
            if barrier is not None:
                barrier.wait(_START_S)  # nothing else runs on this loop yet
            jobs = [_reader(c, pages, turns, tally, plan) for c in opened]
            await timed(tally, jobs, plan.read_seconds + plan.timeout + GRACE_S)
        return tally

    return asyncio.run(read())


def _read_child(
    plan: Plan, pages: list[str], clients: int, first: int, barrier: Any, out: Any
) -> None:
    tally = read_pages(plan, pages, clients, first, barrier)
    out.put((tally.latencies, dict(tally.errors), tally.elapsed, tally.cpu_share))


def read_in_processes(plan: Plan, pages: list[str]) -> Tally:
    """The readers split over `plan.read_processes` forked processes, their tallies merged."""
    n, tally = plan.read_processes, Tally()
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
    end = time.monotonic() + plan.read_seconds + plan.timeout + 2 * GRACE_S
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


async def _reader(
    client: httpx.AsyncClient, pages: list[str], turns: Iterator[int], tally: Tally, plan: Plan
) -> None:
    deadline = time.monotonic() + plan.read_seconds
    while time.monotonic() < deadline:
        slug = pages[next(turns) % len(pages)]
        result = await send(client, tally, "GET", f"/questions/{quote(slug, safe='')}", plan)
        if result is not None:
            tally.latencies.append(result[1])
