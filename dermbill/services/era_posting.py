"""Posting 835 remittances to the ledger: matched claim by claim and line by line, exactly once.

- The same 835 transaction (practice, payer, TRN trace number and a hash of its content) is recorded
  once; the row is inserted first, in the same database transaction as every posting, so a second post,
  or a concurrent one, collides on the unique constraint and posts nothing. A failure midway rolls
  everything back.
- An 835 that does not balance is quarantined: recorded with its problems, nothing posted.
- Claims match by our patient control number (CLP01), then by the payer's claim number (CLP07); lines by
  code and modifiers, then code, then charge. A claim that cannot be matched whole goes to the
  unmatched queue, never to a guess.
- Each claim payment is one balanced entry: cash for the paid amount; each adjustment where its CARC's
  category in the denial code table says (``core.posting.adjustment_account``): contractual under CO to
  4100, the patient's share (PR) to the patient's balance, denials to 1150 (denied, being worked), other
  non-denials under OA/PI to 4200. Reversals (CLP02=22) carry negative amounts and so undo the earlier
  posting.
- A claim payment for lines the same payer has already settled (the same answer again under a new trace
  number, or a second payment) is not applied to A/R again: its cash goes to the payer credit balance (2150,
  refund due to the payer) and to the overpayment queue; it makes no new line adjudication (so no new denial
  work item). No line balance goes below zero: a reversal of a share the patient had paid leaves a patient
  credit (2100).
- Provider-level adjustments (PLB) post against cash; a recoupment (WO, 72) naming a claim with an open
  overpayment takes it back from the payer credit balance.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import (
    CASH,
    CONTRACTUAL,
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    PAYER_CREDIT,
    PROVIDER_ADJUSTMENT,
    JournalEntry,
    Posting,
)
from dermbill.core.money import Money, allocate
from dermbill.core.posting import (
    RECOUPMENT_REASONS,
    LineAnswer,
    LineBalances,
    adjustment_account,
    guard_line,
    is_settled,
    live_answers,
    net,
    recoupment,
)
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
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
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services.claim_lifecycle import move_claims
from dermbill.services.secondary_claims import open_secondary_claim
from dermbill.x12.remittance_835 import read_835_json
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import TransactionSet, transaction_sets

Json = dict[str, Any]


@dataclass(slots=True)
class RemittanceOutcome:
    trace_number: str
    payer: str
    status: str  # posted, already posted, quarantined, no practice
    practice: str = ""
    payment: Money = field(default_factory=Money.zero)
    claims_posted: int = 0
    paid: Money = field(default_factory=Money.zero)
    denied: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    crossovers: list[str] = field(default_factory=list)
    overpaid: list[str] = field(default_factory=list)  # claims paid again: in the overpayment queue
    recouped: Money = field(default_factory=Money.zero)  # overpayments the payer took back (PLB WO/72)
    problems: list[str] = field(default_factory=list)


def post_era_file(database: Database, path: Path, *, actor: str = "era",
                  now: datetime.datetime | None = None) -> list[RemittanceOutcome]:
    """Post every 835 transaction set of a file; returns what happened to each."""
    outcomes = []
    for transaction in transaction_sets(read_file(path)):
        if transaction.type == "835":
            outcomes.append(post_remittance(database, transaction, path.name, actor=actor, now=now or utc_now()))
    if not outcomes:
        raise InvalidInput(f"{path.name} holds no 835 remittance")
    return outcomes


def content_hash(transaction: TransactionSet) -> str:
    """What identifies an 835's content, whatever its envelope's control numbers."""
    digest = hashlib.sha256()
    for segment in transaction.segments:
        if segment.id not in ("ST", "SE"):
            digest.update("*".join(segment.elements).encode("utf-8"))
            digest.update(b"~")
    return digest.hexdigest()


def post_remittance(database: Database, transaction: TransactionSet, file_name: str, *, actor: str,
                    now: datetime.datetime) -> RemittanceOutcome:
    remit = read_835_json(transaction)
    payer_id = remit["payer"].get("identifier") or remit["payer"].get("name") or "UNKNOWN"
    trace = remit["payment"].get("trace_number") or transaction.control_number
    outcome = RemittanceOutcome(trace, payer_id, "posted", payment=Money.parse(remit["payment"].get("amount") or "0"))
    digest = content_hash(transaction)
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        npi = remit["payee"].get("npi")
        practice = uow.session.scalars(select(PracticeRow).where(PracticeRow.billing_npi == npi)).first()
        if practice is None:
            outcome.status = "no practice"
            outcome.problems.append(f"no practice bills with the payee NPI {npi or '(none given)'}")
            return outcome
        repo = uow.practice(practice.id)
        outcome.practice = practice.code
        existing = repo.rows(RemittanceRow, RemittanceRow.payer_identifier == payer_id,
                             RemittanceRow.trace_number == trace, RemittanceRow.content_hash == digest)
        if existing:
            outcome.status = "already posted" if existing[0].status == "posted" else "quarantined before"
            return outcome
        balanced = remit["balance"]["balanced"]
        row = RemittanceRow(
            payer_identifier=payer_id, trace_number=trace, content_hash=digest,
            payment_cents=outcome.payment.cents,
            payment_date=_date(remit["payment"].get("date")), status="posted" if balanced else "quarantined",
            problems=list(remit["balance"]["problems"]), file_name=file_name, received_at=now,
        )
        if not _claim_remittance(repo, row):
            outcome.status = "already posted"  # another process posted it a moment ago
            return outcome
        if not balanced:
            outcome.status = "quarantined"
            outcome.problems = list(remit["balance"]["problems"])
            repo.audit("remittance.quarantined", "remittance", row.id, {"trace": trace, "problems": outcome.problems})
            uow.commit()
            return outcome
        repo.open_standard_chart()
        payer = uow.session.scalars(select(PayerRow).where(PayerRow.organization_id == practice.organization_id,
                                                           PayerRow.payer_identifier == payer_id)).first()
        payments = remit["claims"]
        ids_by_pcn = _claim_ids(repo, payments)  # looked up before anything is written: the plans stay good
        for start in range(0, len(payments), CLAIMS_PER_ROUND):
            _post_round(repo, row, payments[start:start + CLAIMS_PER_ROUND], start, digest,
                        payer.id if payer else None, outcome, ids_by_pcn)
        day = _date(remit["payment"].get("date")) or now.date()
        plb_entries = []
        for index, plb in enumerate(remit["provider_adjustments"]):
            postings = _provider_adjustment(repo, plb, payer.id if payer else None, trace, day, outcome)
            if postings:
                plb_entries.append(JournalEntry(day, f"provider-level adjustment {trace}", tuple(postings),
                                                idempotency_key=f"era:{digest[:24]}:plb:{index}", kind="plb"))
        repo.post_many(plb_entries)
        repo.audit("remittance.posted", "remittance", row.id, {"trace": trace, "claims": outcome.claims_posted,
                                                               "unmatched": len(outcome.unmatched)})
        uow.commit()
    return outcome


CLAIMS_PER_ROUND = 2000


def _provider_adjustment(repo: PracticeRepository, plb: Json, payer_id: int | None, trace: str,
                         day: datetime.date, outcome: RemittanceOutcome) -> list[Posting]:
    """The postings of one PLB segment: a recoupment (WO, 72) whose reference names a claim with an open
    overpayment of this payer takes it back from the payer credit balance; the rest is a provider-level
    adjustment against cash."""
    postings: list[Posting] = []
    for adjustment in plb["adjustments"]:
        amount = Money.parse(adjustment["amount"]) if adjustment["amount"] else Money.zero()
        if adjustment["reason"] in RECOUPMENT_REASONS and amount.cents > 0 and adjustment["reference"]:
            for row in _open_overpayments(repo, payer_id, adjustment["reference"]):
                taken = recoupment(Money(row.open_cents), amount)
                if not taken.cents:
                    continue
                claim = repo.get(ClaimRow, row.claim_id)
                dims = {"patient_id": claim.patient_id, "payer_id": row.payer_id, "claim_id": claim.id}
                postings += [Posting(PAYER_CREDIT, taken, **dims), Posting(CASH, -taken, **dims)]
                row.open_cents -= taken.cents
                if row.open_cents == 0:
                    row.status, row.resolution, row.resolved_on = "recouped", trace[:80], day
                amount -= taken
                outcome.recouped += taken
        if amount.cents:
            postings += [Posting(PROVIDER_ADJUSTMENT, amount), Posting(CASH, -amount)]
    postings = net(postings)
    return postings if len(postings) >= 2 else []


def _open_overpayments(repo: PracticeRepository, payer_id: int | None, reference: str) -> list[OverpaymentRow]:
    """This payer's open overpayments on the claim a PLB reference names (the payer's claim number, or ours)."""
    by_pcn = [c.id for c in repo.rows(ClaimRow, ClaimRow.patient_control_number == reference)]
    rows = repo.rows(OverpaymentRow, OverpaymentRow.status == "open", OverpaymentRow.payer_id == payer_id,
                     order_by=OverpaymentRow.id)
    return [row for row in rows if row.payer_claim_number == reference or row.claim_id in by_pcn]


def _claim_ids(repo: PracticeRepository, payments: list[Json]) -> dict[str, list[int]]:
    """Our claim ids by patient control number, for every claim payment of the remittance."""
    pcns = sorted({p["patient_control_number"] for p in payments})
    found: dict[str, list[int]] = {}
    for start in range(0, len(pcns), CHUNK):
        for claim_id, pcn in repo.session.execute(
                select(ClaimRow.id, ClaimRow.patient_control_number)
                .where(ClaimRow.practice_id == repo.practice_id,
                       ClaimRow.patient_control_number.in_(pcns[start:start + CHUNK]))):
            found.setdefault(pcn, []).append(claim_id)
    return found


def _post_round(repo: PracticeRepository, remittance: RemittanceRow, payments: list[Json], first_index: int,
                digest: str, payer_id: int | None, outcome: RemittanceOutcome,
                ids_by_pcn: dict[str, list[int]]) -> None:
    """Post some of the remittance's claim payments, in the remittance's transaction, then let go of the rows
    read for them: a 60,000-claim 835 is posted in rounds, in the memory of one round."""
    entries: list[JournalEntry] = []
    touched: dict[int, ClaimRow] = {}
    known = _Prefetched(repo, payments, ids_by_pcn)
    with repo.session.no_autoflush:
        for offset, payment in enumerate(payments):
            _post_claim(repo, known, remittance, payment, first_index + offset, digest, payer_id, entries, touched,
                        outcome)
    repo.insert_rows(LineAdjudicationRow, known.adjudications)
    repo.insert_rows(OverpaymentRow, known.overpayments)
    repo.post_many(entries, keys_are_new=True)  # era:{content hash}:... keys of the remittance just recorded
    _settle_statuses(repo, list(touched.values()), known.payer_claim_numbers)
    repo.flush()
    for claim in [c for found in known.by_pcn.values() for c in found] + list(touched.values()):
        if claim in repo.session:
            repo.session.expunge(claim)
    for lines in known.lines.values():
        for line in lines:
            if line in repo.session:
                repo.session.expunge(line)


def _claim_remittance(repo: PracticeRepository, row: RemittanceRow) -> bool:
    """Insert the remittance row, the database's unique key deciding between concurrent posters.

    False when another transaction holds the same (payer, trace, content): it committed first (PostgreSQL
    makes this insert wait for it), so this one must post nothing.
    """
    repo.add(row)
    try:
        repo.flush()
    except InvalidInput:
        again = repo.rows(RemittanceRow, RemittanceRow.payer_identifier == row.payer_identifier,
                          RemittanceRow.trace_number == row.trace_number,
                          RemittanceRow.content_hash == row.content_hash)
        if again:
            return False
        raise
    return True


def _date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class _Prefetched:
    """The claims an 835 names and their lines, read in a few queries instead of a few per claim payment."""

    def __init__(self, repo: PracticeRepository, payments: list[Json], ids_by_pcn: dict[str, list[int]]) -> None:
        self.repo = repo
        self.by_pcn: dict[str, list[ClaimRow]] = {}
        ids = sorted({i for p in payments for i in ids_by_pcn.get(p["patient_control_number"], [])})
        for start in range(0, len(ids), CHUNK):
            for claim in repo.rows(ClaimRow, ClaimRow.id.in_(ids[start:start + CHUNK])):
                self.by_pcn.setdefault(claim.patient_control_number, []).append(claim)
        self.lines: dict[int, list[ClaimLineRow]] = {}
        self.balances: dict[int, LineBalances] = {}  # charged line id -> its balances
        # (claim id, charged line id, payer id) -> the payer's answers on the line, oldest first, with their
        # remittance ids
        self.history: dict[tuple[int, int, int | None], list[tuple[LineAnswer, int]]] = {}
        self._load_lines([c.id for found in self.by_pcn.values() for c in found])
        self.adjudications: list[dict[str, Any]] = []
        self.overpayments: list[dict[str, Any]] = []
        self.payer_claim_numbers: dict[int, str] = {}  # claim id -> the payer's claim number (CLP07)

    def _load_lines(self, claim_ids: list[int]) -> None:
        loaded: list[ClaimLineRow] = []
        for start in range(0, len(claim_ids), CHUNK):
            for line in self.repo.rows(ClaimLineRow, ClaimLineRow.claim_id.in_(claim_ids[start:start + CHUNK]),
                                       order_by=ClaimLineRow.line_number):
                self.lines.setdefault(line.claim_id, []).append(line)
                loaded.append(line)
        self.load_balances(sorted({line.charged_line_id for line in loaded}))
        for start in range(0, len(claim_ids), CHUNK):
            for row in self.repo.rows(LineAdjudicationRow,
                                      LineAdjudicationRow.claim_id.in_(claim_ids[start:start + CHUNK])):
                self.history.setdefault((row.claim_id, row.claim_line_id, row.payer_id), []).append(
                    (_answer(row.status_code, row.paid_cents, row.adjustments), row.remittance_id))

    def load_balances(self, line_ids: list[int]) -> None:
        """The insurance, denied and patient balances of these charged lines, as posted so far."""
        accounts = {v: k for k, v in self.repo.account_ids().items()}
        wanted = [self.repo.account_ids()[code] for code in (INSURANCE_AR, DENIED_AR, PATIENT_AR)]
        sums: dict[int, dict[str, int]] = {line_id: {} for line_id in line_ids}
        for start in range(0, len(line_ids), CHUNK):
            for line_id, account, total in self.repo.session.execute(
                    select(PostingRow.claim_line_id, PostingRow.account_id, func.sum(PostingRow.amount_cents))
                    .where(PostingRow.practice_id == self.repo.practice_id,
                           PostingRow.claim_line_id.in_(line_ids[start:start + CHUNK]),
                           PostingRow.account_id.in_(wanted))
                    .group_by(PostingRow.claim_line_id, PostingRow.account_id)):
                if line_id is not None:
                    sums[int(line_id)][accounts[account]] = int(total)
        for line_id, by_code in sums.items():
            if line_id in self.balances:
                continue  # known already, with what this remittance has posted to it so far
            self.balances[line_id] = LineBalances(Money(by_code.get(INSURANCE_AR, 0)), Money(by_code.get(DENIED_AR, 0)),
                                                  Money(by_code.get(PATIENT_AR, 0)))

    def lines_of(self, claim: ClaimRow) -> list[ClaimLineRow]:
        if claim.id not in self.lines:
            self.lines[claim.id] = []
            self._load_lines([claim.id])
        return self.lines[claim.id]


def _answer(status_code: str, paid_cents: int, adjustments: list[dict[str, Any]]) -> LineAnswer:
    return LineAnswer(status_code, Money(paid_cents),
                      tuple((a["group"], a["reason"], int(a["cents"])) for a in adjustments))


def _service_answer(status_code: str, service: Json) -> LineAnswer:
    return LineAnswer(status_code, _money(service["paid"]),
                      tuple((a["group"], a["reason"], _money(a["amount"]).cents) for a in service["adjustments"]))


CHUNK = 500  # claims per IN (...) query


def _post_claim(repo: PracticeRepository, known: _Prefetched, remittance: RemittanceRow, payment: Json, index: int,
                digest: str, payer_id: int | None, entries: list[JournalEntry], touched: dict[int, ClaimRow],
                outcome: RemittanceOutcome) -> None:
    pcn, icn = payment["patient_control_number"], payment.get("payer_claim_control_number") or None
    claim = _match_claim(repo, known, pcn, icn, payer_id)
    lines = known.lines_of(claim) if claim else []
    matched = _match_lines(payment, lines, claim.patient_control_number) if claim else None
    if claim is None or matched is None:
        why = "no claim with this patient control number or payer claim number" if claim is None else \
            "its service lines do not match the claim's lines"
        repo.add(UnmatchedRemittanceRow(remittance_id=remittance.id, patient_control_number=pcn,
                                        payer_claim_number=icn, paid_cents=_money(payment["paid"]).cents,
                                        reason=why, detail={"claim": {k: v for k, v in payment.items()
                                                                      if k != "lines"}}))
        outcome.unmatched.append(f"{pcn}: {why}")
        return
    status = payment["status_code"]
    day = _date(payment["dates"].get("process")) or remittance.payment_date or repo.uow.clock().date()
    answers = [_service_answer(status, service) for service in payment["lines"]]
    keys = [(claim.id, line.charged_line_id, payer_id) for line in matched]
    settled = [is_settled([a for a, _ in known.history.get(key, [])], known.balances.get(key[1], LineBalances()),
                          answer) for key, answer in zip(keys, answers, strict=True)]
    if any(settled):
        again = [(service, line) for service, line, done in zip(payment["lines"], matched, settled, strict=True)
                 if done]
        _overpaid(known, remittance, payment, claim, again, payer_id, day, f"era:{digest[:24]}:{index}"
                  + ("" if all(settled) else ":again"), entries, outcome)
        if all(settled):
            return
        # Some lines answered again, others for the first time: the new answers post as usual.
        keep = [not done for done in settled]
        payment = {**payment, "lines": [s for s, k in zip(payment["lines"], keep, strict=True) if k]}
        matched = [line for line, k in zip(matched, keep, strict=True) if k]
        answers = [a for a, k in zip(answers, keep, strict=True) if k]
        keys = [key for key, k in zip(keys, keep, strict=True) if k]
    postings = _claim_postings(payment, claim, lines, matched, payer_id, _transferred(repo, claim))
    postings = _guarded(known, postings, claim, payer_id, status)
    known.adjudications += _adjudications(repo, remittance, payment, claim, matched, payer_id, day)
    for key, answer in zip(keys, answers, strict=True):
        known.history.setdefault(key, []).append((answer, remittance.id))
    if postings:
        entries.append(JournalEntry(day, f"835 {remittance.trace_number}: claim {pcn} ({status})",
                                    tuple(postings), idempotency_key=f"era:{digest[:24]}:{index}", kind="remittance"))
    if icn and status != "22":
        known.payer_claim_numbers[claim.id] = icn
    if status in ("19", "20", "21"):
        outcome.crossovers.append(pcn)
    if status == "4":
        outcome.denied.append(pcn)
    outcome.claims_posted += 1
    outcome.paid += _money(payment["paid"])
    touched[claim.id] = claim


def _guarded(known: _Prefetched, postings: list[Posting], claim: ClaimRow, payer_id: int | None,
             status: str) -> list[Posting]:
    """The claim payment's postings, line by line completed so that no line balance ends below zero; the
    balances known for the rest of the remittance move on by them."""
    by_line: dict[int | None, list[Posting]] = {}
    for posting in postings:
        by_line.setdefault(posting.claim_line_id, []).append(posting)
    result: list[Posting] = list(by_line.pop(None, []))
    for line_id, own in by_line.items():
        assert line_id is not None
        before = known.balances.get(line_id, LineBalances())
        reprocessed = status != "22" and bool(live_answers([a for a, _ in known.history.get(
            (claim.id, line_id, payer_id), [])]))
        guarded = guard_line(own, before, patient_id=claim.patient_id, payer_id=payer_id, claim_id=claim.id,
                             line_id=line_id, reprocessed=reprocessed)
        known.balances[line_id] = before.after(guarded)
        result += guarded
    return net(result)


def _overpaid(known: _Prefetched, remittance: RemittanceRow, payment: Json, claim: ClaimRow,
              again: list[tuple[Json, ClaimLineRow]], payer_id: int | None, day: datetime.date, key: str,
              entries: list[JournalEntry], outcome: RemittanceOutcome) -> None:
    """A claim payment for lines this payer has already settled: nothing applied to A/R and no new adjudication;
    its cash is owed back to the payer (2150) and waits in the overpayment queue."""
    dims = {"patient_id": claim.patient_id, "payer_id": payer_id, "claim_id": claim.id}
    postings: list[Posting] = []
    for service, line in again:
        paid = _money(service["paid"])
        if paid.cents:
            postings += [Posting(CASH, paid, **dims, claim_line_id=line.charged_line_id),
                         Posting(PAYER_CREDIT, -paid, **dims, claim_line_id=line.charged_line_id)]
    amount = Money(sum(_money(service["paid"]).cents for service, _ in again))
    if amount.cents <= 0 or not postings:
        return  # the same answer again with no money (a repeated denial): nothing to post or to refund
    history = known.history.get((claim.id, again[0][1].charged_line_id, payer_id), [])
    live = live_answers([a for a, _ in history])
    original = next((rid for a, rid in reversed(history) if live and a == live[-1]), None)
    entries.append(JournalEntry(day, f"835 {remittance.trace_number}: claim {claim.patient_control_number} paid "
                                     f"again: refund due to the payer", tuple(postings),
                                idempotency_key=key, kind="overpayment"))
    known.overpayments.append(dict(
        claim_id=claim.id, payer_id=payer_id, remittance_id=remittance.id, original_remittance_id=original,
        payer_claim_number=payment.get("payer_claim_control_number") or None, amount_cents=amount.cents,
        open_cents=amount.cents, status="open", resolution=None, resolved_on=None, created_at=known.repo.uow.clock()))
    outcome.overpaid.append(claim.patient_control_number)


def _match_claim(repo: PracticeRepository, known: _Prefetched, pcn: str, icn: str | None,
                 payer_id: int | None) -> ClaimRow | None:
    """Our claim by CLP01, else by the payer's claim number. When the payer is the claim's next payer (a
    secondary paying on a crossover echoes the primary's CLP01), the secondary claim: opened now if the
    primary forwarded the claim and it is not open yet."""
    found = known.by_pcn.get(pcn, [])
    if not found and icn:
        found = repo.rows(ClaimRow, ClaimRow.payer_claim_number == icn)
    if len(found) != 1:
        return None
    claim = found[0]
    if payer_id is None or claim.payer_id == payer_id or claim.payer_id is None:
        return claim
    secondary = repo.rows(ClaimRow, ClaimRow.primary_claim_id == claim.id, ClaimRow.payer_id == payer_id)
    if secondary:
        return secondary[0]
    repo.flush()  # a crossover needs the primary's adjudication and postings of this very file, if any
    forwarded = repo.count(LineAdjudicationRow, LineAdjudicationRow.claim_id == claim.id,
                           LineAdjudicationRow.status_code == "19")
    return open_secondary_claim(repo, claim, crossover=True) if forwarded else None


def _transferred(repo: PracticeRepository, claim: ClaimRow) -> dict[int, Money]:
    """For a secondary claim: the patient share moved to its payer, by charged line."""
    if claim.primary_claim_id is None:
        return {}
    rows = repo.session.execute(
        select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.claim_id.in_(replaced_chain(repo, claim)),
               JournalEntryRow.kind == "transfer", LedgerAccountRow.code == INSURANCE_AR)
        .group_by(PostingRow.claim_line_id))
    return {int(line): Money(int(total)) for line, total in rows if line is not None}


def _adjudications(repo: PracticeRepository, remittance: RemittanceRow, payment: Json, claim: ClaimRow,
                   matched: list[ClaimLineRow], payer_id: int | None, day: datetime.date) -> list[dict[str, Any]]:
    """The line adjudication rows of one claim payment (inserted in bulk with the rest)."""
    return [dict(
        practice_id=repo.practice_id, claim_id=claim.id, claim_line_id=line.charged_line_id,
        remittance_id=remittance.id, payer_id=payer_id, status_code=payment["status_code"] or "",
        payer_claim_number=payment.get("payer_claim_control_number"), code=service["code"] or line.procedure_code,
        modifiers=list(service["modifiers"]), units=int(Decimal(service["units"] or "1")),
        paid_cents=_money(service["paid"]).cents,
        allowed_cents=Money.parse(service["allowed"]).cents if service.get("allowed") else None,
        adjustments=[{"group": a["group"], "reason": a["reason"], "cents": _money(a["amount"]).cents}
                     for a in service["adjustments"]],
        remarks=list(service["remarks"]), adjudicated_on=day) for service, line in zip(payment["lines"], matched,
                                                                                         strict=True)]


def _match_lines(payment: Json, lines: list[ClaimLineRow], pcn: str) -> list[ClaimLineRow] | None:
    """Our line for each service line of the payment (None if any cannot be told apart)."""
    free = list(lines)
    matched = []
    for service in payment["lines"]:
        line = _line_for(service, free, pcn)
        if line is None:
            return None
        free.remove(line)
        matched.append(line)
    return matched


def _line_for(service: Json, free: list[ClaimLineRow], pcn: str) -> ClaimLineRow | None:
    """The line control number we sent (REF*6R); else the same code and modifiers; else the code sent; else the
    code the payer changed it to; else the charge. At each step one line must fit (or lines alike in code,
    modifiers, charge and units); when different lines fit, the payment is not matched."""
    sent = service["submitted_code"] or service["code"]
    modifiers = service["submitted_modifiers"] or service["modifiers"]
    control = service.get("control_number")
    tiers: tuple[Callable[[ClaimLineRow], bool], ...] = (
        lambda x: control == f"{pcn}-{x.line_number}",
        lambda x: x.procedure_code == sent and list(x.modifiers) == modifiers,
        lambda x: x.procedure_code == sent,
        lambda x: x.procedure_code == service["code"],
        lambda x: x.charge_cents == _money(service["charge"]).cents,
    )
    for tier in tiers:
        candidates = [line for line in free if tier(line)]
        if len({(x.procedure_code, tuple(x.modifiers), x.charge_cents, x.units) for x in candidates}) == 1:
            return candidates[0]  # one line, or lines that cannot be told apart: either is the same
        if candidates:
            return None  # two different lines fit: that would be a guess
    return None


@functools.lru_cache(maxsize=65536)
def _money(text: str | None) -> Money:
    """An 835 amount (amounts repeat: parsed once each)."""
    return Money.parse(text or "0")


def _account(group: str, reason: str, status_code: str) -> str | None:
    """Where an adjustment posts: as its CARC's category in the shipped denial code table says."""
    return adjustment_account(group, reason, status_code, denial_code_table())


def _secondary_line(service: Json, line: ClaimLineRow, status: str, transferred: Money,
                    pair: Callable[[str | None, Money, int | None], None]) -> None:
    """A secondary payer's line: it owes only the share the primary left (moved to it when the secondary claim
    was opened), whatever its CAS amounts say about the rest of the charge. Paid and patient share post as
    given; the rest of that share goes where the secondary's own largest adjustment says (a denial to 1150,
    a contractual reduction to 4100). A reversal takes back the whole share."""
    paid = _money(service["paid"])
    patient = sum((_money(a["amount"]) for a in service["adjustments"] if a["group"] == "PR"),
                  Money.zero())
    base = -transferred if status == "22" else transferred
    pair(CASH, paid, line.charged_line_id)
    pair(PATIENT_AR, patient, line.charged_line_id)
    own = [a for a in service["adjustments"] if a["group"] != "PR" and a["reason"] != "23"]
    largest = max(own, key=lambda a: abs(_money(a["amount"]).cents), default=None)
    account = _account(largest["group"], largest["reason"], status) if largest else CONTRACTUAL
    pair(account or CONTRACTUAL, base - paid - patient, line.charged_line_id)


def _claim_postings(payment: Json, claim: ClaimRow, lines: list[ClaimLineRow], matched: list[ClaimLineRow],
                    payer_id: int | None, transferred: dict[int, Money]) -> list[Posting]:
    """Per line, a debit to each account the payment names and one credit to insurance A/R for their sum."""
    postings: list[Posting] = []
    credits: dict[int | None, int] = {}
    status = payment["status_code"]
    dims = {"patient_id": claim.patient_id, "payer_id": payer_id, "claim_id": claim.id}

    def pair(account: str | None, amount: Money, line_id: int | None) -> None:
        if amount.cents and account is not None:
            postings.append(Posting(account, amount, **dims, claim_line_id=line_id))
            credits[line_id] = credits.get(line_id, 0) - amount.cents

    if payment["lines"] and claim.primary_claim_id is not None:
        for service, line in zip(payment["lines"], matched, strict=True):
            _secondary_line(service, line, status, transferred.get(line.charged_line_id, Money.zero()), pair)
        spread: list[tuple[str | None, Money]] = []
    elif payment["lines"]:
        for service, line in zip(payment["lines"], matched, strict=True):
            pair(CASH, _money(service["paid"]), line.charged_line_id)
            for adjustment in service["adjustments"]:
                pair(_account(adjustment["group"], adjustment["reason"], status),
                     _money(adjustment["amount"]), line.charged_line_id)
        spread = []
    else:
        spread = [(CASH, _money(payment["paid"]))]
    spread += [(_account(a["group"], a["reason"], status), _money(a["amount"]))
               for a in payment["adjustments"]]
    weights = [line.charge_cents for line in lines] if any(line.charge_cents for line in lines) else [1] * len(lines)
    for account, amount in spread:
        if amount.cents and lines:
            for line, part in zip(lines, allocate(amount, weights), strict=True):
                pair(account, part, line.charged_line_id)
    postings += [Posting(INSURANCE_AR, Money(cents), **dims, claim_line_id=line_id)
                 for line_id, cents in credits.items() if cents]
    return postings


def _settle_statuses(repo: PracticeRepository, claims: list[ClaimRow], payer_claim_numbers: dict[int, str]) -> None:
    """Each claim's status from its balances: paid when nothing is left with the payer, denied when nothing was
    paid and denials remain, accepted when a reversal left nothing adjudicated, else partially paid."""
    codes = {v: k for k, v in repo.account_ids().items()}
    # A corrected claim settles with the original it replaces, whichever of the two this remittance named (the
    # payer may send its reversal of the original after its decision on the corrected claim).
    replacing = repo.rows(ClaimRow, ClaimRow.frequency_code == "7",
                          ClaimRow.original_claim_id.in_([claim.id for claim in claims]))
    named = {claim.id for claim in claims}
    claims = claims + [claim for claim in replacing if claim.id not in named]
    chains = _replaced_claims(repo, claims)
    by_claim: dict[int, Counter[str]] = {}
    ids = list({claim_id for chain in chains.values() for claim_id in chain})
    for start in range(0, len(ids), CHUNK):
        for claim_id, account, total in repo.session.execute(
                select(PostingRow.claim_id, PostingRow.account_id, func.sum(PostingRow.amount_cents))
                .where(PostingRow.practice_id == repo.practice_id, PostingRow.claim_id.in_(ids[start:start + CHUNK]))
                .group_by(PostingRow.claim_id, PostingRow.account_id)):
            if claim_id is not None:
                by_claim.setdefault(claim_id, Counter())[codes[account]] += int(total)
    sums: dict[int, Counter[str]] = {}
    for claim in claims:  # Counter.update adds negative amounts too (Counter + Counter would drop them)
        sums[claim.id] = Counter()
        for claim_id in chains[claim.id]:
            sums[claim.id].update(by_claim.get(claim_id, Counter()))
    replaced = {original for chain in chains.values() for original in chain[1:]}
    moves = []
    for claim in claims:
        by_code = sums[claim.id]
        if by_code[INSURANCE_AR] == claim.total_charge_cents \
                and not any(by_code[a] for a in (CASH, DENIED_AR, PATIENT_AR)):
            new = ClaimStatus.ACCEPTED  # a reversal left nothing adjudicated: the payer owes its new answer
        elif by_code[INSURANCE_AR] == 0 and by_code[DENIED_AR] == 0:
            new = ClaimStatus.PAID  # adjudicated in full: paid, or left wholly to the patient (deductible)
        elif by_code[CASH] <= 0 and by_code[DENIED_AR] > 0:
            new = ClaimStatus.DENIED
        else:
            new = ClaimStatus.PARTIALLY_PAID
        settle = ClaimStatus(claim.status) in SETTLEABLE and claim.id not in replaced
        moves.append((claim, new if settle else ClaimStatus(claim.status)))
    move_claims(repo, moves, "835 posted", payer_claim_numbers)


def replaced_chain(repo: PracticeRepository, claim: ClaimRow) -> list[int]:
    """The claim and the claims it replaces (corrected claims, frequency 7), newest first."""
    return _replaced_claims(repo, [claim])[claim.id]


def _replaced_claims(repo: PracticeRepository, claims: list[ClaimRow]) -> dict[int, list[int]]:
    """Each claim with the claims it replaces (a corrected claim, frequency 7, settles with its originals: the
    payer reverses the original's postings and posts its new decision on the corrected claim)."""
    chains = {claim.id: [claim.id] for claim in claims}
    for claim in claims:
        row: ClaimRow | None = claim
        while row is not None and row.frequency_code == "7" and row.original_claim_id is not None \
                and row.original_claim_id not in chains[claim.id]:
            chains[claim.id].append(row.original_claim_id)
            row = repo.session.get(ClaimRow, row.original_claim_id)
    return chains


SETTLEABLE = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID,
                        ClaimStatus.DENIED, ClaimStatus.CLOSED})


def unmatched_queue(database: Database) -> list[dict[str, str]]:
    """The claim payments no claim of ours could take, oldest first, with the remittance they came in."""
    items = []
    with UnitOfWork(database, actor="unmatched") as uow:
        practices = {p.id: p.code for p in uow.session.scalars(select(PracticeRow))}
        rows = uow.session.execute(
            select(UnmatchedRemittanceRow, RemittanceRow)
            .join(RemittanceRow, RemittanceRow.id == UnmatchedRemittanceRow.remittance_id)
            .where(UnmatchedRemittanceRow.resolved.is_(False))
            .order_by(RemittanceRow.received_at, UnmatchedRemittanceRow.id)).all()
        for item, remittance in rows:
            items.append({"practice": practices[item.practice_id], "claim": item.patient_control_number,
                          "payer_claim_number": item.payer_claim_number or "", "paid": str(Money(item.paid_cents)),
                          "reason": item.reason, "payer": remittance.payer_identifier,
                          "trace": remittance.trace_number, "file": remittance.file_name})
    return items
