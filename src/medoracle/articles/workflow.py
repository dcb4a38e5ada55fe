"""The review track: which state changes exist and who may make them.

    submitted -> under_review -> approved
                       |
                       +-> changes_requested -> submitted   (after regeneration or an edit)
    approved -> under_review                                (re-review, e.g. new evidence)
    under_review, approved -> submitted                     (only by regenerating)

Reviewers and editors may move articles; only a reviewer (a clinician) may approve.

Regenerating puts new text in front of readers, and an approval, or a review under way,
was of the old text; so a regeneration sends the article back to Submitted, through the
same check and the same audit event as any move. Refusing to regenerate approved articles
instead would leave them citing superseded evidence until someone unwound the review by
hand. Those two moves are not offered as buttons or accepted by the transition API: they
happen only with a new version.
"""

from __future__ import annotations

from medoracle.articles.store import STATES
from medoracle.errors import TransitionError

__all__ = ["BY_REGENERATION", "LABELS", "TRANSITIONS", "allowed", "check"]

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("submitted", "under_review"): frozenset({"reviewer", "editor"}),
    ("submitted", "changes_requested"): frozenset({"reviewer", "editor"}),
    ("under_review", "approved"): frozenset({"reviewer"}),
    ("under_review", "changes_requested"): frozenset({"reviewer", "editor"}),
    ("changes_requested", "submitted"): frozenset({"reviewer", "editor"}),
    ("approved", "under_review"): frozenset({"reviewer", "editor"}),
    ("under_review", "submitted"): frozenset({"reviewer", "editor"}),
    ("approved", "submitted"): frozenset({"reviewer", "editor"}),
}
# Moves that only a regeneration makes (see the module docstring).
BY_REGENERATION = frozenset({("under_review", "submitted"), ("approved", "submitted")})
LABELS = {
    "submitted": "Submitted",
    "under_review": "Under Review",
    "approved": "Approved",
    "changes_requested": "Changes requested",
}
ACTIONS = {
    "under_review": "Start review",
    "approved": "Approve",
    "changes_requested": "Request changes",
    "submitted": "Resubmit",
}


def allowed(state: str, role: str | None) -> list[str]:
    """The states an article in `state` may move to at the hands of `role`."""
    if role is None:
        return []
    return [
        to
        for (frm, to), roles in TRANSITIONS.items()
        if frm == state and role in roles and (frm, to) not in BY_REGENERATION
    ]


def check(
    state: str,
    to_state: str,
    role: str | None,
    *,
    regenerated: bool = True,
    regenerating: bool = False,
) -> None:
    """Raise TransitionError unless `role` may move an article from `state` to `to_state`
    (`regenerating`: as part of adding a new version). Leaving changes_requested needs a
    regeneration or edit since the request."""
    if to_state not in STATES:
        raise TransitionError(f"unknown state {to_state!r}; expected one of: {', '.join(STATES)}")
    roles = TRANSITIONS.get((state, to_state))
    if roles is None:
        raise TransitionError(f"an article cannot go from {LABELS[state]} to {LABELS[to_state]}")
    if (state, to_state) in BY_REGENERATION and not regenerating:
        raise TransitionError(
            f"an article goes from {LABELS[state]} back to {LABELS[to_state]} only by "
            "regenerating it"
        )
    if role is None:
        raise TransitionError("sign in as a reviewer or editor to change the review state")
    if role not in roles:
        raise TransitionError(f"the {role} role may not move an article to {LABELS[to_state]}")
    if (state, to_state) == ("changes_requested", "submitted") and not regenerated:
        raise TransitionError(
            "regenerate or edit the article before resubmitting it: changes were requested"
        )
