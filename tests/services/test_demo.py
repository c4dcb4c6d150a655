"""The demo: deterministic, complete, obviously fake, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import jsonschema
import pytest
from migrated_databases import migrated_postgres_url, migrated_sqlite_url
from sqlalchemy import func, select

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.errors import InvalidInput
from dermbill.core.identifiers import is_valid_npi
from dermbill.core.money import Money
from dermbill.db.engine import Database, open_database
from dermbill.db.models import (
    TENANT_ROWS,
    CoverageRow,
    EncounterRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    JournalEntryRow,
    PatientRow,
    PostingRow,
    PracticeRow,
    ProviderRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo import DemoOptions, DemoSummary, build_demo, charge_master, reset_demo_database

AS_OF = datetime.date(2026, 11, 26)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
# The demo is built on AS_OF, and "today" is AS_OF too: make test-ahead leaves this module out
# (tests/services/test_demo_outputs.py, run ahead, checks that nothing the demo writes is dated from the clock).
pytestmark = pytest.mark.pinned_today(AS_OF)


# Tests marked SQLITE_ONLY run on SQLite only, to keep CI within its time: what they check does not depend on
# the backend (the demo on PostgreSQL: `built`).
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _options(out: Path, **overrides: object) -> DemoOptions:
    values: dict[str, object] = {"out_dir": out, "as_of": AS_OF, "patients": 60, "seed": 11}
    values.update(overrides)
    return DemoOptions(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=BACKENDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[Database, DemoSummary, Path]]:
    """The 60-patient demo built once per backend (and test process) for the tests that only read it: the
    database, the summary and the folder of its files."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(TODAY_VARIABLE, AS_OF.isoformat())  # what pinned_today does for each test of the module
        with (nullcontext(migrated_sqlite_url(folder / "demo.db")) if request.param == "sqlite"
              else migrated_postgres_url()) as url:
            database = open_database(url)
            try:
                yield database, build_demo(database, _options(folder / "out")), folder / "out"
            finally:
                database.dispose()


def test_demo_builds_the_billing_company_on_each_backend(
    built: tuple[Database, DemoSummary, Path], encounter_schema: dict[str, object]
) -> None:
    database, summary, _ = built
    assert [p.code for p in summary.practices] == ["D1", "D2"]
    assert sum(p.providers for p in summary.practices) == 5
    assert summary.patients == 60
    assert summary.encounters == round(60 * 2.6)
    assert summary.period_start == datetime.date(2026, 8, 26) and summary.period_end == datetime.date(2026, 11, 25)
    validator = jsonschema.Draft202012Validator(encounter_schema, format_checker=jsonschema.FormatChecker())
    with UnitOfWork(database, actor="test") as uow:
        payers = uow.practice(1).payers()
        assert sorted(p.kind for p in payers) == ["commercial"] * 3 + ["medicaid", "medicare"]
        for practice_summary in summary.practices:
            practice = uow.session.query(PracticeRow).filter_by(code=practice_summary.code).one()
            repo = uow.practice(practice.id)
            assert repo.count(PatientRow) == practice_summary.patients
            assert repo.count(CoverageRow) == practice_summary.coverages
            charge_master_items = repo.count(FeeScheduleItemRow, FeeScheduleItemRow.fee_schedule_id.in_(
                select(FeeScheduleRow.id).where(FeeScheduleRow.payer_id.is_(None))))
            assert charge_master_items == practice_summary.fee_schedule_items
            encounters = repo.rows(EncounterRow)
            assert len(encounters) == practice_summary.encounters
            for encounter in encounters:
                validator.validate(encounter.documentation)
                assert summary.period_start <= encounter.date_of_service <= summary.period_end
                assert encounter.date_of_service.weekday() < 5
            # Copays collected at check-in went to cash as patient credit (applied to balances after the payers).
            copays = uow.session.execute(
                select(func.sum(PostingRow.amount_cents)).join(JournalEntryRow,
                                                               JournalEntryRow.id == PostingRow.journal_entry_id)
                .where(JournalEntryRow.kind == "copay", PostingRow.practice_id == practice.id,
                       PostingRow.amount_cents > 0)).scalar()
            assert Money(int(copays or 0)) == practice_summary.copays_collected
            assert sum(m.cents for m in repo.balances().values()) == 0


def test_demo_data_looks_fake(built: tuple[Database, DemoSummary, Path]) -> None:
    database = built[0]
    with UnitOfWork(database, actor="test") as uow:
        practices = uow.session.query(PracticeRow).all()
        for practice in practices:
            assert "TEST" in practice.legal_name and is_valid_npi(practice.billing_npi)
            assert practice.billing_npi.startswith("123456")
            repo = uow.practice(practice.id)
            for provider in repo.rows(ProviderRow):
                assert provider.last_name.startswith("TEST") and provider.npi.startswith("123456")
                assert is_valid_npi(provider.npi)
            for patient in repo.rows(PatientRow):
                assert patient.last_name.startswith("TEST")
                assert patient.email and patient.email.endswith("@example.com")
                assert patient.phone and patient.phone[3:6] == "555"


def test_same_seed_gives_the_same_demo_and_another_seed_does_not(tmp_path: Path) -> None:
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade

    outputs = []
    for run, seed in (("a", 5), ("b", 5), ("c", 6)):
        database = open_database(f"sqlite:///{tmp_path / run}.db")
        upgrade(database)
        build_demo(database, _options(tmp_path / run, seed=seed, patients=20))
        database.dispose()
        summary = json.loads((tmp_path / run / "summary.json").read_text())
        del summary["database"]  # each run has its own file
        outputs.append(((tmp_path / run / "encounters.jsonl").read_text(), summary))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] != outputs[2][0]


def test_every_tenant_row_of_the_demo_belongs_to_a_demo_practice(built: tuple[Database, DemoSummary, Path]) -> None:
    database = built[0]
    with UnitOfWork(database, actor="test") as uow:
        practice_ids = {p.id for p in uow.session.query(PracticeRow).all()}
        for row_type in TENANT_ROWS:
            assert {r.practice_id for r in uow.session.query(row_type).all()} <= practice_ids


@SQLITE_ONLY
def test_demo_refuses_to_run_twice_in_one_database_until_reset(database: Database, tmp_path: Path) -> None:
    small = _options(tmp_path, patients=12)  # the rule is the same at any size: the smallest demo that runs
    build_demo(database, small)
    with pytest.raises(InvalidInput, match="already holds the demo"):
        build_demo(database, small)
    reset_demo_database(database)
    assert build_demo(database, small).patients == 12


def test_reset_refuses_a_database_with_other_data(database: Database, tmp_path: Path) -> None:
    with UnitOfWork(database, actor="test") as uow:
        uow.add_organization("A REAL BILLING COMPANY")
        uow.commit()
    with pytest.raises(InvalidInput, match="holds data other than the demo"):
        reset_demo_database(database)


@SQLITE_ONLY
def test_exact_encounter_count_for_benchmarks(database: Database, tmp_path: Path) -> None:
    assert build_demo(database, _options(tmp_path, patients=10, encounters=37)).encounters == 37


def test_charge_master_is_a_multiple_of_medicare_rounded_up_to_five_dollars() -> None:
    charges = charge_master(250, on=datetime.date(2025, 6, 1))
    # 11102: 2025 non-facility amount 95.75 x 2.5 = 239.375 -> 240.00
    assert charges[("11102", "")] == Money.parse("240.00")
    assert all(c.cents % 500 == 0 and c.cents > 0 for (code, _), c in charges.items() if not code.startswith("J"))
    assert ("88305", "26") in charges and ("J7308", "") in charges


@pytest.mark.parametrize("bad", [{"patients": 0}, {"months": 0}, {"months": 25}, {"encounters": -1}])
def test_demo_options_are_validated(tmp_path: Path, bad: dict[str, int]) -> None:
    with pytest.raises(InvalidInput):
        _options(tmp_path, **bad)


def test_unwritable_out_folder_is_a_clear_error(database: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InvalidInput, match="cannot write demo files"):
        build_demo(database, _options(blocker / "out"))


def test_demo_codes_every_encounter_and_makes_claims(built: tuple[Database, DemoSummary, Path]) -> None:
    from dermbill.db.models import ClaimLineRow, ClaimRow

    database, summary, folder = built
    coded_lines = (folder / "coded.jsonl").read_text().splitlines()
    assert len(coded_lines) == summary.encounters
    with UnitOfWork(database, actor="test") as uow:
        for practice_summary in summary.practices:
            practice = uow.session.query(PracticeRow).filter_by(code=practice_summary.code).one()
            repo = uow.practice(practice.id)
            statuses = [e.status for e in repo.rows(EncounterRow)]
            assert statuses.count("held") == practice_summary.held
            assert statuses.count("coded") == practice_summary.encounters - practice_summary.held
            # Secondary claims, and corrected or rebilled claims made for denials, come later.
            claims = repo.rows(ClaimRow, ClaimRow.primary_claim_id.is_(None), ClaimRow.original_claim_id.is_(None))
            assert len(claims) == practice_summary.claims
            assert sum(c.total_charge_cents for c in claims) == practice_summary.charges.cents
            for claim in claims:
                lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id)
                assert lines and claim.payer_id is not None
                assert claim.status in ("paid", "partially_paid", "denied", "rejected", "scrub_errors", "closed")
                assert sum(line.charge_cents for line in lines) == claim.total_charge_cents
                assert all(1 <= p <= len(claim.diagnosis_codes) for line in lines for p in line.diagnosis_pointers)


def test_the_demo_runs_eligibility_the_day_before_its_visits_and_counts_the_denials_prevented(
        built: tuple[Database, DemoSummary, Path]) -> None:
    from dermbill.db.models import AppointmentRow, EligibilityProblemRow

    database, summary, _ = built
    desk = summary.front_desk
    assert desk is not None and desk.first_day == AS_OF + datetime.timedelta(days=1)
    assert desk.eligibility.sent == desk.appointments > 0 and desk.eligibility.no_answer == 0
    assert set(desk.planted) == {"coverage ended", "member ID mis-keyed", "another payer primary"}
    assert set(desk.prevented) == {"CO-27", "CO-31", "CO-22"}
    assert sum(desk.prevented.values()) == desk.eligibility.sent - desk.eligibility.active
    with UnitOfWork(database, actor="test") as uow:
        booked = uow.session.scalars(select(AppointmentRow)).all()
        assert len(booked) == desk.appointments and all(a.starts_at.date() > AS_OF for a in booked)
        open_items = uow.session.scalars(select(EligibilityProblemRow.kind).where(
            EligibilityProblemRow.status == "open")).all()
        assert len(open_items) == sum(desk.prevented.values())
    assert "Front-desk denials prevented" in desk.lines()[-1]


@SQLITE_ONLY
def test_the_demo_runs_the_whole_cycle_and_reposting_its_835s_changes_nothing(database: Database,
                                                                              tmp_path: Path) -> None:
    from dermbill.services.era_posting import post_era_file
    from dermbill.services.ledger_check import check_ledger

    summary = build_demo(database, _options(tmp_path, patients=120))
    cycle = summary.cycle
    assert cycle is not None and cycle.ledger is not None and cycle.ledger.clean, cycle.ledger
    assert cycle.submitted > 0 and cycle.accepted > 0 and cycle.paid.cents > 0
    assert cycle.claims_by_status["paid"] > 0 and cycle.unmatched == 0
    assert cycle.secondary_queued + cycle.crossovers > 0
    received = sorted(p.name.split("-")[0] for p in cycle.files_received)
    assert {"999", "277CA", "835"} <= set(received)
    assert all(p.exists() for p in cycle.files_sent + cycle.files_received)
    before = check_ledger(database)
    for path in (p for p in cycle.files_received if p.name.startswith("835")):
        assert {o.status for o in post_era_file(database, path)} == {"already posted"}
    after = check_ledger(database)
    assert after.clean and (after.entries, after.postings, after.totals) == (before.entries, before.postings,
                                                                            before.totals)
    data = json.loads((tmp_path / "summary.json").read_text())
    assert data["revenue_cycle"]["ledger"]["clean"] is True


def test_the_demo_works_its_denials_and_learns(tmp_path: Path) -> None:
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.db.models import DenialItemRow, LineAdjudicationRow
    from dermbill.reference.denial_codes import denial_code_table

    database = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(database)
    summary = build_demo(database, _options(tmp_path / "out", patients=500, seed=7))
    assert summary.cycle is not None and summary.cycle.ledger is not None and summary.cycle.ledger.clean
    work = summary.cycle.work
    codes = denial_code_table()
    expected = {"27": ("eligibility_coverage", {"check_eligibility_and_rebill"}),
                "50": ("medical_necessity", {"appeal", "write_off", "bill_patient"}),
                "96": ("non_covered", {"appeal", "write_off", "bill_patient"}),
                "97": ("coding_bundling", {"correct_and_resubmit"}),
                "197": ("authorization", {"get_authorization"})}
    with UnitOfWork(database, actor="test") as uow:
        items = {(row.claim_id, row.carc): row for row in uow.session.scalars(select(DenialItemRow))}
        denials = [(row.claim_id, a["group"], a["reason"], row.remarks)
                   for row in uow.session.scalars(select(LineAdjudicationRow).where(
                       LineAdjudicationRow.status_code != "22", LineAdjudicationRow.paid_cents == 0))
                   for a in row.adjustments if codes.category_with_remarks(a["group"], a["reason"], row.remarks)
                   .is_denial]
        assert {reason for _, _, reason, _ in denials} == set(expected)  # what the simulated payer denies
        for claim_id, _group, reason, _remarks in denials:
            item = items[(claim_id, reason)]  # every denial is in the queue ...
            category, actions = expected[reason]
            assert item.category == category and item.action in actions, (reason, item.cause)  # ... rightly
    assert work.corrected > 0 and work.corrected_paid == work.corrected  # certain fixes paid the next cycle
    letters = sorted((tmp_path / "out" / "appeals").glob("*.pdf"))
    assert letters and all("appeal" in path.name for path in letters) and len(letters) == len(work.appeals)
    before, after = (denied / total for denied, total in (work.rate_before, work.rate_after))
    assert after < before and work.fixed_by_learned_rules > 0 and work.rules_accepted
    data = json.loads((tmp_path / "out" / "summary.json").read_text())["revenue_cycle"]["denial_management"]
    assert data["denial_rate_before"]["rate"] == round(before, 4) and data["denial_rate_after"]["rate"] == round(
        after, 4)
    _the_key_figures_agree_with_the_summary(summary, tmp_path / "out")


def _the_key_figures_agree_with_the_summary(summary: DemoSummary, out: Path) -> None:
    """The reports over the demo's period agree with the ledger and with what each stage of the demo counted."""
    from dermbill.core.reports.aging import Kind

    figures, work, statements = summary.figures, summary.cycle.work if summary.cycle else None, summary.statements
    assert figures is not None and work is not None and statements is not None
    assert statements.first is not None and statements.dunning is not None
    ledger = figures.ledger.totals
    kpis = {f.key: f for f in figures.kpis.figures}
    aging = figures.aging.totals
    assert aging[Kind.INSURANCE].total == ledger["insurance_balance"] + ledger["denied_balance"]
    assert aging[Kind.PATIENT].total == ledger["patient_balance"]
    assert kpis["charges"].value == ledger["charges"].to_decimal()  # every claim posted its charges in the period
    assert kpis["payments"].value == ledger["cash"].to_decimal()
    assert kpis["denials"].value == work.items - work.underpayments
    assert kpis["statements_sent"].value == len(statements.first.statements) + len(statements.dunning.statements)
    assert kpis["recovered_by_correction"].value and kpis["recovered_by_correction"].value > 0  # corrected, paid
    data = json.loads((out / "summary.json").read_text())["key_figures"]
    assert data["figures"]["denial_rate_count"] == str(kpis["denial_rate_count"].value)
    assert data["aging"]["insurance"]["total"] == data["ledger"]["insurance_and_denied"]
    printed = " ".join(figures.lines())
    assert kpis["net_collection_rate"].shown() in printed and f"patients ${aging[Kind.PATIENT].total}" in printed


@pytest.mark.parametrize("group", ["CO", "OA", "PI", "CR", "PR"])
def test_the_demo_counts_as_denials_what_posting_posts_to_the_denied_balance(group: str) -> None:
    """The demo summary's denial count uses the one CARC table, as posting does: CO-253 (sequestration) or
    CO-44 is contractual, not a denial; an unknown code is one."""
    from dermbill.core.ledger import DENIED_AR
    from dermbill.core.posting import adjustment_account
    from dermbill.reference.denial_codes import denial_code_table
    from dermbill.services.demo_cycle import is_denial

    codes = denial_code_table()
    known = [carc.code for carc in codes.carcs()]
    assert {"23", "44", "45", "59", "253", "27", "97"} <= set(known)
    for reason in [*known, "ZZ9"]:
        posted_as_denial = adjustment_account(group, reason, "1", codes) == DENIED_AR
        assert is_denial(group, reason, codes) == posted_as_denial, (group, reason)


def test_the_fhir_export_of_the_demos_claims_validates(built: tuple[Database, DemoSummary, Path]) -> None:
    from fhir.resources.R4B.bundle import Bundle

    from dermbill.fhir.validation import dumps, loads, problems_of
    from dermbill.services.fhir_export import export_bundle

    database, summary, _ = built
    with UnitOfWork(database, actor="test") as uow:
        practices = [p.id for p in uow.session.scalars(select(PracticeRow))]
    bundle = export_bundle(database, practices, actor="test", base="https://billing.example/fhir/R4",
                           now=datetime.datetime(2026, 11, 26, 18, tzinfo=datetime.UTC),
                           date_from=summary.period_start, date_to=summary.period_end)

    Bundle.model_validate(loads(dumps(bundle)))
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert {"Patient", "Coverage", "Claim", "ClaimResponse", "ExplanationOfBenefit"} <= kinds
    assert sum(entry["resource"]["resourceType"] == "Claim" for entry in bundle["entry"]) >= sum(
        p.claims for p in summary.practices)
    assert [problem for entry in bundle["entry"] for problem in problems_of(entry["resource"])] == []
