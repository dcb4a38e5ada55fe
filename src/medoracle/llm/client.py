"""A small client for the OpenAI Chat Completions protocol, over httpx.

vLLM, llama.cpp's server, Ollama (`/v1`) and hosted APIs all speak it. The client asks for
structured output (`response_format` with a JSON schema), at temperature 0 by default;
retries a 429 or 5xx reply with exponential backoff, waiting as long as `Retry-After` says
when the server sends it; and turns a wrong URL, key or model into one `ModelError` line.
The API key comes from settings or a file readable by its owner only; it is sent as a
bearer token and never logged or written into an error message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from medoracle.errors import ConfigError, ModelError
from medoracle.retry_after import retry_after
from medoracle.settings import LlmSettings

__all__ = ["ChatClient", "Completion", "api_key"]

log = logging.getLogger("medoracle.llm")

_RETRIED = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_MAX_WAIT_S = 60.0


@dataclass(frozen=True)
class Completion:
    """What the model wrote, with its token counts and how long it took."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    ms: float


def api_key(settings: LlmSettings) -> str | None:
    """The bearer token: the setting, else the key file (refused when others can read it)."""
    if settings.api_key is not None:
        return settings.api_key.get_secret_value() or None
    path = settings.api_key_file
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
        text = path.read_text("utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the API key file ({exc.strerror})") from None
    if mode & 0o077:
        raise ConfigError(f"{path}: the API key file must be readable by its owner only (0600)")
    return text or None


class ChatClient:
    """One model server; `complete` sends messages and returns the reply's text."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.base_url:
            raise ConfigError(
                "no language model server: set MEDORACLE_LLM__BASE_URL "
                "(e.g. http://127.0.0.1:8080/v1)"
            )
        if not settings.base_url.startswith(("http://", "https://")):
            raise ConfigError("MEDORACLE_LLM__BASE_URL must start with http:// or https://")
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        key = api_key(settings)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s)),
            transport=transport,
            trust_env=False,
        )
        self._sleep = sleep
        self._model = settings.model

    def close(self) -> None:
        self._http.close()

    @property
    def model(self) -> str:
        """The configured model, else the first one the server lists."""
        if not self._model:
            listed = self._request("GET", "/models", None).get("data") or []
            names = [str(m.get("id")) for m in listed if isinstance(m, dict) and m.get("id")]
            if not names:
                raise ModelError(f"{self.base_url}/models lists no model; set MEDORACLE_LLM__MODEL")
            self._model = names[0]
        return self._model

    def complete(
        self, messages: Sequence[dict[str, str]], schema: dict[str, Any] | None = None
    ) -> Completion:
        """The model's reply to `messages`, constrained to `schema` where the server can."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "stream": False,
        }
        if schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer_page", "schema": schema, "strict": False},
            }
        started = time.perf_counter()
        reply = self._request("POST", "/chat/completions", body)
        try:
            text = reply["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise ModelError(f"{self.base_url}: the reply has no message content") from None
        usage = reply.get("usage") or {}
        return Completion(
            text=str(text),
            model=str(reply.get("model") or self.model),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                response = self._http.request(method, path, json=body)
            except httpx.TimeoutException:
                if attempt >= self.settings.retries:
                    raise ModelError(
                        f"{self.base_url}: no reply within {self.settings.timeout_s:g} s"
                    ) from None
            except httpx.HTTPError as exc:
                raise ModelError(
                    f"cannot reach the language model server at {self.base_url} "
                    f"({type(exc).__name__})"
                ) from None
            else:
                if response.status_code < 400:
                    return _json(response, self.base_url)
                if response.status_code not in _RETRIED or attempt >= self.settings.retries:
                    raise ModelError(_refusal(response, self.base_url, self._model))
                wait = retry_after(response)
                if wait is not None:
                    self._sleep(min(wait, _MAX_WAIT_S))
                    attempt += 1
                    continue
            self._sleep(min(0.5 * 2**attempt, _MAX_WAIT_S))
            attempt += 1


def _json(response: httpx.Response, base_url: str) -> dict[str, Any]:
    kind = response.headers.get("content-type", "")
    if "json" not in kind:
        raise ModelError(f"{base_url}: expected JSON, got {kind or 'no content type'}")
    try:
        data = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ModelError(f"{base_url}: the reply is not valid JSON") from None
    if not isinstance(data, dict):
        raise ModelError(f"{base_url}: the reply is not a JSON object")
    return data


def _refusal(response: httpx.Response, base_url: str, model: str) -> str:
    status = response.status_code
    if status in (401, 403):
        return f"{base_url} refused the API key (HTTP {status}); check MEDORACLE_LLM__API_KEY"
    if status == 404:
        name = f"model {model!r} or " if model else ""
        return f"{base_url}: {name}endpoint not found (HTTP 404); check the URL and model"
    detail = ""
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else error
        detail = f": {str(message).splitlines()[0][:200]}" if message else ""
    except (ValueError, AttributeError):
        pass
    return f"{base_url} answered HTTP {status}{detail}"
