"""`run_load` against a small fake of the `medoracle serve` HTTP contract, run by uvicorn."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from medoracle.bench.load import load_questions, run_load
from medoracle.bench.wrk import read_with_wrk
from medoracle.errors import ConfigError

REVIEWER = ("rita", "s3cret")
_NEXT = {"submitted": "under_review", "under_review": "approved"}


@dataclass
class FakeServer:
    """What the fake saw: the questions asked, transitions made, pages read."""

    url: str = ""
    asked: list[str] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # slug -> state
    transitions: list[tuple[str, str, str | None]] = field(default_factory=list)
    reads: int = 0

    def reset(self) -> None:
        self.asked, self.states, self.transitions, self.reads = [], {}, [], 0


def _app(fake: FakeServer) -> Starlette:
    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ask(request: Request) -> Response:
        question = (await request.json())["question"]
        fake.asked.append(question)
        if question.startswith("boom"):
            return JSONResponse({"detail": "composer failed"}, status_code=500)
        if question.startswith("slow"):
            await asyncio.sleep(1.0)
        slug = "-".join(question.lower().split())
        status = 200 if slug in fake.states else 201
        fake.states.setdefault(slug, "submitted")
        body = {"slug": slug, "url": f"/questions/{slug}", "state": fake.states[slug]}
        return JSONResponse(body, status_code=status)

    async def articles(request: Request) -> Response:
        state = request.query_params["state"]
        found = [{"slug": s, "question": s, "state": st} for s, st in fake.states.items()]
        return JSONResponse({"articles": [a for a in found if a["state"] == state]})

    async def transition(request: Request) -> Response:
        slug, to = request.path_params["slug"], (await request.json())["to"]
        header = request.headers.get("authorization")
        fake.transitions.append((slug, to, header))
        if header != _basic(*REVIEWER):
            return JSONResponse({"detail": "not a reviewer"}, status_code=401)
        if _NEXT.get(fake.states.get(slug, "")) != to:
            return JSONResponse({"detail": "not allowed"}, status_code=409)
        fake.states[slug] = to
        return JSONResponse({"slug": slug, "state": to})

    async def page(request: Request) -> Response:
        slug = request.path_params["slug"]
        if slug not in fake.states:
            return HTMLResponse("<p>not found</p>", status_code=404)
        fake.reads += 1
        return HTMLResponse(f"<h1>{slug}</h1>")

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/api/v1/ask", ask, methods=["POST"]),
            Route("/api/v1/articles", articles),
            Route("/api/v1/articles/{slug}/transitions", transition, methods=["POST"]),
            Route("/questions/{slug}", page),
        ]
    )


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(_app(fake), log_level="warning", access_log=False)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):
        if running.started:
            break
        time.sleep(0.01)
    yield fake
    running.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def fake(server: FakeServer) -> FakeServer:
    server.reset()
    return server


def test_counts_asks_approvals_and_reads(fake: FakeServer) -> None:
    questions = [f"question number {i}" for i in range(100_000)]
    lines: list[str] = []
    report = run_load(
        fake.url,
        questions,
        ask_clients=2,
        ask_seconds=0.5,
        read_clients=5,
        read_seconds=0.5,
        auth=REVIEWER,
        reporter=lines.append,
    )
    ask, read = report["ask"], report["read"]
    assert ask["requests"] == len(fake.asked) > 0
    assert sorted(fake.asked) == sorted(questions[: len(fake.asked)])  # each once, from the front
    assert (ask["errors"], ask["created"], ask["pool_exhausted"]) == (0, len(fake.asked), False)
    assert report["approved"] == min(50, len(fake.asked))
    assert sum(state == "approved" for state in fake.states.values()) == report["approved"]
    assert read["requests"] == fake.reads > 0
    assert (read["errors"], read["pages"], read["source"]) == (0, report["approved"], "created")
    assert ask["p50_ms"] <= ask["p95_ms"] <= ask["max_ms"]
    assert report["met"]["errors"] is True
    assert json.loads(json.dumps(report)) == report
    assert lines[0].startswith("ask: 2 clients") and lines[-1].startswith("read: ")


def test_approvals_use_basic_auth_and_walk_the_states(fake: FakeServer) -> None:
    questions = ["what is a", "what is b"]
    report = run_load(fake.url, questions, ask_seconds=5, read_seconds=0.1, auth=REVIEWER)
    assert report["approved"] == 2
    assert report["approval"]["requests"] == 4
    expected = {_basic(*REVIEWER)}
    assert {header for _, _, header in fake.transitions} == expected
    assert [to for slug, to, _ in fake.transitions if slug == "what-is-a"] == [
        "under_review",
        "approved",
    ]


def test_a_500_is_an_error_with_its_reason_and_the_pool_running_out_stops(
    fake: FakeServer,
) -> None:
    questions = ["why a", "boom one", "why b", "boom two", "why c"]
    started = time.monotonic()
    report = run_load(
        fake.url, questions, ask_clients=2, ask_seconds=30, read_clients=2, read_seconds=0.2
    )
    assert time.monotonic() - started < 5  # stopped when the pool ran out, not at 30 s
    ask = report["ask"]
    assert sorted(fake.asked) == sorted(questions)
    assert (ask["requests"], ask["ok"], ask["errors"]) == (5, 3, 2)
    assert ask["error_reasons"] == {"HTTP 500": 2}
    assert ask["pool_exhausted"] is True
    assert report["met"]["errors"] is False


def test_without_auth_nothing_is_approved_but_pages_are_read(fake: FakeServer) -> None:
    report = run_load(fake.url, ["how c"], ask_seconds=5, read_clients=3, read_seconds=0.3)
    assert report["approved"] == 0
    assert fake.transitions == []
    assert report["read"]["requests"] == fake.reads > 0
    assert report["read"]["errors"] == 0


def test_with_nothing_asked_the_approved_articles_are_read(fake: FakeServer) -> None:
    fake.states.update({"old-page": "approved", "draft": "submitted"})
    report = run_load(fake.url, [], ask_seconds=5, read_clients=2, read_seconds=0.2)
    assert report["ask"]["requests"] == 0
    assert (report["read"]["pages"], report["read"]["source"]) == (1, "approved list")
    assert report["read"]["requests"] == fake.reads > 0


def test_a_slow_answer_times_out_and_is_counted(fake: FakeServer) -> None:
    report = run_load(
        fake.url, ["slow one"], ask_seconds=5, read_clients=2, read_seconds=0.1, timeout=0.2
    )
    assert report["ask"]["error_reasons"] == {"timeout": 1}
    assert report["ask"]["p95_ms"] is None
    assert report["met"]["ask_p95"] is False


def test_readers_split_over_processes_are_all_counted(fake: FakeServer) -> None:
    questions = [f"why {i}" for i in range(4)]
    report = run_load(
        fake.url, questions, ask_seconds=5, read_clients=4, read_seconds=0.5, read_processes=2
    )
    read = report["read"]
    assert read["requests"] == fake.reads > 0
    assert (read["errors"], read["pages"]) == (0, 4)
    assert 0.4 < read["elapsed_s"] < 2
    assert read["client_cpu"] > 0


def test_no_server_is_a_config_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ConfigError, match="no medoracle server"):
        run_load(f"http://127.0.0.1:{port}", ["q"], timeout=2)


def test_bad_counts_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="read_clients"):
        run_load("http://127.0.0.1:1", ["q"], read_clients=0)


def test_load_questions_are_real_distinct_and_stable(shared_data: Path) -> None:
    questions = load_questions(shared_data, 40)
    assert len(questions) == len(set(questions)) == 40
    assert all(q.endswith("?") or len(q.split()) > 3 for q in questions)
    everything = load_questions(shared_data, 100_000)
    assert everything[:40] == questions  # the same order every time
    assert len({q.casefold() for q in everything}) == len(everything) > 1_000
    assert load_questions(shared_data, 0) == []


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk (Debian package) is not installed")
def test_wrk_reads_every_page_round_robin_and_counts_missing_pages(fake: FakeServer) -> None:
    fake.states = {"a": "approved", "b": "approved"}
    report = read_with_wrk(fake.url, ["a", "b"], clients=4, seconds=1)
    assert report["client"] == "wrk" and report["requests"] > 10
    assert report["errors"] == 0 and report["ok"] == report["requests"]
    # The server also answered the requests still in flight when wrk stopped counting.
    assert 0 <= fake.reads - report["requests"] <= 4
    assert 0 < report["p50_ms"] <= report["p95_ms"] <= report["max_ms"]
    fake.reads = 0
    report = read_with_wrk(fake.url, ["a", "gone"], clients=2, seconds=1)
    missing = report["error_reasons"]["status"]
    assert 0 < missing < report["requests"] and abs(report["ok"] - fake.reads) <= 2


def test_wrk_needs_pages() -> None:
    with pytest.raises(ConfigError, match="nothing to read"):
        read_with_wrk("http://127.0.0.1:9", [], clients=1, seconds=1)
