"""Sending claim files through the clearinghouse connections, and taking in what comes back.

submit: first every batch written but not yet delivered is delivered (a crash between writing and
sending loses nothing); then the ready claims are written, one file per practice, connection and at
most N claims, and delivered. A connection never takes the same file name twice, and a batch is marked
sent once, so the same batch cannot go out twice.

sync: every connection's new files are fetched into the inbox and processed once (by content hash):
999s record the verdict on each file and reject the claims of any transaction set it rejected; 277CAs
accept claims (with the payer's claim number) or reject them into the fix queue with the error tied to
the claim field (what the claim said is kept: it goes out again only once it changed, or a person says so;
see core.resubmission); 835s are posted. Files are processed acknowledgments first, then remittances. Then
the claims that left a patient share and have a next payer get their secondary claims, ready to submit.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from dermbill.clearinghouse.config import ClearinghouseConfig
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.resubmission import REJECTION_RULE
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimRow,
    ClearinghouseProfileRow,
    InboundFileRow,
    PayerRow,
    PracticeRow,
    SubmissionBatchRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.claim_lifecycle import move_claim
from dermbill.services.era_posting import RemittanceOutcome, post_remittance
from dermbill.services.resubmission import record_rejection
from dermbill.services.secondary_claims import SecondaryReport, create_secondary_claims
from dermbill.services.submission import MAX_CLAIMS_PER_FILE, ExportedFile, export_837p
from dermbill.x12.acknowledgment_999 import read_999
from dermbill.x12.claim_status_277 import REJECTED_CATEGORIES, read_277
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import TransactionSet, transaction_sets

PROCESSING_ORDER = {"999": 0, "277": 1, "835": 2}
SECONDARY_STATUSES = frozenset({"2", "3", "20", "21"})  # CLP02: processed as secondary or tertiary
# What a 277CA status code says is wrong, in the words of the claim's fields (the fix queue shows them).
REJECTION_FIELDS = {
    "33": ("member ID", "check the member ID and the subscriber's name against the insurance card, or run an "
                        "eligibility check, then resubmit"),
    "21": ("claim data", "correct the information named in the message, re-scrub and resubmit"),
    "116": ("payer", "the claim went to a payer this clearinghouse does not reach: check the payer ID"),
    "562": ("billing provider NPI", "check the billing provider's NPI"),
    "97": ("patient eligibility", "verify the patient's coverage for the date of service"),
}


@dataclass(slots=True)
class SubmitReport:
    resent: list[str] = field(default_factory=list)
    files: list[ExportedFile] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)

    @property
    def claims(self) -> int:
        return sum(f.claims for f in self.files)


@dataclass(slots=True)
class SyncReport:
    fetched: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files already processed
    refused: list[str] = field(default_factory=list)  # listed files not fetched (unsafe names), and why
    batches_acknowledged: dict[str, str] = field(default_factory=dict)  # file -> 999 verdict
    accepted: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (claim, why)
    remittances: list[RemittanceOutcome] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    secondary: SecondaryReport = field(default_factory=SecondaryReport)  # claims opened for the next payer


def submit_claims(database: Database, config: ClearinghouseConfig, outbox: Path, *, via: str | None = None,
                  batch_size: int = MAX_CLAIMS_PER_FILE, now: datetime.datetime | None = None,
                  actor: str = "submit", claim_ids: set[int] | None = None) -> SubmitReport:
    moment = now or utc_now()
    report = SubmitReport()
    with UnitOfWork(database, actor=actor) as uow:
        unsent = [(b.id, b.practice_id, b.file_name, b.connection_name) for b in uow.session.scalars(
            select(SubmissionBatchRow).where(SubmissionBatchRow.sent_at.is_(None),
                                             SubmissionBatchRow.connection_name.is_not(None))
            .order_by(SubmissionBatchRow.id))]
    for batch_id, practice_id, file_name, connection in unsent:
        assert connection is not None
        path = outbox / file_name
        if not path.exists():
            raise InvalidInput(f"batch {file_name} was written but never sent, and {path} is gone; restore it from "
                               "a backup of the outbox before submitting again")
        _deliver(database, config, connection, path, batch_id, practice_id, moment, report)
        report.resent.append(file_name)
    report.files = export_837p(database, outbox, now=moment, actor=actor, batch_size=batch_size,
                               route=(lambda _practice, _payer: via) if via else config.route, claim_ids=claim_ids)
    with UnitOfWork(database, actor=actor) as uow:
        practices = {row.code: row.id for row in uow.session.scalars(select(PracticeRow))}
    for exported in report.files:
        assert exported.connection is not None
        _deliver(database, config, exported.connection, exported.path, exported.batch_id,
                 practices[exported.practice], moment, report)
    return report


def _deliver(database: Database, config: ClearinghouseConfig, connection: str, path: Path, batch_id: int,
             practice_id: int, now: datetime.datetime, report: SubmitReport) -> None:
    [delivery] = config.open(connection).send([path])
    (report.delivered if delivery.sent else report.already_there).append(path.name)
    with UnitOfWork(database, actor="submit", clock=lambda: now) as uow:
        repo = uow.practice(practice_id)
        batch = repo.get(SubmissionBatchRow, batch_id)
        batch.sent_at = now
        repo.audit("batch.sent", "submission_batch", batch.id, {"file": path.name, "connection": connection,
                                                                "new": delivery.sent})
        uow.commit()


def sync(database: Database, config: ClearinghouseConfig, inbox: Path, *,
         now: datetime.datetime | None = None) -> SyncReport:
    """Fetch from every connection and process what came back: acknowledgments first, then remittances."""
    report = SyncReport()
    fetched = []
    for name in sorted(config.connections):
        connection = config.open(name)
        fetched += [(name, path) for path in connection.fetch(inbox / name)]
        report.refused += connection.refused
    fetched.sort(key=lambda item: (_first_kind_rank(item[1]), item[1].name))
    report.fetched = [path for _, path in fetched]
    for name, path in fetched:
        process_inbound_file(database, path, name, report, now=now or utc_now())
    if report.remittances:
        report.secondary = create_secondary_claims(database, now=now, actor="sync")
    return report


def _first_kind_rank(path: Path) -> int:
    """999s, then 277CAs, then primary payers' 835s, then the 835s of secondary payers (which need the
    primary's payment posted first to find the claim they pay)."""
    try:
        transactions = list(transaction_sets(read_file(path)))
    except InvalidInput:
        return 9
    ranks = []
    for transaction in transactions:
        rank = PROCESSING_ORDER.get(transaction.type, 5)
        if transaction.type == "835" and any(s.id == "CLP" and s.get(2) in SECONDARY_STATUSES
                                             for s in transaction.segments):
            rank += 1
        ranks.append(rank)
    return min(ranks, default=9)


def process_inbound_file(database: Database, path: Path, connection: str, report: SyncReport, *,
                         now: datetime.datetime) -> None:
    """Process one fetched file once: the same content a second time is skipped."""
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    transactions = list(transaction_sets(read_file(path)))
    with UnitOfWork(database, actor="sync") as uow:
        receivers = {t.receiver for t in transactions}
        organization_ids = set(uow.session.scalars(select(ClearinghouseProfileRow.organization_id).where(
            ClearinghouseProfileRow.submitter_id.in_(receivers))))
        if len(organization_ids) != 1:
            raise InvalidInput(f"{path.name} is addressed to {', '.join(sorted(receivers)) or 'nobody'}, which is "
                               f"{'no' if not organization_ids else 'more than one'} billing company's submitter ID")
        organization_id = organization_ids.pop()
        seen = uow.session.scalars(select(InboundFileRow).where(InboundFileRow.organization_id == organization_id,
                                                                InboundFileRow.content_hash == digest)).first()
    if seen is not None:
        report.skipped.append(path.name)
        return
    outcome: dict[str, list[dict[str, object]]] = {}
    for transaction in transactions:
        if transaction.type == "999":
            result = _apply_999(database, organization_id, transaction, path, report, now)
        elif transaction.type == "277":
            result = _apply_277ca(database, organization_id, transaction, report, now)
        elif transaction.type == "835":
            posted = post_remittance(database, transaction, path.name, actor="sync", now=now)
            report.remittances.append(posted)
            result = {"trace": posted.trace_number, "status": posted.status}
        else:
            report.other.append(f"{path.name}: a {transaction.type}, kept")
            result = {}
        outcome.setdefault(transaction.type, []).append(result)
    with UnitOfWork(database, actor="sync", clock=lambda: now) as uow:
        uow.session.add(InboundFileRow(organization_id=organization_id, connection_name=connection,
                                       file_name=path.name, content_hash=digest,
                                       kinds=sorted({t.type for t in transactions}), outcome=outcome,
                                       received_at=now))
        uow.commit()


def _apply_999(database: Database, organization_id: int, transaction: TransactionSet, path: Path,
               report: SyncReport, now: datetime.datetime) -> dict[str, object]:
    ack = read_999(transaction)
    group = ack["functional_group"].get("group_control_number")
    verdict = ack["functional_group"].get("status_text") or ""
    with UnitOfWork(database, actor="sync", clock=lambda: now) as uow:
        batches = list(uow.session.scalars(select(SubmissionBatchRow).join(
            PracticeRow, PracticeRow.id == SubmissionBatchRow.practice_id).where(
            PracticeRow.organization_id == organization_id, SubmissionBatchRow.group_control_number == group)))
        for batch in batches:
            batch.acknowledgment = str(verdict or "received")[:24]
            report.batches_acknowledged[batch.file_name] = batch.acknowledgment
            repo = uow.practice(batch.practice_id)
            for result in ack["transaction_sets"]:
                if result["status"] in ("A", "E"):
                    continue
                for claim in repo.rows(ClaimRow, ClaimRow.interchange_control_number ==
                                       batch.interchange_control_number,
                                       ClaimRow.transaction_set_control_number == result["control_number"]):
                    why = f"the clearinghouse rejected its transaction set {result['control_number']} ({path.name})"
                    _reject(repo, claim, "X12 structure", why, "fix the file errors the 999 lists, then resubmit",
                            now, report)
        uow.commit()
    return {"group": group, "verdict": verdict, "batches": len(batches)}


def _apply_277ca(database: Database, organization_id: int, transaction: TransactionSet, report: SyncReport,
                 now: datetime.datetime) -> dict[str, object]:
    answer = read_277(transaction)
    counts = {"accepted": 0, "rejected": 0, "unknown": 0}
    with UnitOfWork(database, actor="sync", clock=lambda: now) as uow:
        practices = {p.billing_npi: p.id for p in uow.session.scalars(
            select(PracticeRow).where(PracticeRow.organization_id == organization_id))}
        for claim_status in answer.get("claims", []):
            pcn = claim_status.get("patient_control_number") or ""
            claim, repo = _find_claim(uow, practices, pcn)
            if claim is None or repo is None:
                counts["unknown"] += 1
                continue
            statuses = claim_status.get("statuses") or [{}]
            first = statuses[0]
            if first.get("category") in REJECTED_CATEGORIES:
                field_name, fix = REJECTION_FIELDS.get(first.get("code", ""), ("claim", "correct and resubmit"))
                message = claim_status.get("message") or f"status {first.get('category')}:{first.get('code')}"
                _reject(repo, claim, field_name, message, fix, now, report)
                counts["rejected"] += 1
            else:
                if claim_status.get("payer_claim_control_number"):
                    claim.payer_claim_number = claim_status["payer_claim_control_number"]
                if claim.status == ClaimStatus.SUBMITTED.value:
                    move_claim(repo, claim, ClaimStatus.ACCEPTED, "277CA: accepted by the payer")
                report.accepted.append(pcn)
                counts["accepted"] += 1
        uow.commit()
    return dict(counts)


def _find_claim(uow: UnitOfWork, practices: dict[str, int],
                pcn: str) -> tuple[ClaimRow | None, PracticeRepository | None]:
    for practice_id in practices.values():
        repo = uow.practice(practice_id)
        found = repo.rows(ClaimRow, ClaimRow.patient_control_number == pcn)
        if found:
            return found[0], repo
    return None, None


def _reject(repo: PracticeRepository, claim: ClaimRow, field_name: str, message: str, fix: str,
            now: datetime.datetime, report: SyncReport) -> None:
    try:
        move_claim(repo, claim, ClaimStatus.REJECTED, message)
    except InvalidTransition:
        return  # already adjudicated: a late rejection does not undo a payment
    record_rejection(repo, claim)  # it goes out again only once it changed, or a person says so
    repo.add(ClaimFindingRow(claim_id=claim.id, rule=REJECTION_RULE, severity="error", lines=[],
                             message=f"{field_name}: {message}", fix=fix, scrubbed_at=now))
    report.rejected.append((claim.patient_control_number, f"{field_name}: {message}"))


def fix_queue(database: Database) -> list[dict[str, str]]:
    """The rejected claims, oldest first, each with the field in error, the payer's words and the fix."""
    items = []
    with UnitOfWork(database, actor="fix-queue") as uow:
        practices = {p.id: p.code for p in uow.session.scalars(select(PracticeRow))}
        payers = {p.id: p.payer_identifier for p in uow.session.scalars(select(PayerRow))}
        rows = uow.session.execute(
            select(ClaimRow, ClaimFindingRow).join(ClaimFindingRow, ClaimFindingRow.claim_id == ClaimRow.id)
            .where(ClaimRow.status == ClaimStatus.REJECTED.value, ClaimFindingRow.rule == REJECTION_RULE)
            .order_by(ClaimFindingRow.scrubbed_at, ClaimRow.id)).all()
        for claim, finding in rows:
            field_name, _, message = finding.message.partition(": ")
            items.append({"practice": practices[claim.practice_id], "claim": claim.patient_control_number,
                          "payer": payers.get(claim.payer_id or 0, ""), "field": field_name, "message": message,
                          "fix": finding.fix, "rejected_at": finding.scrubbed_at.isoformat()})
    return items
