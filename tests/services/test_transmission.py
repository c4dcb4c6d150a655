"""Submit and sync through a connection: nothing sent twice, nothing processed twice, rejections in the fix queue."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from dermbill.clearinghouse.config import ClearinghouseConfig
from dermbill.clearinghouse.simulated_payer.service import SimulatedPayer
from dermbill.core.errors import InvalidInput, StorageUnavailable
from dermbill.db.engine import Database
from dermbill.db.models import (
    AuditEventRow,
    ClaimRow,
    ClaimStatusEventRow,
    CoverageRow,
    InboundFileRow,
    SubmissionBatchRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services import transmission
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.demo_cycle import CONNECTION, set_up_simulated_payer, simulated_payer_config
from dermbill.services.ledger_check import check_ledger
from dermbill.services.scrubbing import scrub_stored_claims
from dermbill.services.transmission import (
    SyncReport,
    fix_queue,
    inbox_files,
    process_inbound_file,
    submit_claims,
    sync,
)
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.responses import GroupAcknowledgment, SegmentError, SetAcknowledgment, write_999

AS_OF = datetime.date(2026, 11, 26)
NOW = datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC)


# Tests marked SQLITE_ONLY run on SQLite only, to keep CI within its time: what they check does not depend on
# the backend (PostgreSQL: the sync test).
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def ready_claims(database: Database, out: Path, *, patients: int = 30, seed: int = 3) -> ClearinghouseConfig:
    """The demo's claims, scrubbed and ready, and a simulated payer that knows the demo's patients."""
    build_demo(database, DemoOptions(out_dir=out, as_of=AS_OF, patients=patients, seed=seed, cycle=False))
    set_up_simulated_payer(database, out / "simulated-payer", seed)
    return simulated_payer_config(out)


def count_ready(database: Database) -> int:
    return sum(ready_by_practice(database).values())


def ready_by_practice(database: Database) -> dict[int, int]:
    with UnitOfWork(database, actor="test") as uow:
        claims = uow.session.scalars(select(ClaimRow).where(ClaimRow.status == "ready")).all()
        return {practice: sum(c.practice_id == practice for c in claims) for practice in {c.practice_id
                                                                                          for c in claims}}


@SQLITE_ONLY
def test_submit_sends_every_ready_claim_once_and_retries_an_undelivered_batch(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = ready_claims(database, tmp_path)
    ready = count_ready(database)
    files_expected = sum(-(-n // 10) for n in ready_by_practice(database).values())  # per practice, 10 a file
    original = SimulatedPayer.send

    def down(self: SimulatedPayer, files: list[Path]) -> object:
        raise StorageUnavailable("the clearinghouse is down")

    monkeypatch.setattr(SimulatedPayer, "send", down)
    with pytest.raises(StorageUnavailable):
        submit_claims(database, config, tmp_path / "outbox", now=NOW, batch_size=10)
    with UnitOfWork(database, actor="test") as uow:  # written, not delivered
        written = uow.session.scalars(select(SubmissionBatchRow).order_by(SubmissionBatchRow.id)).all()
        assert len(written) == files_expected
        assert all(b.sent_at is None and b.connection_name == CONNECTION for b in written)
        written_names = [b.file_name for b in written]
    assert count_ready(database) == 0  # the claims are in those batches, not ready to be written again
    monkeypatch.setattr(SimulatedPayer, "send", original)

    report = submit_claims(database, config, tmp_path / "outbox", now=NOW, batch_size=10)
    assert report.resent == written_names and report.files == []
    again = submit_claims(database, config, tmp_path / "outbox", now=NOW)
    assert (again.files, again.resent) == ([], [])
    received = sorted(p.name for p in (tmp_path / "simulated-payer" / "received").iterdir())
    assert received == sorted(written_names)
    with UnitOfWork(database, actor="test") as uow:
        batches = uow.session.scalars(select(SubmissionBatchRow)).all()
        assert all(b.sent_at is not None for b in batches) and sum(b.claims for b in batches) == ready


def test_sync_processes_each_file_once_and_leaves_a_clean_ledger(database: Database, tmp_path: Path) -> None:
    config = ready_claims(database, tmp_path)
    submit_claims(database, config, tmp_path / "outbox", now=NOW)
    first = sync(database, config, tmp_path / "inbox", now=NOW)
    assert first.fetched and not first.skipped
    kinds = [p.name.split("-")[0] for p in first.fetched]
    assert kinds.index("999") < kinds.index("277CA") < kinds.index("835")  # acknowledgments before payments
    assert sync(database, config, tmp_path / "inbox", now=NOW).fetched == []
    replayed = SyncReport()
    copy = tmp_path / "again.x12"
    shutil.copyfile(first.fetched[-1], copy)
    process_inbound_file(database, copy, CONNECTION, replayed, now=NOW)
    assert replayed.skipped == ["again.x12"] and replayed.remittances == []
    with UnitOfWork(database, actor="test") as uow:
        rows = uow.session.scalars(select(InboundFileRow).order_by(InboundFileRow.id)).all()
        assert [r.status for r in rows] == ["processed"] * len(first.fetched) + ["skipped"]
        assert rows[-1].reason == f"the same content as {first.fetched[-1].name} ({CONNECTION}), processed before"
        statuses = set(uow.session.scalars(select(ClaimRow.status).where(ClaimRow.primary_claim_id.is_(None))))
    assert statuses <= {"paid", "partially_paid", "denied", "rejected", "scrub_errors"}
    assert check_ledger(database).clean


@SQLITE_ONLY
def test_a_mis_keyed_member_id_is_rejected_into_the_fix_queue_with_the_field(database: Database,
                                                                             tmp_path: Path) -> None:
    config = ready_claims(database, tmp_path)
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.status == "ready").order_by(ClaimRow.id)).first()
        assert claim is not None and claim.coverage_id is not None
        coverage = uow.practice(claim.practice_id).get(CoverageRow, claim.coverage_id)
        coverage.member_id = "WRONG" + coverage.member_id
        pcn = claim.patient_control_number
        uow.commit()
    submit_claims(database, config, tmp_path / "outbox", now=NOW)
    report = sync(database, config, tmp_path / "inbox", now=NOW)
    assert pcn in [claim for claim, _ in report.rejected]
    [item] = [i for i in fix_queue(database) if i["claim"] == pcn]
    assert item["field"] == "member ID" and "NOT FOUND" in item["message"] and "insurance card" in item["fix"]

    # The biller corrects the member ID, re-scrubs the claim and sends it again: it is paid.
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == pcn)).one()
        assert claim.coverage_id is not None
        coverage = uow.practice(claim.practice_id).get(CoverageRow, claim.coverage_id)
        coverage.member_id = coverage.member_id.removeprefix("WRONG")
        claim_id = claim.id
        uow.commit()
    [scrubbed] = scrub_stored_claims(database, claim_ids=[claim_id], as_of=AS_OF)
    assert scrubbed.status == "ready"
    assert [i for i in fix_queue(database) if i["claim"] == pcn] == []
    submit_claims(database, config, tmp_path / "outbox", now=NOW)
    again = sync(database, config, tmp_path / "inbox", now=NOW)
    assert pcn in again.accepted
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.get(ClaimRow, claim_id)
        assert claim is not None and claim.status in ("paid", "partially_paid", "denied")
        moves = [e.to_status for e in uow.session.scalars(
            select(ClaimStatusEventRow).where(ClaimStatusEventRow.claim_id == claim_id)
            .order_by(ClaimStatusEventRow.id))]
    assert moves[-6:-1] == ["rejected", "corrected", "ready", "submitted", "accepted"]


def _reject_first_transaction_set(database: Database, tmp_path: Path) -> tuple[str, list[str], SyncReport]:
    """Send ready claims, then process a 999 rejecting the first transaction set: the batch file's name, the
    claims of that set, and the sync's report."""
    config = ready_claims(database, tmp_path, patients=12)
    report = submit_claims(database, config, tmp_path / "outbox", now=NOW, via=CONNECTION)
    exported = report.files[0]
    with UnitOfWork(database, actor="test") as uow:
        batch = uow.session.get(SubmissionBatchRow, exported.batch_id)
        assert batch is not None
        claims = uow.session.scalars(select(ClaimRow).where(
            ClaimRow.interchange_control_number == batch.interchange_control_number)).all()
        st02, group = claims[0].transaction_set_control_number, batch.group_control_number
        in_set = sorted(c.patient_control_number for c in claims if c.transaction_set_control_number == st02)
    assert st02 is not None
    profile = ClearinghouseProfile("TESTCLEARING", "TEST CLEARINGHOUSE", "EDI", "2155550100", "DERMBILLDEMO",
                                   "DEMO")
    path = tmp_path / "999-rejected.x12"
    path.write_text(write_999((GroupAcknowledgment(group, (SetAcknowledgment(st02, False, (
        SegmentError("CLM", 25, "8"),)),)),), profile, ControlNumbers(900, 900, 1), NOW))
    result = SyncReport()
    process_inbound_file(database, path, CONNECTION, result, now=NOW)
    return exported.path.name, in_set, result


@SQLITE_ONLY
def test_a_999_that_rejects_a_transaction_set_rejects_its_claims(database: Database, tmp_path: Path) -> None:
    batch_file, in_set, result = _reject_first_transaction_set(database, tmp_path)
    assert result.batches_acknowledged == {batch_file: "rejected"}
    rejected = {claim for claim, _ in result.rejected}
    assert rejected == set(in_set)
    assert {i["claim"] for i in fix_queue(database)} == rejected


def _claim_row(database: Database, pcn: str) -> tuple[int, str, int]:
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == pcn)).one()
        return claim.id, claim.status, claim.patient_id


@SQLITE_ONLY
def test_a_rejected_claim_goes_out_again_only_once_it_or_its_coverage_changed(database: Database,
                                                                              tmp_path: Path) -> None:
    config = ready_claims(database, tmp_path, patients=12)
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.status == "ready")).first()
        assert claim is not None and claim.coverage_id is not None
        coverage = uow.practice(claim.practice_id).get(CoverageRow, claim.coverage_id)
        coverage.member_id = "WRONG" + coverage.member_id
        pcn = claim.patient_control_number
        uow.commit()
    submit_claims(database, config, tmp_path / "outbox", now=NOW)
    assert pcn in [claim for claim, _ in sync(database, config, tmp_path / "inbox", now=NOW).rejected]

    # `scrub --all` with nothing corrected: the claim stays rejected, held by rejected-unchanged, in the fix queue.
    [held] = [o for o in scrub_stored_claims(database, everything=True, as_of=AS_OF) if o.patient_control_number == pcn]
    assert held.status == "rejected" and not held.result.clean
    [finding] = [f for f in held.result.findings if f.rule == "rejected-unchanged"]
    assert finding.severity.value == "error" and "member ID" in finding.message and "insurance card" in finding.fix
    [item] = [i for i in fix_queue(database) if i["claim"] == pcn]
    assert item["field"] == "member ID" and "insurance card" in item["fix"]
    sent = submit_claims(database, config, tmp_path / "outbox", now=NOW)
    assert all(pcn not in f.path.read_text() for f in sent.files)
    assert _claim_row(database, pcn)[1] == "rejected"

    # The front desk corrects the member ID on the coverage: the claim is ready and goes out.
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == pcn)).one()
        assert claim.coverage_id is not None
        coverage = uow.practice(claim.practice_id).get(CoverageRow, claim.coverage_id)
        coverage.member_id = coverage.member_id.removeprefix("WRONG")
        uow.commit()
    [fixed] = [o for o in scrub_stored_claims(database, everything=True, as_of=AS_OF)
               if o.patient_control_number == pcn]
    assert fixed.status == "ready" and "rejected-unchanged" not in {f.rule for f in fixed.result.findings}
    assert [i for i in fix_queue(database) if i["claim"] == pcn] == []
    sent = submit_claims(database, config, tmp_path / "outbox", now=NOW)
    assert any(pcn in f.path.read_text() for f in sent.files)
    assert pcn in sync(database, config, tmp_path / "inbox", now=NOW).accepted


@SQLITE_ONLY
def test_a_person_may_send_a_rejected_claim_again_unchanged_and_it_is_audited(database: Database,
                                                                              tmp_path: Path) -> None:
    _, in_set, _ = _reject_first_transaction_set(database, tmp_path)

    # The clearinghouse fixed its own setup: nothing on the claims changes. `scrub --all` holds every one.
    held = {o.patient_control_number: o for o in scrub_stored_claims(database, everything=True, as_of=AS_OF)}
    assert {pcn: held[pcn].status for pcn in in_set} == dict.fromkeys(in_set, "rejected")
    assert all("rejected-unchanged" in {f.rule for f in held[pcn].result.findings} for pcn in in_set)
    assert sorted(i["claim"] for i in fix_queue(database)) == in_set

    with pytest.raises(InvalidInput, match="--resubmit-unchanged: name each rejected claim"):
        scrub_stored_claims(database, everything=True, as_of=AS_OF, resubmit_unchanged=True)
    first = _claim_row(database, in_set[0])[0]

    # A person approves sending the first one again as it is: it is ready, the others stay held; the audit says who.
    [approved] = scrub_stored_claims(database, claim_ids=[first], as_of=AS_OF, resubmit_unchanged=True,
                                     actor="pat")
    assert approved.status == "ready" and approved.result.clean
    assert {_claim_row(database, pcn)[1] for pcn in in_set[1:]} <= {"rejected"}
    assert sorted(i["claim"] for i in fix_queue(database)) == in_set[1:]
    with UnitOfWork(database, actor="test") as uow:
        [event] = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "claim.resubmit_unchanged"))
        assert (event.actor, event.entity_id, event.detail["unchanged"]) == ("pat", first, True)
        assert "X12 structure" in event.detail["rejection"]
    # Scrubbed again later, the approved claim is not held (the approval stands until it is rejected again).
    [again] = scrub_stored_claims(database, claim_ids=[first], as_of=AS_OF)
    assert again.status == "ready"


@SQLITE_ONLY
def test_sync_reports_the_names_a_connection_refused_to_fetch(database: Database, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    class Hostile:
        name = "hostile"

        def __init__(self) -> None:
            self.refused: list[str] = []

        def send(self, files: list[Path]) -> list[object]:
            return []

        def fetch(self, inbox: Path) -> list[Path]:
            self.refused = ["SFTP server h:22: skipped '../x' in /out: the name contains a path separator"]
            return []

    monkeypatch.setattr(ClearinghouseConfig, "open", lambda self, name: Hostile())
    config = ClearinghouseConfig(connections={"hostile": {"kind": "sftp"}}, routes=(), base=tmp_path)

    report = sync(database, config, tmp_path / "inbox", now=NOW)

    assert report.refused == ["SFTP server h:22: skipped '../x' in /out: the name contains a path separator"]
    assert report.fetched == []


# A bad file among good ones (issue 12, point 4): each file is recorded as received before anything reads it, a
# bad one is quarantined with its reason, the others are processed, and a later sync picks up what was left.

CLP04 = re.compile(r"(CLP(?:\*[^*~]*){3}\*)[^*~]*")  # CLP04: the amount the payer paid on the claim


def _folder_drop(tmp_path: Path) -> tuple[ClearinghouseConfig, Path]:
    """A folder-drop connection named "drop", and the folder its inbound files arrive in."""
    inbound = tmp_path / "drop-in"
    inbound.mkdir()
    return ClearinghouseConfig(connections={"drop": {"kind": "folder", "outbound": str(tmp_path / "drop-out"),
                                                     "inbound": str(inbound)}}, routes=(), base=tmp_path), inbound


def _three_files(database: Database, tmp_path: Path) -> tuple[ClearinghouseConfig, str]:
    """Claims sent to the simulated payer; three of its answers in a folder drop, processed in this order: a 999,
    an 835 whose first CLP04 is 'abc', and a good 835 (its trace number is returned)."""
    config = ready_claims(database, tmp_path, patients=12)
    submit_claims(database, config, tmp_path / "outbox", now=NOW)
    answers = tmp_path / "simulated-payer" / "outbox"
    [ack, *_] = sorted(answers.glob("999-*"))
    [spoiled, good, *_] = [path for path in sorted(answers.glob("835-*")) if _paid_as_primary(path.read_text())]
    drop, inbound = _folder_drop(tmp_path)
    shutil.copyfile(ack, inbound / "1-999.x12")
    (inbound / "2-835.x12").write_text(CLP04.sub(r"\g<1>abc", spoiled.read_text(), count=1))
    shutil.copyfile(good, inbound / "3-835.x12")
    trace = re.search(r"TRN\*1\*([^*~]+)", good.read_text())
    assert trace is not None
    return drop, trace.group(1)


def _paid_as_primary(text: str) -> bool:
    """Every claim of the 835 processed as primary (CLP02 1): 835s that are processed in the order of their names."""
    return set(re.findall(r"CLP\*[^*~]*\*([^*~]*)", text)) == {"1"}


def _inbound_files(database: Database) -> dict[str, tuple[str, str | None, bool]]:
    """file -> (status, reason, whether its billing company is known)."""
    with UnitOfWork(database, actor="test") as uow:
        return {row.file_name: (row.status, row.reason, row.organization_id is not None)
                for row in uow.session.scalars(select(InboundFileRow).order_by(InboundFileRow.id))}


BAD_CLP04 = "2-835.x12: segment 14 (CLP): CLP04 'abc' is not an amount"


@SQLITE_ONLY
def test_a_bad_file_is_quarantined_with_its_reason_and_the_files_after_it_are_processed(
        database: Database, tmp_path: Path) -> None:
    config, trace = _three_files(database, tmp_path)

    report = sync(database, config, tmp_path / "inbox", now=NOW)

    assert [path.name for path in report.fetched] == ["1-999.x12", "2-835.x12", "3-835.x12"]
    [(name, reason)] = report.quarantined
    assert name == "2-835.x12" and reason.startswith(BAD_CLP04)
    [posted] = report.remittances
    assert (posted.trace_number, posted.status) == (trace, "posted") and posted.claims_posted > 0
    assert report.batches_acknowledged  # the 999 before it was applied
    assert _inbound_files(database) == {"1-999.x12": ("processed", None, True),
                                        "2-835.x12": ("quarantined", reason, True),
                                        "3-835.x12": ("processed", None, True)}
    with UnitOfWork(database, actor="test") as uow:
        [event] = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "inbound_file.quarantined"))
        assert event.detail == {"file": "2-835.x12", "connection": "drop", "reason": reason}
    assert check_ledger(database).clean

    # The next sync finds nothing new and leaves the quarantined file alone.
    again = sync(database, config, tmp_path / "inbox", now=NOW)
    assert (again.fetched, again.picked_up, again.quarantined, again.remittances) == ([], [], [], [])
    assert [(f["file"], f["status"], f["reason"]) for f in inbox_files(database)] == [
        ("2-835.x12", "quarantined", reason)]

    # The same bad content sent again is quarantined again; the good one's content again is skipped.
    inbound = tmp_path / "drop-in"
    shutil.copyfile(tmp_path / "inbox" / "drop" / "2-835.x12", inbound / "4-835.x12")
    shutil.copyfile(tmp_path / "inbox" / "drop" / "3-835.x12", inbound / "5-835.x12")
    resent = sync(database, config, tmp_path / "inbox", now=NOW)
    assert [name for name, _ in resent.quarantined] == ["4-835.x12"] and resent.skipped == ["5-835.x12"]
    assert resent.remittances == []
    assert _inbound_files(database)["5-835.x12"] == ("skipped", "the same content as 3-835.x12 (drop), processed "
                                                                "before", True)


@SQLITE_ONLY
def test_files_received_and_not_processed_are_picked_up_by_the_next_sync(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, trace = _three_files(database, tmp_path)
    process = transmission._process

    def crash(*args: object, **kwargs: object) -> None:
        raise StorageUnavailable("the database went away")

    monkeypatch.setattr(transmission, "_process", crash)
    with pytest.raises(StorageUnavailable):
        sync(database, config, tmp_path / "inbox", now=NOW)
    assert _inbound_files(database) == dict.fromkeys(["1-999.x12", "2-835.x12", "3-835.x12"],
                                                     ("received", None, False))
    assert [f["file"] for f in inbox_files(database)] == ["1-999.x12", "2-835.x12", "3-835.x12"]
    monkeypatch.setattr(transmission, "_process", process)

    report = sync(database, config, tmp_path / "inbox", now=NOW)

    assert report.fetched == []
    assert [path.name for path in report.picked_up] == ["1-999.x12", "2-835.x12", "3-835.x12"]
    assert [(r.trace_number, r.status) for r in report.remittances] == [(trace, "posted")]
    assert [name for name, _ in report.quarantined] == ["2-835.x12"]
    assert {name: status for name, (status, _, _) in _inbound_files(database).items()} == {
        "1-999.x12": "processed", "2-835.x12": "quarantined", "3-835.x12": "processed"}


@SQLITE_ONLY
def test_files_fetched_into_the_inbox_but_not_recorded_are_recorded_by_the_next_sync(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, trace = _three_files(database, tmp_path)
    record = transmission.record_received

    def crash(*args: object, **kwargs: object) -> int:
        raise StorageUnavailable("the database went away")

    monkeypatch.setattr(transmission, "record_received", crash)
    with pytest.raises(StorageUnavailable):
        sync(database, config, tmp_path / "inbox", now=NOW)
    assert list((tmp_path / "drop-in").iterdir()) == [] and _inbound_files(database) == {}  # fetched, no record
    monkeypatch.setattr(transmission, "record_received", record)

    report = sync(database, config, tmp_path / "inbox", now=NOW)

    assert [path.name for path in report.picked_up] == ["1-999.x12", "2-835.x12", "3-835.x12"]
    assert [(r.trace_number, r.status) for r in report.remittances] == [(trace, "posted")]
    assert {name: status for name, (status, _, _) in _inbound_files(database).items()} == {
        "1-999.x12": "processed", "2-835.x12": "quarantined", "3-835.x12": "processed"}


@SQLITE_ONLY
def test_a_file_that_cannot_be_read_or_is_addressed_to_nobody_is_quarantined_without_a_billing_company(
        database: Database, tmp_path: Path) -> None:
    config, inbound = _folder_drop(tmp_path)
    (inbound / "a-junk.x12").write_text("hello")
    profile = ClearinghouseProfile("TESTCLEARING", "TEST CLEARINGHOUSE", "EDI", "2155550100", "NOBODY", "NOBODY")
    (inbound / "b-999.x12").write_text(write_999((GroupAcknowledgment("1", ()),), profile, ControlNumbers(1, 1, 1),
                                                 NOW))

    report = sync(database, config, tmp_path / "inbox", now=NOW)

    assert report.quarantined == [  # in the order processed: a file that cannot be read, last
        ("b-999.x12", "b-999.x12 is addressed to NOBODY, which is no billing company's submitter ID (ISA08/GS03); "
                      "check the clearinghouse profile's submitter ID"),
        ("a-junk.x12", "a-junk.x12: not an X12 file: it starts with 'hello', not with ISA (or ST)")]
    assert {name: (status, known) for name, (status, _, known) in _inbound_files(database).items()} == {
        "a-junk.x12": ("quarantined", False), "b-999.x12": ("quarantined", False)}
    assert [(f["file"], f["connection"], f["status"]) for f in inbox_files(database)] == [
        ("a-junk.x12", "drop", "quarantined"), ("b-999.x12", "drop", "quarantined")]


@SQLITE_ONLY
def test_a_received_file_gone_from_the_inbox_stays_received_and_is_reported(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, inbound = _folder_drop(tmp_path)
    (inbound / "835-1.x12").write_text("hello")
    process = transmission._process

    def crash(*args: object, **kwargs: object) -> None:
        raise StorageUnavailable("the database went away")

    monkeypatch.setattr(transmission, "_process", crash)
    with pytest.raises(StorageUnavailable):
        sync(database, config, tmp_path / "inbox", now=NOW)
    monkeypatch.setattr(transmission, "_process", process)
    (tmp_path / "inbox" / "drop" / "835-1.x12").unlink()

    report = sync(database, config, tmp_path / "inbox", now=NOW)

    assert report.missing == [f"835-1.x12 (drop) was received but is not in {tmp_path / 'inbox' / 'drop'}; put it "
                              "back there and sync again"]
    assert (report.picked_up, report.quarantined) == ([], [])
    assert _inbound_files(database) == {"835-1.x12": ("received", None, False)}
