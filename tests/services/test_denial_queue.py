"""The denial work queue over a real database: items from posted 835s, corrected claims that settle, ledger moves,
underpayments, appeals read back from the PDF, audit, learning, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from pathlib import Path

import pdfplumber
import pytest
from era_world import (
    DOS,
    PAID_ON,
    Claim,
    Line,
    World,
    add_claim,
    denied,
    paid_claim,
    practice_world,
    remittance,
    settled,
    write,
)
from sqlalchemy import func, select

from dermbill.clearinghouse.simulated_payer.service import reversal_of
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppealRow,
    AuditEventRow,
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    DenialItemRow,
    EncounterRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    LedgerAccountRow,
    PayerRow,
    PostingRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.claim_lifecycle import move_claim
from dermbill.services.coding import code_document
from dermbill.services.denials import (
    assign_item,
    correct_claim,
    list_items,
    note_item,
    refresh_queue,
    resolve_item,
    show_item,
    snooze_item,
    write_appeal,
)
from dermbill.services.era_posting import post_era_file
from dermbill.services.learned_rules import decide_proposal, denial_stats, propose_payer_rules
from dermbill.services.ledger_check import check_ledger
from dermbill.services.scrubbing import scrub_stored_claims

TODAY = datetime.date(2026, 4, 10)
# An excision of a basal cell carcinoma (lesion A) and a biopsy of another lesion (B) the same day.
EXCISION_AND_BIOPSY = {
    "date_of_service": DOS.isoformat(), "payer": "medicare", "patient": {"age": 76, "sex": "F"}, "visit": None,
    "lesions": [
        {"id": "A", "site": "cheek", "laterality": "left", "diagnosis": "bcc", "pathology": "bcc",
         "diameter_cm": 0.8, "procedures": [{"type": "excision", "margin_cm": 0.4}]},
        {"id": "B", "site": "forearm", "laterality": "right", "diagnosis": "neoplasm_unspecified_behavior",
         "pathology": "seborrheic_keratosis", "diameter_cm": 0.5, "procedures": [{"type": "biopsy",
                                                                                   "technique": "punch"}]}],
    "services": [],
}
# A shave removal of a benign lesion that bled and itched (a reason to treat under the benign-lesion LCDs).
SYMPTOMATIC_SHAVE = {
    "date_of_service": DOS.isoformat(), "payer": "medicare", "patient": {"age": 76, "sex": "F"}, "visit": None,
    "lesions": [{"id": "A", "site": "back_upper", "diagnosis": "seborrheic_keratosis", "diameter_cm": 0.9,
                 "symptoms": ["bleeding", "itching"], "procedures": [{"type": "shave_removal"}]}],
    "services": [],
}


def documented_claim(database: Database, documentation: dict[str, object]) -> tuple[World, Claim]:
    """A submitted claim whose lines are what the coding engine makes of the documentation."""
    world = practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        repo.rows(EncounterRow)[0].documentation = documentation
        uow.commit()
    coded = code_document(documentation)
    spec = [(line.code, line.modifiers, 10000 + 5000 * index) for index, line in enumerate(coded.lines)]
    claim = add_claim(world, spec)
    with UnitOfWork(database, actor="test") as uow:  # the claim's diagnoses, as the engine coded them
        row = uow.session.get(ClaimRow, claim.id)
        assert row is not None
        row.diagnosis_codes = list(coded.diagnoses)
        for line, result in zip(uow.practice(world.practice_id).rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id,
                                                                     order_by=ClaimLineRow.line_number),
                                coded.lines, strict=True):
            line.diagnosis_pointers = [coded.diagnoses.index(code) + 1 for code in result.diagnoses][:4]
        uow.commit()
    return world, claim


def post(database: Database, path: Path) -> None:
    assert {o.status for o in post_era_file(database, path)} == {"posted"}


def items(database: Database) -> list[DenialItemRow]:
    with UnitOfWork(database, actor="test") as uow:
        rows = list(uow.session.scalars(select(DenialItemRow).order_by(DenialItemRow.id)))
        uow.session.expunge_all()
        return rows


def balance(database: Database, account: str, claim_id: int | None = None) -> Money:
    with UnitOfWork(database, actor="test") as uow:
        query = select(func.sum(PostingRow.amount_cents)).join(
            LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id).where(LedgerAccountRow.code == account)
        if claim_id is not None:
            query = query.where(PostingRow.claim_id == claim_id)
        return Money(int(uow.session.scalar(query) or 0))


@pytest.mark.parametrize("reversal_later", [False, True], ids=["one-file", "reversal-in-a-later-file"])
def test_a_biopsy_bundled_despite_xs_is_corrected_with_59_and_the_corrected_claim_settles(
        database: Database, tmp_path: Path, reversal_later: bool) -> None:
    world, claim = documented_claim(database, EXCISION_AND_BIOPSY)
    biopsy = next(line for line in claim.lines if line.code == "11104")
    assert "XS" in biopsy.modifiers  # the engine marked the biopsy of the other lesion
    others = [line for line in claim.lines if line is not biopsy]
    first = paid_claim(claim, (*[settled(line, line.charge.cents // 2) for line in others],
                               denied(biopsy, "CO", "97", remarks=("M15",))), icn="ICN100")
    post(database, write(tmp_path / "first.835", (remittance((first,)),)))

    report = refresh_queue(database, today=TODAY)
    assert report.created == 1 and report.by_category == {"coding_bundling": 1}
    [item] = items(database)
    assert (item.category, item.action, item.carc, item.rarcs) == ("coding_bundling", "correct_and_resubmit", "97",
                                                                   ["M15"])
    assert "lesion B" in item.cause and "11104" in item.cause and "59" in item.cause
    assert item.fixes == [{"line": biopsy.number, "add": ["59"], "remove": ["XS"]}]
    assert item.amount_cents == biopsy.charge.cents
    assert item.deadline == PAID_ON + datetime.timedelta(days=365)  # Medicare: reopening within one year
    assert refresh_queue(database, today=TODAY).created == 0  # idempotent

    done = correct_claim(database, item.id, actor="biller", today=TODAY)
    assert done.status == "ready" and not done.findings, done.findings
    assert any("XS -> 59" in change for change in done.changes)
    with UnitOfWork(database, actor="test") as uow:
        corrected = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == done.corrected)
                                        ).one()
        original = uow.session.get(ClaimRow, claim.id)
        assert (corrected.frequency_code, corrected.payer_claim_number, corrected.original_claim_id) == (
            "7", "ICN100", claim.id)
        assert original is not None and original.status == "closed"
        lines = uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == corrected.id)
                                    .order_by(ClaimLineRow.line_number)).all()
        assert [line.billed_line_id for line in lines] == [line.id for line in claim.lines]
        assert lines[biopsy.number - 1].modifiers == ["59"]
        corrected_lines = tuple(Line(line.id, line.line_number, line.procedure_code, tuple(line.modifiers),
                                     Money(line.charge_cents), f"{done.corrected}-{line.line_number}")
                                for line in lines)
        corrected_id = corrected.id
        move_claim(uow.practice(world.practice_id), corrected, ClaimStatus.SUBMITTED, "sent (test)")
        uow.commit()
    with pytest.raises(InvalidTransition, match="already corrected"):
        correct_claim(database, item.id, actor="biller", today=TODAY)

    # The payer reverses its first decision and pays the corrected claim.
    paid = paid_claim(Claim(corrected_id, done.corrected, corrected_lines),
                      tuple(settled(line, line.charge.cents // 2) for line in corrected_lines), icn="ICN200")
    if reversal_later:  # the payer's decision on the corrected claim first, its reversal of the original after
        post(database, write(tmp_path / "second.835", (remittance((paid,), trace="EFT0002"),), interchange=2))
        post(database, write(tmp_path / "third.835", (remittance((reversal_of(first),), trace="EFT0003"),),
                             interchange=3))
    else:
        post(database, write(tmp_path / "second.835", (remittance((reversal_of(first), paid), trace="EFT0002"),),
                             interchange=2))
    with UnitOfWork(database, actor="test") as uow:
        statuses = dict(uow.session.execute(select(ClaimRow.patient_control_number, ClaimRow.status)).all())
    assert statuses == {claim.pcn: "closed", done.corrected: "paid"}
    assert refresh_queue(database, today=TODAY).resolved == 1
    [item] = items(database)
    assert item.status == "resolved" and item.resolution is not None and done.corrected in item.resolution
    assert balance(database, "1150") == Money.zero() and balance(database, "1100") == Money.zero()
    assert check_ledger(database).clean

    # The payer sends its first decision again under a new trace (found by make fuzz): the corrected claim settled
    # those lines, so what it pays is owed back to the payer, and no balance goes below zero.
    [again] = post_era_file(database, write(tmp_path / "again.835", (remittance((first,), trace="EFT0009"),),
                                            interchange=9))
    assert (again.status, again.claims_posted, again.overpaid) == ("posted", 0, [claim.pcn])
    assert balance(database, "2150") == -first.paid
    assert balance(database, "1150") == Money.zero() and balance(database, "1100") == Money.zero()
    assert check_ledger(database).clean


def test_write_off_and_bill_patient_move_the_denied_balance_once(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    a = add_claim(world, [("11301", (), 29500)])
    b = add_claim(world, [("17110", (), 27500)])
    post(database, write(tmp_path / "d.835", (remittance((
        paid_claim(a, (denied(a.lines[0], "CO", "96", remarks=("N425",)),), status="4"),
        paid_claim(b, (denied(b.lines[0], "CO", "96", remarks=("N425",)),), status="4"))),)))
    refresh_queue(database, today=TODAY)
    first, second = items(database)
    assert {first.category, second.category} == {"non_covered"}
    assert first.action == "write_off"  # no documentation of symptoms, no waiver
    assert balance(database, "1150") == Money(29500 + 27500)

    assert resolve_item(database, first.id, "write_off", actor="biller", today=TODAY) == Money(29500)
    assert resolve_item(database, second.id, "bill_patient", actor="biller", today=TODAY) == Money(27500)
    assert balance(database, "1150") == Money.zero()
    assert balance(database, "4200") == Money(29500) and balance(database, "1200") == Money(27500)
    with pytest.raises(InvalidTransition, match="already resolved"):
        resolve_item(database, first.id, "write_off", actor="biller", today=TODAY)
    with pytest.raises(InvalidInput, match="not a resolution"):
        resolve_item(database, second.id, "forgive", actor="biller", today=TODAY)
    assert check_ledger(database).clean


def test_an_unknown_reason_code_is_kept_and_shown_as_unknown(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000)])
    post(database, write(tmp_path / "u.835", (remittance((
        paid_claim(claim, (denied(claim.lines[0], "CO", "Z99", remarks=("Q1",)),), status="4"),)),)))
    refresh_queue(database, today=TODAY)
    [item] = list_items(database, today=TODAY)
    assert (item.carc, item.rarc, item.category, item.action) == ("Z99", ("Q1",), "unknown", "review")
    assert "Z99" in item.cause


def contract(database: Database, world: World, code: str, cents: int) -> None:
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        payer = repo.payers()[0]
        schedule = repo.add(FeeScheduleRow(name="contract", payer_id=payer.id, effective_from=DOS.replace(month=1)))
        repo.flush()
        repo.add(FeeScheduleItemRow(fee_schedule_id=schedule.id, procedure_code=code, amount_cents=cents))
        uow.commit()


@pytest.mark.parametrize(("allowed", "flagged"), [(10000, False), (9901, False), (9900, True), (5000, True)])
def test_a_line_allowed_a_dollar_or_more_below_the_contract_is_an_underpayment(
        database: Database, tmp_path: Path, allowed: int, flagged: bool) -> None:
    world = practice_world(database)
    contract(database, world, "11102", 10000)
    claim = add_claim(world, [("11102", (), 15000)])
    post(database, write(tmp_path / "p.835", (remittance((paid_claim(claim, (settled(claim.lines[0], allowed),)),)),)))
    refresh_queue(database, today=TODAY)
    found = items(database)
    assert len(found) == flagged
    if flagged:
        item = found[0]
        assert (item.kind, item.category, item.action) == ("underpayment", "underpayment", "appeal")
        assert item.amount_cents == 10000 - allowed
        assert item.deadline == PAID_ON + datetime.timedelta(days=125)  # Medicare redetermination window


def test_items_are_assigned_noted_and_snoozed_with_an_audit_trail(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    small, large = add_claim(world, [("11102", (), 15000)]), add_claim(world, [("11642", (), 61000)])
    post(database, write(tmp_path / "s.835", (remittance((
        paid_claim(small, (denied(small.lines[0], "CO", "16", remarks=("MA130",)),), status="4"),
        paid_claim(large, (denied(large.lines[0], "CO", "16", remarks=("MA130",)),), status="4"))),)))
    refresh_queue(database, today=TODAY)
    queue = list_items(database, today=TODAY)
    assert [item.amount for item in queue] == [Money(61000), Money(15000)]  # the same deadline: money first
    target = queue[1].id
    assign_item(database, target, "pat", actor="lead")
    note_item(database, target, "called the payer; resubmit with the diagnosis", actor="pat")
    snooze_item(database, target, TODAY + datetime.timedelta(days=3), actor="pat", today=TODAY)
    with pytest.raises(InvalidInput, match="not after today"):
        snooze_item(database, target, TODAY, actor="pat", today=TODAY)
    assert [item.id for item in list_items(database, today=TODAY)] == [queue[0].id]
    back = list_items(database, today=TODAY + datetime.timedelta(days=3))
    assert [item.id for item in back] == [queue[0].id, target] and back[1].assigned_to == "pat"
    assert [item.id for item in list_items(database, today=TODAY, assigned_to="pat", statuses=("all",))] == [target]
    detail = show_item(database, target)
    assert [what for _, _, what, _ in detail.history] == ["denial.created", "denial.assigned", "denial.noted",
                                                          "denial.snoozed"]
    assert [who for _, who, _, _ in detail.history][1:] == ["lead", "pat", "pat"]
    assert "called the payer" in detail.history[2][3]


def test_the_appeal_letter_carries_the_claims_facts(database: Database, tmp_path: Path) -> None:
    _, claim = documented_claim(database, SYMPTOMATIC_SHAVE)
    denial = paid_claim(claim, tuple(denied(line, "CO", "50", remarks=("N115",)) for line in claim.lines),
                        status="4", icn="ICN777")
    post(database, write(tmp_path / "a.835", (remittance((denial,)),)))
    refresh_queue(database, today=TODAY)
    [item] = items(database)
    assert (item.category, item.action) == ("medical_necessity", "appeal")
    assert any("L34200" in rule or "LCD" in rule for rule in item.relies_on)

    with UnitOfWork(database, actor="test") as uow:  # where this payer takes appeals
        payer = uow.session.scalars(select(PayerRow)).one()
        payer.appeal_address_line1, payer.appeal_city, payer.appeal_state, payer.appeal_zip_code = (
            "PO BOX 4321", "ANYTOWN", "PA", "190990123")
        uow.commit()
    written = write_appeal(database, item.id, tmp_path / "appeals", actor="biller", today=TODAY)
    assert "appeal" in written.path.name and written.path.exists()
    with pdfplumber.open(written.path) as pdf:
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    for fact in (claim.pcn, "ICN777", "DOE, JANE", "1EG4TE5MK72", claim.lines[0].code, "CO-50", "N115", "0.9 cm",
                 "bleeding", "itching", "back upper", "L34200", "ERA TEST DERMATOLOGY", "TEST MEDICARE",
                 "Request for redetermination", "PO BOX 4321", "ANYTOWN, PA 19099-0123"):
        assert fact in text, fact
    with UnitOfWork(database, actor="test") as uow:
        appeal = uow.session.scalars(select(AppealRow)).one()
        assert (appeal.status, appeal.deadline, appeal.file_name) == ("written", item.deadline, written.path.name)
    assert show_item(database, item.id).item.status == "waiting"
    late = item.deadline + datetime.timedelta(days=1) if item.deadline else TODAY
    with pytest.raises(InvalidTransition, match="appeal window closed"):
        write_appeal(database, item.id, tmp_path / "appeals", actor="biller", today=late)

    # The payer reprocesses the claim (its denial reversed) and pays: the appeal is won and the item resolved.
    paid = paid_claim(claim, tuple(settled(line, line.charge.cents // 2) for line in claim.lines), icn="ICN777")
    post(database, write(tmp_path / "b.835", (remittance((reversal_of(denial), paid), trace="EFT0009"),),
                         interchange=2))
    assert refresh_queue(database, today=TODAY).resolved == 1
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalars(select(AppealRow.status)).one() == "won"


def test_a_payer_that_keeps_denying_for_authorization_teaches_the_scrubber(database: Database,
                                                                          tmp_path: Path) -> None:
    world = practice_world(database)
    claims = [add_claim(world, [("17311", (), 120000)]) for _ in range(3)]
    post(database, write(tmp_path / "m.835", (remittance(tuple(
        paid_claim(c, (denied(c.lines[0], "CO", "197", remarks=("M62",)),), status="4") for c in claims)),)))
    refresh_queue(database, today=TODAY)
    assert {(i.category, i.action) for i in items(database)} == {("authorization", "get_authorization")}
    assert propose_payer_rules(database, min_denials=4) == []
    [proposal] = propose_payer_rules(database)
    assert (proposal.rule, proposal.code, proposal.denials, proposal.status) == ("prior_authorization", "17311", 3,
                                                                                 "proposed")
    fresh = add_claim(world, [("17311", (), 120000)], submit=False)
    before = scrub_stored_claims(database, claim_ids=[fresh.id], as_of=TODAY)[0]
    assert "authorization-missing" not in {f.rule for f in before.result.findings}  # not accepted yet
    decide_proposal(database, proposal.id, accept=True, actor="manager")
    with pytest.raises(InvalidTransition, match="already accepted"):
        decide_proposal(database, proposal.id, accept=False, actor="manager")
    scrubbed = scrub_stored_claims(database, claim_ids=[fresh.id], as_of=TODAY)[0]
    assert scrubbed.status == "scrub_errors"
    assert [f.lines for f in scrubbed.result.findings if f.rule == "authorization-missing"] == [(1,)]
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEventRow).where(
            AuditEventRow.action == "payer_rule.accepted", AuditEventRow.actor == "manager")) == 1
    stats = denial_stats(database)
    assert stats.by_reason == {"CO-197": 3} and stats.by_code == {"17311": 3} and stats.claims_denied == 3
    with UnitOfWork(database, actor="test") as uow:
        payer_name = uow.session.scalars(select(PayerRow.name)).one()
    assert stats.by_payer == {payer_name: 3}


@pytest.mark.parametrize(("repaid_at", "resolved"), [(9500, False), (10000, True)])
def test_an_underpayment_resolves_when_the_line_is_paid_again_at_the_contract(
        database: Database, tmp_path: Path, repaid_at: int, resolved: bool) -> None:
    world = practice_world(database)
    contract(database, world, "11102", 10000)
    claim = add_claim(world, [("11102", (), 15000)])
    first = paid_claim(claim, (settled(claim.lines[0], 8000),))
    post(database, write(tmp_path / "p.835", (remittance((first,)),)))
    refresh_queue(database, today=TODAY)
    [item] = items(database)
    assert item.kind == "underpayment" and item.amount_cents == 2000
    again = paid_claim(claim, (settled(claim.lines[0], repaid_at),))
    post(database, write(tmp_path / "q.835", (remittance((reversal_of(first), again), trace="EFT0002"),),
                         interchange=2))
    report = refresh_queue(database, today=TODAY)
    assert report.resolved == resolved
    statuses = [row.status for row in items(database)]
    assert statuses[0] == ("resolved" if resolved else "open")
    assert check_ledger(database).clean


def test_coverage_ended_with_another_plan_on_file_is_rebilled_to_it(database: Database, tmp_path: Path) -> None:
    from dermbill.x12.remittance_835_writer import Remittance

    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000), ("17000", (), 12000)])
    with UnitOfWork(database, actor="test") as uow:  # the patient's new plan, which the front desk had on file
        repo = uow.practice(world.practice_id)
        first = repo.rows(CoverageRow)[0]
        organization_id = repo.practice.organization_id
        blue = PayerRow(organization_id=organization_id, name="TEST BLUE", payer_identifier="TSTBLU",
                        kind="commercial", claim_filing_indicator_code="BL", timely_filing_days=180)
        uow.add_payers([blue])
        repo.add(CoverageRow(patient_id=first.patient_id, payer_id=blue.id, member_id="BLU123",
                             coverage_order="primary", relationship_code="18", effective_date=DOS))
        uow.commit()
    post(database, write(tmp_path / "a.835", (remittance((paid_claim(claim, tuple(
        denied(line, "CO", "27", remarks=("N30",)) for line in claim.lines), status="4"),)),)))
    refresh_queue(database, today=TODAY)
    [item] = items(database)
    assert (item.category, item.action) == ("eligibility_coverage", "check_eligibility_and_rebill")
    assert "TEST BLUE" in item.cause and item.rebill_payer_id is not None
    assert item.deadline == DOS + datetime.timedelta(days=180)  # the new payer's filing limit
    assert list_items(database, today=TODAY)[0].certain_fix

    done = correct_claim(database, item.id, actor="biller", today=TODAY)
    assert done.corrected == f"{claim.pcn}B1" and any("TEST BLUE" in change for change in done.changes)
    assert balance(database, "1150") == Money.zero()
    with UnitOfWork(database, actor="test") as uow:
        rebilled = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == done.corrected)
                                       ).one()
        assert (rebilled.frequency_code, rebilled.payer_claim_number) == ("1", None)
        assert uow.session.get(ClaimRow, claim.id).status == "closed"  # type: ignore[union-attr]
        rebilled.status = ClaimStatus.SUBMITTED.value  # sent (its scrub findings are the test claim's L82.1)
        lines = uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == rebilled.id)
                                    .order_by(ClaimLineRow.line_number)).all()
        new_lines = tuple(Line(line.id, line.line_number, line.procedure_code, (), Money(line.charge_cents),
                               f"{done.corrected}-{line.line_number}") for line in lines)
        rebilled_id = rebilled.id
        uow.commit()
    assert balance(database, "1100", rebilled_id) == Money(27000)  # now owed by the new payer

    paid = paid_claim(Claim(rebilled_id, done.corrected, new_lines),
                      tuple(settled(line, line.charge.cents // 2) for line in new_lines))
    path = write(tmp_path / "b.835", (Remittance("TEST BLUE", "TSTBLU", "ERA TEST DERMATOLOGY", "1234567893",
                                                 "BLU0001", PAID_ON, (paid,)),), interchange=2)
    post(database, path)
    assert refresh_queue(database, today=TODAY).resolved == 1
    assert balance(database, "1100") == Money.zero() and check_ledger(database).clean


def test_two_people_correcting_the_same_item_at_once_make_one_corrected_claim(database: Database,
                                                                              tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dermbill.db.engine import open_database

    _, claim = documented_claim(database, EXCISION_AND_BIOPSY)
    biopsy = next(line for line in claim.lines if line.code == "11104")
    post(database, write(tmp_path / "a.835", (remittance((paid_claim(claim, (
        *[settled(line, line.charge.cents // 2) for line in claim.lines if line is not biopsy],
        denied(biopsy, "CO", "97", remarks=("M15",))), icn="ICN1"),)),)))
    refresh_queue(database, today=TODAY)
    [item] = items(database)

    def attempt(person: str) -> str:
        own = open_database(database.url)
        try:
            return correct_claim(own, item.id, actor=person, today=TODAY).corrected
        except InvalidTransition as exc:
            return f"refused: {exc}"
        finally:
            own.dispose()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(attempt, ["ann", "bob"]))
    assert outcomes[0] == f"{claim.pcn}C1" and outcomes[1].startswith("refused: ") and "already corrected" in \
        outcomes[1], outcomes
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(ClaimRow).where(
            ClaimRow.frequency_code == "7")) == 1


def test_two_refreshes_at_once_make_each_item_once(database: Database, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from dermbill.db.engine import open_database

    world = practice_world(database)
    claims = [add_claim(world, [("11301", (), 29500)]) for _ in range(5)]
    post(database, write(tmp_path / "d.835", (remittance(tuple(
        paid_claim(c, (denied(c.lines[0], "CO", "96", remarks=("N425",)),), status="4") for c in claims)),)))

    def refresh(_: int) -> int:
        own = open_database(database.url)
        try:
            return refresh_queue(own, today=TODAY).created
        finally:
            own.dispose()

    with ThreadPoolExecutor(2) as pool:
        created = list(pool.map(refresh, range(2)))
    assert sorted(created) == [0, 5] and len(items(database)) == 5


def letter_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)


def test_two_items_on_one_claim_get_a_letter_each_and_no_letter_is_overwritten(database: Database,
                                                                              tmp_path: Path) -> None:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000), ("17311", (), 120000)])
    post(database, write(tmp_path / "d.835", (remittance((paid_claim(claim, (
        denied(claim.lines[0], "CO", "Z99"), denied(claim.lines[1], "CO", "197", remarks=("M62",))), status="4"),)),)))
    refresh_queue(database, today=TODAY)
    first, second = items(database)
    assert first.claim_id == second.claim_id == claim.id and first.action != second.action
    out = tmp_path / "appeals"

    one = write_appeal(database, first.id, out, actor="biller", today=TODAY)
    kept = one.path.read_bytes()
    two = write_appeal(database, second.id, out, actor="biller", today=TODAY)
    assert one.path != two.path and one.path.read_bytes() == kept
    assert one.path.name == f"appeal-{claim.pcn}-item{first.id}-{TODAY:%Y%m%d}.pdf"
    assert two.path.name == f"appeal-{claim.pcn}-item{second.id}-{TODAY:%Y%m%d}.pdf"
    assert "17311" in letter_text(two.path) and "17311" not in letter_text(one.path)

    # The same item's letter written again the same day (another signer) goes beside the first, never over it.
    again = write_appeal(database, first.id, out, actor="biller", today=TODAY, signer="TEST, SIGNER")
    assert again.path.name == f"appeal-{claim.pcn}-item{first.id}-{TODAY:%Y%m%d}-2.pdf"
    assert again.replaced_name_taken == one.path.name and one.replaced_name_taken is None
    assert one.path.read_bytes() == kept and "TEST, SIGNER" in letter_text(again.path)
    # A file someone else put where the next letter would go is kept as it is, too.
    planted = out / f"appeal-{claim.pcn}-item{second.id}-{TODAY:%Y%m%d}-2.pdf"
    planted.write_bytes(b"not ours")
    third = write_appeal(database, second.id, out, actor="biller", today=TODAY)
    assert third.path.name.endswith("-3.pdf") and planted.read_bytes() == b"not ours"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in (one.path, two.path, again.path, planted, third.path))
    with UnitOfWork(database, actor="test") as uow:
        recorded = sorted(uow.session.scalars(select(AppealRow.file_name)))
    assert recorded == sorted(p.name for p in (one.path, two.path, again.path, third.path))


@pytest.mark.parametrize(("reason", "remarks", "action", "why"), [
    ("27", ("N30",), "check_eligibility_and_rebill", "coverage with it was not in force"),
    ("96", ("N425",), "write_off", "cannot be collected from anyone"),
    ("PR-96", (), "bill_patient", "put the amount on the patient"),
], ids=["coverage-ended", "write-off", "patient-owes"])
def test_an_appeal_of_a_denial_an_appeal_cannot_change_is_refused_with_the_reason(
        database: Database, tmp_path: Path, reason: str, remarks: tuple[str, ...], action: str, why: str) -> None:
    world = practice_world(database)
    claim = add_claim(world, [("11301", (), 29500)])
    group, reason = reason.split("-") if "-" in reason else ("CO", reason)
    post(database, write(tmp_path / "d.835", (remittance((paid_claim(claim, (
        denied(claim.lines[0], group, reason, remarks=remarks),), status="4"),)),)))
    refresh_queue(database, today=TODAY)
    [item] = items(database)
    assert item.action == action

    with pytest.raises(InvalidTransition, match=f"work item {item.id} cannot be appealed: .*{why}") as refused:
        write_appeal(database, item.id, tmp_path / "appeals", actor="biller", today=TODAY)
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "appeals").exists()
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(AppealRow)) == 0
    assert show_item(database, item.id).item.status == "open"


def test_an_underpayment_letter_asks_for_the_shortfall_not_the_line_charge(database: Database,
                                                                          tmp_path: Path) -> None:
    world = practice_world(database)
    contract(database, world, "11102", 10000)
    claim = add_claim(world, [("11102", (), 15000)])
    # Allowed $80.00 of a $100.00 contract; the patient's 20% coinsurance ($16.00) left $64.00 paid.
    post(database, write(tmp_path / "p.835", (remittance((paid_claim(claim, (
        settled(claim.lines[0], 8000, patient=(("2", 1600),)),)),)),)))
    refresh_queue(database, today=TODAY)
    [item] = items(database)
    assert (item.kind, item.amount_cents) == ("underpayment", 2000)

    written = write_appeal(database, item.id, tmp_path / "appeals", actor="biller", today=TODAY)
    text = letter_text(written.path)
    assert "Total underpaid $20.00" in text
    assert "$100.00" in text and "$80.00" in text and "$64.00" in text  # contracted, allowed, paid
    assert "150.00" not in text  # the line charge is not what the payer owes
    assert "Total appealed" not in text and "paid below our contracted rate" in text
    assert "reprocess" in text and "contracted amount of $100.00" in text
