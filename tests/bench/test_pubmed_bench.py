"""`bench pubmed` against a fake E-utilities server: a cold pass sends requests, a warm pass
is answered from the cache, and the user's own library is not touched."""

from __future__ import annotations

import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

from medoracle.bench.pubmed import run_pubmed_bench
from medoracle.settings import PubmedSettings, Settings

sys.path.insert(0, str(Path(__file__).parents[1] / "pubmed"))
from fake_eutils import efetch, esearch_json


def test_a_warm_cache_sends_nothing(httpserver: HTTPServer, home: Path, tmp_path: Path) -> None:
    httpserver.expect_request("/eutils/esearch.fcgi").respond_with_handler(esearch_json)
    httpserver.expect_request("/eutils/efetch.fcgi").respond_with_handler(efetch)
    pubmed = PubmedSettings(base_url=httpserver.url_for("/eutils"), api_key="k" * 36)
    settings = Settings(home=home, cache_dir=tmp_path / "cache", pubmed=pubmed)
    report = run_pubmed_bench(settings, 3)
    cold, warm = report["passes"]
    assert cold["requests"] == 4 and cold["records_added"] >= 2  # 3 searches, 1 fetch
    assert warm["requests"] == 0 and warm["cache_hits"] == 3
    assert not (home / "library.sqlite").exists()
