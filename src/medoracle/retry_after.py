"""How long a server asked us to wait: the `Retry-After` header of a 429 or 503 reply, in
seconds (RFC 9110, section 10.2.3: a number of seconds or an HTTP date), shared by the
clients of remote services (the language model, PubMed)."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["retry_after"]


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before retrying, or None when the reply does not say."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
