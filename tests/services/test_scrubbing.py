"""Scrubbing as a use case: engine-made claims scrub clean; stored claims get findings, a status and fixes."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from tests_paths import SHARED

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimFindingRow, ClaimLineRow, ClaimRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.coding import code_document
from dermbill.services.demo import DemoOptions, build_demo, charge_master
from dermbill.services.document_scrubbing import claim_document, scrub_document
from dermbill.services.scrubbing import scrub_stored_claims

EXAMPLES = SHARED / "derm-coding" / "examples.jsonl"
CASES = [json.loads(line) for line in EXAMPLES.read_text().splitlines()] if EXAMPLES.exists() else []
CHARGES = {code: money.cents for (code, modifier), money in charge_master(250, on=datetime.date(2025, 1, 1)).items()
           if modifier == ""}


@pytest.mark.skipif(not CASES, reason=f"{EXAMPLES} not found")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_claim_the_engine_makes_from_the_examples_scrubs_clean(case: dict[str, Any]) -> None:
    encounter = case["encounter"]
    coded = code_document(encounter)
    day = datetime.date.fromisoformat(encounter["date_of_service"])
    claim = claim_document(coded, encounter, billing_npi="1234567893", taxonomy="207N00000X",
                           rendering_npi="1234560013", place_of_service="11", charges=CHARGES,
                           submitted_on=day + datetime.timedelta(days=3))
    result = scrub_document(claim, as_of=datetime.date(2026, 11, 26))
    if "not_covered" in case["expected"]["warnings"] and not coded.lines:
        assert [f.rule for f in result.findings] == ["missing-field"]  # nothing billable: no claim to send
    else:
        assert result.findings == (), [f.to_json() for f in result.findings]


# The demo built on PostgreSQL is covered by test_demo's whole-cycle test and the ledger invariants; this heavy demo
# test runs on SQLite only, to keep CI within its time.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_stored_claims_get_findings_a_status_and_the_certain_fix(database: Database, tmp_path: Path) -> None:
    build_demo(database, DemoOptions(out_dir=tmp_path, as_of=datetime.date(2026, 11, 26), patients=40, seed=4))
    with UnitOfWork(database, actor="test") as uow:
        # The first paid claim (by id: PostgreSQL returns rows in no set order) with procedures and no visit.
        claim, lines = next(
            (claim, lines) for claim in uow.session.query(ClaimRow).filter(ClaimRow.status == "paid")
            .order_by(ClaimRow.id)
            if (lines := uow.practice(claim.practice_id).rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id,
                                                               order_by=ClaimLineRow.line_number))
            and not any(line.procedure_code.startswith("99") for line in lines))
        claim.status = "ready"  # as if the demo had not sent it yet
        repo = uow.practice(claim.practice_id)
        # A visit typed in without 25 beside the claim's procedures.
        repo.add(ClaimLineRow(claim_id=claim.id, line_number=len(lines) + 1, procedure_code="99213", modifiers=[],
                              units=1, charge_cents=10000, diagnosis_pointers=[1],
                              service_date_from=lines[0].service_date_from))
        uow.commit()
        claim_id = claim.id
    [outcome] = scrub_stored_claims(database, claim_ids=[claim_id], as_of=datetime.date(2026, 11, 26))
    assert outcome.status == "scrub_errors"
    assert "modifier-missing" in [f.rule for f in outcome.result.findings]
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.get(ClaimRow, claim_id)
        assert claim is not None and claim.status == "scrub_errors"
        stored = uow.practice(claim.practice_id).rows(ClaimFindingRow, ClaimFindingRow.claim_id == claim_id)
        assert {f.rule for f in stored} == {f.rule for f in outcome.result.findings}


# The demo built on PostgreSQL is covered by test_demo's whole-cycle test and the ledger invariants; this heavy demo
# test runs on SQLite only, to keep CI within its time.
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_fix_adds_25_when_the_documentation_says_the_visit_was_separate(database: Database, tmp_path: Path) -> None:
    build_demo(database, DemoOptions(out_dir=tmp_path, as_of=datetime.date(2026, 11, 26), patients=60, seed=8))
    with UnitOfWork(database, actor="test") as uow:
        target = None
        for claim in uow.session.query(ClaimRow).order_by(ClaimRow.id):
            lines = uow.practice(claim.practice_id).rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id)
            visit = next((line for line in lines if line.procedure_code.startswith("992") and "25" in line.modifiers),
                         None)
            if visit is not None and len(lines) > 1:
                visit.modifiers = [m for m in visit.modifiers if m != "25"]
                claim.status = "ready"  # as if the demo had not sent it yet
                target = claim.id
                break
        assert target is not None
        uow.commit()
    [broken] = scrub_stored_claims(database, claim_ids=[target], as_of=datetime.date(2026, 11, 26))
    assert broken.status == "scrub_errors"
    [fixed] = scrub_stored_claims(database, claim_ids=[target], fix=True, as_of=datetime.date(2026, 11, 26))
    assert fixed.fixes and "added 25" in fixed.fixes[0]
    assert "modifier-missing" not in [f.rule for f in fixed.result.findings]
    with UnitOfWork(database, actor="test") as uow:
        events = uow.session.query(AuditEventRow).filter(AuditEventRow.action == "claim.fixed",
                                                         AuditEventRow.entity_id == target).all()
        assert events and events[0].detail["added_modifier"] == "25"
