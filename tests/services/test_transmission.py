"""Submit and sync through a connection: nothing sent twice, nothing processed twice, rejections in the fix queue."""

from __future__ import annotations

import datetime
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
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.demo_cycle import CONNECTION, set_up_simulated_payer, simulated_payer_config
from dermbill.services.ledger_check import check_ledger
from dermbill.services.scrubbing import scrub_stored_claims
from dermbill.services.transmission import SyncReport, fix_queue, process_inbound_file, submit_claims, sync
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.responses import GroupAcknowledgment, SegmentError, SetAcknowledgment, write_999

AS_OF = datetime.date(2026, 11, 26)
NOW = datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC)


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
        assert len(uow.session.scalars(select(InboundFileRow)).all()) == len(first.fetched)
        statuses = set(uow.session.scalars(select(ClaimRow.status).where(ClaimRow.primary_claim_id.is_(None))))
    assert statuses <= {"paid", "partially_paid", "denied", "rejected", "scrub_errors"}
    assert check_ledger(database).clean


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
