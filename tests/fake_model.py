"""A fake OpenAI-compatible model for tests of the whole path (CLI, web): it restates its
first two evidence sentences and invents a dose, which the verifier must keep off the page."""

from __future__ import annotations

import json
import re

from werkzeug import Request, Response

_LINE = re.compile(r"^\[(\d+)\] \([^)]*\) (\".*\")$", re.MULTILINE)
INVENTED_DOSE = "Give 900 mg of prednisone every hour."


def echoing_model(request: Request) -> Response:
    """A model that restates its first two evidence sentences and invents a dose."""
    user = json.loads(request.get_data())["messages"][1]["content"]
    lines = [(int(n), json.loads(text)) for n, text in _LINE.findall(user)]
    page = {
        "bottom_line": [{"text": lines[0][1], "evidence": [lines[0][0]]}],
        "sections": [
            {
                "heading": "What the sources say",
                "statements": [
                    {"text": lines[1][1], "evidence": [lines[1][0]]},
                    {"text": INVENTED_DOSE, "evidence": [lines[0][0]]},
                ],
            }
        ],
    }
    body = {
        "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": json.dumps(page)}}],
        "usage": {"prompt_tokens": 500, "completion_tokens": 90},
    }
    return Response(json.dumps(body), content_type="application/json")
