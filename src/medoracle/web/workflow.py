"""The review track: which state changes exist and who may make them.

    submitted -> under_review -> approved
                       |
                       +-> changes_requested -> submitted   (after regeneration or an edit)
    approved -> under_review                                (re-review, e.g. new evidence)

Reviewers and editors may move articles; only a reviewer (a clinician) may approve.
"""

from __future__ import annotations

from medoracle.errors import ConfigError
from medoracle.web.store import STATES

__all__ = ["LABELS", "TRANSITIONS", "allowed", "check"]

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("submitted", "under_review"): frozenset({"reviewer", "editor"}),
    ("submitted", "changes_requested"): frozenset({"reviewer", "editor"}),
    ("under_review", "approved"): frozenset({"reviewer"}),
    ("under_review", "changes_requested"): frozenset({"reviewer", "editor"}),
    ("changes_requested", "submitted"): frozenset({"reviewer", "editor"}),
    ("approved", "under_review"): frozenset({"reviewer", "editor"}),
}
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


class TransitionError(ConfigError):
    """A state change that does not exist, or that this role may not make."""


def allowed(state: str, role: str | None) -> list[str]:
    """The states an article in `state` may move to at the hands of `role`."""
    if role is None:
        return []
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == state and role in roles]


def check(state: str, to_state: str, role: str | None, *, regenerated: bool = True) -> None:
    """Raise TransitionError unless `role` may move an article from `state` to `to_state`.
    Leaving changes_requested needs a regeneration or edit since the request."""
    if to_state not in STATES:
        raise TransitionError(f"unknown state {to_state!r}; expected one of: {', '.join(STATES)}")
    roles = TRANSITIONS.get((state, to_state))
    if roles is None:
        raise TransitionError(f"an article cannot go from {LABELS[state]} to {LABELS[to_state]}")
    if role is None:
        raise TransitionError("sign in as a reviewer or editor to change the review state")
    if role not in roles:
        raise TransitionError(f"the {role} role may not move an article to {LABELS[to_state]}")
    if (state, to_state) == ("changes_requested", "submitted") and not regenerated:
        raise TransitionError(
            "regenerate or edit the article before resubmitting it: changes were requested"
        )
