"""Sending claims: control numbers never reused, files that validate, nothing sent twice."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, OrganizationRow, SubmissionBatchRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.submission import export_837p, reserve_control_numbers
from dermbill.x12.parse import parse_file


def test_control_numbers_are_never_reused(database: Database) -> None:
    with UnitOfWork(database, actor="test") as uow:
        organization = uow.add_organization("TEST BILLING CO")
        uow.commit()
        organization_id = organization.id
    first = reserve_control_numbers(database, organization_id, transactions=3)
    second = reserve_control_numbers(database, organization_id, transactions=1)
    assert (first.interchange, first.group, first.transaction) == (1, 1, 1)
    assert (second.interchange, second.group, second.transaction) == (2, 2, 4)


# The demo built on PostgreSQL is covered by test_demo's whole-cycle test and the ledger invariants; this heavy demo
# test runs on SQLite only, to keep CI within its time.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_demo_claims_go_out_once_as_valid_837p(database: Database, tmp_path: Path) -> None:
    summary = build_demo(database, DemoOptions(out_dir=tmp_path, as_of=datetime.date(2026, 11, 26), patients=40,
                                               seed=5))
    assert summary.cycle is not None
    files = summary.cycle.files_sent
    assert len(files) >= 2  # the primary claims, then the secondary claims with the primary's adjudication
    validator = Path(sys.executable).parent / "x12valid"
    for path in files:
        result = subprocess.run([str(validator), str(path)], capture_output=True, text=True, timeout=120)
        assert f"{path}: OK" in result.stderr, result.stderr[-2000:]
        claims = [s for t in parse_file(path)["transactions"] for s in t["segments"] if s[0] == "CLM"]
        assert claims
    with UnitOfWork(database, actor="test") as uow:
        sent = uow.session.query(ClaimRow).filter(ClaimRow.interchange_control_number.is_not(None)).all()
        primaries = [c for c in sent if c.primary_claim_id is None]
        assert len(primaries) == summary.scrub_clean
        assert len(sent) == summary.submitted
        batches = uow.session.query(SubmissionBatchRow).all()
        assert sum(b.claims for b in batches) == summary.submitted
        assert all(b.sent_at is not None and b.acknowledgment == "accepted" for b in batches)
        assert uow.session.query(OrganizationRow).count() == 1
    assert export_837p(database, tmp_path / "again") == []  # nothing is ready any more: nothing is sent twice
