"""Checking the ledger's invariants over a whole database, practice by practice.

Violations (any one makes ``dermbill ledger check`` exit 1):
- a journal entry whose postings do not sum to zero;
- a claim line whose postings do not sum to its charge: what was charged must equal what was paid,
  adjusted, moved to the patient, or is still owed by the insurer (every posting that names a line,
  both sides, adds up to that line's charge once the charge is posted);
- a claim whose gross-charge credit differs from the charges of its lines;
- a posting that names a claim line of another claim (other than a secondary or corrected claim that bills
  that line again);
- a posted 835 whose cash in the ledger differs from its payment (BPR02): every dollar the payer sent is in
  the ledger (applied to claims, held unapplied in 2160, or taken by a provider-level adjustment), once;
- a claim line whose insurance balance (1100) or patient balance (1200) is below zero: money applied twice or
  to the wrong line. An overpayment is not a negative balance: it is a payer or patient credit (2150, 2100),
  a liability, listed by ``dermbill era overpayments`` and ``dermbill ledger credits``;
- a claim an 835 was posted against whose status is not what its ledger says: the status the posting of its
  last 835 decides (``core.posting.settled_status``, the rule 835 posting applies) from the claim's postings,
  with those of the claims it replaces, up to that 835's entry. What was posted after it (a patient payment, a
  denial written off) is not counted: posting it does not move the claim. A closed claim is not compared: 835
  posting never closes a claim (a later 835 moves a closed one), so it was closed by a person after its last
  835 (replaced by a corrected claim, rebilled to another payer).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from dermbill.core.claims import ClaimStatus
from dermbill.core.ledger import (
    BAD_DEBT,
    CASH,
    CHARITY,
    CONTRACTUAL,
    DENIED_AR,
    GROSS_CHARGES,
    INSURANCE_AR,
    PATIENT_AR,
    PATIENT_CREDIT,
    PAYER_CREDIT,
    PROVIDER_ADJUSTMENT,
    SMALL_BALANCE,
    UNAPPLIED_INSURANCE,
    WRITE_OFF,
)
from dermbill.core.money import Money
from dermbill.core.posting import settled_status
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    JournalEntryRow,
    LedgerAccountRow,
    PostingRow,
    PracticeRow,
    RemittanceRow,
)
from dermbill.db.remittances import RemittanceStore
from dermbill.db.repositories import UnitOfWork

# What each total is, from the account codes of the standard chart (debit-positive sums).
TOTALS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("charges", "Charges", (GROSS_CHARGES,), -1),
    ("insurance_balance", "Insurance balance (A/R)", (INSURANCE_AR,), 1),
    ("denied_balance", "Denied, being worked", (DENIED_AR,), 1),
    ("patient_balance", "Patient balance", (PATIENT_AR,), 1),
    ("cash", "Payments received (cash)", (CASH,), 1),
    ("contractual", "Contractual adjustments", (CONTRACTUAL,), 1),
    ("write_offs", "Write-offs (denial, bad debt, small balance, hardship)",
     (WRITE_OFF, BAD_DEBT, SMALL_BALANCE, CHARITY), 1),
    ("provider_adjustments", "Provider-level adjustments", (PROVIDER_ADJUSTMENT,), 1),
    ("unapplied", "Unapplied payments and credits", (PATIENT_CREDIT,), -1),
    ("payer_credit", "Refunds due to payers (overpayments)", (PAYER_CREDIT,), -1),
    ("unapplied_insurance", "Insurance payments held, not yet matched", (UNAPPLIED_INSURANCE,), -1),
)


@dataclass(slots=True)
class LedgerReport:
    practices: int = 0
    entries: int = 0
    postings: int = 0
    lines_checked: int = 0
    totals: dict[str, Money] = field(default_factory=lambda: {key: Money.zero() for key, *_ in TOTALS})
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.violations

    def as_json(self) -> dict[str, object]:
        return {"clean": self.clean, "practices": self.practices, "entries": self.entries,
                "postings": self.postings, "claim_lines_checked": self.lines_checked,
                "totals": {key: str(value) for key, value in self.totals.items()},
                "violations": self.violations, "warnings": self.warnings}


def check_ledger(database: Database) -> LedgerReport:
    report = LedgerReport()
    with UnitOfWork(database, actor="ledger-check") as uow:
        session = uow.session
        practices = {row.id: row.code for row in session.scalars(select(PracticeRow))}
        report.practices = len(practices)
        codes = {row.id: (row.practice_id, row.code) for row in session.scalars(select(LedgerAccountRow))}
        report.entries = int(session.scalar(select(func.count()).select_from(JournalEntryRow)) or 0)
        report.postings = int(session.scalar(select(func.count()).select_from(PostingRow)) or 0)

        for account_id, total in session.execute(
                select(PostingRow.account_id, func.sum(PostingRow.amount_cents)).group_by(PostingRow.account_id)):
            code = codes[account_id][1]
            for key, _, accounts, sign in TOTALS:
                if code in accounts:
                    report.totals[key] += Money(sign * int(total))

        for entry_id, practice_id, memo, total in session.execute(
                select(JournalEntryRow.id, JournalEntryRow.practice_id, JournalEntryRow.memo,
                       func.sum(PostingRow.amount_cents))
                .join(PostingRow, PostingRow.journal_entry_id == JournalEntryRow.id)
                .group_by(JournalEntryRow.id, JournalEntryRow.practice_id, JournalEntryRow.memo)
                .having(func.sum(PostingRow.amount_cents) != 0)):
            report.violations.append(f"practice {practices[practice_id]}: journal entry {entry_id} ({memo}) "
                                     f"does not balance: its postings sum to {Money(int(total))}")

        _check_lines(uow, practices, codes, report)
        _check_remittance_cash(uow, practices, codes, report)
        for practice_id in practices:
            _check_statuses(RemittanceStore(uow.practice(practice_id)), report)
    return report


def _check_statuses(store: RemittanceStore, report: LedgerReport) -> None:
    """Every claim with an 835 posted against it has the status its ledger says (see the module docstring)."""
    session, practice = store.repo.session, store.repo.practice
    last_835 = {int(claim_id): int(entry_id) for claim_id, entry_id in session.execute(
        select(PostingRow.claim_id, func.max(JournalEntryRow.id))
        .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
        .where(PostingRow.practice_id == practice.id, PostingRow.claim_id.is_not(None),
               JournalEntryRow.kind == "remittance")
        .group_by(PostingRow.claim_id)) if claim_id is not None}
    claims = store.claims(list(last_835))
    # A corrected claim that replaces one of these is counted (its original is not settled), not checked: it
    # may have been opened after its original's last 835.
    corrected = [claim for claim in store.corrected_claims_of(claims) if claim.id not in last_835]
    chains = store.replaced_chains(claims + corrected)
    up_to = {claim_id: max((last_835.get(member, 0) for member in chain), default=0)
             for claim_id, chain in chains.items()}
    sums, replaced = store.settlement_sums(claims + corrected, up_to)
    for claim in claims:
        current = ClaimStatus(claim.status)
        if current == ClaimStatus.CLOSED:
            continue
        expected = settled_status(current, sums[claim.id], Money(claim.total_charge_cents),
                                  replaced=claim.id in replaced)
        if expected != current:
            report.violations.append(
                f"practice {practice.code}: claim {claim.patient_control_number} is {current.value} but its ledger "
                f"says {expected.value}")


def _check_remittance_cash(uow: UnitOfWork, practices: dict[int, str], codes: dict[int, tuple[int, str]],
                           report: LedgerReport) -> None:
    """Each posted 835's cash postings (its entries are keyed ``era:{content hash}:...``) sum to its BPR02."""
    cash_accounts = [account for account, (_, code) in codes.items() if code == CASH]
    cash: dict[tuple[int, str], int] = defaultdict(int)
    for practice_id, key, total in uow.session.execute(
            select(JournalEntryRow.practice_id, JournalEntryRow.idempotency_key, func.sum(PostingRow.amount_cents))
            .join(PostingRow, PostingRow.journal_entry_id == JournalEntryRow.id)
            .where(JournalEntryRow.idempotency_key.like("era:%"), PostingRow.account_id.in_(cash_accounts))
            .group_by(JournalEntryRow.practice_id, JournalEntryRow.idempotency_key)):
        cash[(practice_id, str(key).split(":")[1])] += int(total)
    for remittance in uow.session.scalars(select(RemittanceRow).where(RemittanceRow.status == "posted")):
        posted = cash.get((remittance.practice_id, remittance.content_hash[:24]), 0)
        if posted != remittance.payment_cents:
            report.violations.append(
                f"practice {practices[remittance.practice_id]}: 835 {remittance.trace_number} from "
                f"{remittance.payer_identifier} ({remittance.file_name}) paid {Money(remittance.payment_cents)} but "
                f"its postings put {Money(posted)} in cash")


def _check_lines(uow: UnitOfWork, practices: dict[int, str], codes: dict[int, tuple[int, str]],
                 report: LedgerReport) -> None:
    session = uow.session
    charged_claims = {claim_id for (claim_id,) in session.execute(
        select(PostingRow.claim_id).where(PostingRow.claim_line_id.is_(None), PostingRow.claim_id.is_not(None),
                                          PostingRow.account_id.in_([a for a, (_, c) in codes.items()
                                                                     if c == GROSS_CHARGES]))
        .distinct()) if claim_id is not None}
    line_sums: dict[int, int] = defaultdict(int)
    insurance: dict[int, int] = defaultdict(int)
    patient: dict[int, int] = defaultdict(int)
    gross: dict[int, int] = defaultdict(int)
    posted_claim_of_line: dict[int, set[int]] = defaultdict(set)
    for claim_id, line_id, account_id, total in session.execute(
            select(PostingRow.claim_id, PostingRow.claim_line_id, PostingRow.account_id,
                   func.sum(PostingRow.amount_cents))
            .where(PostingRow.claim_id.is_not(None))
            .group_by(PostingRow.claim_id, PostingRow.claim_line_id, PostingRow.account_id)):
        code = codes[account_id][1]
        if claim_id is None:
            continue
        if line_id is None:
            if code == GROSS_CHARGES:
                gross[claim_id] -= int(total)
            continue
        line_sums[line_id] += int(total)
        posted_claim_of_line[line_id].add(claim_id)
        if code == INSURANCE_AR:
            insurance[line_id] += int(total)
        elif code == PATIENT_AR:
            patient[line_id] += int(total)

    billed_again: dict[int, set[int]] = defaultdict(set)  # charged line -> claims that bill it again
    for claim_id, billed_line_id in session.execute(
            select(ClaimLineRow.claim_id, ClaimLineRow.billed_line_id).where(ClaimLineRow.billed_line_id.is_not(None))):
        if billed_line_id is not None:
            billed_again[billed_line_id].add(claim_id)
    line_charges: dict[int, int] = defaultdict(int)
    numbers = {claim_id: pcn for claim_id, pcn in session.execute(
        select(ClaimRow.id, ClaimRow.patient_control_number).where(ClaimRow.id.in_(charged_claims)))}
    for line in session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id.in_(charged_claims))
                                if charged_claims else select(ClaimLineRow).where(ClaimLineRow.id < 0)):
        report.lines_checked += 1
        where = f"practice {practices[line.practice_id]}: claim {numbers.get(line.claim_id, line.claim_id)} " \
                f"line {line.line_number}"
        line_charges[line.claim_id] += line.charge_cents
        if line_sums.get(line.id, 0) != line.charge_cents:
            report.violations.append(
                f"{where} ({line.procedure_code}) was charged {Money(line.charge_cents)} but its postings account "
                f"for {Money(line_sums.get(line.id, 0))}")
        for label, sums in (("insurance", insurance), ("patient", patient)):
            if sums.get(line.id, 0) < 0:
                report.violations.append(f"{where} ({line.procedure_code}): the {label} balance is "
                                         f"{Money(sums[line.id])}; money was applied to it twice or to the wrong "
                                         f"line (an overpayment belongs in a credit balance)")
        others = posted_claim_of_line.get(line.id, set()) - {line.claim_id} - billed_again.get(line.id, set())
        if others:
            report.violations.append(f"{where}: postings of claim(s) {sorted(others)} name this line")
    for claim_id in sorted(charged_claims):
        if gross.get(claim_id, 0) != line_charges.get(claim_id, 0):
            report.violations.append(f"claim {claim_id}: gross charges of {Money(gross.get(claim_id, 0))} differ "
                                     f"from its lines' charges of {Money(line_charges.get(claim_id, 0))}")
