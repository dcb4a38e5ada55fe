"""The load test's HTTP side: one closed-loop client per simulated user, a request timed
and its failure tallied by a short reason, jobs run together under a hard time bound, and a
phase's tally summarised (nearest-rank percentiles over successful requests, throughput over
the measured wall time, the generator's own CPU share). See `medoracle.bench.load`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from medoracle.errors import ConfigError
from medoracle.eval.retrieval import percentile

__all__ = [
    "GRACE_S",
    "Plan",
    "Tally",
    "bounded",
    "check_health",
    "open_client",
    "open_clients",
    "send",
    "summary",
    "timed",
]

GRACE_S = 5.0
_T = TypeVar("_T")


@dataclass(frozen=True)
class Plan:
    base_url: str
    ask_clients: int
    ask_seconds: float
    read_clients: int
    read_seconds: float
    read_processes: int
    auth: tuple[str, str] | None
    timeout: float


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu_share: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors.total()


@contextlib.asynccontextmanager
async def open_client(
    plan: Plan,
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
async def open_clients(plan: Plan, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One client, with one connection, per simulated user."""
    verify = httpx.create_ssl_context()  # made once: loading the CA store takes ~10 ms
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(open_client(plan, verify=verify)) for _ in range(count)
        ]


async def check_health(plan: Plan) -> None:
    async with open_client(plan) as client:
        try:
            response = await client.get("/healthz")
            healthy = response.status_code == 200 and response.json().get("status") == "ok"
        except (httpx.HTTPError, OSError, ValueError, AttributeError) as exc:
            raise ConfigError(f"no medoracle server answers at {plan.base_url}: {exc}") from None
    if not healthy:
        raise ConfigError(f"{plan.base_url}/healthz answered {response.status_code}, not ok")


async def send(
    client: httpx.AsyncClient, tally: Tally, method: str, url: str, plan: Plan, **kw: Any
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


async def timed(tally: Tally, jobs: list[Coroutine[Any, Any, _T]], bound: float) -> list[_T | None]:
    """`_bounded`, noting its wall time and this process's CPU share in `tally`."""
    cpu, started = time.process_time(), time.perf_counter()
    results = await bounded(jobs, bound)
    tally.elapsed = time.perf_counter() - started
    tally.cpu_share = (time.process_time() - cpu) / max(tally.elapsed, 1e-9)
    return results


async def bounded(jobs: list[Coroutine[Any, Any, _T]], bound: float) -> list[_T | None]:
    """Run the jobs together; cancel those still running after `bound` seconds (None)."""
    if not jobs:
        return []
    tasks = [asyncio.create_task(job) for job in jobs]
    _, pending = await asyncio.wait(tasks, timeout=bound)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return [None if task in pending else task.result() for task in tasks]


def summary(tally: Tally, clients: int, seconds: float) -> dict[str, Any]:
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
