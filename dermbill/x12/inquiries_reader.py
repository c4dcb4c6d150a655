"""Reading 270 eligibility and 276 claim status inquiries (what a payer, or the simulated payer, receives).

Each inquiry names the payer (NM1*PR), the provider (NM1*1P), the subscriber (NM1*IL with the member ID,
DMG) and, for a dependent, the patient (NM1*03 or NM1*QC); a 270 asks about a date (DTP*291) and service
types (EQ), a 276 about one claim (TRN*1 our patient control number, REF*1K, AMT*T3, DTP*472).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dermbill.core.claim_form import Payer, Person
from dermbill.core.money import Money
from dermbill.x12.inquiries import ClaimStatusInquiry, EligibilityInquiry
from dermbill.x12.tokenizer import Segment, X12Error
from dermbill.x12.transactions import TransactionSet, require_type


def _day(text: str) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None


class _Parties:
    """The payer, provider and people of an inquiry. In a 270 a DMG follows the name it describes; in a 276 it
    comes before it (``dmg_first``)."""

    def __init__(self, *, dmg_first: bool) -> None:
        self.dmg_first = dmg_first
        self.payer = Payer("", "")
        self.provider = ("", "")
        self.people: dict[str, Person] = {}
        self.member_id = ""
        self.pending: tuple[datetime.date | None, str | None] = (None, None)
        self.last_role = ""
        self.trace = ""

    def take(self, s: Segment) -> None:
        if s.id == "NM1":
            role = s.get(1)
            if role == "PR":
                self.payer = Payer(s.get(3), s.get(9))
            elif role == "1P":
                self.provider = (s.get(3), s.get(9))
            elif role in ("IL", "03", "QC"):
                self.last_role = "subscriber" if role == "IL" else "dependent"
                birth = self.pending if self.dmg_first else (None, None)
                self.people[self.last_role] = Person(s.get(3), s.get(4), *birth, middle_name=s.get(5) or None)
                if role == "IL":
                    self.member_id = s.get(9)
                self.pending = (None, None)
        elif s.id == "DMG":
            birth = (_day(s.get(2)), s.get(3) or None)
            person = self.people.get(self.last_role)
            if self.dmg_first:
                self.pending = birth
            elif person is not None:
                self.people[self.last_role] = Person(person.last_name, person.first_name, *birth,
                                                     middle_name=person.middle_name)

    def subscriber(self, transaction: TransactionSet) -> Person:
        if "subscriber" not in self.people:
            raise X12Error(f"transaction set {transaction.control_number} names no subscriber (NM1*IL)")
        return self.people["subscriber"]


def read_270(transaction: TransactionSet) -> EligibilityInquiry:
    require_type(transaction, "270")
    parties = _Parties(dmg_first=False)
    on: datetime.date | None = None
    service_types: list[str] = []
    bht_trace = ""
    for s in transaction.segments:
        parties.take(s)
        if s.id == "BHT":
            bht_trace = s.get(3)
        elif s.id == "TRN":
            parties.trace = s.get(2)
        elif s.id == "DTP" and s.get(1) == "291":
            on = _day(s.get(3)[:8])
        elif s.id == "EQ" and s.get(1):
            service_types.append(s.get(1))
    return EligibilityInquiry(parties.trace or bht_trace, parties.payer, *parties.provider,
                              parties.subscriber(transaction), parties.member_id, on or datetime.date.min,
                              parties.people.get("dependent"), tuple(service_types) or ("30",))


@dataclass
class _Asked:
    pcn: str
    icn: str | None = None
    charge: Money = field(default_factory=Money.zero)
    start: datetime.date = datetime.date.min
    end: datetime.date | None = None


def read_276(transaction: TransactionSet) -> list[ClaimStatusInquiry]:
    """The claims a 276 asks about (ours ask about one claim per transaction set)."""
    require_type(transaction, "276")
    parties = _Parties(dmg_first=True)
    asked: list[_Asked] = []
    trace = ""
    for s in transaction.segments:
        parties.take(s)
        if s.id == "BHT":
            trace = s.get(3)
        elif s.id == "TRN":
            asked.append(_Asked(s.get(2)))
        elif asked and s.id == "REF" and s.get(1) == "1K":
            asked[-1].icn = s.get(2)
        elif asked and s.id == "AMT" and s.get(1) == "T3":
            asked[-1].charge = Money.parse(s.get(2) or "0")
        elif asked and s.id == "DTP" and s.get(1) == "472":
            dates = s.get(3).split("-")
            asked[-1].start = _day(dates[0]) or datetime.date.min
            asked[-1].end = _day(dates[-1])
    subscriber = parties.subscriber(transaction)
    return [ClaimStatusInquiry(trace, parties.payer, *parties.provider, subscriber, parties.member_id, a.pcn,
                               a.charge, a.start, a.end or a.start, a.icn, parties.people.get("dependent"))
            for a in asked]
