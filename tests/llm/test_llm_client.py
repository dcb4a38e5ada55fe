"""The OpenAI-compatible client against a fake server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from medoracle.errors import ConfigError, ModelError
from medoracle.llm.client import ChatClient
from medoracle.settings import LlmSettings

HELLO = [{"role": "user", "content": "hello"}]


def reply(content: str, model: str = "fake-model") -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


def client(server: HTTPServer, **changes: object) -> tuple[ChatClient, list[float]]:
    waits: list[float] = []
    settings = LlmSettings.model_validate(
        {"base_url": server.url_for("/v1"), "model": "fake-model", **changes}
    )
    return ChatClient(settings, sleep=waits.append), waits


def test_a_reply_carries_text_tokens_and_temperature_zero(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/v1/chat/completions", method="POST").respond_with_json(
        reply('{"bottom_line": []}')
    )
    chat, _ = client(httpserver)
    done = chat.complete(HELLO, {"type": "object"})
    assert done.text == '{"bottom_line": []}'
    assert (done.prompt_tokens, done.completion_tokens, done.model) == (11, 7, "fake-model")
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent["temperature"] == 0
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["messages"] == HELLO


def test_the_model_is_the_first_the_server_lists_when_none_is_set(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/models").respond_with_json(
        {"object": "list", "data": [{"id": "served-model"}, {"id": "other"}]}
    )
    httpserver.expect_request("/v1/chat/completions").respond_with_json(reply("{}"))
    chat, _ = client(httpserver, model="")
    chat.complete(HELLO)
    assert json.loads(httpserver.log[-1][0].get_data())["model"] == "served-model"


def test_429_waits_as_long_as_retry_after_says(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/v1/chat/completions").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "2"})
    )
    httpserver.expect_ordered_request("/v1/chat/completions").respond_with_json(reply("{}"))
    chat, waits = client(httpserver)
    assert chat.complete(HELLO).text == "{}"
    assert waits == [2.0]


def test_500_is_retried_with_backoff_then_given_up_in_one_line(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(
        {"error": {"message": "model crashed\nstack..."}}, status=500
    )
    chat, waits = client(httpserver, retries=2)
    with pytest.raises(ModelError) as caught:
        chat.complete(HELLO)
    assert waits == [0.5, 1.0]
    assert len(httpserver.log) == 3
    assert str(caught.value).endswith("answered HTTP 500: model crashed")


def test_a_wrong_key_is_one_line_that_does_not_show_the_key(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    seen: list[str] = []

    def unauthorised(request: Request) -> Response:
        seen.append(request.headers.get("Authorization", ""))
        return Response('{"error": "bad key"}', status=401, content_type="application/json")

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(unauthorised)
    key = tmp_path / "key"
    key.write_text("sk-secret-value\n")
    key.chmod(0o600)
    chat, waits = client(httpserver, api_key_file=str(key))
    with pytest.raises(ModelError) as caught:
        chat.complete(HELLO)
    assert seen == ["Bearer sk-secret-value"]
    assert "refused the API key" in str(caught.value)
    assert "sk-secret" not in str(caught.value) and waits == []


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("sk-secret-value")
    key.chmod(0o644)
    settings = LlmSettings(base_url="http://127.0.0.1:9/v1", api_key_file=key)
    with pytest.raises(ConfigError, match="owner only"):
        ChatClient(settings)


def test_an_unknown_model_and_a_dead_server_are_one_line(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_json(
        {"error": {"message": "model not found"}}, status=404
    )
    chat, _ = client(httpserver)
    with pytest.raises(ModelError, match="'fake-model' or endpoint not found"):
        chat.complete(HELLO)
    dead = ChatClient(LlmSettings(base_url="http://127.0.0.1:9/v1", model="m"))
    with pytest.raises(ModelError, match="cannot reach the language model server"):
        dead.complete(HELLO)


def test_a_slow_server_times_out_in_one_line(httpserver: HTTPServer) -> None:
    import time

    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(json.dumps(reply("{}")), content_type="application/json")

    httpserver.expect_request("/v1/chat/completions").respond_with_handler(slow)
    chat, _ = client(httpserver, timeout_s=0.5, retries=0)
    with pytest.raises(ModelError, match=r"no reply within 0\.5 s"):
        chat.complete(HELLO)


def test_a_reply_that_is_not_json_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/chat/completions").respond_with_data(
        "<html>proxy error</html>", content_type="text/html"
    )
    chat, _ = client(httpserver)
    with pytest.raises(ModelError, match="expected JSON, got text/html"):
        chat.complete(HELLO)


def test_a_base_url_is_required() -> None:
    with pytest.raises(ConfigError, match="MEDORACLE_LLM__BASE_URL"):
        ChatClient(LlmSettings())
