"""`medoracle bench pubmed`: E-utilities traffic for a batch of questions.

The first N questions of the project's question bank are searched on PubMed and what they
find is fetched into a scratch library (the user's own library is not touched), twice: the
first pass with an empty request cache, the second with the cache the first one left. The
report counts the requests sent and answered from the cache on each pass, the records
ingested and the time taken; the client's pacing (3 or 10 requests a second) is included.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from medoracle.eval.bank import load_bank
from medoracle.pubmed.eutils import EUtils
from medoracle.pubmed.service import fetch_questions
from medoracle.settings import Settings

__all__ = ["run_pubmed_bench"]


def run_pubmed_bench(settings: Settings, questions: int) -> dict[str, Any]:
    asked = [q.text for q in load_bank()[:questions]]
    with tempfile.TemporaryDirectory(prefix="medoracle-bench-pubmed-") as folder:
        scratch = settings.model_copy(
            update={"home": Path(folder) / "home", "site_db": Path(folder) / "site.sqlite"}
        )
        cache = Path(folder) / "cache"
        passes = []
        for name in ("cold cache", "warm cache"):
            client = EUtils(settings.pubmed, cache)
            started = time.perf_counter()
            report = fetch_questions(scratch, asked, client=client)
            passes.append(
                {
                    "pass": name,
                    "seconds": round(time.perf_counter() - started, 2),
                    "requests": report["requests"],
                    "cache_hits": report["cache_hits"],
                    "cache_hit_rate": report["cache_hit_rate"],
                    "retries": report["retries"],
                    "records_found": report["found"],
                    "records_added": report["added"],
                }
            )
            client.close()
    total_requests = sum(p["requests"] for p in passes)
    total_hits = sum(p["cache_hits"] for p in passes)
    return {
        "questions": len(asked),
        "endpoint": settings.pubmed.base_url,
        "api_key": settings.pubmed.api_key is not None,
        "passes": passes,
        "requests_per_question_cold": round(passes[0]["requests"] / len(asked), 2),
        "cache_hit_rate_both_passes": round(total_hits / (total_requests + total_hits), 4)
        if total_requests + total_hits
        else 0.0,
    }
