"""Sending claim files through the clearinghouse connections, and taking in what comes back.

submit: first every batch written but not yet delivered is delivered (a crash between writing and
sending loses nothing); then the ready claims are written, one file per practice, connection and at
most N claims, and delivered. A connection never takes the same file name twice, and a batch is marked
sent once, so the same batch cannot go out twice.

sync: every connection's new files are fetched into the inbox, and each is recorded ``received`` (committed)
before anything reads it; a file a crash left in the inbox unrecorded is recorded by the next sync. Then every
received file (this sync's and any an earlier sync left) is processed on its own, once per billing company (by
content hash: the same content again is ``skipped``); a file that cannot be read, is addressed to no billing
company, or holds something wrong (InvalidInput) is ``quarantined`` with its reason, and the others go on. An
error that is not the file's fault (the database is down) stops the sync and leaves the file received.
999s record the verdict on each file and reject the claims of any transaction set it rejected; 277CAs accept
claims (with the payer's claim number) or reject them into the fix queue with the error tied to the claim field
(what the claim said is kept: it goes out again only once it changed, or a person says so; see
core.resubmission); 277 claim status responses (answers to our 276s) are applied by
services.claim_status_answers; 271s are applied to the eligibility checks they answer
(``services.eligibility_answers``); 835s are posted. Files are processed acknowledgments first, then remittances. Then
the claims that left a patient share and have a next payer get their secondary claims, ready to submit.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dermbill.clearinghouse.config import ClearinghouseConfig
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound, StorageUnavailable
from dermbill.core.resubmission import REJECTION_RULE
from dermbill.db.audit_origin import person_or
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimRow,
    ClearinghouseProfileRow,
    InboundFileRow,
    PracticeRow,
    SubmissionBatchRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.claim_lifecycle import move_claim
from dermbill.services.claim_status_answers import apply_claim_status_answers
from dermbill.services.eligibility_answers import apply_271s
from dermbill.services.era_posting import RemittanceOutcome, post_remittance
from dermbill.services.fix_queue import rejected_claims
from dermbill.services.resubmission import record_rejection
from dermbill.services.secondary_claims import SecondaryReport, create_secondary_claims
from dermbill.services.submission import MAX_CLAIMS_PER_FILE, ExportedFile, export_837p
from dermbill.x12.acknowledgment_999 import read_999
from dermbill.x12.claim_status_277 import REJECTED_CATEGORIES, read_277
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import TransactionSet, transaction_sets

PROCESSING_ORDER = {"999": 0, "277": 1, "835": 2}
# The reasons of the status events acknowledgments make (the claim detail tells 999s and 277CAs apart by them; a
# 277CA rejection's reason is the payer's own message).
ACCEPTED_BY_277CA = "277CA: accepted by the payer"
REJECTED_BY_999 = "the clearinghouse rejected its transaction set"
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
    picked_up: list[Path] = field(default_factory=list)  # received by an earlier sync, not processed then
    skipped: list[str] = field(default_factory=list)  # files whose content was processed before
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (file, why): not processed, kept
    missing: list[str] = field(default_factory=list)  # files recorded as received, not in the inbox
    refused: list[str] = field(default_factory=list)  # listed files not fetched (unsafe names), and why
    batches_acknowledged: dict[str, str] = field(default_factory=dict)  # file -> 999 verdict
    accepted: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (claim, why)
    remittances: list[RemittanceOutcome] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    secondary: SecondaryReport = field(default_factory=SecondaryReport)  # claims opened for the next payer
    claim_statuses: list[dict[str, object]] = field(default_factory=list)  # 277s answering our 276s, applied


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
    with UnitOfWork(database, actor=person_or("submit"), clock=lambda: now) as uow:
        repo = uow.practice(practice_id)
        batch = repo.get(SubmissionBatchRow, batch_id)
        batch.sent_at = now
        repo.audit("batch.sent", "submission_batch", batch.id, {"file": path.name, "connection": connection,
                                                                "new": delivery.sent})
        uow.commit()


def sync(database: Database, config: ClearinghouseConfig, inbox: Path, *,
         now: datetime.datetime | None = None) -> SyncReport:
    """Fetch from every connection and process every file received and not yet processed: acknowledgments first,
    then remittances. A file that cannot be processed is quarantined with its reason; the others go on."""
    moment = now or utc_now()
    report = SyncReport()
    for name in sorted(config.connections):  # files a crash left in the inbox before they were recorded
        _record_unrecorded(database, inbox / name, name, moment)
    waiting = _received_files(database, inbox, report)
    earlier = {path for _, path in waiting}
    for name in sorted(config.connections):
        connection = config.open(name)
        for path in connection.fetch(inbox / name):
            waiting.append((record_received(database, path, name, now=moment), path))
        report.refused += connection.refused
    waiting.sort(key=lambda item: (_first_kind_rank(item[1]), item[1].name))
    report.picked_up = [path for _, path in waiting if path in earlier]  # in the order processed
    report.fetched = [path for _, path in waiting if path not in earlier]
    for file_id, path in waiting:
        _process(database, file_id, path, report, moment)
    if report.remittances:
        report.secondary = create_secondary_claims(database, now=now, actor=person_or("sync"))
    return report


def record_received(database: Database, path: Path, connection: str, *, now: datetime.datetime) -> int:
    """Record a file that is in the inbox as ``received`` (committed before anything processes it); its row's id.

    Its content hash is what arrived ("" when it cannot be read: processing it then quarantines it).
    """
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = ""
    with UnitOfWork(database, actor=person_or("sync"), clock=lambda: now) as uow:
        row = InboundFileRow(connection_name=connection, file_name=path.name, content_hash=digest, kinds=[],
                             outcome={}, status="received", received_at=now)
        uow.session.add(row)
        uow.flush()
        uow.audit("inbound_file.received", "inbound_file", row.id, detail={"file": path.name,
                                                                            "connection": connection})
        uow.commit()
        return row.id


def _record_unrecorded(database: Database, folder: Path, connection: str, now: datetime.datetime) -> None:
    """Record as received the files of a connection's inbox folder that have no record (fetched, then a crash)."""
    if not folder.is_dir():
        return
    with UnitOfWork(database, actor=person_or("sync")) as uow:
        known = set(uow.session.scalars(select(InboundFileRow.file_name).where(
            InboundFileRow.connection_name == connection)))
    try:
        with os.scandir(folder) as entries:
            unrecorded = sorted(entry.name for entry in entries if entry.name not in known
                                and not entry.name.startswith(".") and entry.is_file())
    except OSError as exc:
        raise StorageUnavailable(f"cannot read the inbox folder {folder}: {exc.strerror}") from None
    for name in unrecorded:
        record_received(database, folder / name, connection, now=now)


def _received_files(database: Database, inbox: Path, report: SyncReport) -> list[tuple[int, Path]]:
    """The files recorded as received and not processed yet, found in the inbox; a missing one is reported."""
    with UnitOfWork(database, actor=person_or("sync")) as uow:
        rows = uow.session.execute(select(InboundFileRow.id, InboundFileRow.connection_name, InboundFileRow.file_name)
                                   .where(InboundFileRow.status == "received").order_by(InboundFileRow.id)).all()
    found = []
    for file_id, connection, file_name in rows:
        path = inbox / connection / file_name
        if path.is_file():
            found.append((file_id, path))
        else:
            report.missing.append(f"{file_name} ({connection}) was received but is not in {path.parent}; put it "
                                  "back there and sync again")
    return found


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


def process_received(database: Database, file_id: int, path: Path, *, now: datetime.datetime) -> SyncReport:
    """Process one file already recorded as received, as sync does (once by content; quarantined with the reason
    when it cannot be): what it did."""
    report = SyncReport()
    _process(database, file_id, path, report, now)
    return report


def process_inbound_file(database: Database, path: Path, connection: str, report: SyncReport, *,
                         now: datetime.datetime) -> None:
    """Record one file as received, then process it once: the same content a second time is skipped."""
    _process(database, record_received(database, path, connection, now=now), path, report, now)


def _process(database: Database, file_id: int, path: Path, report: SyncReport, now: datetime.datetime) -> None:
    """Process one received file, or quarantine it with the reason; an error that is not the file's fault (the
    database is down) stops the sync and leaves the file received, for the next sync."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        transactions = list(transaction_sets(read_file(path)))
    except OSError as exc:
        _finish(database, file_id, "quarantined", f"{path.name}: cannot read {path}: {exc.strerror}", now, report)
        return
    except InvalidInput as exc:
        _finish(database, file_id, "quarantined", f"{path.name}: {exc}", now, report)
        return
    kinds = sorted({t.type for t in transactions})
    receivers = {t.receiver for t in transactions}
    organization_ids, before = _addressees(database, receivers, digest)
    if len(organization_ids) != 1:
        reason = (f"{path.name} is addressed to {', '.join(sorted(receivers)) or 'nobody'}, which is "
                  f"{'no' if not organization_ids else 'more than one'} billing company's submitter ID "
                  "(ISA08/GS03); check the clearinghouse profile's submitter ID")
        _finish(database, file_id, "quarantined", reason, now, report, digest=digest, kinds=kinds)
        return
    [organization_id] = organization_ids
    if before is not None:
        _finish(database, file_id, "skipped", f"the same content as {before}, processed before", now, report,
                organization_id=organization_id, digest=digest, kinds=kinds)
        return
    outcome: dict[str, list[dict[str, object]]] = {}
    try:
        _apply(database, organization_id, path, transactions, report, outcome, now)
    except InvalidInput as exc:
        _finish(database, file_id, "quarantined", f"{path.name}: {exc}", now, report,
                organization_id=organization_id, digest=digest, kinds=kinds, outcome=outcome)
        return
    try:
        _finish(database, file_id, "processed", None, now, report, organization_id=organization_id, digest=digest,
                kinds=kinds, outcome=outcome)
    except InvalidInput:  # another sync processed the same content a moment ago (uq_inbound_file_processed)
        _finish(database, file_id, "skipped", "the same content, processed at the same time by another sync",
                now, report, organization_id=organization_id, digest=digest, kinds=kinds, outcome=outcome)


def _addressees(database: Database, receivers: set[str], digest: str) -> tuple[set[int], str | None]:
    """The billing companies whose submitter ID the file is addressed to and, when it is one, the file of the
    same content it processed before (None: none)."""
    with UnitOfWork(database, actor=person_or("sync")) as uow:
        organization_ids = set(uow.session.scalars(select(ClearinghouseProfileRow.organization_id).where(
            ClearinghouseProfileRow.submitter_id.in_(receivers))))
        if len(organization_ids) != 1:
            return organization_ids, None
        seen = uow.session.scalars(select(InboundFileRow).where(
            InboundFileRow.organization_id.in_(organization_ids), InboundFileRow.content_hash == digest,
            InboundFileRow.status == "processed")).first()
        return organization_ids, None if seen is None else f"{seen.file_name} ({seen.connection_name})"


def _apply(database: Database, organization_id: int, path: Path, transactions: list[TransactionSet],
           report: SyncReport, outcome: dict[str, list[dict[str, object]]], now: datetime.datetime) -> None:
    """Apply a file's transaction sets in order, recording each one's result in ``outcome``.

    Acknowledgments are read whole before anything is applied, so a bad one changes nothing; an 835 is read by
    ``post_remittance``, which posts it whole or not at all.
    """
    readers = {"999": read_999, "277": read_277}
    read = [(t, readers[t.type](t) if t.type in readers else {}) for t in transactions]
    eligibility = iter(apply_271s(database, organization_id, [t for t in transactions if t.type == "271"], now=now))
    for transaction, answer in read:
        result: dict[str, object] = {}
        if transaction.type == "999":
            result = _apply_999(database, organization_id, answer, path, report, now)
        elif transaction.type == "277" and answer.get("type") == "277":  # claim status responses: together, below
            continue
        elif transaction.type == "277":
            result = _apply_277ca(database, organization_id, answer, report, now)
        elif transaction.type == "271":  # an eligibility answer, applied above: to the check its trace names, once
            result = next(eligibility)
        elif transaction.type == "835":
            posted = post_remittance(database, transaction, path.name, actor=person_or("sync"), now=now,
                                     organization_id=organization_id)
            report.remittances.append(posted)
            result = {"trace": posted.trace_number, "status": posted.status}
        else:
            report.other.append(f"{path.name}: a {transaction.type}, kept")
        outcome.setdefault(transaction.type, []).append(result)
    statuses = [answer for transaction, answer in read if transaction.type == "277" and answer.get("type") == "277"]
    if statuses:  # the answers to our 276s, in one transaction
        result = apply_claim_status_answers(database, organization_id, statuses, now)
        report.claim_statuses.append(result)
        outcome.setdefault("277", []).append(result)


def _finish(database: Database, file_id: int, status: str, reason: str | None, now: datetime.datetime,
            report: SyncReport, *, organization_id: int | None = None, digest: str | None = None,
            kinds: list[str] | None = None, outcome: dict[str, list[dict[str, object]]] | None = None) -> None:
    """Record how a received file ended: processed, skipped (and why) or quarantined (and why)."""
    with UnitOfWork(database, actor=person_or("sync"), clock=lambda: now) as uow:
        row = uow.session.get(InboundFileRow, file_id)
        if row is None:
            raise NotFound(f"inbound file {file_id} is not recorded")
        row.status, row.reason, row.organization_id, row.processed_at = status, reason, organization_id, now
        if digest is not None:
            row.content_hash = digest
        if kinds is not None:
            row.kinds = kinds
        if outcome is not None:
            row.outcome = dict(outcome)
        if status == "quarantined":
            uow.audit("inbound_file.quarantined", "inbound_file", row.id, organization_id=organization_id,
                      detail={"file": row.file_name, "connection": row.connection_name, "reason": reason})
        uow.commit()
        name = row.file_name
    if status == "quarantined" and reason is not None:
        report.quarantined.append((name, reason))
    elif status == "skipped":
        report.skipped.append(name)


def _apply_999(database: Database, organization_id: int, ack: dict[str, Any], path: Path, report: SyncReport,
               now: datetime.datetime) -> dict[str, object]:
    group = ack["functional_group"].get("group_control_number")
    verdict = ack["functional_group"].get("status_text") or ""
    with UnitOfWork(database, actor=person_or("sync"), clock=lambda: now) as uow:
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
                    why = f"{REJECTED_BY_999} {result['control_number']} ({path.name})"
                    _reject(repo, claim, "X12 structure", why, "fix the file errors the 999 lists, then resubmit",
                            now, report)
        uow.commit()
    return {"group": group, "verdict": verdict, "batches": len(batches)}


def _apply_277ca(database: Database, organization_id: int, answer: dict[str, Any], report: SyncReport,
                 now: datetime.datetime) -> dict[str, object]:
    counts = {"accepted": 0, "rejected": 0, "unknown": 0}
    with UnitOfWork(database, actor=person_or("sync"), clock=lambda: now) as uow:
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
                    move_claim(repo, claim, ClaimStatus.ACCEPTED, ACCEPTED_BY_277CA)
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
    """The rejected claims of every practice, oldest first, each with the field in error, the payer's words and
    the fix (``services.fix_queue`` has them for one user's practices)."""
    return [claim.to_json() for claim in rejected_claims(database)]


def inbox_files(database: Database) -> list[dict[str, str]]:
    """The inbound files not processed: received (waiting for the next sync) or quarantined (with the reason),
    oldest first."""
    with UnitOfWork(database, actor="inbox") as uow:
        rows = uow.session.scalars(select(InboundFileRow).where(InboundFileRow.status.in_(("received", "quarantined")))
                                   .order_by(InboundFileRow.received_at, InboundFileRow.id)).all()
        return [{"file": row.file_name, "connection": row.connection_name, "status": row.status,
                 "reason": row.reason or "", "received_at": row.received_at.isoformat()} for row in rows]
