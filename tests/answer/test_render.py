"""Rendering answer pages: citations resolve, hostile text stays inert, formats round-trip."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

import pytest

from medoracle.answer.model import (
    Answer,
    AnswerAudience,
    Link,
    Provenance,
    Quote,
    Reference,
    Section,
    Statement,
    TermNote,
    Warning,
    WarningKind,
)
from medoracle.answer.render import (
    FORMATS,
    TermNotes,
    citation_marks,
    render,
    render_html,
    render_json,
    render_markdown,
    render_text,
)
from medoracle.corpus.models import Identifiers, PubType, Status
from medoracle.errors import UnknownFormatError

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'
ANSI = re.compile(r"\x1b\[")


def reference(number: int, **changes: object) -> Reference:
    fields: dict[str, object] = {
        "number": number,
        "doc_id": f"test:doc{number}",
        "type_label": "Guideline",
        "pub_type": PubType.GUIDELINE,
        "evidence_level": 1,
        "title": f"Invented guideline number {number} on wrist fever",
        "source": "Society of Invented Medicine",
        "year": 2020 + number,
        "identifiers": Identifiers(pmid=str(1000 + number), doi=f"10.9999/inv.{number}"),
        "citation": f"Invented guideline {number}.",
    }
    fields.update(changes)
    return Reference.model_validate(fields)


def said(text: str, *citations: int) -> Statement:
    quotes = [
        Quote(reference=n, passage_id=f"test:doc{n}#0", section="Recs", text=text)
        for n in citations
    ]
    return Statement(text=text, citations=list(citations), support=0.9, quotes=quotes)


def answer(**changes: object) -> Answer:
    fields: dict[str, object] = {
        "question": "How is wrist fever treated in adults?",
        "qtype": "management",
        "title": "Wrist Fever in Adults: Management",
        "bottom_line": [said("Give cold compresses within 2 hours of onset.", 1, 2)],
        "sections": [
            Section(
                key="first_line",
                heading="First-line treatment",
                statements=[
                    said("Apply a cold compress for 20 minutes every 4 hours.", 1),
                    said("Oral zentamol 500 mg twice daily reduces pain in 62% of adults.", 2, 3),
                ],
            ),
            Section(
                key="avoid",
                heading="What not to use",
                statements=[said("Avoid heat packs during the first 48 hours.", 3)],
            ),
        ],
        "references": [
            reference(1, grade="A", strength="strong"),
            reference(
                2,
                type_label="Randomized trial",
                pub_type=PubType.RANDOMIZED_TRIAL,
                evidence_level=3,
                source="Journal of Invented Trials",
                links=[Link(label="PMC", url="https://pmc.ncbi.nlm.nih.gov/articles/PMC42/")],
            ),
            reference(
                3,
                status=Status.SUPERSEDED,
                status_note="replaced by the 2024 update",
                identifiers=Identifiers(guideline_id="SIM-7"),
            ),
        ],
        "warnings": [
            Warning(
                kind=WarningKind.CONFLICTING_EVIDENCE,
                message="Trials disagree on zentamol dose.",
                references=[2, 3],
            )
        ],
        "provenance": Provenance(library_version="c42/d3", created="2026-01-18T09:30:00+00:00"),
    }
    fields.update(changes)
    return Answer.model_validate(fields)


def emergency_answer() -> Answer:
    return answer(
        emergency="Call emergency services now: a cold, blue hand needs care within minutes.",
        warnings=[
            Warning(
                kind=WarningKind.RED_FLAG,
                message="A cold, blue hand is a red flag.",
                references=[1],
            )
        ],
    )


def abstained_answer() -> Answer:
    closest = [
        reference(7, title="Invented review of ankle fever"),
        reference(9, status=Status.RETRACTED),
    ]
    return answer(
        title="Elbow Hum: No Evidence Found",
        bottom_line=[],
        sections=[],
        references=[],
        warnings=[
            Warning(kind=WarningKind.INSUFFICIENT_EVIDENCE, message="No source covers elbow hum.")
        ],
        abstained=True,
        closest=closest,
    )


def student_answer() -> Answer:
    return answer(
        audience=AnswerAudience.STUDENT,
        terms=[
            TermNote(term="compress", explanation="a pad pressed on the skin"),
            TermNote(term="zentamol", explanation="an invented pain medicine"),
            TermNote(term="never used", explanation="appears nowhere in the text"),
        ],
    )


def patient_answer() -> Answer:
    return answer(
        audience=AnswerAudience.PATIENT,
        see_doctor=[
            "See a doctor if the fever spreads to the elbow.",
            "Get help if the hand turns blue.",
        ],
    )


ALL_ANSWERS = [answer(), emergency_answer(), abstained_answer(), student_answer(), patient_answer()]


class Page(HTMLParser):
    """Collects tags, attributes, ids, hrefs, headings and visible text of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def ids(self) -> list[str]:
        return [a["id"] or "" for _, a in self.tags if "id" in a]

    def hrefs(self) -> list[str]:
        return [a["href"] or "" for t, a in self.tags if t == "a" and "href" in a]

    def headings(self) -> list[int]:
        return [int(t[1]) for t, _ in self.tags if re.fullmatch(r"h[1-6]", t)]


def test_citation_marks() -> None:
    assert citation_marks([1, 2]) == "[1, 2]"
    assert citation_marks([3, 1, 1]) == "[1, 3]"
    assert citation_marks([1, 2, 3, 5]) == "[1–3, 5]"
    assert citation_marks([]) == ""


@pytest.mark.parametrize(
    "page", ALL_ANSWERS, ids=["plain", "emergency", "abstained", "student", "patient"]
)
def test_html_citations_link_to_existing_reference_anchors(page: Answer) -> None:
    parsed = Page(render_html(page))
    ids = parsed.ids()
    assert len(ids) == len(set(ids)), "ids must be unique"
    cited = {n for s in page.statements() for n in s.citations}
    targets = {h[1:] for h in parsed.hrefs() if h.startswith("#")}
    assert {f"ref-{n}" for n in cited} <= targets
    assert targets <= set(ids), f"dangling links: {targets - set(ids)}"
    ref_ids = [i for i in ids if i.startswith("ref-")]
    assert ref_ids == [f"ref-{r.number}" for r in page.references]


@pytest.mark.parametrize(
    "page", ALL_ANSWERS, ids=["plain", "emergency", "abstained", "student", "patient"]
)
def test_html_has_landmarks_viewport_and_ordered_headings(page: Answer) -> None:
    html = render_html(page)
    parsed = Page(html)
    tags = [t for t, _ in parsed.tags]
    assert html.startswith("<!doctype html>")
    assert ("html", {"lang": "en"}) in parsed.tags
    assert {"header", "main", "footer", "nav", "style"} <= set(tags)
    assert any(t == "meta" and a.get("name") == "viewport" for t, a in parsed.tags)
    levels = parsed.headings()
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    # self-contained: no scripts, stylesheets or other fetched assets
    assert not {"script", "link", "img", "iframe"} & set(tags)
    assert all("src" not in a for _, a in parsed.tags)


def test_html_shows_the_page_parts() -> None:
    html = render_html(answer())
    text = " ".join("".join(Page(html).text).split())
    assert '<h1 id="question">How is wrist fever treated in adults?</h1>' in html
    assert "Wrist Fever in Adults: Management" in text
    for step in ("Submitted", "Under Review", "Approved"):
        assert step in text
    assert 'aria-current="step">Submitted' in html
    assert "pending human review" in text and "18 January 2026" in text
    assert "Written for: Clinician" in text
    assert re.search(r'<p class="bottom-line"><strong>Give cold compresses', html)
    assert "Superseded: replaced by the 2024 update" in text
    assert (
        "level 3" in text
        and "grade A (strong)" in text
        and "Journal of Invented Trials, 2022" in text
    )
    hrefs = Page(html).hrefs()
    assert "https://pubmed.ncbi.nlm.nih.gov/1001/" in hrefs
    assert "https://doi.org/10.9999/inv.1" in hrefs
    assert "https://pmc.ncbi.nlm.nih.gov/articles/PMC42/" in hrefs
    assert "Conflicting evidence:" in text
    assert "Professional disclaimer" in text
    assert ":target" in html


def test_html_emergency_banner_comes_first() -> None:
    html = render_html(emergency_answer())
    assert html.index('class="emergency" role="alert"') < html.index("<h1")
    assert html.index("Call emergency services now") < html.index("<h1")
    assert html.index("A cold, blue hand is a red flag.") < html.index("<h1")


def test_html_abstained_shows_closest_sources() -> None:
    html = render_html(abstained_answer())
    text = " ".join("".join(Page(html).text).split())
    assert "The library does not cover this question." in text
    assert "Invented review of ankle fever" in text
    assert "Retracted: retracted; do not rely on it" in text
    assert "Insufficient evidence: No source covers elbow hum." in text


HOSTILE_FIELDS = [HOSTILE_SCRIPT, HOSTILE_IMG, "javascript:alert(1)"]


def hostile_answer() -> Answer:
    hostile = f"{HOSTILE_SCRIPT} {HOSTILE_IMG}"
    bad_link = Link.model_construct(label=HOSTILE_IMG, url="javascript:alert(1)")
    ref = reference(1, title=hostile, source=hostile, type_label=hostile, grade=HOSTILE_IMG)
    ref.links = [
        bad_link,
        Link.model_construct(label="Web", url='https://x.test/"onmouseover=alert(1)'),
    ]
    return answer(
        question=hostile,
        title=hostile,
        emergency=hostile,
        bottom_line=[said(hostile, 1)],
        sections=[Section(key=HOSTILE_IMG, heading=hostile, statements=[said(hostile, 1)])],
        references=[ref],
        warnings=[Warning(kind=WarningKind.INSUFFICIENT_EVIDENCE, message=hostile)],
        see_doctor=[hostile],
        terms=[TermNote(term="script", explanation=HOSTILE_IMG)],
    )


def test_html_escapes_hostile_text_and_links() -> None:
    html = render_html(hostile_answer())
    parsed = Page(html)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags and "img" not in tags
    for _, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs)
    assert all(h.startswith(("#", "https://", "http://")) for h in parsed.hrefs())
    assert "javascript:" not in " ".join(parsed.hrefs())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the text survives, inert
    assert HOSTILE_SCRIPT in "".join(parsed.text)


def test_markdown_escapes_hostile_text() -> None:
    markdown = render_markdown(hostile_answer())
    assert not re.search(r"(?<!\\)<(script|img|/script)", markdown)
    assert "\\<script\\>" in markdown
    assert "javascript:" not in markdown


def test_text_strips_terminal_escapes_from_data() -> None:
    page = answer(title="Title \x1b[31mred\x1b[0m", question="What\x07 now?")
    assert not ANSI.search(render_text(page, color=False))
    colored = render_text(page, color=True)
    assert "\x07" not in colored and "\x1b[31m" not in colored
    assert "Title red" in colored


@pytest.mark.parametrize(
    "page", ALL_ANSWERS, ids=["plain", "emergency", "abstained", "student", "patient"]
)
def test_markdown_citations_link_to_reference_anchors(page: Answer) -> None:
    markdown = render_markdown(page)
    links = set(re.findall(r"\]\(#(ref-\d+)\)", markdown))
    anchors = re.findall(r'<a id="(ref-\d+)"></a>', markdown)
    assert {f"ref-{n}" for s in page.statements() for n in s.citations} <= links
    assert links <= set(anchors)
    assert anchors == [f"ref-{r.number}" for r in page.references]


def test_markdown_abstained_lists_closest_sources_without_anchors() -> None:
    markdown = render_markdown(abstained_answer())
    assert "**The library does not cover this question.**" in markdown
    assert "- Guideline · level 1. Invented review of ankle fever." in markdown
    assert "**RETRACTED:** retracted; do not rely on it." in markdown
    assert 'id="ref-' not in markdown and "## References" not in markdown


def test_markdown_page_parts() -> None:
    markdown = render_markdown(answer())
    assert markdown.startswith("# How is wrist fever treated in adults?\n")
    assert "## Wrist Fever in Adults: Management" in markdown
    assert (
        "**Bottom line: Give cold compresses within 2 hours of onset. [[1](#ref-1), [2](#ref-2)]**"
        in markdown
    )
    assert "### First-line treatment" in markdown
    assert "- Apply a cold compress for 20 minutes every 4 hours. [[1](#ref-1)]" in markdown
    assert "**SUPERSEDED:** replaced by the 2024 update." in markdown
    assert "[PubMed](https://pubmed.ncbi.nlm.nih.gov/1001/)" in markdown
    assert render_markdown(emergency_answer()).startswith(
        "> **EMERGENCY: Call emergency services now"
    )


@pytest.mark.parametrize(
    "page", ALL_ANSWERS, ids=["plain", "emergency", "abstained", "student", "patient"]
)
def test_json_round_trips(page: Answer) -> None:
    assert Answer.model_validate_json(render_json(page)) == page


def test_text_without_color_is_plain_and_ordered() -> None:
    text = render_text(emergency_answer(), color=False)
    assert not ANSI.search(text)
    lines = text.splitlines()
    assert lines[0].startswith("EMERGENCY: Call emergency services now")
    assert max(map(len, lines)) <= 100
    order = [
        "Wrist Fever in Adults: Management",
        "Bottom line: Give cold compresses within 2 hours of onset. [1, 2]",
        "First-line treatment",
        "  - Oral zentamol 500 mg twice daily reduces pain in 62% of adults. [2, 3]",
        "What not to use",
        "References",
        "  1. Guideline · level 1 · grade A (strong).",
        "  2. Randomized trial · level 3.",
        "  3. Guideline · level 1.",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "SUPERSEDED: replaced by the 2024 update" in text
    assert "PubMed: https://pubmed.ncbi.nlm.nih.gov/1001/" in text
    assert "guideline SIM-7" in text


def test_text_with_color_bolds_the_bottom_line() -> None:
    text = render(answer(), "text", color=True)
    assert "\x1b[1mBottom line: Give cold compresses" in text
    assert "\x1b[1;31mSUPERSEDED" in text


def test_student_terms_are_explained_at_first_use_and_listed() -> None:
    page = student_answer()
    text = render_text(page, color=False)
    assert "Apply a cold compress (a pad pressed on the skin) for 20 minutes" in text
    assert text.count("(a pad pressed on the skin)") == 1
    assert "Oral zentamol (an invented pain medicine) 500 mg" in text
    assert "  - never used: appears nowhere in the text" in text
    html = render_html(page)
    assert '<dfn>compress</dfn> <span class="term-note">(a pad pressed on the skin)</span>' in html
    assert "<dt>never used</dt>" in html
    assert "compress (a pad pressed on the skin)" in render_markdown(page)


def test_term_notes_skip_terms_already_explained_and_nested_terms() -> None:
    page = answer(
        bottom_line=[said("Kidney failure (loss of kidney function) is rare.", 1)],
        sections=[],
        terms=[
            TermNote(term="kidney failure", explanation="x"),
            TermNote(term="rare", explanation="uncommon"),
        ],
    )
    segments = TermNotes(page)(page.bottom_line[0])
    assert "".join(s.text for s in segments) == page.bottom_line[0].text
    assert [s.note for s in segments if s.note] == ["uncommon"]


def test_patient_answer_has_see_doctor_and_lay_disclaimer() -> None:
    page = patient_answer()
    text = render_text(page, color=False)
    assert "When to see a doctor" in text
    assert "  - See a doctor if the fever spreads to the elbow." in text
    assert "For: Patient or caregiver" in text
    assert "not medical advice" in text
    html = render_html(page)
    assert 'id="see-doctor">When to see a doctor</h3>' in html
    assert "Professional disclaimer" not in html


def test_abstained_text_lists_closest_sources() -> None:
    text = render_text(abstained_answer(), color=False)
    assert "The library does not cover this question." in text
    assert "Closest sources in the library" in text
    assert "  - Guideline · level 1. Invented review of ankle fever." in text
    assert "RETRACTED: retracted; do not rely on it" in text
    assert "Bottom line" not in text and "\nReferences" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_dispatches_every_format(fmt: str) -> None:
    assert "Wrist Fever in Adults" in render(answer(), fmt)


def test_unknown_format_raises() -> None:
    with pytest.raises(UnknownFormatError, match="pdf"):
        render(answer(), "pdf")
