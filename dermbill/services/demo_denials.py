"""The demo's denial management: work the queue the first claims left, learn the payers' patterns, send the rest.

The simulated payer has two habits the shipped payer rules do not know: TEST BLUE PLAN does not accept the
X{EPSU} modifiers (it bundles a biopsy of a separate lesion unless the line carries 59), and TEST COMMUNITY HMO
wants prior authorization for Mohs surgery. The demo sends the claims of all but the last month first, then:
every denial lands in the work queue; the certain fixes become corrected claims; appeal letters are written for
the denials the chart contradicts; what cannot be collected is written off or billed to the patient; the
patterns become payer rules a manager accepts. The last month's claims are then scrubbed with the learned rules
and sent with the corrected claims, and the denial rates of both groups are compared.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from dermbill.core.denials import Action
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    DenialItemRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    LineAdjudicationRow,
    PayerRow,
    PracticeRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.pfs_rvu import shipped_rvu_table
from dermbill.services.denials import (
    correct_claim,
    items_with_certain_fixes,
    open_items,
    refresh_queue,
    resolve_item,
    write_appeal,
)
from dermbill.services.learned_rules import decide_proposal, propose_payer_rules
from dermbill.synthetic.people import PAYERS

MOHS = ("17311", "17312", "17313", "17314", "17315")
# A contract carve-out the payer did not load: TEST NATIONAL HEALTH owes Mohs surgery at 150% of Medicare.
CARVE_OUT = ("national", MOHS, 150)
APPEALS = "appeals"  # the folder under the demo's output the appeal letters go to
DEMO_MIN_DENIALS = 2  # 500 patients make few Mohs claims: the demo proposes a rule from two denied claims


@dataclass(slots=True)
class DenialSummary:
    items: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_action: Counter[str] = field(default_factory=Counter)
    underpayments: int = 0
    corrected: int = 0
    corrected_paid: int = 0
    appeals: list[Path] = field(default_factory=list)
    written_off: Money = field(default_factory=Money.zero)
    billed_to_patients: Money = field(default_factory=Money.zero)
    rules_accepted: list[str] = field(default_factory=list)
    held_by_learned_rules: int = 0
    fixed_by_learned_rules: int = 0
    rate_before: tuple[int, int] = (0, 0)  # (claims with a denial, claims adjudicated): first claims
    rate_after: tuple[int, int] = (0, 0)  # the same for the claims sent after learning
    still_open: int = 0

    def to_json(self) -> dict[str, object]:
        def rate(pair: tuple[int, int]) -> dict[str, object]:
            denied, total = pair
            return {"claims_denied": denied, "claims_adjudicated": total,
                    "rate": round(denied / total, 4) if total else 0.0}
        return {"items": self.items, "by_category": dict(self.by_category.most_common()),
                "by_action": dict(self.by_action.most_common()), "underpayments": self.underpayments,
                "corrected_claims": self.corrected, "corrected_claims_paid": self.corrected_paid,
                "appeal_letters": [path.name for path in self.appeals], "written_off": self.written_off.plain(),
                "billed_to_patients": self.billed_to_patients.plain(), "rules_accepted": self.rules_accepted,
                "held_by_learned_rules": self.held_by_learned_rules,
                "fixed_by_learned_rules": self.fixed_by_learned_rules,
                "denial_rate_before": rate(self.rate_before), "denial_rate_after": rate(self.rate_after),
                "items_still_open": self.still_open}


def write_contracts(database: Database, as_of: datetime.date, fee_percent: dict[str, int]) -> None:
    """Each payer's contracted fee schedule (what the practice expects to be allowed): the Medicare
    non-facility amount times the payer's percentage, and the carve-out."""
    table = shipped_rvu_table()
    effective = as_of.replace(year=as_of.year - 1, month=1, day=1)
    with UnitOfWork(database, actor="demo") as uow:
        payers = {p.payer_identifier: p for p in uow.session.scalars(select(PayerRow))}
        for practice_id in uow.session.scalars(select(PracticeRow.id)):
            repo = uow.practice(practice_id)
            for fake in PAYERS:
                payer = payers[fake.payer_identifier]
                schedule = repo.add(FeeScheduleRow(name=f"{fake.name} contract", payer_id=payer.id,
                                                   effective_from=effective))
                repo.flush()
                items = []
                for code in table.codes():
                    entry = table.for_code(code, on=as_of).entry
                    if entry is None or entry.status_code not in ("A", "R", "T"):
                        continue
                    percent = CARVE_OUT[2] if fake.key == CARVE_OUT[0] and code in CARVE_OUT[1] else \
                        fee_percent[fake.key]
                    amount = Money.round_half_up(entry.total_rvu(facility=False) * entry.conversion_factor
                                                 * Decimal(percent) / 100)
                    items.append(FeeScheduleItemRow(fee_schedule_id=schedule.id, procedure_code=code, modifier="",
                                                    amount_cents=amount.cents))
                repo.add_all(items)
        uow.commit()


def work_the_queue(database: Database, out_dir: Path, *, today: datetime.date, summary: DenialSummary) -> None:
    """What a denial specialist would do with the first claims' denials (the demo does all of it at once)."""
    refresh_queue(database, today=today, actor="demo")
    correct_certain_fixes(database, today=today, summary=summary)
    for item_id in open_items(database, Action.APPEAL):
        summary.appeals.append(write_appeal(database, item_id, out_dir / APPEALS, actor="demo", today=today).path)
    for item_id in open_items(database, Action.WRITE_OFF):
        summary.written_off += resolve_item(database, item_id, "write_off", actor="demo", today=today,
                                            note="nothing to collect (demo)")
    for item_id in open_items(database, Action.BILL_PATIENT):
        summary.billed_to_patients += resolve_item(database, item_id, "bill_patient", actor="demo", today=today,
                                                   note="the payer put it on the patient (demo)")
    for proposal in propose_payer_rules(database, actor="demo", min_denials=DEMO_MIN_DENIALS):
        if proposal.status == "proposed":
            decide_proposal(database, proposal.id, accept=True, actor="demo-manager")
            summary.rules_accepted.append(proposal.description)


def correct_certain_fixes(database: Database, *, today: datetime.date, summary: DenialSummary) -> int:
    """Apply every certain fix as a corrected (or rebilled) claim; returns how many were made."""
    made = 0
    for item_id in items_with_certain_fixes(database):
        correct_claim(database, item_id, actor="demo", today=today)
        made += 1
    summary.corrected += made
    return made


def count_queue(database: Database, summary: DenialSummary, first: set[int], later: set[int]) -> None:
    with UnitOfWork(database, actor="demo") as uow:
        items = uow.session.scalars(select(DenialItemRow)).all()
        adjudicated = set(uow.session.scalars(select(LineAdjudicationRow.claim_id).where(
            LineAdjudicationRow.status_code != "22")))
        corrected = {row.follow_up_claim_id for row in items if row.follow_up_claim_id}
        summary.corrected_paid = len(list(uow.session.scalars(select(ClaimRow.id).where(
            ClaimRow.id.in_(corrected), ClaimRow.status == "paid")))) if corrected else 0
        denied = {row.claim_id for row in items if row.kind == "denial"}
        summary.items = len(items)
        summary.by_category = Counter(row.category for row in items)
        summary.by_action = Counter(row.action for row in items)
        summary.underpayments = sum(row.kind == "underpayment" for row in items)
        summary.still_open = sum(row.status != "resolved" for row in items)
    summary.rate_before = (len(denied & first & adjudicated), len(first & adjudicated))
    summary.rate_after = (len(denied & later & adjudicated), len(later & adjudicated))
