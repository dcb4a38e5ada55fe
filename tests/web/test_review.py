"""The review track through the pages: refusals and their statuses, the trust banner as it
moves, strikes and notes, regeneration and its diff, new evidence, the queue. The rules
themselves (every move by every role, regeneration from every state) are tested on the
service, in tests/articles."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from medoracle.answer.model import Statement
from medoracle.articles.events import Moved
from medoracle.articles.records import Article
from medoracle.articles.workflow import ReviewState
from web_kit import (
    QUESTION,
    REVIEWER,
    UNRELATED,
    VARNELL_UPDATE,
    Web,
    cli,
    wait_for_next_second,
)

MOVED = "Which tests confirm neurological Varnell syndrome?"


def _article(web: Web, slug: str) -> Article:
    found = web.site.store.find(slug)
    assert found is not None
    return found


def _put(web: Web, slug: str, state: str) -> None:
    """Set the article's state directly, as test setup."""
    article = _article(web, slug)
    if article.state != state:
        web.site.store.set_state(article, Moved("setup", article.state, ReviewState(state), ""))


def _statements(web: Web, slug: str) -> list[Statement]:
    """The statements of the article's sections (each is an `<li id="s-KEY">`)."""
    answer = web.site.answer(_article(web, slug), "clinician")
    return [s for section in answer.sections for s in section.statements]


def _any_key(web: Web, slug: str) -> str:
    return web.site.answer(_article(web, slug), "clinician").statements()[0].key()


def _last_event(web: Web, slug: str) -> tuple[str, str, str | None, str | None, str]:
    event = web.site.store.events(_article(web, slug).id)[-1]
    return event.actor, event.kind, event.from_state, event.to_state, event.comment


def test_refusals_say_why(web: Web, reviewer: TestClient, editor: TestClient) -> None:
    slug = web.slug(MOVED)
    _put(web, slug, "submitted")
    jump = web.move(reviewer, slug, "approved")
    assert "cannot go from Submitted to Approved" in jump.text
    _put(web, slug, "under_review")
    refused = web.move(editor, slug, "approved").text
    assert "the editor role may not move an article to Approved" in refused
    anonymous = web.move(web.browser(), slug, "approved")
    assert "sign in as a reviewer or editor" in anonymous.text
    unknown = web.move(reviewer, slug, "published")
    assert unknown.status_code == 403 and "unknown state &#39;published&#39;" in unknown.text
    missing = web.post_form(reviewer, "/questions/no-such-article/transition", {"to": "approved"})
    assert missing.status_code == 404
    stale = reviewer.post(f"/questions/{slug}/transition", data={"to": "approved"})
    assert stale.status_code == 403 and _article(web, slug).state == "under_review"  # no CSRF


def test_a_move_on_a_stale_article_is_a_conflict(
    web: Web, reviewer: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = web.slug(MOVED)
    _put(web, slug, "submitted")
    stale = _article(web, slug)
    _put(web, slug, "under_review")  # somebody else started the review meanwhile
    _put(web, slug, "submitted")
    _put(web, slug, "changes_requested")
    monkeypatch.setattr(web.site, "find", lambda _slug: stale)
    reply = web.move(reviewer, slug, "under_review")
    assert reply.status_code == 409
    assert "<h1>Changed meanwhile</h1>" in reply.text and "now changes_requested" in reply.text
    assert _article(web, slug).state == "changes_requested"


def test_the_trust_banner_follows_the_review_state(
    web: Web, reviewer: TestClient, browser: TestClient
) -> None:
    slug = web.slug("What is the first-line treatment of neurological Varnell syndrome?")
    url = f"/questions/{slug}"
    assert "pending human review" in browser.get(url).text
    assert web.move(reviewer, slug, "under_review", "starting").status_code == 303
    page = browser.get(url).text
    assert "pending human review" in page
    assert '<li class="done">Submitted</li>' in page
    assert '<li aria-current="step">Under Review</li>' in page
    assert 'id="review-panel"' not in page  # anonymous readers get no review tools
    panel = reviewer.get(url).text
    assert 'id="move-approved"' in panel and 'id="move-changes_requested"' in panel
    assert web.move(reviewer, slug, "approved", "checked against the guideline").status_code == 303
    page = browser.get(url).text
    assert "Reviewed and approved by a clinician." in page
    assert "pending human review" not in page and "use caution" not in page
    assert '<li aria-current="step">Approved</li>' in page
    home = browser.get("/").text
    approved = home[home.index('id="approved-list"') :]
    assert f'<a href="/questions/{slug}">' in approved.split("</ul>")[0]
    assert browser.get(f"{url}/print").text.count("Reviewed and approved by a clinician.") == 1
    assert "review state: Approved" in browser.get(f"{url}/export.md").text


def test_changes_requested_needs_an_edit_or_regeneration_before_resubmitting(
    web: Web, reviewer: TestClient, editor: TestClient, browser: TestClient
) -> None:
    slug = web.slug("What maintenance therapy follows remission of Varnell syndrome?")
    url = f"/questions/{slug}"
    assert web.move(reviewer, slug, "changes_requested", "add the dose").status_code == 303
    assert "<strong>Changes requested:</strong>" in browser.get(url).text
    refused = web.move(editor, slug, "submitted")
    assert refused.status_code == 403 and "regenerate or edit the article" in refused.text
    key = _any_key(web, slug)
    note = web.post_form(
        editor, f"{url}/annotate", {"key": key, "kind": "note", "body": "dose added"}, page=url
    )
    assert note.status_code == 303
    assert web.move(editor, slug, "submitted", "resubmitted").status_code == 303
    assert _article(web, slug).state == "submitted"
    # Regenerating from changes_requested sends it back to Submitted by itself.
    assert web.move(reviewer, slug, "changes_requested", "once more").status_code == 303
    regenerated = web.post_form(reviewer, f"{url}/regenerate", {}, page=url)
    assert regenerated.status_code == 303
    article = _article(web, slug)
    assert (article.state, article.current_version) == ("submitted", 2)
    assert _last_event(web, slug)[:4] == (
        REVIEWER[0],
        "transition",
        "changes_requested",
        "submitted",
    )


def test_strikes_and_notes_show_on_the_page_and_shape_the_exports(
    web: Web, reviewer: TestClient, browser: TestClient
) -> None:
    slug = web.slug("Which drugs should be avoided in neurological Varnell syndrome?")
    url = f"/questions/{slug}"
    struck, noted = _statements(web, slug)[:2]
    before = browser.get(url).text  # an anonymous reader's page is cached now
    assert "<del" not in before
    reply = web.post_form(
        reviewer, f"{url}/annotate", {"key": struck.key(), "kind": "strike"}, page=url
    )
    assert reply.status_code == 303 and reply.headers["location"] == f"{url}#s-{struck.key()}"
    note = "check the current label"
    web.post_form(
        reviewer, f"{url}/annotate", {"key": noted.key(), "kind": "note", "body": note}, page=url
    )
    page = browser.get(url).text  # the cached page must not hide the edits
    item = re.search(rf'<li id="s-{struck.key()}">(.*?)</li>', page, re.S)
    assert item and '<del class="struck">' in item.group(1)
    assert struck.text in item.group(1) and "(struck by a reviewer)" in item.group(1)
    assert f"Reviewer note ({REVIEWER[0]}):</span> {note}" in page
    markdown = browser.get(f"{url}/export.md").text
    assert struck.text not in markdown and noted.text in markdown
    assert f"- Reviewer note ({REVIEWER[0]}) on statement {noted.key()}: {note}" in markdown
    exported = json.loads(browser.get(f"{url}/export.json").text)
    texts = [s["text"] for s in exported["answer"]["bottom_line"]] + [
        s["text"] for section in exported["answer"]["sections"] for s in section["statements"]
    ]
    assert struck.text not in texts and noted.text in texts
    kinds = {(a["statement"], a["kind"], a["by"]) for a in exported["annotations"]}
    assert kinds == {(struck.key(), "strike", "rita"), (noted.key(), "note", "rita")}
    printed = browser.get(f"{url}/print").text
    assert struck.text not in printed and noted.text in printed
    history = browser.get(f"{url}/history").text
    assert f"statement {noted.key()}: {note}" in history and f"statement {struck.key()}" in history


def test_annotations_are_refused_to_anonymous_users_and_unknown_statements(
    web: Web, reviewer: TestClient, browser: TestClient
) -> None:
    slug = web.slug("Which drugs should be avoided in neurological Varnell syndrome?")
    url = f"/questions/{slug}"
    key = _any_key(web, slug)
    anonymous = web.post_form(browser, f"{url}/annotate", {"key": key, "kind": "strike"}, url)
    assert anonymous.status_code == 403
    unknown = web.post_form(reviewer, f"{url}/annotate", {"key": "0" * 12, "kind": "strike"}, url)
    assert unknown.status_code == 404 and "no statement" in unknown.text
    empty = web.post_form(reviewer, f"{url}/annotate", {"key": key, "kind": "note"}, url)
    assert empty.status_code == 400 and "the note is empty" in empty.text
    odd = web.post_form(reviewer, f"{url}/annotate", {"key": key, "kind": "erase"}, url)
    assert odd.status_code == 400 and "unknown annotation" in odd.text
    assert reviewer.post(f"{url}/annotate", data={"key": key, "kind": "strike"}).status_code == 403


def test_history_records_who_when_from_to_and_why(
    web: Web, reviewer: TestClient, browser: TestClient
) -> None:
    slug = web.slug("How often is the blood count monitored in Varnell syndrome?")
    web.move(reviewer, slug, "under_review", "picking this up")
    web.move(reviewer, slug, "changes_requested", "cite the <b>interval</b>")
    rows = re.findall(r"<tr>(.*?)</tr>", browser.get(f"/questions/{slug}/history").text, re.S)
    events = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in rows if "<time" in row]
    moves = [cells[1:] for cells in events if cells[2] == "transition"]
    assert moves == [
        ["rita", "transition", "Submitted", "Under Review", "picking this up"],
        [
            "rita",
            "transition",
            "Under Review",
            "Changes requested",
            "cite the &lt;b&gt;interval&lt;/b&gt;",
        ],
    ]
    stamps = re.findall(
        r'<td><time datetime="([^"]+)">', browser.get(f"/questions/{slug}/history").text
    )
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps)


REGENERATED = "What rehabilitation helps after neurological Varnell syndrome?"


def _regenerate(web: Web, browser: TestClient, slug: str) -> httpx.Response:
    url = f"/questions/{slug}"
    return web.post_form(browser, f"{url}/regenerate", {}, page=url)


def test_only_a_regeneration_takes_a_reviewed_article_back_to_submitted(
    web: Web, reviewer: TestClient
) -> None:
    slug = web.slug(REGENERATED)
    url = f"/questions/{slug}"
    for state in ("under_review", "approved"):
        _put(web, slug, state)
        refused = web.move(reviewer, slug, "submitted")
        assert refused.status_code == 403
        assert "back to Submitted only by regenerating it" in refused.text
        api = web.browser().post(
            f"/api/v1{url.replace('/questions/', '/articles/')}/transitions",
            json={"to": "submitted"},
            auth=REVIEWER,
        )
        assert api.status_code == 403 and "only by regenerating" in api.json()["error"]
        assert 'value="submitted"' not in reviewer.get(url).text  # no Resubmit button
        assert _article(web, slug).state == state


def test_a_regeneration_racing_a_move_changes_nothing(
    web: Web, reviewer: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slug = web.slug(REGENERATED)
    _put(web, slug, "under_review")
    stale = _article(web, slug)
    _put(web, slug, "approved")  # approved meanwhile: the regenerator has not seen it
    monkeypatch.setattr(web.site, "find", lambda _slug: stale)
    reply = _regenerate(web, reviewer, slug)
    assert reply.status_code == 409 and "now approved" in reply.text
    article = _article(web, slug)
    assert (article.state, article.current_version) == ("approved", stale.current_version)


def test_regenerating_needs_a_signed_in_user(web: Web, browser: TestClient) -> None:
    slug = web.slug(QUESTION)
    reply = web.post_form(browser, f"/questions/{slug}/regenerate", {}, page=f"/questions/{slug}")
    assert reply.status_code == 403 and "sign in" in reply.text
    assert _article(web, slug).current_version == 1
    assert browser.post(f"/questions/{slug}/regenerate").status_code == 403  # no CSRF token


def test_the_review_queue_needs_a_sign_in(
    web: Web, reviewer: TestClient, browser: TestClient
) -> None:
    slug = web.slug("What is the first-line treatment of neurological Varnell syndrome?")
    _put(web, slug, "under_review")
    anonymous = browser.get("/review")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/review"
    queue = reviewer.get("/review")
    assert queue.status_code == 200
    under_review = queue.text.split("Under review (")[1].split("</section>")[0]
    assert f'href="/questions/{slug}"' in under_review
    assert "Sign out rita (reviewer)" in queue.text


# ---------------------------------------------------------------------- new evidence


@dataclass(frozen=True)
class Ingested:
    slug: str
    flagged: list[str]


@pytest.fixture(scope="module")
def ingested(web: Web) -> Iterator[Ingested]:
    """QUESTION's article exists; then an ingest adds a new Varnell guideline."""
    slug = web.slug(QUESTION)
    web.slug(UNRELATED)  # an article the new guideline has nothing to say about
    wait_for_next_second(_article(web, slug).created_at)  # the library was built before
    result = cli(web.home, "ingest", "ngc", str(VARNELL_UPDATE), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["added"] == 1
    yield Ingested(slug, summary["articles_with_new_evidence"])


def test_an_ingest_flags_articles_whose_evidence_it_changes(
    web: Web, ingested: Ingested, reviewer: TestClient, browser: TestClient
) -> None:
    slug = ingested.slug
    assert slug in ingested.flagged
    # Articles on other conditions would not cite the new guideline: they stay unflagged.
    assert web.slug(UNRELATED) not in ingested.flagged
    data = browser.get(f"/api/v1/articles/{slug}").json()
    assert data["new_evidence"] is True
    page = browser.get(f"/questions/{slug}").text
    assert "<strong>New evidence available:</strong>" in page
    history = browser.get(f"/questions/{slug}/history").text
    assert "new evidence" in history and "ngc:9311" in history
    queue = reviewer.get("/review").text
    assert f'href="/questions/{slug}"' in queue.split("New evidence available: re-review")[1]
    listed = cli(web.home, "review", "list", "--new-evidence")
    assert listed.exit_code == 0 and f"{slug} [new evidence]" in listed.stdout
    flagged = browser.get("/api/v1/articles", params={"new_evidence": "true"}).json()
    assert slug in [a["slug"] for a in flagged["articles"]]
    # Ingesting the same file again adds nothing, so nothing more is flagged.
    again = cli(web.home, "ingest", "ngc", str(VARNELL_UPDATE), "--json")
    assert again.exit_code == 0 and "articles_with_new_evidence" not in json.loads(again.stdout)


def test_regenerating_reads_the_new_evidence_and_the_diff_shows_it(
    web: Web, ingested: Ingested, reviewer: TestClient, browser: TestClient
) -> None:
    slug = ingested.slug
    url = f"/questions/{slug}"
    _put(web, slug, "under_review")
    reply = web.post_form(reviewer, f"{url}/regenerate", {}, page=url)
    assert reply.status_code == 303 and reply.headers["location"] == f"{url}/history"
    article = _article(web, slug)
    assert (article.current_version, article.state, article.new_evidence) == (2, "submitted", False)
    history = browser.get(f"{url}/history").text
    assert f'href="{url}/diff?from=1&amp;to=2"' in history
    assert "regenerated: the new version needs review" in history
    diff = browser.get(f"{url}/diff", params={"from": 1, "to": 2})
    assert diff.status_code == 200
    added = re.findall(r'<li class="diff-added"><ins>(.*?)</ins></li>', diff.text, re.S)
    assert any("physiotherapy" in line for line in added), diff.text
    assert "New evidence available" not in browser.get(url).text
    current = browser.get(url).text
    assert "physiotherapy" in current and "Invented guideline update" in current
    old = browser.get(url, params={"version": 1}).text
    assert "You are reading version 1 of 2." in old and "physiotherapy" not in old
    assert browser.get(f"{url}/diff", params={"from": 1, "to": 3}).status_code == 404
