"""Questions composed in the background, for composers that take seconds or minutes (a
language model writing the page): the asker gets a job to watch instead of a request that
hangs, and each job reports its stage as the composer reaches it.

Jobs live in the server process's memory only; a finished one is kept `KEEP_S` seconds
for its watcher to collect, and at most `MAX_JOBS` are held (the oldest finished go
first). The composing itself still happens on the site's one composing thread.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from medoracle.articles.records import Article
from medoracle.errors import MedoracleError

__all__ = ["STAGES", "Job", "Jobs"]

KEEP_S = 600.0
MAX_JOBS = 256

# What a watcher is told at each stage.
STAGES = {
    "waiting": "Waiting for the composer (another question is being answered).",
    "composing": "Reading the question.",
    "evidence": "Gathering the evidence.",
    "writing": "The language model is writing the page.",
    "checking": "Checking every statement against the source sentences it cites.",
    "done": "Done.",
    "failed": "The page could not be composed.",
}


@dataclass
class Job:
    """One question being composed."""

    id: str
    question: str
    started: float = field(default_factory=time.monotonic)
    stage: str = "waiting"
    article: Article | None = None
    error: MedoracleError | None = None
    finished: float | None = None

    @property
    def seconds(self) -> int:
        return int((self.finished or time.monotonic()) - self.started)

    @property
    def message(self) -> str:
        return STAGES.get(self.stage, self.stage)


class Jobs:
    """The background jobs of one server process."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, question: str, work: Callable[[Callable[[str], None]], Article]) -> Job:
        """Run `work(progress)` on a thread of its own; its article or its error ends the
        job. Errors other than medoracle's propagate on that thread (and are logged)."""
        job = Job(id=secrets.token_urlsafe(12), question=question)
        with self._lock:
            self._prune()
            self._jobs[job.id] = job

        def progress(stage: str) -> None:
            job.stage = stage

        def run() -> None:
            try:
                job.article = work(progress)
                job.stage = "done"
            except MedoracleError as exc:
                job.error, job.stage = exc, "failed"
            finally:
                job.finished = time.monotonic()

        threading.Thread(target=run, name=f"medoracle-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _prune(self) -> None:
        now = time.monotonic()
        for key, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > KEEP_S:
                del self._jobs[key]
        finished = sorted(
            (j for j in self._jobs.values() if j.finished is not None),
            key=lambda j: j.finished or 0,
        )
        while len(self._jobs) >= MAX_JOBS and finished:
            del self._jobs[finished.pop(0).id]
