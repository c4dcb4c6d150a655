"""Importing CSV files into the database (SQLite and PostgreSQL): a file with a bad row saves nothing, a dry run
saves nothing, --skip-bad-rows saves the good rows, and importing again updates instead of doubling; patients and
coverages go through the intake service, audited as changes of protected health information."""

from __future__ import annotations

import datetime
from pathlib import Path

from era_world import PAYER_ID, practice_world
from sqlalchemy import func, select

from dermbill.db.engine import Database
from dermbill.db.models import (
    AuditEventRow,
    CoverageRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    LedgerAccountRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.csv_import import ImportReport, import_csv, organization_for_import
from dermbill.services.intake import Outcome, register_coverage, register_patient

TODAY = datetime.date(2026, 3, 2)
SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
HEADER = "account_number,last_name,first_name,date_of_birth,sex,address_line1,city,state,zip_code\n"
GOOD = ["B-1,TEST,ALPHA,1950-01-31,F,2 TEST ST,ANYTOWN,PA,19099",
        "B-2,TEST,BRAVO,07/04/1961,M,3 TEST ST,ANYTOWN,PA,19099"]
BAD = ["B-3,TEST,ECHO,13/01/1960,F,5 TEST ST,ANYTOWN,PA,1909", "B-4,T3ST,,1960-01-01,X,5 TEST ST,ANYTOWN,ZZ,19099"]


def count(database: Database, row: type, *criteria: object) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(row).where(*criteria)) or 0)  # type: ignore


def actions(database: Database, action: str) -> list[dict[str, object]]:
    with UnitOfWork(database, actor="test") as uow:
        return [e.detail for e in uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)
                                                      .order_by(AuditEventRow.id))]


def run(database: Database, kind: str, text: str, **options: object) -> ImportReport:
    organization = organization_for_import(database, None)
    return import_csv(database, kind, text, file_name=f"{kind}.csv", organization_id=organization, actor="tester",
                      as_of=TODAY, **options)  # type: ignore[arg-type]


def test_a_patients_file_with_bad_rows_saves_nothing_unless_the_good_rows_are_asked_for(database: Database) -> None:
    practice_world(database)
    text = HEADER + "\n".join([GOOD[0], BAD[0], BAD[1], GOOD[1]]) + "\n"
    dry = run(database, "patients", text, practice="ERA", dry_run=True)
    assert [(p.line, p.column) for p in dry.problems] == [
        (3, "date_of_birth"), (3, "zip_code"), (4, "last_name"), (4, "first_name"), (4, "sex"), (4, "state")]
    assert (dry.created, dry.bad_rows, dry.saved) == (2, 2, False)
    refused = run(database, "patients", text, practice="ERA")
    assert refused.refused and (refused.created, refused.saved) == (0, False)
    assert count(database, PatientRow) == 1  # the world's own patient only
    skipped = run(database, "patients", text, practice="ERA", skip_bad_rows=True)
    assert (skipped.created, skipped.updated, skipped.unchanged, skipped.bad_rows, skipped.saved) == (2, 0, 0, 2, True)
    assert count(database, PatientRow) == 3
    registered = actions(database, "patient.registered")
    assert [d["patient"] for d in registered] == ["B-1", "B-2"]
    assert registered[1]["after"]["date_of_birth"] == "1961-07-04"  # type: ignore[index]
    imports = actions(database, "import.csv")
    assert [(d["dry_run"], d["saved"], d["lines_with_problems"]) for d in imports] == [
        (True, False, [3, 4]), (False, False, [3, 4]), (False, True, [3, 4])]
    assert "TEST" not in str(imports)  # no values in the import's audit


def test_importing_the_same_file_again_updates_and_never_doubles(database: Database) -> None:
    practice_world(database)
    text = HEADER + "\n".join(GOOD) + "\n"
    assert run(database, "patients", text, practice="ERA").created == 2
    again = run(database, "patients", text, practice="ERA")
    assert (again.created, again.updated, again.unchanged, again.problems) == (0, 0, 2, ())
    moved = run(database, "patients", text.replace("2 TEST ST", "9 TEST ST"), practice="ERA")
    assert (moved.created, moved.updated, moved.unchanged) == (0, 1, 1)
    assert count(database, PatientRow) == 3
    [edited] = actions(database, "patient.edited")
    assert edited["before"] == {"address_line1": "2 TEST ST"} and edited["after"] == {"address_line1": "9 TEST ST"}


def test_columns_missing_or_unknown_stop_the_file_before_its_rows(database: Database) -> None:
    practice_world(database)
    report = run(database, "patients", "account_number,last_name,nickname\nB-1,TEST,AL\n", practice="ERA",
                 skip_bad_rows=True)
    assert [p.line for p in report.problems] == [1] * len(report.problems)
    assert {p.column for p in report.problems} >= {"nickname", "first_name", "date_of_birth"}
    assert not report.saved and count(database, PatientRow) == 1
    # Unknown columns stop the saving even of good rows: the file is not what it says.
    extra = run(database, "patients", HEADER.replace("\n", ",nickname\n") + GOOD[0] + ",AL\n", practice="ERA",
                skip_bad_rows=True)
    assert [p.column for p in extra.problems] == ["nickname"] and not extra.saved


def test_rows_may_only_name_the_persons_practices_and_records_once(database: Database) -> None:
    world = practice_world(database)
    text = "practice," + HEADER + "\n".join([f"ERA,{GOOD[0]}", f"OTHER,{GOOD[1]}", f"era,{GOOD[0]}"]) + "\n"
    report = run(database, "patients", text, practice_ids={world.practice_id})
    assert [(p.line, p.column) for p in report.problems] == [(3, "practice"), (4, "account_number")]
    assert "not one of your practices (yours: ERA)" in report.problems[0].reason
    assert "the same account_number as line 2" in report.problems[1].reason
    nobody = run(database, "patients", text, practice_ids=set(), dry_run=True)
    assert {p.column for p in nobody.problems} == {"practice", "account_number"}


def test_coverages_are_found_by_payer_and_member_id(database: Database) -> None:
    practice_world(database)
    header = "account_number,payer,member_id,coverage_order,effective_date,termination_date\n"
    text = (header + f"A-1,{PAYER_ID},1eg4-te5-mk72,primary,2026-03-02,12/31/2026\n"
            f"B-9,{PAYER_ID},X1,primary,2026-01-01,\n")
    report = run(database, "coverages", text, practice="ERA", skip_bad_rows=True)
    assert (report.created, report.updated) == (0, 1)  # the world's coverage (member ID 1EG4TE5MK72), now ending
    [(line, column, reason, fix)] = [(p.line, p.column, p.reason, p.fix) for p in report.problems]
    assert (line, column) == (3, "account_number") and "no patient B-9" in reason and "import the patient" in fix
    with UnitOfWork(database, actor="test") as uow:
        [coverage] = uow.session.scalars(select(CoverageRow)).all()
        assert coverage.termination_date == datetime.date(2026, 12, 31)
    [edited] = actions(database, "coverage.edited")
    assert edited["after"] == {"termination_date": "2026-12-31"}


def test_the_intake_service_creates_updates_or_leaves_unchanged(database: Database) -> None:
    world = practice_world(database)
    values = {"last_name": "TEST", "first_name": "GOLF", "date_of_birth": datetime.date(1970, 5, 5), "sex": "M",
              "address_line1": "7 TEST ST", "city": "ANYTOWN", "state": "PA", "zip_code": "19099"}
    with UnitOfWork(database, actor="hl7") as uow:
        repo = uow.practice(world.practice_id)
        created = register_patient(repo, "H-1", values, as_of=TODAY, via="hl7 ADT^A04")
        same = register_patient(repo, "H-1", values, as_of=TODAY)
        changed = register_patient(repo, "H-1", {"phone": "215-555-0199"}, as_of=TODAY)  # the rest kept
        coverage = register_coverage(repo, "H-1", {"payer": PAYER_ID, "member_id": "1EG4TE5MK73",
                                                   "coverage_order": "primary", "relationship_code": "",
                                                   "effective_date": "2026-01-01"}, as_of=TODAY)
        uow.commit()
    assert [r.outcome for r in (created, same, changed, coverage)] == [
        Outcome.CREATED, Outcome.UNCHANGED, Outcome.UPDATED, Outcome.CREATED]
    assert changed.before == {"phone": None} and changed.after == {"phone": "2155550199"}
    with UnitOfWork(database, actor="test") as uow:
        patient = uow.session.scalars(select(PatientRow).where(PatientRow.account_number == "H-1")).one()
        assert (patient.first_name, patient.phone) == ("GOLF", "2155550199")
    assert actions(database, "patient.registered")[0]["via"] == "hl7 ADT^A04"


def test_a_new_billing_company_set_up_from_the_sample_files(database: Database) -> None:
    organization = organization_for_import(database, "SAMPLE BILLING CO", create=True)
    kinds = ["practices", "payers", "providers", "locations", "fee-schedules", "contracted-rates", "patients",
             "coverages"]
    reports = {}
    for kind in kinds:
        text = (SAMPLES / f"{kind}.csv").read_text(encoding="utf-8")
        reports[kind] = import_csv(database, kind, text, file_name=f"{kind}.csv", organization_id=organization,
                                   actor="tester", as_of=TODAY, batch_rows=2)
    assert {kind: (r.created, r.problems) for kind, r in reports.items()} == {
        "practices": (2, ()), "payers": (3, ()), "providers": (3, ()), "locations": (3, ()),
        "fee-schedules": (6, ()), "contracted-rates": (4, ()), "patients": (3, ()), "coverages": (3, ())}
    assert count(database, PracticeRow) == 2 and count(database, PayerRow) == 3
    assert count(database, ProviderRow) == 3 and count(database, ServiceLocationRow) == 3
    assert count(database, LedgerAccountRow) > 0  # each new practice has its chart of accounts
    with UnitOfWork(database, actor="test") as uow:
        schedules = {(s.name, s.payer_id is not None, s.effective_to) for s in uow.session.scalars(
            select(FeeScheduleRow))}
        assert schedules == {("STANDARD FEES", False, None), ("TSTCOM contract", True, datetime.date(2026, 12, 31))}
        item = uow.session.scalars(select(FeeScheduleItemRow).where(FeeScheduleItemRow.procedure_code == "88305")).one()
        assert (item.modifier, item.amount_cents) == ("26", 9500)
    for kind in kinds:  # the same files again: nothing new
        text = (SAMPLES / f"{kind}.csv").read_text(encoding="utf-8")
        again = import_csv(database, kind, text, file_name=f"{kind}.csv", organization_id=organization,
                           actor="tester", as_of=TODAY)
        assert (again.created, again.updated, again.problems) == (0, 0, ()), kind
    fees = (SAMPLES / "fee-schedules.csv").read_text(encoding="utf-8").replace("150.00", "155.00")
    calls: list[tuple[object, ...]] = []
    changed = import_csv(database, "fee-schedules", fees, file_name="fees.csv", organization_id=organization,
                         actor="tester", as_of=TODAY, progress=lambda *seen: calls.append(seen), batch_rows=4)
    assert (changed.updated, changed.unchanged) == (1, 5)
    assert calls == [("checking", 6, 6), ("saving", 4, 6), ("saving", 6, 6)]
    with UnitOfWork(database, actor="test") as uow:
        schedule = uow.session.scalars(select(FeeScheduleRow.id).where(FeeScheduleRow.payer_id.is_(None))).one()
        assert list(uow.session.scalars(select(FeeScheduleItemRow.amount_cents).where(
            FeeScheduleItemRow.fee_schedule_id == schedule, FeeScheduleItemRow.procedure_code == "11102"))) == [15500]


def test_amounts_are_exact_and_a_schedule_has_one_end_date(database: Database) -> None:
    practice_world(database)
    text = ("schedule,effective_from,effective_to,procedure_code,modifier,amount\n"
            "FEES,2026-01-01,,11102,,1.005\nFEES,2026-01-01,2026-06-30,11103,,75\nFEES,2026-01-01,,1110,,75\n")
    report = run(database, "fee-schedules", text, practice="ERA")
    assert [(p.line, p.column) for p in report.problems] == [(2, "amount"), (3, "effective_to"),
                                                             (4, "procedure_code")]
    assert "fractions of a cent" in report.problems[0].reason and count(database, FeeScheduleRow) == 0
