from __future__ import annotations

import pytest

from dermbill.core.claims import TRANSITIONS, ClaimStatus, check_transition
from dermbill.core.errors import InvalidTransition

S = ClaimStatus


@pytest.mark.parametrize(("current", "new"), [
    (S.CODED, S.READY), (S.READY, S.SUBMITTED), (S.SUBMITTED, S.ACCEPTED), (S.ACCEPTED, S.PAID),
    (S.SUBMITTED, S.DENIED), (S.REJECTED, S.CORRECTED), (S.CORRECTED, S.SUBMITTED), (S.PAID, S.CLOSED),
    (S.PAID, S.PARTIALLY_PAID), (S.HELD, S.CODED), (S.PAID, S.ACCEPTED), (S.CLOSED, S.ACCEPTED),
])
def test_allowed_moves(current: ClaimStatus, new: ClaimStatus) -> None:
    check_transition("D1E0000042", current, new)


def test_a_paid_claim_cannot_be_submitted_again() -> None:
    with pytest.raises(InvalidTransition, match="claim D1E0000042 is paid; it cannot be submitted again"):
        check_transition("D1E0000042", S.PAID, S.SUBMITTED)


@pytest.mark.parametrize(("current", "new"), [(S.DRAFT, S.SUBMITTED), (S.SCRUB_ERRORS, S.SUBMITTED),
                                              (S.CLOSED, S.SUBMITTED), (S.HELD, S.READY), (S.REJECTED, S.PAID)])
def test_impossible_moves(current: ClaimStatus, new: ClaimStatus) -> None:
    with pytest.raises(InvalidTransition):
        check_transition("X", current, new)


def test_every_state_has_its_moves_and_every_state_is_reachable() -> None:
    assert set(TRANSITIONS) == set(ClaimStatus)
    reachable = {S.DRAFT}
    frontier = [S.DRAFT]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(ClaimStatus)
