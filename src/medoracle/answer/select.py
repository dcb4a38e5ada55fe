"""What a page shows from the ranked candidates: the bottom line (the strongest sentences
that answer outright) and the sections of the ask's page, near-duplicates out, within the
page's and each source's bounds."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from medoracle.answer.candidates import Candidate
from medoracle.answer.pages import PageSpec
from medoracle.cite.negation import negation
from medoracle.query.asks import Ask

__all__ = ["bottom_line", "overlap", "select_sections"]


def bottom_line(
    found: Sequence[Candidate],
    page: PageSpec,
    limit: int,
    overlap_limit: float,
    *,
    lead_weight: float,
    second_margin: float,
) -> list[Candidate]:
    """The strongest sentences that answer the question outright: on the focus, matching
    the page's lead cue, graded guideline recommendations first; at most `limit`, from
    different sections, the second only when at most `second_margin` weaker. Each cue that
    makes a sentence fit to lead is worth `lead_weight` logit units beside the ranking
    model's logit (settings: `answer.lead_weight`, `answer.second_margin`)."""
    primary = page.primary or min(page.sections, key=lambda spec: spec.order).key
    complaint = any(c.features["secondary"] < 1 for c in found)
    leading = [
        c
        for c in found
        if c.on_focus
        and page.can_lead(c.text)
        and (page.ask is not Ask.TREATMENT or c.features["intervention"])
    ]
    pool = leading or [c for c in found if c.on_focus][:3] or list(found[:1])
    if page.lead_section is not None:
        pool = [c for c in pool if c.section == page.lead_section] or pool
    # A consumer's question is answered first from what was written for patients.
    pool = [c for c in pool if c.features["consumer_patient"]] or pool
    # An answer for a special case (an allergy, a failed first choice, another drug's dose)
    # leads only when there is no general one.
    pool = [c for c in pool if c.section not in _QUALIFIED and not c.other_dose] or pool

    def strength(c: Candidate) -> float:
        # The ranking model's logit (does it hold what a physician expects?), then what
        # makes a sentence fit to open the page: the page's first section, an answer that
        # is not for a special case, settled evidence, a graded recommendation.
        f = c.features
        value = c.rank + lead_weight * (f["graded"] + 0.5 * f["sent_focus"])
        if page.drug_answers:
            value += lead_weight * _names_a_drug(c)
        if page.ask is Ask.YES_NO:
            value += lead_weight * f["conclusion"]
        if page.ask is Ask.TREATMENT and _FIRST_LINE.search(c.text):
            value += lead_weight
        if c.section == primary:
            value += lead_weight
        elif c.section in _QUALIFIED:
            value -= lead_weight  # an answer for a special case does not lead the page
        if page.ask is not Ask.YES_NO and _UNSETTLED.search(c.text):
            value -= 2 * lead_weight
        if not c.document.current:
            value -= 4 * lead_weight
        # A consumer's question is answered first in the words written for patients.
        value += 2 * lead_weight * f["consumer_patient"]
        if complaint:  # "leg weakness in SLE": the answer about the complaint leads
            value += 2 * lead_weight * f["secondary"]
        if c.other_dose:
            value -= 2 * lead_weight  # a dose page leads with the dose of the drug asked
        if page.ask is not Ask.YES_NO and _REFUSAL_FIRST.match(c.text):
            value -= lead_weight  # what not to do is not the first thing to say
        return value

    ranked = sorted(pool, key=lambda c: -strength(c))
    chosen: list[Candidate] = []
    for candidate in ranked:
        if len(chosen) >= limit:
            break
        if chosen and (
            strength(candidate) < strength(chosen[0]) - second_margin
            or candidate.section == chosen[0].section
            or any(overlap(candidate, c) >= overlap_limit for c in chosen)
        ):
            continue
        chosen.append(candidate)
    if chosen and len(chosen) < limit and page.also:
        # A compound question ("which antibiotic, and for how long?"): its second ask's
        # strongest answer completes the bottom line.
        other = page.also[0]
        second = [
            c
            for c in found
            if c not in chosen
            and c.on_focus
            and other.can_lead(c.text)
            and not any(overlap(c, d) >= overlap_limit for d in chosen)
        ]
        if second:
            chosen.append(max(second, key=strength))
    return chosen


def _names_a_drug(candidate: Candidate) -> float:
    return float(candidate.drug)


# Advice against within a sentence's first seven words: the `advice` subset of the one
# negation vocabulary, matched as a prefix.
_REFUSAL_FIRST = re.compile(
    rf"^(?:\w+ ){{0,6}}(?:{negation().alternation('advice')})", re.IGNORECASE
)
_QUALIFIED = ("special", "alternatives", "avoid", "adjust", "cautions", "pitfalls", "caveats")
_UNSETTLED = re.compile(
    r"\b(?:insufficient evidence|evidence is insufficient|not well[- ](?:documented|studied)|"
    r"unclear|unknown|remains? (?:controversial|uncertain))\b",
    re.IGNORECASE,
)
_FIRST_LINE = re.compile(
    r"\b(?:first[- ]line|drug of choice|treatment of choice|preferred|"
    r"initial (?:treatment|therapy)|recommend\w*|should be (?:treated|offered|given))\b",
    re.IGNORECASE,
)


def select_sections(
    found: Sequence[Candidate],
    page: PageSpec,
    exclude: set[int],
    *,
    max_statements: int,
    max_per_document: int,
    overlap_limit: float,
    general_per_section: int,
    saturation: float,
) -> dict[str, list[Candidate]]:
    """Per section, the best statements without near-duplicates, within the page and
    per-source bounds; greedy over all sections, each shown statement costing its section's
    next candidate `saturation` of its score so one rich section does not crowd out the
    others. When the question names a complaint, a section shows at most
    `general_per_section` statements about the condition in general ("lupus" statements on
    a page about lupus with leg weakness)."""
    limits = {spec.key: spec.max for spec in page.sections}
    queues: dict[str, list[Candidate]] = {key: [] for key in limits}
    for candidate in found:
        if id(candidate) not in exclude and candidate.section in queues:
            queues[candidate.section].append(candidate)
    chosen: dict[str, list[Candidate]] = {key: [] for key in limits}
    picked = [c for c in found if id(c) in exclude]
    per_doc: Counter[int] = Counter(c.document.number for c in picked)
    total = 0
    while total < max_statements:
        best: tuple[float, str] | None = None
        for key, queue in queues.items():
            general = sum(c.general for c in chosen[key])
            while queue and (
                per_doc[queue[0].document.number] >= max_per_document
                or (queue[0].general and general >= general_per_section)
                or any(overlap(queue[0], other) >= overlap_limit for other in picked)
            ):
                queue.pop(0)
            if not queue or len(chosen[key]) >= limits[key]:
                continue
            value = queue[0].score * (1 - saturation * len(chosen[key]))
            if best is None or value > best[0]:
                best = (value, key)
        if best is None:
            break
        candidate = queues[best[1]].pop(0)
        chosen[best[1]].append(candidate)
        picked.append(candidate)
        per_doc[candidate.document.number] += 1
        total += 1
    return chosen


def overlap(a: Candidate, b: Candidate) -> float:
    """IDF-weighted share of the lighter sentence's words found in the other: two
    recommendations that differ only in the drug they name are not duplicates."""
    if not a.weights or not b.weights:
        return 0.0
    shared = sum(a.weights[t] for t in a.tokens & b.tokens)
    return shared / min(sum(a.weights.values()), sum(b.weights.values()))
