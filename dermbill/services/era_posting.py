"""Posting 835 remittances to the ledger: read -> load -> plan -> save, exactly once.

- **Read**: ``x12.remittance_835.read_835`` gives the typed remittance (``core.remittance``).
- **Exactly once**: the same 835 transaction (practice, payer, TRN trace number and a hash of its content) is
  recorded once; the row is inserted first, in the same database transaction as every posting, so a second
  post, or a concurrent one, collides on the unique constraint and posts nothing. A failure midway rolls
  everything back. An 835 that does not balance is quarantined: recorded with its problems, nothing posted.
- **Load** (``db.remittances``): the claims the 835 names, their lines, the lines' balances and the payers'
  earlier answers, a few queries per round of claims. Claims match by our patient control number (CLP01), then
  by the payer's claim number (CLP07); a secondary payer's answer goes to the secondary claim.
- **One poster per claim at a time**: the claims the 835 names are locked (PostgreSQL, in ascending id order)
  before any of their balances is read, so a concurrent 835 on the same claims waits, then plans and settles
  statuses from what the first posted (READ COMMITTED reads it after the lock); on SQLite the remittance row's
  insert, the first write, already took the database's write lock before any claim was read.
- **Plan** (``core.posting``, pure): lines match by the line control number, code and modifiers, code, or
  charge (never a guess: a claim that cannot be matched whole goes to the unmatched queue); each adjustment
  posts where its CARC's category in the denial code table says (contractual under CO to 4100, the patient's
  share to the patient's balance, denials to 1150 to be worked, other non-denials under OA/PI to 4200);
  reversals (CLP02 22) carry negative amounts and so undo the earlier posting. Lines the same payer has
  already settled are not applied again: the cash goes to the payer credit balance (2150) and the overpayment
  queue, with no new line adjudication (so no new denial work item). No line balance ends below zero: a
  reversal of a share the patient had paid leaves a patient credit (2100).
- **Save**: the entries, line adjudications and overpayments in bulk, the claims' new statuses; provider-level
  adjustments (PLB) against cash, a recoupment (WO, 72) naming a claim with an open overpayment taking it
  back from the payer credit balance.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select

from dermbill.core.claims import ClaimStatus
from dermbill.core.denial_codes import DenialCodeTable
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import CASH, PAYER_CREDIT, PROVIDER_ADJUSTMENT, UNAPPLIED_INSURANCE, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.core.posting import (
    RECOUPMENT_REASONS,
    Answered,
    ClaimPlan,
    HistoryKey,
    LineBalances,
    OurLine,
    answered_before,
    match_lines,
    net,
    plan_claim_payment,
    recoupment,
    settled_elsewhere,
    settled_status,
)
from dermbill.core.remittance import CROSSOVER, DENIED, REVERSAL, ClaimPayment, ProviderAdjustment, Remittance
from dermbill.core.remittance_checks import (
    Summary,
    claim_problems,
    claim_summaries,
    differences,
    file_problems,
    held_reason,
    summary,
)
from dermbill.db.audit_origin import current_origin
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    LineAdjudicationRow,
    OverpaymentRow,
    PracticeRow,
    RemittanceContentRow,
    RemittanceRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.remittances import (
    RemittanceStore,
    our_claim,
    payee_practice,
    payer_named,
    receiving_organization,
    recent_remittances,
    unmatched_rows,
    unresolved_remittances,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services.claim_lifecycle import move_claims
from dermbill.services.secondary_claims import open_secondary_claim
from dermbill.x12.kept_transactions import keep_transaction, kept_transaction
from dermbill.x12.remittance_835 import (
    Read835,
    kept_claims,
    raw_claim_payment,
    read_835,
    read_835_remittances,
    read_835_sets,
    remittance_of,
)
from dermbill.x12.tokenizer import bytes_of, open_x12
from dermbill.x12.transactions import TransactionSet

CLAIMS_PER_ROUND = 2000
WRITE_EVERY = 500  # claim payments planned per part written behind (PostgreSQL: ``_Round.post``)


@dataclass(slots=True)
class RemittanceOutcome:
    trace_number: str
    payer: str
    status: str  # posted, already posted, quarantined (before), conflict (before), no practice
    practice: str = ""
    payment: Money = field(default_factory=Money.zero)
    claims_posted: int = 0
    paid: Money = field(default_factory=Money.zero)
    denied: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    crossovers: list[str] = field(default_factory=list)
    overpaid: list[str] = field(default_factory=list)  # claims paid again: in the overpayment queue
    recouped: Money = field(default_factory=Money.zero)  # overpayments the payer took back (PLB WO/72)
    unapplied: Money = field(default_factory=Money.zero)  # cash of the claim payments held for a person
    problems: list[str] = field(default_factory=list)
    remittance_id: int | None = None  # the remittance recorded now (None: nothing was recorded)


def post_era_file(database: Database, path: Path, *, actor: str = "era", now: datetime.datetime | None = None,
                  organization_id: int | None = None, practice_ids: Collection[int] | None = None,
                  posted: Callable[[RemittanceOutcome], None] | None = None) -> list[RemittanceOutcome]:
    """Post every 835 transaction set of a file; returns what happened to each.

    ``organization_id``: the billing company that received the file (its payee is looked for there only);
    when not given, the company whose clearinghouse submitter ID the file is addressed to (ISA08/GS03), if any.
    ``practice_ids``: the practices it may be posted to (a person's, for a file they uploaded; None: any).
    ``posted(outcome)`` is called after each 835 is posted (or found posted before, quarantined ...).
    """
    with open_x12(path) as stream:
        outcomes = _post_stream(database, stream, lambda: open_x12(path), path.name, actor=actor, now=now or utc_now(),
                                organization_id=organization_id, practice_ids=practice_ids, posted=posted)
    if not outcomes:
        raise InvalidInput(f"{path.name} holds no 835 remittance")
    return outcomes


def post_era_upload(database: Database, file_name: str, data: bytes, *, actor: str, organization_id: int,
                    practice_ids: Collection[int], now: datetime.datetime | None = None) -> list[RemittanceOutcome]:
    """Post an 835 a person uploaded, as ``post_era_file`` posts one from the command line, for the billing
    company they work for and only to their practices."""
    if not data.strip():
        raise InvalidInput(f"{file_name or 'the file'} is empty: choose an 835 file")
    outcomes = _post_stream(database, bytes_of(data), lambda: bytes_of(data), file_name, actor=actor,
                            now=now or utc_now(), organization_id=organization_id, practice_ids=practice_ids)
    if not outcomes:
        raise InvalidInput(f"{file_name} holds no 835 remittance (an X12 file of another kind); choose an 835")
    return outcomes


def _post_stream(database: Database, stream: BinaryIO, again: Callable[[], BinaryIO], file_name: str, *,
                 actor: str, now: datetime.datetime, organization_id: int | None,
                 practice_ids: Collection[int] | None = None,
                 posted: Callable[[RemittanceOutcome], None] | None = None) -> list[RemittanceOutcome]:
    """Every 835 of a stream posted once (``posted(outcome)`` called after each), each read first without typing
    its claims (``read_835_sets``: its content hash, kept bytes and balance known before anything is written). A
    set that balances, is new and whose payee and payer are known is posted from its kept bytes, its claims typed a
    round at a time (``_post_streamed``): memory does not grow with the set's size. Any other (quarantined, posted
    before, a conflict, no practice) is read again from ``again()`` and typed whole, as every set was posted before
    (``_post_read``)."""
    outcomes: list[RemittanceOutcome] = []
    for read in read_835_sets(stream):
        outcome = _post_streamed(database, read, file_name, actor=actor, now=now, organization_id=organization_id,
                                 practice_ids=practice_ids)
        if outcome is None:
            outcome = _post_read(database, read.receiver, _typed_set(again, len(outcomes)), read.digest, read.kept,
                                 file_name, actor=actor, now=now, organization_id=organization_id,
                                 practice_ids=practice_ids)
        outcomes.append(outcome)
        if posted is not None:
            posted(outcome)
    return outcomes


def _typed_set(again: Callable[[], BinaryIO], number: int) -> Remittance:
    """The ``number``-th 835 (from 0) of the stream ``again()`` opens, read again and typed whole."""
    with again() as stream:
        for index, (_, remit) in enumerate(read_835_remittances(stream)):
            if index == number:
                return remit
    raise InvalidInput("the file changed while it was being posted: post it again")


def _post_streamed(database: Database, read: Read835, file_name: str, *, actor: str, now: datetime.datetime,
                   organization_id: int | None, practice_ids: Collection[int] | None) -> RemittanceOutcome | None:
    """Post a new, balanced 835 whose claims are typed a round at a time from its kept bytes; None (nothing
    written) when it is not one: ``_post_read`` then says what it is."""
    if read.pcns is None:
        return None
    remit = remittance_of(read.data, ())  # header, PLB and balance; the claims are read from the kept bytes
    if remit.problems or file_problems(remit):
        return None
    payer_identifier, trace = _identity(remit)
    outcome = RemittanceOutcome(trace, payer_identifier, "posted", payment=remit.total)
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        practice, _ = _payee(uow, read.receiver, remit, organization_id, practice_ids)
        if practice is None:
            return None
        repo = uow.practice(practice.id)
        store = RemittanceStore(repo)
        if store.find(payer_identifier, trace, read.digest) is not None or \
                store.posted_payment(payer_identifier, trace) is not None:
            return None
        payer = payer_named(uow, practice.organization_id, remit.payer_id, remit.payer_name)
        if payer is None:
            return None
        row = _remittance_row(remit, payer_identifier, trace, read.digest, file_name, now, [], None)
        if not store.record(row):
            return None
        outcome.practice, outcome.remittance_id = practice.code, row.id
        repo.add(RemittanceContentRow(remittance_id=row.id, content=read.kept,
                                      received_by=f"{actor[:60]}|{current_origin().source[:39]}"))
        with _collection_paused():
            said = _post_kept_claims(store, row, read, payer.id, outcome)
            if said is None:
                return None  # the unit of work rolls back what was written
            uow.wait_for_writes()  # (the last round's writes, behind on PostgreSQL, flush the rows this changes)
            row.summary = summary(remit, said)
            _post_provider_adjustments(store, row, remit, read.digest, payer.id, outcome, now)
        uow.commit()
    return outcome


def _post_kept_claims(store: RemittanceStore, row: RemittanceRow, read: Read835, payer_id: int,
                      outcome: RemittanceOutcome) -> list[list[str]] | None:
    """The claim payments of a recorded remittance posted from its kept bytes, a round at a time, typed as each
    round comes; returns their ``claim_summaries`` (None when a claim breaks a rule of ``file_problems``, or the
    kept bytes read otherwise than the first time: nothing of it may be posted this way)."""
    assert read.pcns is not None
    ids_by_pcn, known = _known_claims(store, read.pcns)
    codes = denial_code_table()
    delimiters, claims = kept_claims(read.kept)
    said: list[list[str]] = []
    problems: list[str] = []
    seen: set[int] = set()
    start = 0
    ahead: _Round | None = None  # the next round, its claims read while the one before writes its last part
    while batch := list(itertools.islice(claims, CLAIMS_PER_ROUND)):
        payments = tuple(raw_claim_payment(claim, delimiters, problems) for claim in batch)
        hashes = {hash(payment) for payment in payments}  # the same claim payment twice: file_problems decides
        if problems or claim_problems(payments) or len(hashes) < len(payments) or not seen.isdisjoint(hashes) or \
                [p.patient_control_number for p in payments] != read.pcns[start:start + len(payments)]:
            return None
        seen |= hashes
        said += claim_summaries(payments)
        round_ = ahead or _Round(store, row, read.digest, payer_id, codes, outcome, known)
        round_.plan(payments, start, ids_by_pcn)
        start += len(payments)
        ahead = None
        if following := read.pcns[start:start + CLAIMS_PER_ROUND]:
            ahead = _Round(store, row, read.digest, payer_id, codes, outcome, known)
            ahead.load_ahead(following, ids_by_pcn, round_)
        round_.finish()
    return said if start == len(read.pcns) else None


def content_hash(transaction: TransactionSet) -> str:
    """What identifies an 835's content, whatever its envelope's control numbers (a set that is not whole, say
    cut before its SE, is other content than the whole set)."""
    digest = hashlib.sha256()
    for segment in transaction.segments:
        if segment.id not in ("ST", "SE"):
            digest.update("*".join(segment.elements).encode("utf-8"))
            digest.update(b"~")
    for defect in transaction.defects:
        digest.update(f"defect:{defect}~".encode())
    return digest.hexdigest()


def _identity(remit: Remittance) -> tuple[str, str]:
    """A payment's payer and trace number as stored (a longer one is a problem of ``file_problems``)."""
    return (remit.payer_id or remit.payer_name or "UNKNOWN")[:80], remit.trace_number.strip()[:50]


def _payee(uow: UnitOfWork, receiver: str, remit: Remittance, organization_id: int | None,
           practice_ids: Collection[int] | None) -> tuple[PracticeRow | None, str]:
    """The practice an 835 pays, within the billing company that received it, among the practices of the person
    posting (``practice_ids``; None: any); (None, why) when there is none."""
    if organization_id is None and receiver:
        organization_id = receiving_organization(uow, receiver)
    practice, why = payee_practice(uow, remit.payee_npi, organization_id)
    if practice is not None and practice_ids is not None and practice.id not in practice_ids:
        practice, why = None, (f"the payee NPI {remit.payee_npi} bills for a practice you do not work for; "
                               "nothing was recorded")
    return practice, why


def _remittance_row(remit: Remittance, payer_identifier: str, trace: str, digest: str, file_name: str,
                    now: datetime.datetime, problems: list[str], said: Summary | None) -> RemittanceRow:
    return RemittanceRow(
        payer_identifier=payer_identifier, trace_number=trace, trace_originator=remit.trace_originator[:50],
        trace_reference=remit.trace_reference[:50], content_hash=digest, payment_cents=remit.total.cents,
        payment_date=remit.paid_on, status="quarantined" if problems else "posted", problems=problems,
        file_name=file_name[:200], received_at=now, summary=said)


class _Collided(Exception):
    """Another transaction recorded this payment (or this content) a moment ago: look again."""


def post_remittance(database: Database, transaction: TransactionSet, file_name: str, *, actor: str,
                    now: datetime.datetime, organization_id: int | None = None,
                    practice_ids: Collection[int] | None = None) -> RemittanceOutcome:
    """Post one 835 transaction set once: a payment (payer and trace) already posted is not posted again; sent
    again with other content it is a conflict for a person; a set that is not whole or does not balance is
    quarantined.

    ``practice_ids``: the practices the person posting works for (None: any, for the CLI and sync); an 835 whose
    payee is another practice is not recorded ("no practice").
    """
    return _post_read(database, transaction.receiver, read_835(transaction), content_hash(transaction),
                      keep_transaction(transaction), file_name, actor=actor, now=now,
                      organization_id=organization_id, practice_ids=practice_ids)


def _post_read(database: Database, receiver: str, remit: Remittance, digest: str, kept: bytes, file_name: str, *,
               actor: str, now: datetime.datetime, organization_id: int | None = None,
               practice_ids: Collection[int] | None = None) -> RemittanceOutcome:
    """``post_remittance`` of a read 835: its file's receiver (ISA08/GS03), content hash and kept bytes."""
    for _ in range(3):  # after a collision the other poster has committed: the next look sees its row
        try:
            return _post_once(database, receiver, remit, digest, kept, file_name, actor=actor, now=now,
                              organization_id=organization_id, practice_ids=practice_ids)
        except _Collided:
            continue
    raise InvalidInput(f"{file_name}: remittance {remit.trace_number[:50]} was being recorded by other posts at the "
                       "same moment three times over; nothing of it was posted here: post the file again")


def _post_once(database: Database, receiver: str, remit: Remittance, digest: str, kept: bytes, file_name: str, *,
               actor: str, now: datetime.datetime, organization_id: int | None,
               practice_ids: Collection[int] | None = None) -> RemittanceOutcome:
    payer_identifier, trace = _identity(remit)
    outcome = RemittanceOutcome(trace or "(no trace number)", payer_identifier, "posted", payment=remit.total)
    problems = [*remit.problems, *file_problems(remit)]
    said = summary(remit)
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        practice, why = _payee(uow, receiver, remit, organization_id, practice_ids)
        if practice is None:
            outcome.status = "no practice"
            outcome.problems.append(why)
            return outcome
        repo = uow.practice(practice.id)
        store = RemittanceStore(repo)
        outcome.practice = practice.code
        existing = store.find(payer_identifier, trace, digest)
        if existing is not None:
            outcome.status = EARLIER[existing.status]
            outcome.problems = list(existing.problems) if existing.status != "posted" else []
            return outcome
        payer = payer_named(uow, practice.organization_id, remit.payer_id, remit.payer_name)
        if payer is None:
            problems.append(f"the payer {payer_identifier} (N1*PR {remit.payer_name or '(no name)'}, REF*2U "
                            f"{remit.payer_id or '(none)'}) is not one payer of the billing company: whose claims "
                            "it pays cannot be told; add the payer, or ask for a corrected 835")
        posted = None if problems else store.posted_payment(payer_identifier, trace)
        row = _remittance_row(remit, payer_identifier, trace, digest, file_name, now, problems, said)
        if posted is not None:
            row.status, row.conflicts_with_id = "conflict", posted.id
            row.problems = [f"the payment {trace} from {payer_identifier} was posted before (from "
                            f"{posted.file_name}); this file says otherwise:",
                            *(differences(posted.summary or {}, said)
                              or ["the same amounts, claims and dates in other bytes (envelope, production date)"])]
        if not store.record(row):
            raise _Collided
        outcome.remittance_id = row.id
        repo.add(RemittanceContentRow(remittance_id=row.id, content=kept,
                                      received_by=f"{actor[:60]}|{current_origin().source[:39]}"))
        if row.status != "posted":
            outcome.status = "quarantined" if row.status == "quarantined" else "conflict"
            outcome.problems = list(row.problems)
            repo.audit(f"remittance.{row.status}", "remittance", row.id, {"trace": trace, "problems": row.problems})
            uow.commit()
            return outcome
        assert payer is not None
        _post_recorded(store, row, remit, digest, payer.id, outcome, now)
        uow.commit()
    return outcome


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while a remittance is posted: posting makes millions of short-lived,
    acyclic values (freed by reference counting), and each collection they set off would walk every row and claim
    payment still held (a third of posting's CPU time). It runs again, as before, afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _post_recorded(store: RemittanceStore, row: RemittanceRow, remit: Remittance, digest: str, payer_id: int,
                   outcome: RemittanceOutcome, now: datetime.datetime) -> None:
    """Post a recorded remittance's claim payments and provider-level adjustments (in the caller's transaction)."""
    with _collection_paused():
        _post_claims_and_adjustments(store, row, remit, digest, payer_id, outcome, now)


def _post_claims_and_adjustments(store: RemittanceStore, row: RemittanceRow, remit: Remittance, digest: str,
                                 payer_id: int, outcome: RemittanceOutcome, now: datetime.datetime) -> None:
    payments = remit.claims
    ids_by_pcn, known = _known_claims(store, [p.patient_control_number for p in payments])
    codes = denial_code_table()
    for start in range(0, len(payments), CLAIMS_PER_ROUND):
        _Round(store, row, digest, payer_id, codes, outcome, known).post(payments[start:start + CLAIMS_PER_ROUND],
                                                                         start, ids_by_pcn)
    _post_provider_adjustments(store, row, remit, digest, payer_id, outcome, now)


def _known_claims(store: RemittanceStore, pcns: list[str]) -> tuple[dict[str, list[int]], _Known]:
    """Our claims by the patient control numbers an 835 names, and what posting knows of them, before any write.

    Every claim the 835 names is locked before any of their balances is read (in one order, so that two posters of
    the same claims wait for each other rather than deadlock); then their lines' balances and the payers' answers
    so far are read once: no round reads what an earlier one wrote."""
    store.repo.open_standard_chart()
    ids_by_pcn = store.claim_ids_by_pcn(pcns)
    named = [claim_id for ids in ids_by_pcn.values() for claim_id in ids]
    store.lock_claims(named)
    known = _Known(store.balances(store.charged_line_ids(named)), store.history(named), set(named))
    sums = store.account_sums(named)
    known.sums = {claim_id: sums.get(claim_id, Counter()) for claim_id in named}
    return ids_by_pcn, known


def _post_provider_adjustments(store: RemittanceStore, row: RemittanceRow, remit: Remittance, digest: str,
                               payer_id: int, outcome: RemittanceOutcome, now: datetime.datetime) -> None:
    """After its claim payments: the remittance's provider-level adjustments (PLB), and the audit event."""
    repo, trace = store.repo, row.trace_number
    day = remit.paid_on or now.date()
    plb = _provider_adjustments(store, remit, payer_id, trace, day, outcome)
    if len(plb) >= 2:
        repo.post_many([JournalEntry(day, f"provider-level adjustment {trace}", tuple(plb),
                                     idempotency_key=f"era:{digest[:24]}:plb", kind="plb")])
    repo.audit("remittance.posted", "remittance", row.id, {"trace": trace, "claims": outcome.claims_posted,
                                                           "unmatched": len(outcome.unmatched),
                                                           "overpaid": len(outcome.overpaid)})


# What a remittance recorded before means for the same content received again.
EARLIER = {"posted": "already posted", "quarantined": "quarantined before", "conflict": "conflict before"}


def _provider_adjustments(store: RemittanceStore, remit: Remittance, payer_id: int, trace: str,
                          day: datetime.date, outcome: RemittanceOutcome) -> list[Posting]:
    """The postings of the PLB adjustments: a recoupment (WO, 72) whose reference names a claim with an open
    overpayment of this payer takes it back from the payer credit balance; the rest is a provider-level
    adjustment against cash."""
    postings: list[Posting] = []
    for adjustment in remit.provider_adjustments:
        amount = adjustment.amount - _recoup(store, adjustment, payer_id, trace, day, postings, outcome)
        if amount.cents:
            postings += [Posting(PROVIDER_ADJUSTMENT, amount), Posting(CASH, -amount)]
    return net(postings)


def _recoup(store: RemittanceStore, adjustment: ProviderAdjustment, payer_id: int, trace: str,
            day: datetime.date, postings: list[Posting], outcome: RemittanceOutcome) -> Money:
    if adjustment.reason not in RECOUPMENT_REASONS or adjustment.amount.cents <= 0 or not adjustment.reference:
        return Money.zero()
    left = adjustment.amount
    for row in store.open_overpayments(payer_id, adjustment.reference):
        taken = recoupment(Money(row.open_cents), left)
        if not taken.cents:
            continue
        claim = store.repo.get(ClaimRow, row.claim_id)
        dims = {"patient_id": claim.patient_id, "payer_id": row.payer_id, "claim_id": claim.id}
        postings += [Posting(PAYER_CREDIT, taken, **dims), Posting(CASH, -taken, **dims)]
        row.open_cents -= taken.cents
        if row.open_cents == 0:
            row.status, row.resolution, row.resolved_on = "recouped", trace[:80], day
        left -= taken
        outcome.recouped += taken
    return adjustment.amount - left


@dataclass(slots=True)
class _Known:
    """What posting knows of the claims of a remittance, shared by its rounds and moved on as they plan: the
    balances of their charged lines, the payers' answers on them, and which claims' answers were read."""

    balances: dict[int, LineBalances] = field(default_factory=dict)  # charged line id -> its balances
    history: dict[HistoryKey, list[Answered]] = field(default_factory=dict)
    claims: set[int] = field(default_factory=set)
    # Claim id -> its balances by account code, read before anything was written and moved on by each entry this
    # remittance posts: a claim's status is settled from it, never by reading back what was just written.
    sums: dict[int, Counter[str]] | None = None

    def add(self, entries: list[JournalEntry]) -> None:
        """Entries planned for the claims: their amounts added to the claims' sums."""
        if self.sums is None:
            return
        for entry in entries:
            for posting in entry.postings:
                if posting.claim_id is not None and posting.claim_id in self.sums:
                    self.sums[posting.claim_id][posting.account_code] += posting.amount.cents


class _Round:
    """Some of a remittance's claim payments, posted in its transaction, then the rows read for them let go: a
    60,000-claim 835 is posted in rounds, in the memory of one round (and of what ``_Known`` holds per line). On
    PostgreSQL a round's writes run behind its planning (``UnitOfWork.write_behind``), ``WRITE_EVERY`` claim
    payments a part: the server inserts one part's postings while the next part is planned."""

    def __init__(self, store: RemittanceStore, remittance: RemittanceRow, digest: str, payer_id: int,
                 codes: DenialCodeTable, outcome: RemittanceOutcome, known: _Known | None = None) -> None:
        self.store, self.repo = store, store.repo
        self.remittance, self.digest, self.payer_id, self.codes, self.outcome = (
            remittance, digest, payer_id, codes, outcome)
        self.by_pcn: dict[str, list[ClaimRow]] = {}
        self.lines: dict[int, list[OurLine]] = {}
        self.known = known if known is not None else _Known()
        self.balances = self.known.balances  # charged line id -> its balances, moved on as we plan
        self.history = self.known.history
        self.entries: list[JournalEntry] = []
        self.adjudications: list[dict[str, Any]] = []
        self.overpayments: list[dict[str, Any]] = []
        self.touched: dict[int, ClaimRow] = {}
        self.payer_claim_numbers: dict[int, str] = {}  # claim id -> the payer's claim number (CLP07)
        self.loaded = False  # its claims read (``load``)

    def post(self, payments: tuple[ClaimPayment, ...], first_index: int, ids_by_pcn: dict[str, list[int]]) -> None:
        self.load([p.patient_control_number for p in payments], ids_by_pcn)
        self.plan(payments, first_index)
        self.finish()

    def load(self, pcns: list[str], ids_by_pcn: dict[str, list[int]]) -> None:
        """Read the claims of these patient control numbers (and their lines) for the round to post."""
        # Every claim the 835 names, locked before any of their balances is read (the first round locks them all,
        # in one order, so that two posters of the same claims wait for each other rather than deadlock).
        self.store.lock_claims([claim_id for ids in ids_by_pcn.values() for claim_id in ids])
        self._load([i for pcn in pcns for i in ids_by_pcn.get(pcn, [])])
        self.loaded = True

    def load_ahead(self, pcns: list[str], ids_by_pcn: dict[str, list[int]], before: _Round) -> None:
        """Read the next round's claims while the round ``before`` still has its last part to write (the writer is
        kept busy with it while this round is planned): unless the two share a claim, whose row the round before
        settles and lets go of (then they are read after, by ``plan``). Nothing the round before writes changes
        what is read here: the claims' rows and lines (posting never changes a line); their balances and the
        payers' answers were read before anything was written (``_Known``)."""
        named = {i for pcn in pcns for i in ids_by_pcn.get(pcn, [])}
        held = {claim.id for found in before.by_pcn.values() for claim in found} | before.touched.keys()
        if named.isdisjoint(held):
            self.load(pcns, ids_by_pcn)

    def plan(self, payments: tuple[ClaimPayment, ...], first_index: int,
             ids_by_pcn: dict[str, list[int]] | None = None) -> None:
        """Plan the round's claim payments (read first, unless read ahead). PostgreSQL: what is planned is written
        behind, a part at a time, while the next part is planned (the server inserts the postings of one part while
        this process plans the next; the same transaction); the last part waits for ``finish``."""
        if not self.loaded:
            self.load([p.patient_control_number for p in payments], ids_by_pcn or {})
        in_parts = self.repo.session.get_bind().dialect.name == "postgresql"
        with self.repo.session.no_autoflush:
            for offset, payment in enumerate(payments):
                self._post_claim(payment, first_index + offset)
                if in_parts and (offset + 1) % WRITE_EVERY == 0 and offset + 1 < len(payments):
                    self.repo.uow.write_behind(self._part(last=False))

    def finish(self) -> None:
        """Write the round's last part, which settles its claims' statuses; the next use of the session waits for
        it."""
        self.repo.uow.write_behind(self._part(last=True))

    def save(self) -> None:
        """Write what the round planned: adjudications, overpayments, entries, and the claims' new statuses."""
        self._part(last=True)()

    def _part(self, *, last: bool) -> Callable[[], None]:
        """The writes of what was planned since the part before, taken off the round (and added to the claims'
        sums); the last part also settles the statuses of the claims the round posted and lets go of its rows."""
        self.repo.uow.wait_for_writes()  # the part before, whose settling reads the sums, is written
        entries, adjudications, overpayments = self.entries, self.adjudications, self.overpayments
        self.entries, self.adjudications, self.overpayments = [], [], []
        self.known.add(entries)
        if not last:
            return partial(self._write, entries, adjudications, overpayments, None, [])
        touched = list(self.touched.values())
        loaded = [claim for found in self.by_pcn.values() for claim in found] + touched
        return partial(self._write, entries, adjudications, overpayments, touched, loaded)

    def _write(self, entries: list[JournalEntry], adjudications: list[dict[str, Any]],
               overpayments: list[dict[str, Any]], settled: list[ClaimRow] | None, loaded: list[ClaimRow]) -> None:
        self.repo.insert_rows(LineAdjudicationRow, adjudications)
        self.repo.insert_rows(OverpaymentRow, overpayments)
        self.repo.post_many(entries, keys_are_new=True)  # era:{content hash}:... keys of a new remittance
        if settled is None:
            return
        _settle_statuses(self.store, settled, self.payer_claim_numbers, self.known.sums)
        self.repo.flush()
        for claim in loaded:
            if claim in self.repo.session:
                self.repo.session.expunge(claim)

    def _load(self, claim_ids: list[int]) -> None:
        """The claims, their lines, the lines' balances and the payers' answers on them, in a few queries."""
        for claim in self.store.claims(claim_ids):
            self.by_pcn.setdefault(claim.patient_control_number, []).append(claim)
        self._load_lines([c.id for found in self.by_pcn.values() for c in found])

    def _load_lines(self, claim_ids: list[int]) -> None:
        loaded = self.store.lines(claim_ids)
        for claim_id, line in loaded:
            self.lines.setdefault(claim_id, []).append(line)
        fresh = sorted({line.charged_line_id for _, line in loaded} - self.balances.keys())
        self.balances.update(self.store.balances(fresh))  # a line known already keeps what this file did to it
        unread = [claim_id for claim_id in claim_ids if claim_id not in self.known.claims]
        for key, answers in self.store.history(unread).items():
            self.history.setdefault(key, answers)
        self.known.claims.update(unread)

    def _lines_of(self, claim: ClaimRow) -> list[OurLine]:
        if claim.id not in self.lines:
            self.lines[claim.id] = []
            self._load_lines([claim.id])
        return self.lines[claim.id]

    def _post_claim(self, payment: ClaimPayment, index: int) -> None:
        pcn, icn = payment.patient_control_number, payment.payer_claim_number or None
        row = self._match_claim(pcn, icn)
        lines = self._lines_of(row) if row else []
        claim = our_claim(row, lines) if row else None
        matched = match_lines(payment, claim.lines, claim.patient_control_number) if claim else None
        if row is None or claim is None or matched is None:
            self._hold(payment, index, "no claim with this patient control number or payer claim number"
                       if row is None else "its service lines do not match the claim's lines")
            return
        why = held_reason(payment, answered_before=answered_before(
            claim, self.payer_id, self.balances, self.history, claim_level=not payment.lines))
        if why is not None:
            self._hold(payment, index, why)
            return
        replaced = settled_elsewhere(claim, matched, self.payer_id, self.balances, self.history) and \
            bool(self.store.corrected_claims_of([row]))
        plan = plan_claim_payment(payment, claim, matched, self.payer_id, balances=self.balances,
                                  history=self.history, transferred=self.store.transferred(row), codes=self.codes,
                                  remittance_id=self.remittance.id, replaced=replaced)
        day = self.remittance.payment_date or self.repo.uow.clock().date()
        self._save_plan(plan, payment, row, index, day)

    def post_matched(self, payment: ClaimPayment, index: int, row: ClaimRow, line_numbers: list[int] | None) -> str:
        """Plan a held claim payment on the claim a person chose (and, given, the claim line for each of its service
        lines, in order), by the same rules as a matched one; returns the claim lines it went to.

        Raises InvalidInput saying why when it cannot be posted there (the lines do not fit, or the payment
        would be held again: a reversal of nothing, a negative payment)."""
        self._load([row.id])
        claim = our_claim(row, self._lines_of(row))
        by_number = {line.line_number: line for line in claim.lines}
        if line_numbers:
            if len(line_numbers) != len(payment.lines):
                raise InvalidInput(f"the payment has {len(payment.lines)} service line(s); choose a claim line "
                                   f"for each ({len(line_numbers)} chosen)")
            unknown = [n for n in line_numbers if n not in by_number]
            if unknown:
                raise InvalidInput(f"claim {row.patient_control_number} has no line {unknown[0]} (its lines: "
                                   f"{', '.join(str(n) for n in sorted(by_number))})")
            if len(set(line_numbers)) != len(line_numbers):
                raise InvalidInput("two service lines of the payment were given the same claim line; each claim "
                                   "line takes one service line")
            matched: list[OurLine] | None = [by_number[n] for n in line_numbers]
            for number, (service, line) in enumerate(zip(payment.lines, matched or [], strict=True), start=1):
                if abs(service.charge.cents) != line.charge.cents:
                    raise InvalidInput(f"service line {number} ({service.code}) answers a charge of "
                                       f"{Money(abs(service.charge.cents))}; claim line {line.line_number} "
                                       f"({line.code}) is charged {line.charge}: choose the line billed at that "
                                       "charge")
        else:
            matched = match_lines(payment, claim.lines, claim.patient_control_number)
            if matched is None:
                raise InvalidInput(f"the payment's service lines do not match claim {row.patient_control_number}'s "
                                   "lines by code or charge: choose the claim line for each service line")
        assert matched is not None
        why = held_reason(payment, answered_before=answered_before(
            claim, self.payer_id, self.balances, self.history, claim_level=not payment.lines))
        if why is not None:
            raise InvalidInput(f"this payment cannot be posted to claim {row.patient_control_number}: {why}")
        plan = plan_claim_payment(payment, claim, matched, self.payer_id, balances=self.balances,
                                  history=self.history, transferred=self.store.transferred(row), codes=self.codes,
                                  remittance_id=self.remittance.id)
        day = self.remittance.payment_date or self.repo.uow.clock().date()
        self._save_plan(plan, payment, row, index, day)
        return ", ".join(f"{service.code} to line {line.line_number}" for service, line in
                         zip(payment.lines, matched, strict=True)) or "the whole claim (no service lines)"

    def _hold(self, payment: ClaimPayment, index: int, why: str) -> None:
        """A claim payment for a person (the unmatched queue, with the reason); its cash is recorded, unapplied."""
        pcn, icn = payment.patient_control_number, payment.payer_claim_number or None
        self.repo.add(UnmatchedRemittanceRow(
            remittance_id=self.remittance.id, patient_control_number=pcn, payer_claim_number=icn,
            paid_cents=payment.paid.cents, reason=why, detail={"claim": _claim_detail(payment), "index": index}))
        self.outcome.unmatched.append(f"{pcn}: {why}")
        if payment.paid.cents:
            day = self.remittance.payment_date or self.repo.uow.clock().date()
            cash = (Posting(CASH, payment.paid, payer_id=self.payer_id),
                    Posting(UNAPPLIED_INSURANCE, -payment.paid, payer_id=self.payer_id))
            self.entries.append(JournalEntry(day, f"835 {self.remittance.trace_number}: claim {pcn} held: {why}"[:500],
                                             cash, idempotency_key=f"era:{self.digest[:24]}:{index}:held",
                                             kind="unapplied"))
            self.outcome.unapplied += payment.paid

    def _save_plan(self, plan: ClaimPlan, payment: ClaimPayment, row: ClaimRow, index: int,
                   day: datetime.date) -> None:
        pcn, status, key = row.patient_control_number, payment.status_code, f"era:{self.digest[:24]}:{index}"
        trace = self.remittance.trace_number
        self.balances.update(plan.balances)
        for history_key, answered in plan.answers:
            self.history.setdefault(history_key, []).append(answered)
        if plan.overpaid_amount.cents > 0:
            self.entries.append(JournalEntry(day, f"835 {trace}: claim {pcn} paid again: refund due to the payer",
                                             plan.overpaid, idempotency_key=f"{key}:again", kind="overpayment"))
            self.overpayments.append(dict(
                claim_id=row.id, payer_id=self.payer_id, remittance_id=self.remittance.id,
                original_remittance_id=plan.original_remittance_id,
                payer_claim_number=payment.payer_claim_number or None,
                amount_cents=plan.overpaid_amount.cents, open_cents=plan.overpaid_amount.cents, status="open",
                resolution=None, resolved_on=None, created_at=self.repo.uow.clock()))
            self.outcome.overpaid.append(pcn)
        if plan.repeat:
            return  # every line (or the whole claim, for a claim-level payment) was answered before: nothing new
        self.adjudications += [dict(
            claim_id=row.id, claim_line_id=line.charged_line_id, remittance_id=self.remittance.id,
            payer_id=self.payer_id, status_code=status, payer_claim_number=payment.payer_claim_number or None,
            code=service.code or line.code, modifiers=list(service.modifiers), units=int(service.units),
            paid_cents=service.paid.cents, allowed_cents=service.allowed.cents if service.allowed else None,
            adjustments=[{"group": a.group, "reason": a.reason, "cents": a.amount.cents} for a in service.adjustments],
            remarks=list(service.remarks), adjudicated_on=day) for service, line in plan.adjudicated]
        if plan.postings:
            self.entries.append(JournalEntry(day, f"835 {trace}: claim {pcn} ({status})", plan.postings,
                                             idempotency_key=key, kind="remittance"))
        if payment.payer_claim_number and status != REVERSAL:
            self.payer_claim_numbers[row.id] = payment.payer_claim_number
        if status in CROSSOVER:
            self.outcome.crossovers.append(pcn)
        if status == DENIED:
            self.outcome.denied.append(pcn)
        self.outcome.claims_posted += 1
        self.outcome.paid += payment.paid - plan.overpaid_amount
        self.touched[row.id] = row

    def _match_claim(self, pcn: str, icn: str | None) -> ClaimRow | None:
        """Our claim by CLP01, else by the payer's claim number. When the payer is the claim's next payer (a
        secondary paying on a crossover echoes the primary's CLP01), the secondary claim: opened now if the
        primary forwarded the claim and it is not open yet."""
        found = self.by_pcn.get(pcn, [])
        if not found and icn:
            found = self.store.claims_by_payer_claim_number(icn)
        if len(found) != 1:
            return None
        claim = found[0]
        if claim.payer_id in (self.payer_id, None):
            return claim
        secondary = self.store.secondary_claim(claim, self.payer_id)
        if secondary is not None:
            return secondary
        if not self.store.was_forwarded(claim):
            return None
        if self.known.sums is not None:  # opening it moves the primary's patient share: its sums are read again
            self.known.sums.pop(claim.id, None)
        return open_secondary_claim(self.repo, claim, crossover=True)


def _claim_detail(payment: ClaimPayment) -> dict[str, Any]:
    """What the unmatched queue keeps of a claim payment (for the person who matches it)."""
    return {"patient_control_number": payment.patient_control_number, "status_code": payment.status_code,
            "charge": str(payment.charge), "paid": str(payment.paid),
            "patient_responsibility": str(payment.patient_responsibility),
            "payer_claim_control_number": payment.payer_claim_number, "filing_indicator": payment.filing_indicator,
            "patient": {"last_name": payment.patient_last, "first_name": payment.patient_first,
                        "identifier": payment.member_id},
            "lines": len(payment.lines)}


def _settle_statuses(store: RemittanceStore, claims: list[ClaimRow], payer_claim_numbers: dict[int, str],
                     known: dict[int, Counter[str]] | None = None) -> None:
    """Each claim's status from its balances (``core.posting.settled_status``), with the claims it replaces.

    ``known``: the balances of claims as this remittance moved them (``_Known.sums``); when every claim settled
    here is among them and none replaces or is replaced by another, they decide, and nothing is read back."""
    # A corrected claim settles with the original it replaces, whichever of the two this remittance named (the
    # payer may send its reversal of the original after its decision on the corrected claim).
    named = {claim.id for claim in claims}
    corrected = store.corrected_claims_of(claims)
    if known is not None and not corrected and all(
            claim.id in known and not (claim.frequency_code == "7" and claim.original_claim_id) for claim in claims):
        move_claims(store.repo, [(claim, settled_status(ClaimStatus(claim.status), known[claim.id],
                                                        Money(claim.total_charge_cents), replaced=False))
                                 for claim in claims], "835 posted", payer_claim_numbers)
        return
    claims = claims + [claim for claim in corrected if claim.id not in named]
    fresh = set(store.lock_claims([claim.id for claim in claims]))
    for claim in [claim for claim in claims if claim.id in fresh]:  # not named by CLP01 (corrected, secondary)
        store.repo.session.refresh(claim)  # its status as the lock found it
    sums, replaced = store.settlement_sums(claims)
    moves = [(claim, settled_status(ClaimStatus(claim.status), sums[claim.id], Money(claim.total_charge_cents),
                                    replaced=claim.id in replaced)) for claim in claims]
    move_claims(store.repo, moves, "835 posted", payer_claim_numbers)


def replaced_chain(repo: PracticeRepository, claim: ClaimRow) -> list[int]:
    """The claim and the claims it replaces (corrected claims, frequency 7), newest first."""
    return RemittanceStore(repo).replaced_chains([claim])[claim.id]


def unmatched_queue(database: Database, practice_ids: Collection[int] | None = None) -> list[dict[str, str]]:
    """The claim payments no claim of ours could take (of these practices; None: all), oldest first, with the
    remittance they came in."""
    with UnitOfWork(database, actor="unmatched") as uow:
        return [{"id": str(item.id), "practice": practice, "claim": item.patient_control_number,
                 "payer_claim_number": item.payer_claim_number or "", "paid": str(Money(item.paid_cents)),
                 "reason": item.reason, "payer": remittance.payer_identifier, "trace": remittance.trace_number,
                 "file": remittance.file_name, "received_on": remittance.received_at.date().isoformat()}
                for practice, item, remittance in unmatched_rows(uow, practice_ids)]


def remittance_problems(database: Database) -> list[dict[str, Any]]:
    """The 835s not posted and not yet resolved: conflicts (a payment posted before, sent again with other content)
    and quarantined sets, oldest first, with what is wrong."""
    with UnitOfWork(database, actor="remittance-problems") as uow:
        return [{"practice": practice, "status": row.status, "trace": row.trace_number, "payer": row.payer_identifier,
                 "payment": str(Money(row.payment_cents)), "file": row.file_name,
                 "received_at": row.received_at.isoformat(), "problems": list(row.problems)}
                for practice, row in unresolved_remittances(uow)]


def organization_named(database: Database, name: str) -> int:
    """The billing company of this name (for ``era post --organization``)."""
    with UnitOfWork(database, actor="era") as uow:
        found = uow.find_organization(name)
        if found is None:
            raise NotFound(f"no billing company is named {name!r}; there are: "
                           f"{', '.join(uow.organization_names()) or 'none'}")
        return found.id


def _came(received_by: str | None) -> str:
    """How a remittance came in, in words, from who recorded it and through what (``actor|source``)."""
    if received_by is None:
        return ""
    actor, _, source = received_by.partition("|")
    if actor == "sync" or "clearinghouse" in source:
        return "clearinghouse sync"
    if source.startswith("POST /payments/post"):
        return f"paper EOB entered by {actor}"
    if source.startswith("POST "):
        return f"uploaded by {actor}"
    return f"command line ({actor})" if source.startswith("cli") else actor


def remittances_of(database: Database, practice_ids: Collection[int], *, actor: str,
                   limit: int = 100) -> list[dict[str, str]]:
    """The latest 835s received for these practices (newest first), audited as read."""
    if not practice_ids:
        return []
    with UnitOfWork(database, actor=actor) as uow:
        recent = recent_remittances(uow, practice_ids, limit)
        brought = dict(uow.session.execute(select(RemittanceContentRow.remittance_id, RemittanceContentRow.received_by)
                                           .where(RemittanceContentRow.remittance_id.in_([r.id for _, r in recent]))
                                           ).all())
        found = [{"id": str(row.id), "practice": practice, "trace": row.trace_number, "payer": row.payer_identifier,
                  "payment": str(Money(row.payment_cents)),
                  "paid_on": row.payment_date.isoformat() if row.payment_date else "", "status": row.status,
                  "file": row.file_name, "came": _came(brought.get(row.id))} for practice, row in recent]
        uow.audit_practices("remittance.list", "remittance", practice_ids,
                            detail={"traces": [item["trace"] for item in found]})
        uow.commit()
        return found


# The poster's workspace: a held claim payment matched by hand, a quarantined 835 posted once resolved. -------------


@dataclass(frozen=True, slots=True)
class Matched:
    claim_number: str
    lines: str  # which service line went to which claim line
    paid: Money
    status: str  # the claim's status after posting


def _kept(uow: UnitOfWork, remittance: RemittanceRow) -> TransactionSet:
    content = uow.session.scalars(select(RemittanceContentRow.content).where(
        RemittanceContentRow.practice_id == remittance.practice_id,
        RemittanceContentRow.remittance_id == remittance.id)).first()
    if content is None:
        raise InvalidInput(f"remittance {remittance.trace_number} was received before dermbill kept the 835 it came "
                           "from: it cannot be read again here; post the file again from the command line")
    return kept_transaction(content)


def _held_payment(remit: Remittance, item: UnmatchedRemittanceRow) -> tuple[int, ClaimPayment]:
    """The claim payment of the remittance that was held as ``item`` (by its place in the 835)."""
    index = item.detail.get("index")
    if isinstance(index, int) and 0 <= index < len(remit.claims):
        return index, remit.claims[index]
    for at, payment in enumerate(remit.claims):  # held before its place was kept: by what it says
        if (payment.patient_control_number == item.patient_control_number
                and (payment.payer_claim_number or None) == item.payer_claim_number
                and payment.paid.cents == item.paid_cents):
            return at, payment
    raise NotFound(f"the claim payment {item.patient_control_number} is not in remittance {item.remittance_id}")


def held_claim_payment(database: Database, practice_ids: Collection[int], unmatched_id: int, *,
                       actor: str) -> tuple[UnmatchedRemittanceRow, RemittanceRow, ClaimPayment]:
    """A held claim payment of these practices, with its remittance and what the 835 says of it (audited read)."""
    with UnitOfWork(database, actor=actor) as uow:
        item, remittance = _unmatched(uow, practice_ids, unmatched_id)
        _, payment = _held_payment(read_835(_kept(uow, remittance)), item)
        uow.practice(item.practice_id).audit("unmatched.viewed", "unmatched_remittance", item.id,
                                             {"claim": item.patient_control_number})
        uow.commit()
        uow.session.expunge_all()
        return item, remittance, payment


def _unmatched(uow: UnitOfWork, practice_ids: Collection[int],
               unmatched_id: int) -> tuple[UnmatchedRemittanceRow, RemittanceRow]:
    found = uow.session.execute(
        select(UnmatchedRemittanceRow, RemittanceRow)
        .join(RemittanceRow, RemittanceRow.id == UnmatchedRemittanceRow.remittance_id)
        .where(UnmatchedRemittanceRow.id == unmatched_id,
               UnmatchedRemittanceRow.practice_id.in_(sorted(practice_ids)))).first()
    if found is None:
        raise NotFound(f"no held claim payment {unmatched_id} among your practices' remittances")
    return found[0], found[1]


def match_held_payment(database: Database, practice_ids: Collection[int], unmatched_id: int, claim_number: str,
                       line_numbers: list[int] | None = None, *, actor: str,
                       now: datetime.datetime | None = None) -> Matched:
    """Post a held claim payment to the claim a person chose (the same practice's), by the same ledger rules as an
    835 claim payment that matched: its cash moves from unapplied insurance (2160) to the claim's lines. Exactly
    once: the payment's journal entry key is the one its 835 would have given it. Audited: who, when, which
    payment of which remittance to which claim and lines."""
    moment = now or utc_now()
    number = claim_number.strip()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        item, remittance = _unmatched(uow, practice_ids, unmatched_id)
        if not number:
            raise InvalidInput("choose the claim to post this payment to (search by claim number or patient)")
        if item.resolved:
            raise InvalidTransition(f"this claim payment was matched already "
                                    f"({item.detail.get('matched', {}).get('claim', 'to a claim')}); nothing to do")
        remit = read_835(_kept(uow, remittance))
        index, payment = _held_payment(remit, item)
        repo = uow.practice(item.practice_id)
        store = RemittanceStore(repo)
        rows = repo.rows(ClaimRow, ClaimRow.patient_control_number == number)
        if not rows:
            raise NotFound(f"no claim {number[:40]} in practice {repo.practice.code} (the remittance's practice)")
        row = rows[0]
        payer = payer_named(uow, repo.practice.organization_id, remit.payer_id, remit.payer_name)
        if payer is None:
            raise InvalidInput(f"the payer {remittance.payer_identifier} of this remittance is no longer one of the "
                               "billing company's payers")
        if row.payer_id not in (payer.id, None):
            raise InvalidInput(f"claim {number} is billed to another payer than {remittance.payer_identifier}, "
                               "which sent this payment; choose that payer's claim (a secondary claim has its own "
                               "number)")
        store.lock_claims([row.id])
        repo.open_standard_chart()
        outcome = RemittanceOutcome(remittance.trace_number, remittance.payer_identifier, "posted")
        round_ = _Round(store, remittance, remittance.content_hash, payer.id, denial_code_table(), outcome)
        with repo.session.no_autoflush:
            lines = round_.post_matched(payment, index, row, line_numbers)
        if item.paid_cents:
            paid = Money(item.paid_cents)
            day = remittance.payment_date or moment.date()
            round_.entries.append(JournalEntry(
                day, f"835 {remittance.trace_number}: claim payment {item.patient_control_number} matched by "
                     f"{actor[:60]} to claim {number}"[:500],
                (Posting(UNAPPLIED_INSURANCE, paid, payer_id=payer.id), Posting(CASH, -paid, payer_id=payer.id)),
                idempotency_key=f"era:{remittance.content_hash[:24]}:{index}:matched", kind="unapplied"))
        round_.save()
        item.resolved = True
        item.detail = {**item.detail, "matched": {"claim": number, "lines": lines, "by": actor,
                                                  "at": moment.isoformat()}}
        repo.audit("unmatched.matched", "unmatched_remittance", item.id, {
            "remittance": remittance.trace_number, "payment": item.patient_control_number, "claim": number,
            "lines": lines, "paid": str(Money(item.paid_cents))})
        repo.flush()
        status = repo.get(ClaimRow, row.id).status
        uow.commit()
    return Matched(number, lines, Money(item.paid_cents), status)


def release_remittance(database: Database, practice_ids: Collection[int], remittance_id: int, *, actor: str,
                       now: datetime.datetime | None = None) -> RemittanceOutcome:
    """Post a quarantined 835 once its cause is resolved (the payer added, say): read again from the 835 kept,
    checked again as when it came; still wrong, it stays held and the problems are said (InvalidInput)."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        row = _remittance(uow, practice_ids, remittance_id)
        if row.status != "quarantined" or row.resolved:
            raise InvalidTransition(f"remittance {row.trace_number} is {'closed' if row.resolved else row.status}: "
                                    "only a quarantined 835 not yet closed can be released")
        remit = read_835(_kept(uow, row))
        repo = uow.practice(row.practice_id)
        store = RemittanceStore(repo)
        problems = [*remit.problems, *file_problems(remit)]
        payer = payer_named(uow, repo.practice.organization_id, remit.payer_id, remit.payer_name)
        if payer is None:
            problems.append(f"the payer {row.payer_identifier} is still not one of the billing company's payers")
        if problems:
            raise InvalidInput("the 835 is still held: " + "; ".join(problems))
        assert payer is not None
        posted = store.posted_payment(row.payer_identifier, row.trace_number)
        if posted is not None:
            raise InvalidTransition(f"the payment {row.trace_number} was posted since, from {posted.file_name}; "
                                    "close this copy as resolved instead")
        before = list(row.problems)
        row.status, row.problems = "posted", []
        repo.flush()
        outcome = RemittanceOutcome(row.trace_number, row.payer_identifier, "posted", repo.practice.code,
                                    Money(row.payment_cents), remittance_id=row.id)
        _post_recorded(store, row, remit, row.content_hash, payer.id, outcome, moment)
        repo.audit("remittance.released", "remittance", row.id, {"trace": row.trace_number, "was": before})
        uow.commit()
    return outcome


def close_remittance(database: Database, practice_ids: Collection[int], remittance_id: int, note: str, *,
                     actor: str, now: datetime.datetime | None = None) -> None:
    """Close a quarantined or conflicting 835 without posting it (the payer sent a corrected one, say): it leaves
    the quarantine with the person's note, audited."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        row = _remittance(uow, practice_ids, remittance_id)
        if not note.strip():
            raise InvalidInput("say how it was resolved (e.g. 'the payer sent a corrected 835, trace ...')")
        if row.status == "posted" or row.resolved:
            raise InvalidTransition(f"remittance {row.trace_number} is {'closed' if row.resolved else 'posted'}: "
                                    "there is nothing to close")
        row.resolved = True
        uow.practice(row.practice_id).audit("remittance.closed", "remittance", row.id,
                                            {"trace": row.trace_number, "note": note.strip()[:500],
                                             "problems": list(row.problems)})
        uow.commit()


def _remittance(uow: UnitOfWork, practice_ids: Collection[int], remittance_id: int) -> RemittanceRow:
    row = uow.session.scalars(select(RemittanceRow).where(
        RemittanceRow.id == remittance_id, RemittanceRow.practice_id.in_(sorted(practice_ids)))).first()
    if row is None:
        raise NotFound(f"no remittance {remittance_id} among your practices' remittances")
    return row
