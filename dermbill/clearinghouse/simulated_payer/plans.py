"""What the simulated payer knows: its payers (fee level, filing limit) and their members (coverage and plan).

The roster is a CSV file the payer reads (the demo writes it from the people it made up; tests write their
own). Columns: payer_id, member_id, last_name, first_name, date_of_birth, effective_date, termination_date,
deductible, coinsurance_percent, copay, crossover_payer_id, crossover_member_id. Amounts are dollars ("257.00").
A member with a crossover payer has a supplemental plan the primary forwards its claims to.

Optional columns (a roster written before them still loads; empty cells mean none): out_of_pocket (the yearly
out-of-pocket maximum, dollars), other_payer_id and other_payer_name (another payer is primary for the member: the
payer's 271 says so with EB*R, and coordination of benefits expects the claim there first).

A payer (``PayerProfile``, read from payers.csv by service.py) carries, besides its fee level and filing limit,
the quirks a practice learns only from its denials: whether it recognises the X{EPSU} modifiers, and which
codes it pays only with a prior authorization.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dermbill.core.dates import parse_iso_date
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money

ROSTER_COLUMNS = ("payer_id", "member_id", "last_name", "first_name", "date_of_birth", "effective_date",
                  "termination_date", "deductible", "coinsurance_percent", "copay", "crossover_payer_id",
                  "crossover_member_id")
OPTIONAL_COLUMNS = ("out_of_pocket", "other_payer_id", "other_payer_name")


@dataclass(frozen=True, slots=True)
class PayerProfile:
    payer_id: str
    name: str
    kind: str  # medicare, medicaid, commercial
    fee_percent: int  # its allowed amounts as a percentage of the Medicare fee schedule
    timely_filing_days: int
    # How long the payer takes in life. The simulated payer pays on the day a file reaches it, so that nothing it
    # writes is dated after the sender's day: payers.csv still carries the column, nothing dates from it.
    days_to_pay: int = 14
    patient_owes_after_secondary: bool = True  # False for Medicaid: what it does not pay is written off
    # Some commercial payers take only 59 as the NCCI-associated "distinct procedural service" modifier and do
    # not recognise XE, XP, XS and XU: for them an X modifier does not bypass an NCCI pair edit.
    accepts_x_modifiers: bool = True
    # Codes it pays only with a prior authorization number on the claim (2300 REF*G1), e.g. Mohs 17311-17315.
    authorization_codes: tuple[str, ...] = ()
    # Codes it holds at receipt instead of deciding (accepted in the 277CA, no 835): for its own review (a 277 answers
    # P2:41, pended) or until it has the records it asked for (R4:2, documents requested, the letter says which).
    review_codes: tuple[str, ...] = ()
    records_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Member:
    payer_id: str
    member_id: str
    last_name: str
    first_name: str
    date_of_birth: datetime.date | None
    effective_date: datetime.date
    termination_date: datetime.date | None
    deductible: Money  # per calendar year
    coinsurance_percent: int
    copay: Money  # per office visit (E/M)
    crossover_payer_id: str | None = None  # the supplemental payer a primary forwards its claims to
    crossover_member_id: str | None = None  # the member's ID there
    out_of_pocket: Money | None = None  # the yearly out-of-pocket maximum
    other_payer_id: str | None = None  # another payer is primary for this member
    other_payer_name: str | None = None

    def covered_on(self, day: datetime.date) -> bool:
        return self.effective_date <= day and (self.termination_date is None or day <= self.termination_date)


class Roster:
    def __init__(self, members: Iterable[Member]) -> None:
        self._members = {(m.payer_id, m.member_id): m for m in members}

    def find(self, payer_id: str, member_id: str) -> Member | None:
        return self._members.get((payer_id, member_id))

    def find_person(self, payer_id: str, last_name: str, first_name: str,
                    date_of_birth: datetime.date | None) -> Member | None:
        """The payer's member of this name and birth date (case does not count), whatever the member ID."""
        wanted = (last_name.strip().upper(), first_name.strip().upper())
        return next((m for m in self._members.values() if m.payer_id == payer_id and date_of_birth is not None
                     and m.date_of_birth == date_of_birth
                     and (m.last_name.strip().upper(), m.first_name.strip().upper()) == wanted), None)

    def __len__(self) -> int:
        return len(self._members)

    def members(self) -> list[Member]:
        return list(self._members.values())


def read_roster(path: Path) -> Roster:
    try:
        handle = path.open(newline="")
    except OSError as exc:
        raise InvalidInput(f"cannot read the member roster '{path}': {exc.strerror}") from None
    members = []
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{path.name}: the roster lacks the column(s) {', '.join(missing)}")
        for number, row in enumerate(reader, start=2):
            where = f"{path.name} line {number}"
            try:
                members.append(Member(
                    payer_id=row["payer_id"], member_id=row["member_id"], last_name=row["last_name"],
                    first_name=row["first_name"],
                    date_of_birth=parse_iso_date(row["date_of_birth"], field=f"{where}: date_of_birth")
                    if row["date_of_birth"] else None,
                    effective_date=parse_iso_date(row["effective_date"], field=f"{where}: effective_date"),
                    termination_date=parse_iso_date(row["termination_date"], field=f"{where}: termination_date")
                    if row["termination_date"] else None,
                    deductible=Money.parse(row["deductible"] or "0"),
                    coinsurance_percent=int(row["coinsurance_percent"] or 0),
                    copay=Money.parse(row["copay"] or "0"),
                    crossover_payer_id=row["crossover_payer_id"] or None,
                    crossover_member_id=row["crossover_member_id"] or None,
                    out_of_pocket=Money.parse(row["out_of_pocket"]) if row.get("out_of_pocket") else None,
                    other_payer_id=row.get("other_payer_id") or None,
                    other_payer_name=row.get("other_payer_name") or None,
                ))
            except ValueError as exc:
                raise InvalidInput(f"{where}: {exc}") from None
    return Roster(members)


def write_roster(path: Path, members: Iterable[Member]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_COLUMNS + OPTIONAL_COLUMNS)
        for m in members:
            writer.writerow([m.payer_id, m.member_id, m.last_name, m.first_name,
                             m.date_of_birth.isoformat() if m.date_of_birth else "", m.effective_date.isoformat(),
                             m.termination_date.isoformat() if m.termination_date else "", str(m.deductible),
                             m.coinsurance_percent, str(m.copay), m.crossover_payer_id or "",
                             m.crossover_member_id or "", str(m.out_of_pocket) if m.out_of_pocket is not None else "",
                             m.other_payer_id or "", m.other_payer_name or ""])
