"""A client for NCBI E-utilities (ESearch, EFetch) that keeps NCBI's rules.

- Every request carries `tool` and, when set, `email` and `api_key`
  (https://www.ncbi.nlm.nih.gov/books/NBK25497/, "Usage guidelines and requirements").
- At most 3 requests a second without an API key and 10 with one, spaced by a monotonic
  clock shared by every request of the client.
- A 429, a 5xx or a timeout is retried with exponential backoff, waiting as long as
  `Retry-After` says when the server sends it; other failures are one `RemoteError` line.
- An identical request within `cache_hours` is answered from a cache on disk (one JSON file
  per request, written whole), and the client counts requests sent and cache hits.

The API key is a query parameter NCBI requires; it never appears in a message or log line.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import httpx
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from medoracle.errors import ConfigError, RemoteError
from medoracle.retry_after import retry_after
from medoracle.settings import PubmedSettings

__all__ = ["EUtils", "Searched", "Stats"]

_RETRIED = frozenset({429, 500, 502, 503, 504})
_MAX_WAIT_S = 30.0
_MAX_REPLY_BYTES = 50_000_000  # an EFetch of 200 records is ~2 MB


@dataclass
class Stats:
    """Requests this client sent and those the cache answered."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0

    @property
    def hit_rate(self) -> float:
        total = self.requests + self.cache_hits
        return round(self.cache_hits / total, 4) if total else 0.0


@dataclass(frozen=True)
class Searched:
    """An ESearch result: how many records match and the first PMIDs, best first."""

    count: int
    pmids: tuple[str, ...] = field(default_factory=tuple)


class EUtils:
    """One E-utilities endpoint; thread-safe, rate-limited, cached."""

    def __init__(
        self,
        settings: PubmedSettings,
        cache_dir: Path | None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.base_url.startswith(("http://", "https://")):
            raise ConfigError("MEDORACLE_PUBMED__BASE_URL must start with http:// or https://")
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        self.cache_dir = cache_dir
        self.stats = Stats()
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        self._params = {"tool": settings.tool}
        if settings.email:
            self._params["email"] = settings.email
        if key:
            self._params["api_key"] = key
        self._interval = 1 / 10 if key else 1 / 3
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s), transport=transport, trust_env=False
        )
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def close(self) -> None:
        self._http.close()

    def search(self, term: str, *, retmax: int, mindate: int | None = None) -> Searched:
        """ESearch: the PMIDs of `term` by relevance, published from `mindate` on."""
        params: dict[str, str] = {
            "db": "pubmed",
            "term": term,
            "retmax": str(retmax),
            "retmode": "json",
            "sort": "relevance",
        }
        if mindate is not None:
            params.update(datetype="pdat", mindate=str(mindate), maxdate="3000")
        kind, body = self._get("esearch.fcgi", params)
        return _searched(kind, body, self.base_url)

    def fetch(self, pmids: Sequence[str]) -> bytes:
        """EFetch: the PubmedArticleSet XML of `pmids`."""
        if not pmids:
            return b""
        params = {"db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
        kind, body = self._get("efetch.fcgi", params)
        if "xml" not in kind:
            raise RemoteError(f"{self.base_url}/efetch.fcgi: expected XML, got {kind or 'nothing'}")
        head = body[:2000]
        if b"<PubmedArticleSet" not in head:
            error = _xml_error(body)
            raise RemoteError(f"PubMed EFetch failed: {error or 'the reply is not PubMed XML'}")
        return body

    # -- transport ------------------------------------------------------------------------

    def _get(self, path: str, params: dict[str, str]) -> tuple[str, bytes]:
        """(content type, body) of one GET, from the cache when fresh."""
        key = hashlib.sha256(json.dumps([path, sorted(params.items())]).encode()).hexdigest()
        cached = self._cached(key)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        kind, body = self._send(path, params)
        self._store(key, kind, body)
        return kind, body

    def _send(self, path: str, params: dict[str, str]) -> tuple[str, bytes]:
        url = f"{self.base_url}/{path}"
        attempt = 0
        while True:
            self._pace()
            self.stats.requests += 1
            wait: float | None = None
            try:
                response = self._http.get(url, params={**params, **self._params})
            except httpx.TimeoutException:
                if attempt >= self.settings.retries:
                    raise RemoteError(
                        f"{url}: no reply within {self.settings.timeout_s:g} s"
                    ) from None
            except httpx.HTTPError as exc:
                raise RemoteError(f"cannot reach PubMed at {url} ({type(exc).__name__})") from None
            else:
                if response.status_code < 400:
                    if len(response.content) > _MAX_REPLY_BYTES:
                        raise RemoteError(f"{url}: reply larger than {_MAX_REPLY_BYTES} bytes")
                    return response.headers.get("content-type", ""), response.content
                if response.status_code not in _RETRIED or attempt >= self.settings.retries:
                    raise RemoteError(f"{url} answered HTTP {response.status_code}")
                wait = retry_after(response)
            self.stats.retries += 1
            self._sleep(min(wait if wait is not None else 0.5 * 2**attempt, _MAX_WAIT_S))
            attempt += 1

    def _pace(self) -> None:
        """Sleep until this request keeps within NCBI's requests-per-second limit."""
        with self._lock:
            now = self._clock()
            if now < self._next:
                self._sleep(self._next - now)
                now = self._next
            self._next = now + self._interval

    def _cached(self, key: str) -> tuple[str, bytes] | None:
        if self.cache_dir is None or self.settings.cache_hours <= 0:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            entry = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or time.time() - float(entry.get("at", 0)) > (
            self.settings.cache_hours * 3600
        ):
            return None
        return str(entry.get("type", "")), str(entry.get("body", "")).encode("utf-8")

    def _store(self, key: str, kind: str, body: bytes) -> None:
        if self.cache_dir is None or self.settings.cache_hours <= 0:
            return
        entry = {"at": time.time(), "type": kind, "body": body.decode("utf-8", "replace")}
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, name = tempfile.mkstemp(dir=self.cache_dir, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(name, self.cache_dir / f"{key}.json")
        except OSError:
            return  # an unwritable cache only costs a repeated request


def _searched(kind: str, body: bytes, base_url: str) -> Searched:
    """An ESearch reply in JSON or XML, or the error it reports."""
    if "json" in kind:
        try:
            data: Any = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise RemoteError("PubMed ESearch: the reply is not valid JSON") from None
        if not isinstance(data, dict):
            raise RemoteError("PubMed ESearch: the reply is not a JSON object")
        result = data.get("esearchresult")
        if not isinstance(result, dict):
            raise RemoteError(f"PubMed ESearch failed: {_line(data.get('error')) or 'no result'}")
        if result.get("ERROR") and not result.get("idlist"):
            raise RemoteError(f"PubMed ESearch failed: {_line(result['ERROR'])}")
        ids = tuple(str(i) for i in result.get("idlist") or [] if str(i).isdigit())
        return Searched(int(result.get("count") or 0), ids)
    if "xml" in kind:
        try:
            root = fromstring(body)  # a DOCTYPE is normal; entity declarations are refused
        except DefusedXmlException:
            raise RemoteError("PubMed ESearch: the reply declares XML entities; refused") from None
        except ParseError:
            raise RemoteError("PubMed ESearch: the reply is not well-formed XML") from None
        if root.tag == "ERROR" or (root.find("IdList") is None and root.find("ERROR") is not None):
            raise RemoteError(
                f"PubMed ESearch failed: {_line(root.findtext('.') or root.findtext('ERROR'))}"
            )
        ids = tuple((i.text or "").strip() for i in root.iterfind("IdList/Id"))
        return Searched(int(root.findtext("Count") or 0), tuple(i for i in ids if i.isdigit()))
    raise RemoteError(f"{base_url}/esearch.fcgi: expected JSON or XML, got {kind or 'nothing'}")


def _xml_error(body: bytes) -> str:
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException):
        return ""
    return _line(root.findtext("ERROR") or (root.text if root.tag == "ERROR" else ""))


def _line(value: object) -> str:
    text = str(value or "").strip()
    return text.splitlines()[0][:200] if text else ""
