"""The review track's rules: one enum of states, its transition table by role, and the
command line's one-step approval path. No database: `workflow` is pure."""

from __future__ import annotations

import pytest

from medoracle.articles import workflow
from medoracle.articles.workflow import ReviewState, Role
from medoracle.errors import ArticleError, MedoracleError, TransitionError

STATES = ("submitted", "under_review", "approved", "changes_requested")
# The spec, written out independently of the table it checks.
ALLOWED = {
    ("submitted", "under_review"): {"reviewer", "editor"},
    ("submitted", "changes_requested"): {"reviewer", "editor"},
    ("under_review", "approved"): {"reviewer"},
    ("under_review", "changes_requested"): {"reviewer", "editor"},
    ("changes_requested", "submitted"): {"reviewer", "editor"},
    ("approved", "under_review"): {"reviewer", "editor"},
}
BY_REGENERATION = {("under_review", "submitted"), ("approved", "submitted")}


def test_every_list_of_states_and_labels_comes_from_the_enum() -> None:
    assert workflow.STATES == STATES == tuple(ReviewState)
    assert set(workflow.LABELS) == set(workflow.ACTIONS) == set(STATES)
    assert workflow.LABELS["under_review"] == ReviewState.UNDER_REVIEW.label == "Under Review"
    assert ReviewState.APPROVED.action == "Approve"
    assert tuple(Role) == ("reviewer", "editor")


def test_transition_errors_are_article_errors_not_config_errors() -> None:
    assert issubclass(TransitionError, ArticleError)
    assert issubclass(ArticleError, MedoracleError)


@pytest.mark.parametrize("role", [None, "reviewer", "editor"])
@pytest.mark.parametrize("to_state", STATES)
@pytest.mark.parametrize("from_state", STATES)
def test_every_move_is_allowed_or_refused_by_role(
    from_state: str, to_state: str, role: str | None
) -> None:
    if role in ALLOWED.get((from_state, to_state), set()):
        workflow.check(from_state, to_state, role)
        assert to_state in workflow.allowed(from_state, role)
    else:
        with pytest.raises(TransitionError):
            workflow.check(from_state, to_state, role)
        assert to_state not in workflow.allowed(from_state, role)


@pytest.mark.parametrize(("from_state", "to_state"), sorted(BY_REGENERATION))
def test_back_to_submitted_only_by_regenerating(from_state: str, to_state: str) -> None:
    with pytest.raises(TransitionError, match="only by regenerating it"):
        workflow.check(from_state, to_state, "reviewer")
    workflow.check(from_state, to_state, "editor", regenerating=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("submitted", "approved", "reviewer"), "cannot go from Submitted to Approved"),
        (("under_review", "approved", "editor"), "the editor role may not move an article to"),
        (("under_review", "approved", None), "sign in as a reviewer or editor"),
        (("submitted", "published", "reviewer"), "unknown state 'published'"),
    ],
)  # fmt: skip
def test_refusals_say_why(args: tuple[str, str, str | None], message: str) -> None:
    with pytest.raises(TransitionError, match=message):
        workflow.check(*args)


def test_resubmitting_needs_an_edit_after_changes_were_requested() -> None:
    with pytest.raises(TransitionError, match="regenerate or edit the article"):
        workflow.check("changes_requested", "submitted", "editor", regenerated=False)
    workflow.check("changes_requested", "submitted", "editor", regenerated=True)


@pytest.mark.parametrize(
    ("state", "goal", "path"),
    [
        ("submitted", "approved", ["under_review", "approved"]),
        ("under_review", "approved", ["approved"]),
        ("approved", "approved", []),
        ("submitted", "changes_requested", ["changes_requested"]),
        ("changes_requested", "changes_requested", []),
    ],
)
def test_the_path_to_a_goal(state: str, goal: str, path: list[str]) -> None:
    assert workflow.path_to(state, goal, "reviewer") == path


def test_a_path_is_checked_whole_before_any_move() -> None:
    # The editor may start the review but not approve: the whole path is refused.
    with pytest.raises(TransitionError, match="editor role may not move an article to Approved"):
        workflow.path_to("submitted", "approved", "editor")
    with pytest.raises(TransitionError, match="cannot go from Changes requested to Approved"):
        workflow.path_to("changes_requested", "approved", "reviewer")
