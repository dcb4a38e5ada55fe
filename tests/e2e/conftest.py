"""End-to-end fixtures: a real library built by the CLI, `medoracle serve` as a subprocess
and headless Chromium driven by Selenium.

    ../shared/data  -> `medoracle ingest ngc` (whole) + `ingest medquad` -> MEDORACLE_HOME
    `medoracle user add` (a reviewer) -> `medoracle serve` on a free port -> /healthz
    POST /api/v1/ask (a close and an unrelated question) -> the browser journey

Everything skips, with the reason, when the data, the seeds, Chromium or chromedriver are
missing. Nothing is downloaded: Selenium gets the system driver and browser, so Selenium
Manager never runs.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REVIEWER = ("rita", "reviewer-pass-1")
# Asked through the API before the journey, so the seed page has related questions: one
# close to the seed question (lupus, neuropsychiatric) and one about something else.
CLOSE_QUESTION = "How is neuropsychiatric lupus treated?"
UNRELATED_QUESTION = "How is Lyme disease treated?"
STARTUP_SECONDS = 300
HEADLESS_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Mark a failed test, so the journey can save what the page showed."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


@dataclass
class Server:
    """A running `medoracle serve` and what the journey needs to know about it."""

    url: str
    home: Path
    log: Path
    reviewer: tuple[str, str]
    close_question: str
    unrelated_question: str
    env: dict[str, str]

    def ask_cli(self, question: str) -> dict[str, Any]:
        """The clinician page `medoracle ask --format json` composes from the same library."""
        done = _medoracle("ask", question, "--format", "json", env=self.env)
        page: dict[str, Any] = json.loads(done)
        return page


def _need(path: Path, what: str) -> None:
    if not path.exists():
        pytest.skip(f"{what} not found at {path}")


@pytest.fixture(scope="session")
def seed_question() -> str:
    """The first line of seed 000, read at run time (seed text is never kept in the repo)."""
    found = sorted((SHARED / "seeds").glob("000_*.txt"))
    if not found:
        pytest.skip(f"seed 000 not found in {SHARED / 'seeds'} (needs ../shared/seeds)")
    return found[0].read_text(encoding="utf-8").splitlines()[0].strip()


def artifacts_dir() -> Path:
    """Where screenshots go: $MEDORACLE_ARTIFACTS, else artifacts/screenshots/."""
    folder = Path(os.environ.get("MEDORACLE_ARTIFACTS") or ROOT / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def artifacts(server: Server) -> Path:
    """The screenshot folder, made once the journey can run."""
    return artifacts_dir()


def _environment(home: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDORACLE_")}
    if "MEDORACLE_CACHE_DIR" in os.environ:  # a CI cache of the distilled encoder
        env["MEDORACLE_CACHE_DIR"] = os.environ["MEDORACLE_CACHE_DIR"]
    env.update(
        MEDORACLE_HOME=str(home),
        MEDORACLE_DATA_DIR=str(data),
        MEDORACLE_WEB__ASK_PER_MINUTE="1000",
        PYTHONUNBUFFERED="1",
    )
    return env


def _executable() -> str:
    """The `medoracle` script beside the interpreter running the tests (the project's venv),
    else the one on PATH."""
    script = Path(sys.executable).with_name("medoracle")
    found = str(script) if script.exists() else shutil.which("medoracle")
    if found is None:
        pytest.fail("no `medoracle` command: install the project (`make install`)")
    return found


def _medoracle(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    command = [_executable(), *args]
    done = subprocess.run(
        command, input=stdin, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        pytest.fail(f"`medoracle {' '.join(args)}` failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def _build_library(data: Path, env: dict[str, str]) -> None:
    """Every NGC guideline summary, then MedQuAD; the indexes are built once, at the end."""
    ngc = data / "ngc_guidelines" / "ngc_summaries.jsonl.gz"
    medquad = data / "medquad" / "medquad.jsonl.gz"
    _need(ngc, "the NGC guideline summaries")
    _need(medquad, "MedQuAD")
    _medoracle("ingest", "ngc", str(ngc), "--no-index", "--json", env=env)
    _medoracle("ingest", "medquad", str(medquad), "--json", env=env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`medoracle serve` exited ({process.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=5) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"`medoracle serve` not healthy after {STARTUP_SECONDS} s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _ask_api(url: str, question: str) -> dict[str, object]:
    """POST /api/v1/ask; the article as JSON."""
    request = urllib.request.Request(
        f"{url}/api/v1/ask",
        data=json.dumps({"question": question}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as reply:
        article: dict[str, object] = json.load(reply)
        return article


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def _start_server(env: dict[str, str], log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = str(_free_port())
    command = [_executable(), "serve", "--host", "127.0.0.1", "--port", port]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=sink, stderr=sink)
    return f"http://127.0.0.1:{port}", process


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, seed_question: str) -> Iterator[Server]:
    """A real library from ../shared/data, a reviewer, and `medoracle serve` on a free port
    with two questions already asked. Its log and timings are kept beside the screenshots."""
    data = SHARED / "data"
    if not (data / "README.md").exists():
        pytest.skip(f"real data not found at {data} (needs ../shared/data)")
    _need(CHROMIUM, "Chromium")
    _need(CHROMEDRIVER, "chromedriver")
    base = tmp_path_factory.mktemp("e2e")
    env = _environment(base / "home", data)
    timings: dict[str, float] = {}

    started = time.monotonic()
    _build_library(data, env)
    timings["build_s"] = round(time.monotonic() - started, 1)
    name, password = REVIEWER
    add = ["user", "add", name, "--role", "reviewer", "--password-stdin"]
    _medoracle(*add, env=env, stdin=password + "\n")

    log = base / "serve.log"
    started = time.monotonic()
    url, process = _start_server(env, log)
    try:
        _wait_healthy(url, process, log)
        timings["server_start_s"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        for question in (CLOSE_QUESTION, UNRELATED_QUESTION):
            _ask_api(url, question)
        timings["pre_ask_s"] = round(time.monotonic() - started, 1)
        yield Server(url, base / "home", log, REVIEWER, CLOSE_QUESTION, UNRELATED_QUESTION, env)
    finally:
        _stop(process)
        folder = artifacts_dir()
        shutil.copyfile(log, folder / "serve.log")
        (folder / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[WebDriver]:
    """Headless Chromium from the system packages, 1280x2000, with its console log kept."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="medoracle-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*HEADLESS_FLAGS, "--window-size=1280,2000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never fetch anything
        service = Service(executable_path=str(CHROMEDRIVER))
        driver: WebDriver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_window_size(1280, 2000)
        driver.set_page_load_timeout(120)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def driver(
    request: pytest.FixtureRequest, browser: WebDriver, artifacts: Path
) -> Iterator[WebDriver]:
    """The browser for one test; when the test fails, the page it was on is left beside the
    screenshots (failure.png, failure.html)."""
    for old in artifacts.glob("failure.*"):
        old.unlink()
    yield browser
    if request.node.stash.get(FAILED, False):
        browser.save_screenshot(str(artifacts / "failure.png"))
        page = f"<!-- {browser.current_url} -->\n{browser.page_source}"
        (artifacts / "failure.html").write_text(page, encoding="utf-8")


@pytest.fixture(scope="session")
def written_server(server: Server) -> Iterator[str]:
    """A second `medoracle serve` over the same library whose language model is a fake
    OpenAI-compatible server on 127.0.0.1 (it restates evidence and invents a dose)."""
    from pytest_httpserver import HTTPServer

    from fake_model import echoing_model

    model = HTTPServer(host="127.0.0.1")
    model.expect_request("/v1/chat/completions").respond_with_handler(echoing_model)
    model.start()
    env = {
        **server.env,
        "MEDORACLE_LLM__BASE_URL": model.url_for("/v1"),
        "MEDORACLE_LLM__MODEL": "fake-model",
    }
    log = server.home.parent / "serve-written.log"
    url, process = _start_server(env, log)
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        _stop(process)
        model.stop()
