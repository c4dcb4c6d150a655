"""What every rule sees: the claim, the tables, the day that decides which code set applies."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dermbill.core.resubmission import RejectedBefore
from dermbill.core.scrubber.claim import Claim, ClaimLine
from dermbill.core.scrubber.tables import PayerRule, ScrubTables

VISIT_PREFIXES = ("992", "993", "994")


@dataclass(frozen=True, slots=True)
class Check:
    claim: Claim
    tables: ScrubTables
    as_of: datetime.date
    payer_key: str | None = None  # the payer's identifier when known (payer rules by payer, else by kind)
    rejection: RejectedBefore | None = None  # the claim's last rejection, while it is being fixed to go again
    payer: PayerRule = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "payer", self.tables.payer_rule(self.payer_key, self.claim.payer))

    @property
    def day(self) -> datetime.date:
        """The date of service (the day the claim would be sent when the date of service is missing)."""
        return self.claim.date_of_service or self.as_of

    def kind(self, code: str) -> str:
        entry = self.tables.entry(code, self.day)
        if entry is not None:
            return entry.kind
        if code.startswith(VISIT_PREFIXES):
            return "visit"
        return "drug" if code[:1] == "J" else "procedure"

    def is_visit(self, line: ClaimLine) -> bool:
        return self.kind(line.code) == "visit"

    def procedures(self) -> list[ClaimLine]:
        """Lines for procedures (not visits, not drugs)."""
        return [line for line in self.claim.lines if line.code and self.kind(line.code) == "procedure"]

    def pointed(self, line: ClaimLine) -> tuple[str, ...]:
        """The diagnosis codes a line points to (pointers out of range are ignored here)."""
        diagnoses = self.claim.diagnoses
        return tuple(diagnoses[p - 1] for p in line.pointers if 1 <= p <= len(diagnoses))

    def is_add_on(self, code: str) -> bool:
        entry = self.tables.entry(code, self.day)
        return entry is not None and entry.is_add_on
