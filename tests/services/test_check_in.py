"""Check-in through the service, on SQLite (one PostgreSQL test for the copay's posting): the checklist from the
payer's rules, referrals and authorizations on file (and on the claim), the estimate, the GFE and ABN documents,
the copay posted exactly once, and the practice's age limit on an eligibility check."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
import pytest
from check_in_world import VISIT_DAY, CheckInWorld, check_in_world
from era_world import add_claim
from migrated_databases import migrated_postgres_url, migrated_sqlite_url
from pg_server import require_postgres
from sqlalchemy import select

from dermbill.core.check_in import Item, State
from dermbill.core.coding.result import CodedLine, CodingResult
from dermbill.core.errors import InvalidFields, InvalidInput, NotFound
from dermbill.core.ledger import CASH, PATIENT_AR, PATIENT_CREDIT
from dermbill.core.money import Money
from dermbill.db.engine import Database, open_database
from dermbill.db.models import (
    AppointmentRow,
    AuditEventRow,
    ClaimRow,
    CopayReceiptRow,
    EncounterRow,
    JournalEntryRow,
    PostingRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services import check_in as check_in_service
from dermbill.services.authorizations import authorization_for_claim
from dermbill.services.check_in import (
    CheckIn,
    advance_beneficiary_notice,
    check_in_settings,
    collect_copay,
    good_faith_estimate,
    mark_item,
    read_check_in,
    read_receipt,
    receipt_document,
    record_authorization,
)
from dermbill.services.encounter_coding import make_claim
from dermbill.services.ledger_check import check_ledger
from dermbill.services.patient_payments import post_patient_payment

NOW = datetime.datetime(2026, 3, 10, 8, 30, tzinfo=datetime.UTC)
ACTOR = "front_desk@era.test"


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(migrated_sqlite_url(tmp_path / "check-in.db"))
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def world(sqlite_database: Database) -> CheckInWorld:
    return check_in_world(sqlite_database)


def state(view: CheckIn, item: Item) -> tuple[State, str]:
    found = next(i for i in view.items if i.item is item)
    return found.state, found.detail


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_an_hmo_mohs_visit_wants_a_referral_and_the_authorization_which_the_claim_then_carries(
        sqlite_database: Database, world: CheckInWorld) -> None:
    ours = {world.practice_id}
    view = read_check_in(sqlite_database, ours, world.hmo, actor=ACTOR)
    found, detail = state(view, Item.AUTHORIZATION)
    assert found is State.ATTENTION
    assert "wants a referral" in detail and "prior authorization for 17311" in detail
    assert state(view, Item.COPAY) == (State.TO_DO, "collect $40.00 (copay $40.00)")
    assert state(view, Item.ABN)[0] is State.NOT_NEEDED

    with pytest.raises(InvalidFields) as refused:
        record_authorization(sqlite_database, ours, world.hmo, kind="prior_authorization", number="PA 1",
                             codes="1731", valid_to="2026-02-01", actor=ACTOR, now=NOW)
    assert {p.field for p in refused.value.problems} == {"codes", "valid_to"}
    record_authorization(sqlite_database, ours, world.hmo, kind="referral", number="REF-9", actor=ACTOR, now=NOW)
    view = record_authorization(sqlite_database, ours, world.hmo, kind="prior_authorization", number="PA-17311",
                                codes="17311, 17312", valid_from="2026-03-01", valid_to="2026-04-30", actor=ACTOR,
                                now=NOW)
    assert state(view, Item.AUTHORIZATION) == (State.DONE, "referral REF-9 on file; prior authorization PA-17311 on "
                                                           "file, valid to 2026-04-30")
    with UnitOfWork(sqlite_database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        payer_id = view_payer(uow, world)
        assert authorization_for_claim(repo, world.hmo_patient, payer_id, VISIT_DAY, ["17311"]) == "PA-17311"
        assert authorization_for_claim(repo, world.hmo_patient, payer_id, VISIT_DAY, ["11102"]) is None
        assert authorization_for_claim(repo, world.hmo_patient, payer_id, datetime.date(2026, 5, 1), ["17311"]) is None
        # The claim made from the visit's coded encounter carries it (837P REF*G1).
        appointment = repo.get(AppointmentRow, world.hmo)
        encounter = repo.add(EncounterRow(patient_id=world.hmo_patient, provider_id=appointment.provider_id,
                                          location_id=appointment.location_id, date_of_service=VISIT_DAY,
                                          documentation={"lesions": []}, created_at=NOW))
        repo.flush()
        made = make_claim(repo, encounter, CodingResult(lines=(CodedLine("17311", 1, (), ("C44.311",), "Mohs"),),
                                                        diagnoses=("C44.311",)))
        claim = repo.rows(ClaimRow, ClaimRow.patient_control_number == made)[0]
        assert claim.prior_authorization == "PA-17311"


def view_payer(uow: UnitOfWork, world: CheckInWorld) -> int:
    from dermbill.db.models import CoverageRow
    return uow.practice(world.practice_id).rows(CoverageRow, CoverageRow.patient_id == world.hmo_patient)[0].payer_id


def test_the_hmo_estimate_uses_the_contract_and_says_what_it_assumes(sqlite_database: Database,
                                                                     world: CheckInWorld) -> None:
    view = read_check_in(sqlite_database, {world.practice_id}, world.hmo, actor=ACTOR)
    mohs, stage = view.estimate.lines
    assert (mohs.allowed, stage.allowed) == (Money(60000), Money(30000))  # 17312 is an add-on: indicator 0
    assert view.estimate.rules == ()
    words = " ".join(view.estimate.assumptions)
    assert "TEST COMMUNITY HMO's allowed amounts (TEST COMMUNITY HMO contracted rates)" in words
    assert "the deductible left is not known" in words and "the final amount depends on" in words


def test_a_medicare_patients_cosmetic_removal_needs_an_abn_printed_in_the_cms_r_131_layout(
        sqlite_database: Database, world: CheckInWorld) -> None:
    ours = {world.practice_id}
    view = read_check_in(sqlite_database, ours, world.medicare, actor=ACTOR)
    assert view.abn_codes == ("11200", "17110")
    assert state(view, Item.ABN)[0] is State.ATTENTION
    # No Medicare contract on file: the PFS national amounts price the lines, and two indicator-2 codes are reduced.
    assert view.estimate.rules and "11200" in view.estimate.rules[0]
    name, content = advance_beneficiary_notice(sqlite_database, ours, world.medicare, actor=ACTOR,
                                               today=datetime.date(2026, 3, 9))
    assert name == f"ABN-{world.medicare}-20260309.pdf"
    text = pdf_text(content)
    for expected in ("A. Notifier: ERA TEST DERMATOLOGY", "B. Patient Name: JANE DOE", "C. Identification Number: A-1",
                     "Advance Beneficiary Notice of Non-coverage (ABN)", "Removal of skin tags (11200)", "$120.00",
                     "E. Reason Medicare May Not Pay", "F. Estimated Cost", "OPTION 1.", "OPTION 2.", "OPTION 3.",
                     "H. Additional Information", "I. Signature", "J. Date", "OMB No. 0938-0566"):
        assert expected in text, expected
    view = mark_item(sqlite_database, ours, world.medicare, "abn", "signed, option 1", actor=ACTOR, now=NOW)
    assert state(view, Item.ABN) == (State.DONE, "signed, option 1")
    with pytest.raises(InvalidInput, match="needs an ABN"):
        advance_beneficiary_notice(sqlite_database, ours, world.hmo, actor=ACTOR, today=VISIT_DAY)


def test_a_self_pay_patient_gets_a_good_faith_estimate(sqlite_database: Database, world: CheckInWorld) -> None:
    ours = {world.practice_id}
    view = read_check_in(sqlite_database, ours, world.self_pay, actor=ACTOR)
    assert view.self_pay and view.estimate.patient == Money(35000) and view.estimate.rules == ()
    name, content = good_faith_estimate(sqlite_database, ours, world.self_pay, actor=ACTOR,
                                        today=datetime.date(2026, 3, 1))
    assert name == f"GFE-{world.self_pay}-20260301.pdf"
    text = pdf_text(content)
    for expected in ("Good Faith Estimate", "CAL TESTCHARLIE", "07/07/1990",
                     "NPI 1234567893", "TIN 990000001", "99203", "11102", "$200.00", "$150.00", "$350.00",
                     "March 1, 2026", "at least $400 more", "not a contract", "Diagnosis"):
        assert expected in text, expected
    with pytest.raises(InvalidInput, match="has insurance"):
        good_faith_estimate(sqlite_database, ours, world.hmo, actor=ACTOR, today=VISIT_DAY)


def test_ticks_record_who_and_when_and_every_read_is_audited(sqlite_database: Database, world: CheckInWorld) -> None:
    ours = {world.practice_id}
    read_check_in(sqlite_database, ours, world.hmo, actor=ACTOR)
    view = mark_item(sqlite_database, ours, world.hmo, "identity", actor=ACTOR, now=NOW)
    item = next(i for i in view.items if i.item is Item.IDENTITY)
    assert item.mark is not None and (item.mark.by, item.mark.at) == (ACTOR, NOW)
    with pytest.raises(InvalidInput, match="not an item a person ticks"):
        mark_item(sqlite_database, ours, world.hmo, "copay", actor=ACTOR, now=NOW)
    with pytest.raises(NotFound):
        read_check_in(sqlite_database, {world.practice_id + 1}, world.hmo, actor=ACTOR)
    with UnitOfWork(sqlite_database, actor="test") as uow:
        actions = set(uow.session.scalars(select(AuditEventRow.action).where(AuditEventRow.actor == ACTOR)))
    assert {"check_in.read", "check_in.marked"} <= actions


def test_a_manual_verification_goes_stale_after_the_practices_limit(sqlite_database: Database,
                                                                    world: CheckInWorld) -> None:
    ours = {world.practice_id}
    earlier = NOW - datetime.timedelta(days=10)
    view = mark_item(sqlite_database, ours, world.hmo, "coverage", "payer portal", actor=ACTOR, now=earlier)
    assert state(view, Item.COVERAGE) == (State.DONE, "payer portal")
    assert check_in_settings(sqlite_database, "ERA", actor="manager@era.test") == ("ERA", 30)
    assert check_in_settings(sqlite_database, "ERA", 7, actor="manager@era.test", now=NOW) == ("ERA", 7)
    view = read_check_in(sqlite_database, ours, world.hmo, actor=ACTOR)
    assert state(view, Item.COVERAGE)[0] is State.ATTENTION and view.stale_days == 7
    with pytest.raises(InvalidInput, match="1 to 365"):
        check_in_settings(sqlite_database, "ERA", 0, actor="manager@era.test", now=NOW)
    with pytest.raises(NotFound):
        check_in_settings(sqlite_database, "NOPE", 7, actor="manager@era.test", now=NOW)


def balances(database: Database, practice_id: int) -> dict[str, int]:
    with UnitOfWork(database, actor="test") as uow:
        return {code: money.cents for code, money in uow.practice(practice_id).balances().items()}


def copay_posted_once(database: Database, world: CheckInWorld) -> None:
    ours = {world.practice_id}
    with pytest.raises(InvalidFields) as refused:
        collect_copay(database, ours, world.hmo, amount="40.00", method="card", reference="4111 1111 1111 1111",
                      actor=ACTOR, now=NOW)
    assert "looks like a card number" in refused.value.problems[0].message
    first = collect_copay(database, ours, world.hmo, amount="40.00", method="card", reference="TERM-0042",
                          actor=ACTOR, now=NOW)
    again = collect_copay(database, ours, world.hmo, amount="40.00", method="card", reference="TERM-0042",
                          actor=ACTOR, now=NOW)
    assert first.posted and not again.posted and again.receipt_id == first.receipt_id
    assert (first.applied, first.credit) == (Money(0), Money(4000))  # no claim for the visit yet: a credit
    after = balances(database, world.practice_id)
    assert (after[CASH], after[PATIENT_CREDIT]) == (4000, -4000)
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.query(JournalEntryRow).filter(JournalEntryRow.kind == "patient_payment").count() == 1
        assert uow.session.query(CopayReceiptRow).count() == 1
        assert sum(uow.session.scalars(select(PostingRow.amount_cents))) == 0
    assert check_ledger(database).violations == []
    view = read_check_in(database, ours, world.hmo, actor=ACTOR)
    assert state(view, Item.COPAY)[0] is State.DONE
    receipt = read_receipt(database, ours, first.receipt_id, actor=ACTOR)
    name, content = receipt_document(receipt)
    assert name == f"R{first.receipt_id:06d}.pdf"
    text = pdf_text(content)
    assert "TERM-0042" in text and "$40.00" in text and "BEA TESTBRAVO" in text
    with pytest.raises(InvalidFields, match="not recorded"):  # the same reference for another amount
        collect_copay(database, ours, world.hmo, amount="20.00", method="card", reference="TERM-0042", actor=ACTOR,
                      now=NOW)


def test_the_copay_posts_exactly_once_as_a_credit_before_the_claim(sqlite_database: Database,
                                                                   world: CheckInWorld) -> None:
    copay_posted_once(sqlite_database, world)


@pytest.mark.postgres
def test_the_copay_posts_exactly_once_on_postgresql() -> None:
    require_postgres()
    with migrated_postgres_url() as url:
        database = open_database(url)
        try:
            copay_posted_once(database, check_in_world(database))
        finally:
            database.dispose()


def test_a_second_click_that_loses_the_race_returns_the_first_receipt(
        sqlite_database: Database, world: CheckInWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = {world.practice_id}
    first = collect_copay(sqlite_database, ours, world.hmo, amount="40.00", method="cash", reference="CI2-RACE",
                          actor=ACTOR, now=NOW)
    real = check_in_service._same_payment
    calls: list[str] = []

    def not_yet_committed(*args: object) -> object:  # the first look happened before the other request committed
        calls.append("look")
        return None if len(calls) == 1 else real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(check_in_service, "_same_payment", not_yet_committed)
    again = collect_copay(sqlite_database, ours, world.hmo, amount="40.00", method="cash", reference="CI2-RACE",
                          actor=ACTOR, now=NOW)
    assert (again.posted, again.receipt_id) == (False, first.receipt_id) and len(calls) == 2
    # A reference another screen posted (a patient payment on a claim) is refused with words, not posted again.
    claim = add_claim(world.world, [("11200", (), 12000)])
    post_patient_payment(sqlite_database, world.practice_id, claim.id, Money(1000), "TERM-77")
    with pytest.raises(InvalidFields, match="not recorded") as refused:
        collect_copay(sqlite_database, ours, world.medicare, amount="10.00", method="card", reference="TERM-77",
                      actor=ACTOR, now=NOW)
    assert "already posted as a patient payment" in refused.value.problems[0].message


def test_a_copay_taken_once_the_claim_exists_is_applied_to_its_patient_balance(sqlite_database: Database,
                                                                              world: CheckInWorld) -> None:
    from sqlalchemy import update

    claim = add_claim(world.world, [("11200", (), 12000)])  # the Medicare patient's claim, charges posted
    with UnitOfWork(sqlite_database, actor="test") as uow:  # the claim is for the visit's day
        uow.session.execute(update(ClaimRow).where(ClaimRow.id == claim.id).values(date_of_service=VISIT_DAY))
        repo = uow.practice(world.practice_id)
        from dermbill.core.ledger import INSURANCE_AR, JournalEntry, Posting
        repo.post(JournalEntry(VISIT_DAY, "payer says the patient owes 25.00", (
            Posting(PATIENT_AR, Money(2500), claim_id=claim.id, claim_line_id=claim.lines[0].id),
            Posting(INSURANCE_AR, Money(-2500), claim_id=claim.id, claim_line_id=claim.lines[0].id))))
        uow.commit()
    paid = collect_copay(sqlite_database, {world.practice_id}, world.medicare, amount="30.00", method="cash",
                         reference="CI-1-ABCD", actor=ACTOR, now=NOW)
    assert (paid.applied, paid.credit) == (Money(2500), Money(500))
    after = balances(sqlite_database, world.practice_id)
    assert after[PATIENT_AR] == 0 and after[PATIENT_CREDIT] == -500
    assert check_ledger(sqlite_database).violations == []
