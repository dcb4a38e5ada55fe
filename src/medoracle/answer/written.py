"""The LLM composer: a language model writes the page, the verifier decides what is shown.

    Evidence -> the extractive composer's page (its sentences are on the subject, answer the
    ask and are clean; with none, the page abstains and no model is asked)
      -> those sentences, numbered, to the model (`medoracle.llm.contract`)
      -> the model's page: bottom line and sections, each statement citing numbers
      -> every statement through the gate (`medoracle.cite.gate`): cited, numbers, drugs
         and negations as its sources state them, support at the floor; others dropped
      -> too little left: the extractive page, saying why

What reaches the page is therefore always a statement the verifier found in the sentences it
cites; `Provenance.model` records what the model wrote, what was dropped and why.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence

from medoracle.answer.compose import ExtractiveComposer
from medoracle.answer.model import (
    Answer,
    AnswerAudience,
    Dropped,
    ModelReport,
    Quote,
    Reference,
    Section,
    Statement,
    Warning,
    WarningKind,
)
from medoracle.cite.gate import Verdict, judge
from medoracle.cite.verify import Verifier
from medoracle.llm.cache import ReplyCache, cache_key
from medoracle.llm.client import ChatClient, Completion
from medoracle.llm.contract import (
    EvidenceLine,
    WrittenPage,
    WrittenStatement,
    messages,
    parse,
    repair_messages,
    schema_for,
)
from medoracle.retrieve.evidence import Evidence
from medoracle.settings import LlmSettings

__all__ = ["LlmComposer"]


class LlmComposer:
    """Pages written by a model over the extractive composer's evidence; build once."""

    name = "llm"

    def __init__(
        self,
        settings: LlmSettings,
        client: ChatClient,
        extractive: ExtractiveComposer,
        verifier: Verifier,
        floor: float,
        cache: ReplyCache | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.extractive = extractive
        self.verifier = verifier
        self.floor = floor
        self.cache = cache

    def compose(
        self,
        evidence: Evidence,
        audience: AnswerAudience,
        *,
        sentence_grade: Callable[[str], float] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> Answer:
        """The model's page over `evidence`, verified; `progress` hears "writing" before the
        model is asked and "checking" before its statements are verified."""
        base = self.extractive.compose(evidence, audience, sentence_grade=sentence_grade)
        if base.abstained:
            return base
        started = time.perf_counter()
        lines, quotes = _numbered(base, self.settings.evidence)
        model = self.client.model
        if progress is not None:
            progress("writing")
        written, report = self._written(base, lines, model)
        if isinstance(written, str):
            return _fallback(base, report, written)
        if progress is not None:
            progress("checking")
        verdicts = judge(
            [(s.text, s.evidence) for s in written.statements()],
            {line.number: line.text for line in lines},
            self.verifier,
            self.floor,
            base.question,
        )
        report.written = len(verdicts)
        report.dropped = [Dropped(text=v.text, reason=v.reason) for v in verdicts if v.reason]
        by_text = iter(verdicts)
        bottom = _statements(written.bottom_line, by_text, quotes, base)
        sections = []
        for section in written.sections:
            kept = _statements(section.statements, by_text, quotes, base)
            if kept:
                sections.append(
                    Section(key=_key(section.heading), heading=section.heading, statements=kept)
                )
        if not bottom and sections:
            bottom = [sections[0].statements.pop(0)]
            sections = [s for s in sections if s.statements]
        report.kept = len(bottom) + sum(len(s.statements) for s in sections)
        report.ms = round((time.perf_counter() - started) * 1000, 1)
        if report.kept < self.settings.min_statements or not bottom:
            why = f"{report.kept} of {report.written} statements the model wrote were verified"
            return _fallback(base, report, why)
        references, renumber = _renumbered(base.references, [*bottom, *_flat(sections)])
        for statement in [*bottom, *_flat(sections)]:
            statement.citations = sorted({renumber[n] for n in statement.citations})
            statement.quotes = [
                q.model_copy(update={"reference": renumber[q.reference]}) for q in statement.quotes
            ]
        warnings = [
            w.model_copy(
                update={"references": [renumber[n] for n in w.references if n in renumber]}
            )
            for w in base.warnings
            if not w.references or any(n in renumber for n in w.references)
        ]
        provenance = base.provenance.model_copy(update={"composer": self.name, "model": report})
        provenance.timings_ms["model"] = report.ms
        return base.model_copy(
            update={
                "bottom_line": bottom,
                "sections": sections,
                "references": references,
                "warnings": warnings,
                "provenance": provenance,
            }
        )

    def _written(
        self, base: Answer, lines: list[EvidenceLine], model: str
    ) -> tuple[WrittenPage | str, ModelReport]:
        """The model's page for `lines` (from the cache when written before), or why not."""
        report = ModelReport(model=model)
        asked = messages(base.question, base.ask, base.audience.value, lines)
        schema = schema_for(len(lines))
        key = cache_key(model, asked, schema)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None:
            page = parse(str(cached.get("reply", "")))
            if not isinstance(page, str):
                report.cached = True
                return page, report
        reply = self.client.complete(asked, schema)
        _count(report, reply)
        page = parse(reply.text)
        if isinstance(page, str):
            report.repaired = True
            reply = self.client.complete(repair_messages(asked, reply.text, page), schema)
            _count(report, reply)
            page = parse(reply.text)
            if isinstance(page, str):
                return f"the model's reply was not a valid page ({page})", report
        if self.cache is not None:
            self.cache.put(key, {"reply": reply.text, "model": model})
        return page, report


def _count(report: ModelReport, reply: Completion) -> None:
    report.prompt_tokens += reply.prompt_tokens
    report.completion_tokens += reply.completion_tokens


def _numbered(base: Answer, limit: int) -> tuple[list[EvidenceLine], dict[int, Quote]]:
    """The extractive page's source sentences, numbered in page order, each once."""
    types = {r.number: r for r in base.references}
    lines: list[EvidenceLine] = []
    quotes: dict[int, Quote] = {}
    seen: set[str] = set()
    for statement in base.statements():
        for quote in statement.quotes:
            if quote.text in seen or len(lines) >= limit:
                continue
            seen.add(quote.text)
            reference = types[quote.reference]
            source = ", ".join(str(p) for p in (reference.type_label, reference.year) if p)
            number = len(lines) + 1
            lines.append(EvidenceLine(number, quote.text, source))
            quotes[number] = quote
    return lines, quotes


def _statements(
    written: Sequence[WrittenStatement],
    verdicts: Iterator[Verdict],
    quotes: dict[int, Quote],
    base: Answer,
) -> list[Statement]:
    """The kept statements among the next `len(written)` verdicts, with their quotes."""
    grades = {q.text: s.grade for s in base.statements() for q in s.quotes}
    kept: list[Statement] = []
    for _ in written:
        verdict = next(verdicts)
        if not verdict.kept or verdict.support is None:
            continue
        cited = [quotes[n] for n in verdict.cites]
        kept.append(
            Statement(
                text=verdict.text.strip(),
                citations=sorted({q.reference for q in cited}),
                support=round(min(1.0, max(0.0, verdict.support.score)), 4),
                quotes=cited,
                grade=next((grades[q.text] for q in cited if grades.get(q.text)), None),
                signals={k: round(v, 4) for k, v in verdict.support.signals.items()},
            )
        )
    return kept


def _flat(sections: list[Section]) -> list[Statement]:
    return [s for section in sections for s in section.statements]


def _renumbered(
    references: list[Reference], statements: list[Statement]
) -> tuple[list[Reference], dict[int, int]]:
    """The references the statements cite, numbered 1..n by first use."""
    order: dict[int, int] = {}
    for statement in statements:
        for number in [*statement.citations, *(q.reference for q in statement.quotes)]:
            order.setdefault(number, len(order) + 1)
    by_number = {r.number: r for r in references}
    kept = [by_number[old].model_copy(update={"number": new}) for old, new in order.items()]
    return kept, order


def _fallback(base: Answer, report: ModelReport, why: str) -> Answer:
    """The extractive page, saying that the model's page was not shown and why."""
    report.fallback = why
    warning = Warning(
        kind=WarningKind.MODEL_FALLBACK,
        message=f"The language model's page was not shown ({why}); this page quotes the "
        "sources instead.",
    )
    provenance = base.provenance.model_copy(update={"model": report})
    return base.model_copy(update={"warnings": [*base.warnings, warning], "provenance": provenance})


def _key(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_")[:40] or "section"
