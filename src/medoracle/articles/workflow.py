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

from enum import StrEnum

from medoracle.errors import TransitionError

__all__ = [
    "ACTIONS",
    "BY_REGENERATION",
    "LABELS",
    "STATES",
    "TRANSITIONS",
    "ReviewState",
    "Role",
    "allowed",
    "check",
    "path_to",
]


class ReviewState(StrEnum):
    """Where an article is on the review track: the one list of states. The store, the API,
    the CLI's choices and the page labels are all read from it."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"

    @property
    def label(self) -> str:
        """As pages and messages name the state."""
        return _LABELS[self]

    @property
    def action(self) -> str:
        """The button that moves an article into this state."""
        return _ACTIONS[self]


class Role(StrEnum):
    """What a signed-in account may do on the review track."""

    REVIEWER = "reviewer"  # a clinician: may approve
    EDITOR = "editor"


_LABELS = {
    ReviewState.SUBMITTED: "Submitted",
    ReviewState.UNDER_REVIEW: "Under Review",
    ReviewState.APPROVED: "Approved",
    ReviewState.CHANGES_REQUESTED: "Changes requested",
}
_ACTIONS = {
    ReviewState.UNDER_REVIEW: "Start review",
    ReviewState.APPROVED: "Approve",
    ReviewState.CHANGES_REQUESTED: "Request changes",
    ReviewState.SUBMITTED: "Resubmit",
}
STATES: tuple[str, ...] = tuple(ReviewState)
LABELS: dict[str, str] = {state: state.label for state in ReviewState}
ACTIONS: dict[str, str] = {state: state.action for state in ReviewState}

_S, _U, _A, _C = (
    ReviewState.SUBMITTED,
    ReviewState.UNDER_REVIEW,
    ReviewState.APPROVED,
    ReviewState.CHANGES_REQUESTED,
)
_BOTH = frozenset(Role)
TRANSITIONS: dict[tuple[ReviewState, ReviewState], frozenset[Role]] = {
    (_S, _U): _BOTH,
    (_S, _C): _BOTH,
    (_U, _A): frozenset({Role.REVIEWER}),
    (_U, _C): _BOTH,
    (_C, _S): _BOTH,
    (_A, _U): _BOTH,
    (_U, _S): _BOTH,
    (_A, _S): _BOTH,
}
# Moves that only a regeneration makes (see the module docstring).
BY_REGENERATION = frozenset({(_U, _S), (_A, _S)})


def allowed(state: str, role: str | None) -> list[ReviewState]:
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
    frm, to = ReviewState(state), ReviewState(to_state)
    roles = TRANSITIONS.get((frm, to))
    if roles is None:
        raise TransitionError(f"an article cannot go from {frm.label} to {to.label}")
    if (frm, to) in BY_REGENERATION and not regenerating:
        raise TransitionError(
            f"an article goes from {frm.label} back to {to.label} only by regenerating it"
        )
    if role is None:
        raise TransitionError("sign in as a reviewer or editor to change the review state")
    if role not in roles:
        raise TransitionError(f"the {role} role may not move an article to {to.label}")
    if (frm, to) == (_C, _S) and not regenerated:
        raise TransitionError(
            "regenerate or edit the article before resubmitting it: changes were requested"
        )


def path_to(state: str, goal: str, role: str | None) -> list[ReviewState]:
    """The moves that take an article from `state` to `goal` for `role`, each checked before
    any is made, so a refusal moves nothing: none when it is there already, and a submitted
    article is approved by way of Under Review (the command line's one-step approval)."""
    if state == goal:
        return []
    path = [_U, _A] if (state, goal) == (_S, _A) else [goal]
    current = state
    for target in path:
        check(current, target, role)
        current = target
    return [ReviewState(target) for target in path]
