"""Following up claims with no answer: when a claim is due a 276, what a 277's answer asks of us, and the
timely-filing deadline a person works against.

A claim sent to a payer (submitted, or accepted by its 277CA) with no 835 is due an inquiry once the payer's wait
(``payer.status_inquiry_days``, 30 by default) has passed since it was sent and since the last inquiry about it.
The answer's status category (277 ``STC01-1``) decides what follows:

| category | route | why |
| --- | --- | --- |
| A4, D0 | a person | the payer cannot find the claim: check the payer and member ID, send it again |
| A3, A6, A7, A8 | a person | returned or refused unprocessed: correct it and send it again |
| A0, A1, A2, A5, P0, P1, P2, P5 | wait | with the payer; a person once it has waited 2 x the wait ("pended too long") |
| P3, P4 | a person | the payer waits for information it asked the practice (P3) or the patient (P4) for |
| R0-R16 | a person | the payer asks for information or documents |
| F1, F0, F3 | an 835 should follow | finished (paid): the remittance is on its way |
| F2, F4 | a person | denied, or decided with no payment: get the remittance's reasons, correct or appeal |
| E1, E2 | wait | the payer cannot answer now: ask again next time |
| E0, E3, E4, unknown | a person | the inquiry was refused, or an answer dermbill has no words for |

Example: a claim sent on 2026-03-05 to a payer with a 30-day wait is due on 2026-04-04; the 277 says ``F2:88:QC``
("Finished: denied; the party named is not eligible ... (the patient)") and the claim goes to a person, with its
timely-filing deadline (date of service + the payer's filing limit), highlighted when 30 days or fewer are left.
The core never reads the clock: ``as_of`` is given.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from dermbill.core.money import Money

NEAR_DEADLINE_DAYS = 30  # a deadline this close (or past) is highlighted
PENDED_TOO_LONG_WAITS = 2  # a claim still pending after this many waits since it was sent goes to a person


class StatusKind(Enum):
    """The family of a claim status category (its first letter)."""

    ACKNOWLEDGEMENT = "acknowledgement"
    PENDING = "pending"
    FINALIZED = "finalized"
    REQUEST = "request"
    ERROR = "error"
    SEARCH = "search"
    UNKNOWN = "unknown"


class Route(Enum):
    """What an answer asks of us."""

    PERSON = "person"
    WAIT = "wait"
    REMITTANCE_EXPECTED = "remittance_expected"


@dataclass(frozen=True, slots=True)
class CodeWords:
    """A code of one of the claim status lists with dermbill's own words for it."""

    code: str
    description: str
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None
    kind: StatusKind | None = None  # categories only

    def in_effect(self, on: datetime.date) -> bool:
        return ((self.effective_from is None or self.effective_from <= on)
                and (self.effective_to is None or on <= self.effective_to))


class ClaimStatusTable:
    """The claim status category codes, claim status codes and entity codes, by code; lookups never fail."""

    def __init__(self, categories: Iterable[CodeWords], codes: Iterable[CodeWords],
                 entities: Iterable[CodeWords]) -> None:
        self._categories = {c.code: c for c in categories}
        self._codes = {c.code: c for c in codes}
        self._entities = {c.code: c for c in entities}

    def category(self, code: str) -> CodeWords:
        found = self._categories.get(code)
        if found is None:
            return CodeWords(code, f"category {code!r} (not in dermbill's list)", kind=StatusKind.UNKNOWN)
        return found

    def kind(self, category: str) -> StatusKind:
        return self.category(category).kind or StatusKind.UNKNOWN

    def code_words(self, code: str, on: datetime.date) -> str:
        found = self._codes.get(code)
        if found is None:
            return f"status {code} (not in dermbill's list)"
        return found.description if found.in_effect(on) else f"{found.description} (a code no longer in use)"

    def entity_words(self, code: str) -> str:
        found = self._entities.get(code)
        return found.description if found else code

    def words(self, category: str, code: str, entity: str, on: datetime.date) -> str:
        """The category and status code in words: "Finished: denied; the party named is not eligible for benefits
        on the dates of service (the patient)"."""
        text = self.category(category).description
        if code:
            detail = self.code_words(code, on)
            text += "; " + detail[:1].lower() + detail[1:]
        if entity:
            text += f" ({self.entity_words(entity)})"
        return text

    def __len__(self) -> int:
        return len(self._categories) + len(self._codes)


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    """What a 277 says about one claim (its first status)."""

    category: str
    code: str
    entity: str = ""
    paid: Money | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    route: Route
    reason: str  # a few words for the list: "not found", "denied", "pended too long"
    next_action: str


def is_due_for_inquiry(*, sent_on: datetime.date, last_inquiry_on: datetime.date | None, as_of: datetime.date,
                       wait_days: int) -> bool:
    """True when the payer has had ``wait_days`` since the claim was sent and since the last 276 about it."""
    if (as_of - sent_on).days < wait_days:
        return False
    return last_inquiry_on is None or (as_of - last_inquiry_on).days >= wait_days


def decide_follow_up(answer: StatusAnswer, table: ClaimStatusTable, *, sent_on: datetime.date,
                     as_of: datetime.date, wait_days: int) -> FollowUp:
    """What the answer asks of us (see the module's table)."""
    category = answer.category.upper()
    kind = table.kind(category)
    age = (as_of - sent_on).days
    person, wait = Route.PERSON, Route.WAIT
    if category in ("A4", "D0"):
        return FollowUp(person, "not found", "The payer has no record of the claim: check the payer ID and the "
                                             "member ID, then send the claim again before the filing deadline.")
    if category in ("A3", "A6", "A7", "A8"):
        return FollowUp(person, "returned", "The payer returned the claim unprocessed: correct what the status "
                                            "names and send it again before the filing deadline.")
    if category == "P3":
        return FollowUp(person, "information requested", "Send the payer the information it asked the practice "
                                                         "for (see the status), then ask again.")
    if category == "P4":
        return FollowUp(person, "patient information requested", "Ask the patient to answer the payer's request "
                                                                 "for information.")
    if kind in (StatusKind.ACKNOWLEDGEMENT, StatusKind.PENDING):
        if age >= PENDED_TOO_LONG_WAITS * wait_days:
            return FollowUp(person, "pended too long", f"Sent {age} days ago and still pending: call the payer "
                                                       "and ask what holds the claim.")
        return FollowUp(wait, "in process", f"The payer has the claim: dermbill asks again in {wait_days} days.")
    if category in ("F1", "F0", "F3"):
        return FollowUp(Route.REMITTANCE_EXPECTED, "finished, paid" if category == "F1" else "finished",
                        "An 835 should follow: if none is posted within a few weeks, ask the payer for the "
                        "remittance (check or EFT trace number).")
    if category == "F2":
        return FollowUp(person, "denied", "The payer denied the claim: get the remittance (835) for its reasons, "
                                          "then correct and send it again, or appeal.")
    if category == "F4":
        return FollowUp(person, "no payment", "Decided with no payment to come: get the remittance's reasons, then "
                                              "bill the patient, correct or appeal as they say.")
    if kind is StatusKind.REQUEST:
        return FollowUp(person, "information requested", "Send the payer what it asks for (see the status), "
                                                         "with the claim number, then ask again.")
    if category in ("E1", "E2"):
        return FollowUp(wait, "no answer now", "The payer could not answer now: dermbill asks again at the next "
                                               "inquiry.")
    if kind is StatusKind.ERROR:
        return FollowUp(person, "inquiry refused", "The payer could not answer the inquiry: check the claim's "
                                                   "payer, member ID and dates of service.")
    return FollowUp(person, "unknown answer", f"Read the payer's answer: dermbill has no words for category "
                                              f"{category or '(none)'}.")


@dataclass(frozen=True, slots=True)
class FilingDeadline:
    deadline: datetime.date
    days_left: int  # negative: passed
    near: bool


def filing_deadline(date_of_service: datetime.date, timely_filing_days: int, as_of: datetime.date) -> FilingDeadline:
    """The last day a claim for ``date_of_service`` may reach the payer (date of service + its filing limit)."""
    deadline = date_of_service + datetime.timedelta(days=timely_filing_days)
    left = (deadline - as_of).days
    return FilingDeadline(deadline, left, left <= NEAR_DEADLINE_DAYS)
