"""The read phase of `bench load` driven by wrk (Debian's `wrk`, a C load generator).

One Python process cannot send the 4,000 requests a second that 200 readers at a 50 ms
median need (see `medoracle.bench.load`); wrk can, on one core, leaving the other to the
server. Its Lua hooks rotate the paths and print the counts and latency percentiles.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from medoracle.errors import ConfigError

__all__ = ["available", "read_with_wrk"]

_SCRIPT = """
local paths = %(paths)s
local turn = 0
request = function()
  turn = turn + 1
  return wrk.format("GET", paths[(turn %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'MEDORACLE {"requests": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, ' ..
    '"timeout": %%d, "p50_us": %%d, "p95_us": %%d, "max_us": %%d, "duration_us": %%d}\\n',
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency.max, summary.duration))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def read_with_wrk(
    base_url: str, slugs: list[str], *, clients: int, seconds: float, threads: int = 1
) -> dict[str, Any]:
    """`clients` keep-alive connections reading `/questions/{slug}` round-robin for
    `seconds`, as one browser would (with its CSRF cookie, so cached pages are served)."""
    if not slugs:
        raise ConfigError("nothing to read: the ask phase created no article")
    if shutil.which("wrk") is None:
        raise ConfigError("wrk is not installed (Debian package wrk); use --reader httpx")
    paths = "{" + ", ".join(json.dumps(f"/questions/{quote(s)}") for s in slugs) + "}"
    cookie = f"medoracle_csrf={secrets.token_urlsafe(24)}"
    with tempfile.TemporaryDirectory(prefix="medoracle-wrk-") as folder:
        script = Path(folder) / "read.lua"
        script.write_text(_SCRIPT % {"paths": paths}, "utf-8")
        duration = f"-d{max(1, round(seconds))}s"
        command = [
            "wrk", f"-t{max(1, min(threads, clients))}", f"-c{clients}", duration,
            "--timeout", "30s", "-H", f"Cookie: {cookie}", "-s", str(script), base_url,
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("MEDORACLE ")), None)
    if done.returncode != 0 or line is None:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ConfigError(f"wrk failed: {tail[0]}")
    counts = json.loads(line.removeprefix("MEDORACLE "))
    reasons = {k: counts[k] for k in ("connect", "read", "write", "status", "timeout") if counts[k]}
    elapsed = counts["duration_us"] / 1e6
    return {
        "clients": clients,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 2),
        "requests": counts["requests"],
        "ok": counts["requests"] - counts["status"],
        "errors": sum(reasons.values()),
        "error_reasons": reasons,
        "p50_ms": round(counts["p50_us"] / 1000, 1),
        "p95_ms": round(counts["p95_us"] / 1000, 1),
        "max_ms": round(counts["max_us"] / 1000, 1),
        "throughput_per_s": round(counts["requests"] / elapsed, 2) if elapsed else 0.0,
        "client": "wrk",
    }
