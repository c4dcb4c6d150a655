"""The queries of 835 posting: the remittance record, the claims and lines an 835 names, their balances and the
payers' earlier answers, read in a few queries per round of claims; rows converted to the core's posting values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from functools import partial

from sqlalchemy import ColumnElement, Executable, func, select
from sqlalchemy.orm import InstrumentedAttribute

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import DENIED_AR, INSURANCE_AR, PATIENT_AR
from dermbill.core.money import Money
from dermbill.core.posting import Answered, HistoryKey, LineAnswer, LineBalances, OurClaim, OurLine
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    ClearinghouseProfileRow,
    JournalEntryRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    OverpaymentRow,
    PayerRow,
    PostingRow,
    PracticeRow,
    RemittanceRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork


def _this_practice(column: InstrumentedAttribute[int], practice_id: int) -> ColumnElement[bool]:
    """``column == practice_id`` in a form no index serves: SQLite, without statistics, would otherwise read every
    line of the practice by the practice index rather than the few a claim id names (linear in the practice's
    size, for each chunk of claims)."""
    return column + 0 == practice_id


def receiving_organization(uow: UnitOfWork, receiver: str) -> int | None:
    """The billing company whose clearinghouse submitter ID a file is addressed to (ISA08/GS03), if just one."""
    found = set(uow.session.scalars(select(ClearinghouseProfileRow.organization_id)
                                    .where(ClearinghouseProfileRow.submitter_id == receiver)))
    return found.pop() if len(found) == 1 else None


def payee_practice(uow: UnitOfWork, npi: str, organization_id: int | None) -> tuple[PracticeRow | None, str]:
    """The practice that bills with the payee NPI of an 835, within the billing company that received it (any,
    when that is not known); (None, why) when no practice does, or more than one (never a guess)."""
    query = select(PracticeRow).where(PracticeRow.billing_npi == npi)
    if organization_id is not None:
        query = query.where(PracticeRow.organization_id == organization_id)
    found = list(uow.session.scalars(query.order_by(PracticeRow.id)))
    where = "" if organization_id is None else " in the billing company that received the file"
    if not found:
        return None, f"no practice{where} bills with the payee NPI {npi or '(none given)'}"
    if len(found) > 1:
        companies = len({p.organization_id for p in found})
        return None, (f"the payee NPI {npi} is the billing NPI of {len(found)} practices{where} "
                      f"({', '.join(p.code for p in found)}"
                      + (f", in {companies} billing companies" if companies > 1 else "")
                      + "): the payment cannot be placed; post it for the billing company that received it "
                        "(dermbill era post --organization NAME) or give each practice its own billing NPI")
    return found[0], ""


def payer_named(uow: UnitOfWork, organization_id: int, identifier: str, name: str = "") -> PayerRow | None:
    """The billing company's payer an 835 names: by its payer identifier (REF*2U), else, when the 835 gives none,
    by its exact name (N1*PR); None when no payer, or more than one, fits."""
    column, value = (PayerRow.payer_identifier, identifier) if identifier else (PayerRow.name, name)
    found = list(uow.session.scalars(select(PayerRow).where(PayerRow.organization_id == organization_id,
                                                            column == value).limit(2))) if value else []
    return found[0] if len(found) == 1 else None


def our_claim(row: ClaimRow, lines: Sequence[OurLine]) -> OurClaim:
    return OurClaim(row.id, row.patient_control_number, row.patient_id, row.payer_id, row.primary_claim_id,
                    tuple(lines))


class RemittanceStore:
    """Posting's reads and writes within one practice's unit of work."""

    def __init__(self, repo: PracticeRepository) -> None:
        self.repo = repo
        self.locked: set[int] = set()  # the claims this transaction holds locked

    # The remittance record ----------------------------------------------------------------------------------

    def find(self, payer: str, trace: str, digest: str) -> RemittanceRow | None:
        rows = self.repo.rows(RemittanceRow, RemittanceRow.payer_identifier == payer,
                              RemittanceRow.trace_number == trace, RemittanceRow.content_hash == digest)
        return rows[0] if rows else None

    def posted_payment(self, payer: str, trace: str) -> RemittanceRow | None:
        """The posted remittance of this payment (payer, TRN02), if any."""
        rows = self.repo.rows(RemittanceRow, RemittanceRow.status == "posted", RemittanceRow.payer_identifier == payer,
                              RemittanceRow.trace_number == trace)
        return rows[0] if rows else None

    def record(self, row: RemittanceRow) -> bool:
        """Insert the remittance row, the database's unique keys deciding between concurrent posters.

        False when another transaction recorded the same content, or posted the same payment, first (it committed:
        PostgreSQL makes this insert wait for it): this one must look again and post nothing.
        """
        payer, trace, digest = row.payer_identifier, row.trace_number, row.content_hash
        self.repo.add(row)
        try:
            self.repo.flush()
        except InvalidInput:
            if self.find(payer, trace, digest) is not None or \
                    self.posted_payment(payer, trace) is not None:
                return False
            raise
        return True

    # Claims, lines, balances and answers ---------------------------------------------------------------------

    def claim_ids_by_pcn(self, pcns: Sequence[str]) -> dict[str, list[int]]:
        """Our claim ids by patient control number."""
        wanted = sorted(set(pcns))
        found: dict[str, list[int]] = {}
        for among in self.repo.among(ClaimRow.patient_control_number, wanted):
            for claim_id, pcn in self.repo.session.execute(
                    select(ClaimRow.id, ClaimRow.patient_control_number)
                    .where(ClaimRow.practice_id == self.repo.practice_id,
                           among)):
                found.setdefault(pcn, []).append(claim_id)
        return found

    def lock_claims(self, ids: Sequence[int]) -> list[int]:
        """Lock these claims until the transaction ends (those it does not hold yet); returns those newly locked.

        On PostgreSQL, SELECT ... FOR NO KEY UPDATE in ascending id order: a second poster of the same claims
        waits here for the first to commit, two posters never wait for each other, and every statement after the
        lock (READ COMMITTED) reads the first's postings. A weaker lock than FOR UPDATE: it lets postings and
        other rows that refer to the claims be inserted meanwhile. SQLite has no row locks and needs none: the
        poster's first write (the remittance row) took the database's write lock before it read a claim.
        """
        wanted = sorted(set(ids) - self.locked)
        for among in self.repo.among(ClaimRow.id, wanted):
            query = select(ClaimRow.id).where(ClaimRow.practice_id == self.repo.practice_id,
                                              among) \
                .order_by(ClaimRow.id).with_for_update(key_share=True)
            self.repo.uow.guarded(partial(self._fetch_all, query))
        self.locked.update(wanted)
        return wanted

    def _fetch_all(self, query: Executable) -> None:
        self.repo.session.execute(query).all()

    def claims(self, ids: Sequence[int]) -> list[ClaimRow]:
        wanted = sorted(set(ids))
        return [claim for among in self.repo.among(ClaimRow.id, wanted)
                for claim in self.repo.rows(ClaimRow, among)]

    def claims_by_payer_claim_number(self, number: str) -> list[ClaimRow]:
        return self.repo.rows(ClaimRow, ClaimRow.payer_claim_number == number)

    def lines(self, claim_ids: Sequence[int]) -> list[tuple[int, OurLine]]:
        """These claims' lines as posting reads them, each with its claim's id, in line number order: values read
        from the columns, not rows the session would track (posting never changes a line)."""
        line = ClaimLineRow
        return [(claim_id, OurLine(line_id, billed or line_id, number, code, tuple(modifiers), Money(charge), units))
                for among in self.repo.among(line.claim_id, claim_ids)
                for claim_id, line_id, billed, number, code, modifiers, charge, units in self.repo.session.execute(
                    select(line.claim_id, line.id, line.billed_line_id, line.line_number, line.procedure_code,
                           line.modifiers, line.charge_cents, line.units)
                    .where(among, _this_practice(line.practice_id, self.repo.practice_id))
                    .order_by(line.line_number))]

    def charged_line_ids(self, claim_ids: Sequence[int]) -> list[int]:
        """The charged lines of these claims' lines (the lines whose balances posting moves)."""
        wanted = sorted(set(claim_ids))
        return sorted({billed or line_id for among in self.repo.among(ClaimLineRow.claim_id, wanted)
                       for line_id, billed in self.repo.session.execute(
                           select(ClaimLineRow.id, ClaimLineRow.billed_line_id).where(
                               among,
                               _this_practice(ClaimLineRow.practice_id, self.repo.practice_id)))})

    def balances(self, line_ids: Sequence[int]) -> dict[int, LineBalances]:
        """The insurance, denied and patient balances of these charged lines, as posted so far."""
        ids = self.repo.account_ids()
        codes = {ids[code]: code for code in (INSURANCE_AR, DENIED_AR, PATIENT_AR)}
        sums: dict[int, dict[str, int]] = {line_id: {} for line_id in line_ids}
        for among in self.repo.among(PostingRow.claim_line_id, line_ids):
            # Every account's sum, the three wanted kept here: with the accounts in the WHERE clause SQLite scans
            # the practice's postings by account (45 ms a chunk at 60,000 claims) instead of using the line index.
            for line_id, account, total in self.repo.session.execute(
                    select(PostingRow.claim_line_id, PostingRow.account_id, func.sum(PostingRow.amount_cents))
                    .where(among,
                           PostingRow.practice_id == self.repo.practice_id)
                    .group_by(PostingRow.claim_line_id, PostingRow.account_id)):
                if line_id is not None and account in codes:
                    sums[int(line_id)][codes[account]] = int(total)
        return {line_id: LineBalances(Money(s.get(INSURANCE_AR, 0)), Money(s.get(DENIED_AR, 0)),
                                      Money(s.get(PATIENT_AR, 0))) for line_id, s in sums.items()}

    def history(self, claim_ids: Sequence[int]) -> dict[HistoryKey, list[Answered]]:
        """The payers' answers so far on these claims' lines, oldest first."""
        found: dict[HistoryKey, list[Answered]] = {}
        for among in self.repo.among(LineAdjudicationRow.claim_id, claim_ids):
            for row in self.repo.rows(LineAdjudicationRow,
                                      among):
                answer = LineAnswer(row.status_code, Money(row.paid_cents),
                                    tuple((a["group"], a["reason"], int(a["cents"])) for a in row.adjustments))
                found.setdefault((row.claim_id, row.claim_line_id, row.payer_id), []).append(
                    Answered(answer, row.remittance_id))
        return found

    def secondary_claim(self, claim: ClaimRow, payer_id: int) -> ClaimRow | None:
        found = self.repo.rows(ClaimRow, ClaimRow.primary_claim_id == claim.id, ClaimRow.payer_id == payer_id)
        return found[0] if found else None

    def was_forwarded(self, claim: ClaimRow) -> bool:
        """True when the claim's payer forwarded it to the next payer (CLP02 19), this file included."""
        self.repo.flush()
        return self.repo.count(LineAdjudicationRow, LineAdjudicationRow.claim_id == claim.id,
                               LineAdjudicationRow.status_code == "19") > 0

    def transferred(self, claim: ClaimRow) -> dict[int, Money]:
        """For a secondary claim: the patient share moved to its payer, by charged line."""
        if claim.primary_claim_id is None:
            return {}
        rows = self.repo.session.execute(
            select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
            .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(PostingRow.practice_id == self.repo.practice_id,
                   PostingRow.claim_id.in_(self.replaced_chains([claim])[claim.id]),
                   JournalEntryRow.kind == "transfer", LedgerAccountRow.code == INSURANCE_AR)
            .group_by(PostingRow.claim_line_id))
        return {int(line): Money(int(total)) for line, total in rows if line is not None}

    def corrected_claims_of(self, claims: Sequence[ClaimRow]) -> list[ClaimRow]:
        """The corrected claims (frequency 7) that replace any of these."""
        return self.repo.rows(ClaimRow, ClaimRow.frequency_code == "7",
                              ClaimRow.original_claim_id.in_([claim.id for claim in claims]))

    def replaced_chains(self, claims: Sequence[ClaimRow]) -> dict[int, list[int]]:
        """Each claim with the claims it replaces (a corrected claim, frequency 7, settles with its originals: the
        payer reverses the original's postings and posts its new decision on the corrected claim)."""
        chains = {claim.id: [claim.id] for claim in claims}
        for claim in claims:
            row: ClaimRow | None = claim
            while row is not None and row.frequency_code == "7" and row.original_claim_id is not None \
                    and row.original_claim_id not in chains[claim.id]:
                chains[claim.id].append(row.original_claim_id)
                row = self.repo.session.get(ClaimRow, row.original_claim_id)
        return chains

    def settlement_sums(self, claims: Sequence[ClaimRow], up_to: Mapping[int, int] | None = None
                        ) -> tuple[dict[int, Counter[str]], set[int]]:
        """What a claim's status is settled from (``core.posting.settled_status``): each claim's balances by
        account with those of the claims it replaces (a corrected claim settles with its originals), and the ids
        of the claims among these that another of them replaces (those are not settled).

        ``up_to`` (claim id -> journal entry id): count only the postings of entries up to that one, for a claim
        whose balances are wanted as the last posting that settled it saw them.
        """
        chains = self.replaced_chains(claims)
        replaced = {original for chain in chains.values() for original in chain[1:]}
        members = [claim_id for chain in chains.values() for claim_id in chain]
        by_entry = self.account_sums_by_entry(members) if up_to is not None else {}
        by_claim = self.account_sums(members) if up_to is None else {}
        sums: dict[int, Counter[str]] = {}
        for claim in claims:
            total: Counter[str] = Counter()
            for claim_id in chains[claim.id]:  # Counter.update adds negative amounts (Counter + Counter drops them)
                if up_to is None:
                    total.update(by_claim.get(claim_id, Counter()))
                    continue
                for entry_id, code, cents in by_entry.get(claim_id, []):
                    if entry_id <= up_to[claim.id]:
                        total[code] += cents
            sums[claim.id] = total
        return sums, replaced

    def account_sums_by_entry(self, claim_ids: Sequence[int]) -> dict[int, list[tuple[int, str, int]]]:
        """Each claim's postings summed by journal entry and account code: (entry id, code, cents)."""
        codes = {v: k for k, v in self.repo.account_ids().items()}
        ids = sorted(set(claim_ids))
        found: dict[int, list[tuple[int, str, int]]] = {}
        for among in self.repo.among(PostingRow.claim_id, ids):
            for claim_id, entry_id, account, total in self.repo.session.execute(
                    select(PostingRow.claim_id, PostingRow.journal_entry_id, PostingRow.account_id,
                           func.sum(PostingRow.amount_cents))
                    .where(PostingRow.practice_id == self.repo.practice_id,
                           among)
                    .group_by(PostingRow.claim_id, PostingRow.journal_entry_id, PostingRow.account_id)):
                if claim_id is not None:
                    found.setdefault(claim_id, []).append((int(entry_id), codes[account], int(total)))
        return found

    def account_sums(self, claim_ids: Sequence[int]) -> dict[int, Counter[str]]:
        """Each claim's balance by account code."""
        codes = {v: k for k, v in self.repo.account_ids().items()}
        ids = sorted(set(claim_ids))
        by_claim: dict[int, Counter[str]] = {}
        for among in self.repo.among(PostingRow.claim_id, ids):
            for claim_id, account, total in self.repo.session.execute(
                    select(PostingRow.claim_id, PostingRow.account_id, func.sum(PostingRow.amount_cents))
                    .where(PostingRow.practice_id == self.repo.practice_id,
                           among)
                    .group_by(PostingRow.claim_id, PostingRow.account_id)):
                if claim_id is not None:
                    by_claim.setdefault(claim_id, Counter())[codes[account]] += int(total)
        return by_claim

    def open_overpayments(self, payer_id: int | None, reference: str) -> list[OverpaymentRow]:
        """This payer's open overpayments on the claim a PLB reference names (the payer's claim number, or ours)."""
        by_pcn = {c.id for c in self.repo.rows(ClaimRow, ClaimRow.patient_control_number == reference)}
        rows = self.repo.rows(OverpaymentRow, OverpaymentRow.status == "open", OverpaymentRow.payer_id == payer_id,
                              order_by=OverpaymentRow.id)
        return [row for row in rows if row.payer_claim_number == reference or row.claim_id in by_pcn]


def unmatched_rows(uow: UnitOfWork, practice_ids: Collection[int] | None = None
                   ) -> list[tuple[str, UnmatchedRemittanceRow, RemittanceRow]]:
    """The unresolved unmatched claim payments of these practices (None: every practice), oldest first, with
    practice code and remittance."""
    practices = {p.id: p.code for p in uow.session.scalars(select(PracticeRow))}
    query = (select(UnmatchedRemittanceRow, RemittanceRow)
             .join(RemittanceRow, RemittanceRow.id == UnmatchedRemittanceRow.remittance_id)
             .where(UnmatchedRemittanceRow.resolved.is_(False)))
    if practice_ids is not None:
        query = query.where(UnmatchedRemittanceRow.practice_id.in_(sorted(practice_ids)))
    rows = uow.session.execute(query.order_by(RemittanceRow.received_at, UnmatchedRemittanceRow.id)).all()
    return [(practices[item.practice_id], item, remittance) for item, remittance in rows]


def unresolved_remittances(uow: UnitOfWork) -> list[tuple[str, RemittanceRow]]:
    """Every practice's conflicts and quarantined 835s not yet resolved, oldest first, with the practice code."""
    practices = {p.id: p.code for p in uow.session.scalars(select(PracticeRow))}
    rows = uow.session.scalars(select(RemittanceRow).where(RemittanceRow.status != "posted",
                                                           RemittanceRow.resolved.is_(False))
                               .order_by(RemittanceRow.received_at, RemittanceRow.id))
    return [(practices[row.practice_id], row) for row in rows]


def recent_remittances(uow: UnitOfWork, practice_ids: Collection[int], limit: int) -> list[tuple[str, RemittanceRow]]:
    """The latest remittances of these practices, newest first, with the practice code."""
    rows = uow.session.execute(
        select(PracticeRow.code, RemittanceRow).join(PracticeRow, PracticeRow.id == RemittanceRow.practice_id)
        .where(RemittanceRow.practice_id.in_(sorted(practice_ids)))
        .order_by(RemittanceRow.received_at.desc(), RemittanceRow.id.desc()).limit(limit)).all()
    return [(code, row) for code, row in rows]
