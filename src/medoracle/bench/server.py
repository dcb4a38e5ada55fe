"""A `medoracle serve` of its own for `bench load`: the real server over the real library,
with a throwaway article database and reviewer, so a load run leaves no articles behind."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from medoracle.articles.store import SiteStore
from medoracle.errors import ConfigError
from medoracle.settings import Settings
from medoracle.web.auth import hash_password

__all__ = ["local_server"]

_REVIEWER = "load-reviewer"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_server(
    settings: Settings, *, workers: int, start_timeout: float = 180.0
) -> Iterator[tuple[str, tuple[str, str]]]:
    """Start `medoracle serve` on a free loopback port over `settings.home`; yield its base
    URL and a reviewer's credentials; stop it and delete its articles afterwards."""
    if not settings.library_path.exists():
        raise ConfigError(f"no library at {settings.library_path}; run `medoracle library build`")
    folder = Path(tempfile.mkdtemp(prefix="medoracle-load-"))
    site_db = folder / "site.sqlite"
    password = secrets.token_urlsafe(18)
    store = SiteStore(site_db)
    try:
        store.add_user(_REVIEWER, hash_password(password), "reviewer")
    finally:
        store.close()
    port = _free_port()
    env = {
        **os.environ,
        "MEDORACLE_HOME": str(settings.home),
        "MEDORACLE_SITE_DB": str(site_db),
        "MEDORACLE_WEB__ASK_PER_MINUTE": "100000",  # one address asks for all 20 clients
    }
    log = (folder / "serve.log").open("wb")
    command = [sys.executable, "-m", "medoracle", "serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process, folder / "serve.log", start_timeout)
        yield url, (_REVIEWER, password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            lines = log.read_text("utf-8", "replace").strip().splitlines() or ["no output"]
            raise ConfigError(f"medoracle serve stopped at start: {lines[-1]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ConfigError(f"medoracle serve did not answer within {timeout:.0f} s")
