"""The claim lifecycle: the states a claim moves through and the transitions allowed between them.

draft -> coded | held; held -> coded; coded -> scrub_errors | ready; scrub_errors -> ready | scrub_errors;
ready -> submitted (or back to scrub_errors); submitted -> accepted | rejected | paid | partially_paid |
denied (a payer may answer with the 835 directly); accepted -> paid | partially_paid | denied;
rejected -> corrected | closed; paid/partially_paid/denied -> corrected (a frequency-7 replacement or a
reversal reopens it) or closed; a reversal that leaves nothing adjudicated puts a paid, partially paid, denied
or closed claim back to accepted (with the payer, awaiting its new answer); corrected -> ready | submitted;
closed is final but for a reversal.
An impossible move raises InvalidTransition naming the claim: "claim D1E0000042 is paid; it cannot be
submitted again".
"""

from __future__ import annotations

from enum import Enum

from dermbill.core.errors import InvalidTransition


class ClaimStatus(Enum):
    DRAFT = "draft"
    CODED = "coded"
    HELD = "held"
    SCRUB_ERRORS = "scrub_errors"
    READY = "ready"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    CORRECTED = "corrected"
    CLOSED = "closed"


S = ClaimStatus
ADJUDICATED = frozenset({S.PAID, S.PARTIALLY_PAID, S.DENIED})
TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    S.DRAFT: frozenset({S.CODED, S.HELD}),
    S.HELD: frozenset({S.CODED}),
    S.CODED: frozenset({S.SCRUB_ERRORS, S.READY, S.HELD}),
    S.SCRUB_ERRORS: frozenset({S.READY, S.SCRUB_ERRORS, S.CLOSED}),
    S.READY: frozenset({S.SUBMITTED, S.SCRUB_ERRORS, S.READY}),
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED} | ADJUDICATED),
    S.ACCEPTED: ADJUDICATED | frozenset({S.REJECTED}),
    S.REJECTED: frozenset({S.CORRECTED, S.CLOSED}),
    S.PAID: frozenset({S.CORRECTED, S.CLOSED, S.ACCEPTED} | ADJUDICATED),
    S.PARTIALLY_PAID: frozenset({S.CORRECTED, S.CLOSED, S.ACCEPTED} | ADJUDICATED),
    S.DENIED: frozenset({S.CORRECTED, S.CLOSED, S.ACCEPTED} | ADJUDICATED),
    S.CORRECTED: frozenset({S.READY, S.SCRUB_ERRORS, S.SUBMITTED}),
    S.CLOSED: ADJUDICATED | frozenset({S.ACCEPTED}),
}
VERBS = {S.SUBMITTED: "submitted again", S.READY: "made ready", S.CODED: "coded again",
         S.ACCEPTED: "accepted", S.REJECTED: "rejected", S.CORRECTED: "corrected"}


def check_transition(claim: str, current: ClaimStatus, new: ClaimStatus) -> None:
    """Raise InvalidTransition when a claim in ``current`` cannot move to ``new``."""
    if new not in TRANSITIONS[current]:
        verb = VERBS.get(new, f"moved to {new.value}")
        raise InvalidTransition(f"claim {claim} is {current.value.replace('_', ' ')}; it cannot be {verb}")
