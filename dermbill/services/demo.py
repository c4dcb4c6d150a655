"""The demo: a deterministic synthetic billing company with two dermatology practices.

One organization, two practices, five providers, the payers (Medicare, a Medicaid plan, three
commercial plans), N patients with coverages that fit their age, each practice's charge master
(a multiple of the Medicare amount) and chart of accounts, and a few months of encounters
documented in the encounter format; copays collected at check-in are posted to the ledger. Its staff, a user per
role, sign in with the passwords the build writes to ``logins.txt`` (``dermbill.services.demo_users``).
Every file it writes goes under ``out_dir``, which it marks as a demo output folder (``.dermbill-demo``) so that a
later run, or ``--reset``, may replace what it wrote there and nothing else. The same seed and ``as_of`` give the
same data, and the same figures run after run.
"""

from __future__ import annotations

import datetime
import json
import random
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from dermbill.core.coding.result import CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.core.dates import DateRange, age_on
from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import CASH, PATIENT_CREDIT, JournalEntry, Posting
from dermbill.core.money import Money, allocate
from dermbill.db.engine import Database
from dermbill.db.migrate import current_revision
from dermbill.db.models import (
    ClearinghouseProfileRow,
    CoverageRow,
    EncounterRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import Clock, PracticeRepository, UnitOfWork, clock_for_units_of_work
from dermbill.reference.coding_tables import coding_tables
from dermbill.reference.pfs_rvu import shipped_rvu_table
from dermbill.services.coding import claim_rows, code_document
from dermbill.services.demo_cycle import CYCLE_OUTPUTS, CycleSummary, demo_time, run_revenue_cycle
from dermbill.services.demo_front_desk import FrontDeskSummary, run_front_desk
from dermbill.services.demo_reports import DemoFigures, demo_figures
from dermbill.services.demo_statements import StatementsSummary, run_demo_statements
from dermbill.services.demo_users import LOGINS, add_demo_users
from dermbill.services.schema import reset_schema
from dermbill.services.scrubbing import scrub_stored_claims
from dermbill.services.training import AssignReport, assign_demo_training
from dermbill.synthetic.encounters import document_encounter
from dermbill.synthetic.people import (
    ORGANIZATION_NAME,
    PAYERS,
    FakePatient,
    FakePractice,
    demo_practices,
    fake_patient,
)

Progress = Callable[[str, int, int], None]
BATCH = 500
OUT_OF_DATE = "code_set_out_of_date"
ENCOUNTERS_PER_PATIENT = 2.6  # over the demo period, on average
# Drugs have no PFS relative values (status E); the demo practices charge per HCPCS unit.
DRUG_CHARGES_CENTS = {"J7308": 35000, "J7309": 2500, "J7345": 300, "J3301": 500}
PAYABLE_STATUSES = frozenset({"A", "R", "T"})
MARKER = ".dermbill-demo"
MARKER_TEXT = ("This folder holds the output of 'dermbill demo'. A later demo run with this --out, or\n"
               "'dermbill demo --reset', replaces the demo's files here (and leaves any other file alone).\n")
# Everything the demo writes under --out: what a new run or --reset removes, and nothing else.
DEMO_OUTPUTS = ("encounters.jsonl", "coded.jsonl", "summary.json", LOGINS, *CYCLE_OUTPUTS, MARKER)


@dataclass(frozen=True, slots=True)
class DemoOptions:
    out_dir: Path
    as_of: datetime.date
    patients: int = 500
    seed: int = 7
    months: int = 3
    encounters: int | None = None  # exactly this many encounters; default about 2.6 per patient
    code: bool = True  # code every encounter with the engine and make claims (False: documentation only)
    cycle: bool = True  # send the claims to the simulated payer and post what comes back (False: leave them ready)

    def __post_init__(self) -> None:
        if self.patients < 1:
            raise InvalidInput(f"--patients must be at least 1 (got {self.patients})")
        if not 1 <= self.months <= 24:
            raise InvalidInput(f"--months must be between 1 and 24 (got {self.months})")
        if self.encounters is not None and self.encounters < 0:
            raise InvalidInput(f"the number of encounters must be zero or more (got {self.encounters})")


@dataclass(slots=True)
class PracticeSummary:
    code: str
    legal_name: str
    providers: int = 0
    locations: int = 0
    patients: int = 0
    coverages: int = 0
    encounters: int = 0
    fee_schedule_items: int = 0
    copays_collected: Money = field(default_factory=Money.zero)
    coded: int = 0  # encounters coded with billable lines and nothing held
    held: int = 0  # encounters waiting on pathology
    flagged: int = 0  # encounters with a warning for a coder (not covered, missing documentation ...)
    outside_code_set: int = 0  # dates of service after the newest loaded ICD-10-CM release
    no_lines: int = 0  # encounters with nothing billable to the payer
    claims: int = 0
    charges: Money = field(default_factory=Money.zero)
    encounters_by_kind: Counter[str] = field(default_factory=Counter)
    encounters_by_payer: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    database_url: str
    organization: str
    period_start: datetime.date
    period_end: datetime.date
    payers: int
    practices: tuple[PracticeSummary, ...]
    files: tuple[Path, ...]
    scrubbed: int = 0
    submitted: int = 0
    scrub_clean: int = 0
    top_findings: tuple[tuple[str, int], ...] = ()
    cycle: CycleSummary | None = None
    logins: Path | None = None  # the demo staff's e-mails, roles, practices and passwords (0600)
    front_desk: FrontDeskSummary | None = None  # upcoming visits and their eligibility (services.demo_front_desk)
    statements: StatementsSummary | None = None  # a statement cycle and a dunning step (services.demo_statements)
    training: AssignReport | None = None  # modules assigned to the staff from the denials (services.training)
    figures: DemoFigures | None = None  # the reports' key figures once every stage has posted

    @property
    def encounters(self) -> int:
        return sum(p.encounters for p in self.practices)

    @property
    def patients(self) -> int:
        return sum(p.patients for p in self.practices)


def _no_progress(stage: str, done: int, total: int) -> None:
    """The default progress callback: report nothing."""


def demo_exists(database: Database) -> bool:
    with UnitOfWork(database, actor="demo") as uow:
        return uow.find_organization(ORGANIZATION_NAME) is not None


def reset_demo_database(database: Database) -> None:
    """Delete everything and recreate the schema, but only in a database that holds nothing but the demo."""
    if current_revision(database) is not None:
        with UnitOfWork(database, actor="demo") as uow:
            others = [name for name in uow.organization_names() if name != ORGANIZATION_NAME]
        if others:
            raise InvalidInput(
                f"the database at {database.url} holds data other than the demo (organization '{others[0]}'); "
                "--reset only clears demo databases: give the demo its own --db"
            )
    reset_schema(database)


def is_demo_output(folder: Path) -> bool:
    """Whether ``folder`` was written by the demo: it holds the marker (or, from before the marker, the demo's
    summary.json)."""
    if (folder / MARKER).is_file():
        return True
    try:
        summary = json.loads((folder / "summary.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and summary.get("organization") == ORGANIZATION_NAME


def check_demo_output(folder: Path) -> None:
    """Refuse an ``--out`` the demo may not empty: a folder with files in it that the demo did not write."""
    try:
        empty = not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))
    except OSError as exc:
        raise InvalidInput(f"cannot read --out '{folder}': {exc.strerror}") from None
    if not empty and not is_demo_output(folder):
        raise InvalidInput(
            f"--out '{folder}' is not a demo output folder (it has files and no {MARKER} marker); --reset empties "
            "only folders the demo wrote: give the demo an empty or new --out"
        )


def remove_demo_output(folder: Path) -> None:
    """Delete what an earlier demo wrote under ``folder`` (its files and folders, by name); keep anything else."""
    for name in DEMO_OUTPUTS:
        path = folder / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif path.exists() or path.is_symlink():
                path.unlink()
        except OSError as exc:
            raise InvalidInput(f"cannot remove the earlier demo's {path}: {exc.strerror}") from None


def reset_demo(database: Database, out_dir: Path) -> None:
    """``dermbill demo --reset``: empty the demo database and the demo's output folder. Both are checked (only
    a database that holds nothing but the demo, only a folder the demo wrote or an empty one) before either is
    touched."""
    check_demo_output(out_dir)
    reset_demo_database(database)
    remove_demo_output(out_dir)


def build_demo(
    database: Database, options: DemoOptions, *, progress: Progress = _no_progress, clock: Clock | None = None
) -> DemoSummary:
    """Create the demo billing company in ``database`` (which must not already hold it) and write its files.

    Everything happens on the demo's day, ``as_of`` (its clock: ``demo_time``, unless ``clock`` is given), so
    nothing it records or writes is dated after it."""
    clock = clock or (lambda: demo_time(options.as_of))
    with clock_for_units_of_work(clock):
        return _build_demo(database, options, progress=progress, clock=clock)


def _build_demo(database: Database, options: DemoOptions, *, progress: Progress, clock: Clock) -> DemoSummary:
    rng = random.Random(options.seed)
    period_end = options.as_of - datetime.timedelta(days=1)
    period_start = _months_before(options.as_of, options.months)
    practices = demo_practices()
    patient_counts = _split(options.patients, [p.share_of_patients_percent for p in practices])
    target = options.encounters if options.encounters is not None else round(options.patients * ENCOUNTERS_PER_PATIENT)
    encounter_counts = _split(target, patient_counts) if options.patients else [0 for _ in practices]
    encounters_path = options.out_dir / "encounters.jsonl"
    coded_path = options.out_dir / "coded.jsonl"
    summaries = []
    with UnitOfWork(database, actor="demo", clock=clock) as uow:
        if uow.find_organization(ORGANIZATION_NAME) is not None:
            raise InvalidInput(
                f"the database at {database.url} already holds the demo; run 'dermbill demo --reset' to "
                "start over (it deletes all data there) or give another --db"
            )
        # A new demo: what an earlier one left in the folder (the simulated payer's memory above all) would
        # make this one's files look already sent.
        if options.out_dir.is_dir() and is_demo_output(options.out_dir):
            remove_demo_output(options.out_dir)
        try:
            options.out_dir.mkdir(parents=True, exist_ok=True)
            (options.out_dir / MARKER).write_text(MARKER_TEXT)
            encounters_path.touch()
        except OSError as exc:
            raise InvalidInput(f"cannot write demo files to --out '{options.out_dir}': {exc.strerror}") from None
        organization = uow.add_organization(ORGANIZATION_NAME)
        payer_rows = {
            p.key: PayerRow(
                organization_id=organization.id, name=p.name, payer_identifier=p.payer_identifier, kind=p.kind,
                claim_filing_indicator_code=p.claim_filing_indicator_code, timely_filing_days=p.timely_filing_days,
                appeal_address_line1=p.appeals.line1 if p.appeals else None,
                appeal_city=p.appeals.city if p.appeals else None,
                appeal_state=p.appeals.state if p.appeals else None,
                appeal_zip_code=p.appeals.zip_code if p.appeals else None,
            )
            for p in PAYERS
        }
        uow.add_payers(list(payer_rows.values()))
        with encounters_path.open("w") as out, coded_path.open("w") as coded_out:
            for practice, n_patients, n_encounters in zip(
                practices, patient_counts, encounter_counts, strict=True
            ):
                practice_row = uow.add_practice(_practice_row(practice, organization.id))
                repo = uow.practice(practice_row.id)
                summary = PracticeSummary(practice.code, practice.legal_name)
                _set_up_practice(repo, practice, summary, as_of=options.as_of)
                patients = _add_patients(repo, rng, practice, n_patients, payer_rows, summary, options, progress)
                encounters = _add_encounters(
                    repo, rng, practice, patients, n_encounters, payer_rows, summary, out,
                    period=(period_start, period_end), progress=progress, code=options.code,
                )
                _bill_encounters(repo, practice, encounters, summary, coded_out, progress=progress)
                summaries.append(summary)
        uow.audit(
            "demo.created", "organization", organization.id, organization_id=organization.id,
            detail={"seed": options.seed, "as_of": options.as_of.isoformat(), "patients": options.patients,
                    "encounters": sum(s.encounters for s in summaries)},
        )
        uow.commit()
    logins = add_demo_users(database, options.out_dir, database_url=database.url)
    if options.code:
        _add_clearinghouse(database)
    scrubbed = scrub_stored_claims(database, everything=True, as_of=options.as_of, actor="demo",
                                   progress=lambda done, total: progress("scrubbing claims", done, total)
                                   ) if options.code else []
    errors = Counter(f.rule for o in scrubbed for f in o.result.findings if f.severity.value == "error")
    if options.code and options.cycle:
        cycle = run_revenue_cycle(database, options.out_dir, as_of=options.as_of, seed=options.seed,
                                  progress=lambda done, total: progress("claims to the payer, denials worked", done,
                                                                        total))
        training: AssignReport | None = assign_demo_training(database, as_of=options.as_of)
        front_desk: FrontDeskSummary | None = run_front_desk(database, options.out_dir, as_of=options.as_of,
                                                             seed=options.seed)
        statements: StatementsSummary | None = run_demo_statements(database, options.out_dir, as_of=options.as_of,
                                                                   seed=options.seed)
        figures: DemoFigures | None = demo_figures(database, start=period_start, as_of=options.as_of)
    else:
        cycle, front_desk, training, statements, figures = None, None, None, None, None
    result = DemoSummary(
        cycle=cycle,
        front_desk=front_desk,
        statements=statements,
        training=training,
        figures=figures,
        scrubbed=len(scrubbed),
        scrub_clean=sum(o.result.clean for o in scrubbed),
        top_findings=tuple(errors.most_common(8)),
        database_url=database.url,
        organization=ORGANIZATION_NAME,
        period_start=period_start,
        period_end=period_end,
        payers=len(PAYERS),
        practices=tuple(summaries),
        files=(encounters_path, coded_path, options.out_dir / "summary.json"),
        submitted=cycle.submitted if cycle else 0,
        logins=logins,
    )
    _write_summary(result, options)
    return result


def _add_clearinghouse(database: Database) -> None:
    with UnitOfWork(database, actor="demo") as uow:
        organization = uow.find_organization(ORGANIZATION_NAME)
        assert organization is not None
        uow.session.add(ClearinghouseProfileRow(
            organization_id=organization.id, name="TEST CLEARINGHOUSE (DEMO)", submitter_id="DERMBILLDEMO",
            submitter_name=ORGANIZATION_NAME, submitter_contact="TEST BILLING DESK", submitter_phone="2155550199",
            receiver_id="TESTCLEARING", receiver_name="TEST CLEARINGHOUSE (DEMO)", production=False,
        ))
        uow.commit()


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` earlier (clamped to the month's end: 31 May - 3 months = 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def _split(total: int, weights: list[int]) -> list[int]:
    """Split a whole number by weights, preserving the total (largest remainder)."""
    if sum(weights) == 0:
        return [0 for _ in weights]
    return [m.cents for m in allocate(Money(total), weights)]


def _practice_row(practice: FakePractice, organization_id: int) -> PracticeRow:
    pay_to = practice.pay_to
    return PracticeRow(
        organization_id=organization_id, code=practice.code, legal_name=practice.legal_name, tin=practice.tin,
        billing_npi=practice.billing_npi, taxonomy=practice.taxonomy, phone=practice.phone,
        address_line1=practice.address.line1, city=practice.address.city, state=practice.address.state,
        zip_code=practice.address.zip_code,
        pay_to_address_line1=pay_to.line1 if pay_to else None, pay_to_city=pay_to.city if pay_to else None,
        pay_to_state=pay_to.state if pay_to else None, pay_to_zip_code=pay_to.zip_code if pay_to else None,
    )


def _set_up_practice(
    repo: PracticeRepository, practice: FakePractice, summary: PracticeSummary, *, as_of: datetime.date
) -> None:
    repo.add_all(
        ProviderRow(last_name=p.last_name, first_name=p.first_name, credential=p.credential, npi=p.npi,
                    taxonomy=p.taxonomy)
        for p in practice.providers
    )
    repo.add_all(
        ServiceLocationRow(name=loc.name, place_of_service=loc.place_of_service, address_line1=loc.address.line1,
                           city=loc.address.city, state=loc.address.state, zip_code=loc.address.zip_code)
        for loc in practice.locations
    )
    repo.open_standard_chart()
    effective_from = as_of.replace(year=as_of.year - 1, month=1, day=1)
    schedule = repo.add(FeeScheduleRow(name=f"{practice.code} charge master", effective_from=effective_from))
    repo.flush()
    items = charge_master(practice.charge_multiplier_percent, on=effective_from)
    repo.add_all(
        FeeScheduleItemRow(fee_schedule_id=schedule.id, procedure_code=code, modifier=modifier,
                           amount_cents=amount.cents)
        for (code, modifier), amount in sorted(items.items())
    )
    repo.flush()
    summary.providers = len(practice.providers)
    summary.locations = len(practice.locations)
    summary.fee_schedule_items = len(items)


def charge_master(multiplier_percent: int, *, on: datetime.date) -> dict[tuple[str, str], Money]:
    """A practice's charges: the Medicare non-facility amount times the multiplier, rounded up to $5."""
    table = shipped_rvu_table()
    charges: dict[tuple[str, str], Money] = {}
    for code in table.codes():
        for modifier in table.modifiers(code):
            entry = table.for_code(code, on=on, modifier=modifier).entry
            if entry.status_code not in PAYABLE_STATUSES:
                continue
            medicare = entry.allowed_amount(facility=False).cents
            charge = -(-medicare * multiplier_percent // 100 // 500) * 500
            charges[(code, modifier)] = Money(max(charge, 500))
    for code, cents in DRUG_CHARGES_CENTS.items():
        charges[(code, "")] = Money(cents)
    return charges


def _add_patients(
    repo: PracticeRepository,
    rng: random.Random,
    practice: FakePractice,
    count: int,
    payer_rows: dict[str, PayerRow],
    summary: PracticeSummary,
    options: DemoOptions,
    progress: Progress,
) -> list[tuple[PatientRow, FakePatient]]:
    created: list[tuple[PatientRow, FakePatient]] = []
    stage = f"{practice.code} patients"
    now = repo.uow.clock()
    for start in range(0, count, BATCH):
        serials = range(start, min(count, start + BATCH))
        batch = [fake_patient(rng, i, practice.code, as_of=options.as_of) for i in serials]
        rows = [
            PatientRow(
                account_number=p.account_number, last_name=p.last_name, first_name=p.first_name,
                date_of_birth=p.date_of_birth, sex=p.sex, address_line1=p.address.line1, city=p.address.city,
                state=p.address.state, zip_code=p.address.zip_code, phone=p.phone, email=p.email, created_at=now,
            )
            for p in batch
        ]
        repo.add_all(rows)
        repo.flush()
        coverages = [
            CoverageRow(
                patient_id=row.id, payer_id=payer_rows[c.payer_key].id, member_id=c.member_id,
                group_number=c.group_number, coverage_order=c.coverage_order, relationship_code=c.relationship_code,
                subscriber_last_name=c.subscriber_last_name, subscriber_first_name=c.subscriber_first_name,
                subscriber_date_of_birth=c.subscriber_date_of_birth, subscriber_sex=c.subscriber_sex,
                copay_cents=c.copay_cents, effective_date=c.effective_date, termination_date=c.termination_date,
            )
            for row, patient in zip(rows, batch, strict=True)
            for c in patient.coverages
        ]
        repo.add_all(coverages)
        repo.flush()
        created.extend(zip(rows, batch, strict=True))
        summary.patients += len(rows)
        summary.coverages += len(coverages)
        progress(stage, len(created), count)
    return created


def _primary_on(patient: FakePatient, day: datetime.date) -> tuple[str, int | None] | None:
    """(payer key, copay cents) of the primary coverage in force on ``day``, or None (self-pay)."""
    for coverage in patient.coverages:
        in_force = DateRange(coverage.effective_date, coverage.termination_date).contains(day)
        if coverage.coverage_order == "primary" and in_force:
            return coverage.payer_key, coverage.copay_cents
    return None


def _visit_weight(age: int) -> int:
    return 2 if age < 40 else 3 if age < 65 else 4


def _random_weekday(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    span = (end - start).days
    while True:
        day = start + datetime.timedelta(days=rng.randint(0, max(span, 0)))
        if day.weekday() < 5 or span < 7:
            return day


def _add_encounters(
    repo: PracticeRepository,
    rng: random.Random,
    practice: FakePractice,
    patients: list[tuple[PatientRow, FakePatient]],
    count: int,
    payer_rows: dict[str, PayerRow],
    summary: PracticeSummary,
    out: TextIO,
    *,
    period: tuple[datetime.date, datetime.date],
    progress: Progress,
    code: bool,
) -> list[tuple[EncounterRow, CodingResult | None]]:
    """Document, code (status coded or held) and insert ``count`` encounters of the practice's patients."""
    created: list[tuple[EncounterRow, CodingResult | None]] = []
    if not patients or count == 0:
        return created
    tables = coding_tables() if code else None
    providers = repo.rows(ProviderRow)
    locations = repo.rows(ServiceLocationRow)
    kinds = {p.key: p.kind for p in PAYERS}
    # Older patients come more often (skin-cancer surveillance, actinic damage).
    weights = [_visit_weight(age_on(fake.date_of_birth, period[1])) for _, fake in patients]
    stage = f"{practice.code} encounters"
    now = repo.uow.clock()
    # Visits in date order, so each encounter's documentation can list the patient's earlier procedures
    # whose global period is still open, as the chart would show the coder.
    plan = sorted((_random_weekday(rng, *period), index) for index in
                   rng.choices(range(len(patients)), weights=weights, k=count))
    billed: dict[int, list[tuple[datetime.date, str]]] = {}
    done = 0
    while done < count:
        batch_size = min(BATCH, count - done)
        rows: list[tuple[EncounterRow, FakePatient, int | None, str]] = []
        results: list[CodingResult | None] = []
        for day, index in plan[done:done + batch_size]:
            patient_row, fake = patients[index]
            primary = _primary_on(fake, day)
            payer_kind = kinds[primary[0]] if primary else "self_pay"
            age = age_on(fake.date_of_birth, day)
            documentation = document_encounter(rng, date_of_service=day, age=age, sex=fake.sex, payer=payer_kind)
            earlier = _open_globals(billed.get(index, []), day, tables)
            if earlier:
                listed = documentation.get("prior_procedures")
                documentation["prior_procedures"] = [*(listed if isinstance(listed, list) else []), *earlier]
            # The patient's own provider most days (providers are listed in a fixed order).
            provider = providers[patient_row.id % len(providers)] if rng.random() < 0.85 else rng.choice(providers)
            result = code_document(documentation, tables) if tables is not None else None
            status = "documented" if result is None else "held" if result.holds else "coded"
            if result is not None and not result.holds:
                billed.setdefault(index, []).extend((day, line.code) for line in result.lines)
            row = EncounterRow(
                patient_id=patient_row.id, provider_id=provider.id, location_id=rng.choice(locations).id,
                date_of_service=day, documentation=documentation, status=status, created_at=now,
            )
            results.append(result)
            rows.append((row, fake, primary[1] if primary else None, payer_kind))
        repo.add_all(row for row, _, _, _ in rows)
        repo.flush()
        copays = []
        for row, fake, copay, payer_kind in rows:
            summary.encounters += 1
            summary.encounters_by_payer[payer_kind] += 1
            summary.encounters_by_kind[_kind_of(row.documentation)] += 1
            if copay and row.documentation.get("visit"):
                copays.append(_copay_entry(row, copay))
                summary.copays_collected += Money(copay)
            line = {"practice": practice.code, "encounter_id": row.id, "account_number": fake.account_number,
                    "date_of_service": row.date_of_service.isoformat(), "documentation": row.documentation}
            out.write(json.dumps(line, sort_keys=True) + "\n")
        repo.post_many(copays)
        created.extend(zip((row for row, _, _, _ in rows), results, strict=True))
        done += batch_size
        progress(stage, done, count)
    return created


def _open_globals(
    billed: list[tuple[datetime.date, str]], day: datetime.date, tables: CodingTables | None
) -> list[dict[str, object]]:
    """Earlier procedures of the patient (other days) whose global period covers ``day``; unrelated."""
    if tables is None:
        return []
    found: list[dict[str, object]] = []
    for when, code in billed:
        entry = tables.code_set.in_force(code, when)
        days = entry.global_period_days if entry else None
        if days and 1 <= (day - when).days <= days:
            found.append({"date_of_service": when.isoformat(), "code": code, "related": False})
    return found


def _bill_encounters(
    repo: PracticeRepository,
    practice: FakePractice,
    encounters: list[tuple[EncounterRow, CodingResult | None]],
    summary: PracticeSummary,
    out: TextIO,
    *,
    progress: Progress,
) -> None:
    """Count the coding results; a coded encounter with lines for a payer becomes a claim (status coded)."""
    if not any(result is not None for _, result in encounters):
        return
    schedule = repo.rows(FeeScheduleRow)[0]
    charges = {item.procedure_code: item.amount_cents
               for item in repo.rows(FeeScheduleItemRow, FeeScheduleItemRow.fee_schedule_id == schedule.id)
               if item.modifier == ""}
    coverages: dict[int, list[CoverageRow]] = {}
    for coverage in repo.rows(CoverageRow):
        coverages.setdefault(coverage.patient_id, []).append(coverage)
    stage = f"{practice.code} claims"
    now = repo.uow.clock()
    for start in range(0, len(encounters), BATCH):
        claims = []
        for encounter, result in encounters[start:start + BATCH]:
            if result is None:
                continue
            out.write(json.dumps({"practice": practice.code, "encounter_id": encounter.id, **result.to_json()}) + "\n")
            summary.flagged += any(w.code != OUT_OF_DATE for w in result.warnings)
            summary.outside_code_set += any(w.code == OUT_OF_DATE for w in result.warnings)
            if result.holds:
                summary.held += 1
                continue
            if not result.lines:
                summary.no_lines += 1
                continue
            summary.coded += 1
            primary = _primary_coverage(coverages.get(encounter.patient_id, []), encounter.date_of_service)
            if primary is None:
                continue  # self-pay: billed to the patient, no claim
            claims.append(claim_rows(encounter, result, coverage=primary, charges=charges,
                                     patient_control_number=f"{practice.code}E{encounter.id:07d}", now=now))
        repo.add_all(claim for claim, _ in claims)
        repo.flush()
        for claim, lines in claims:
            for line in lines:
                line.claim_id = claim.id
            repo.add_all(lines)
            summary.claims += 1
            summary.charges += Money(claim.total_charge_cents)
        repo.flush()
        progress(stage, min(start + BATCH, len(encounters)), len(encounters))


def _primary_coverage(coverages: list[CoverageRow], day: datetime.date) -> CoverageRow | None:
    for coverage in coverages:
        if coverage.coverage_order == "primary" and DateRange(coverage.effective_date,
                                                              coverage.termination_date).contains(day):
            return coverage
    return None


def _copay_entry(encounter: EncounterRow, copay_cents: int) -> JournalEntry:
    """A copay taken at check-in: cash in, held as the patient's unapplied credit until the claim is paid."""
    return JournalEntry(
        entry_date=encounter.date_of_service,
        memo=f"copay collected at check-in, encounter {encounter.id}",
        postings=(
            Posting(CASH, Money(copay_cents), patient_id=encounter.patient_id),
            Posting(PATIENT_CREDIT, Money(-copay_cents), patient_id=encounter.patient_id),
        ),
        idempotency_key=f"copay:encounter:{encounter.id}",
        kind="copay",
    )


def _kind_of(documentation: dict[str, Any]) -> str:
    """A short label for the summary: the first procedure or service documented, else the visit."""
    for lesion in documentation.get("lesions") or []:
        for procedure in lesion.get("procedures") or []:
            return str(procedure["type"])
    for service in documentation.get("services") or []:
        return str(service["type"])
    return "visit only" if documentation.get("visit") else "other"


def _write_summary(summary: DemoSummary, options: DemoOptions) -> None:
    data = {
        "database": summary.database_url,
        "organization": summary.organization,
        "seed": options.seed,
        "as_of": options.as_of.isoformat(),
        "period": [summary.period_start.isoformat(), summary.period_end.isoformat()],
        "payers": summary.payers,
        "scrubber": {"claims": summary.scrubbed, "clean": summary.scrub_clean,
                     "most_common_errors": dict(summary.top_findings)},
        "submitted_837p": summary.submitted,
        "revenue_cycle": _cycle_json(summary.cycle) if summary.cycle else None,
        "front_desk": summary.front_desk.to_json() if summary.front_desk else None,
        "statements": summary.statements.to_json() if summary.statements else None,
        "key_figures": summary.figures.to_json() if summary.figures else None,
        "training": {"denials_read": summary.training.denials_read, "denials_by_step": summary.training.by_step,
                     "assigned": len(summary.training.assigned)} if summary.training else None,
        "practices": [
            {"code": p.code, "legal_name": p.legal_name, "providers": p.providers, "locations": p.locations,
             "patients": p.patients, "coverages": p.coverages, "encounters": p.encounters,
             "fee_schedule_items": p.fee_schedule_items, "copays_collected": p.copays_collected.plain(),
             "coding": {"coded": p.coded, "held_for_pathology": p.held, "flagged": p.flagged,
                        "nothing_billable": p.no_lines, "outside_icd10cm_release": p.outside_code_set,
                        "claims": p.claims, "charges": p.charges.plain()},
             "encounters_by_kind": dict(sorted(p.encounters_by_kind.items())),
             "encounters_by_payer": dict(sorted(p.encounters_by_payer.items()))}
            for p in summary.practices
        ],
    }
    (options.out_dir / "summary.json").write_text(json.dumps(data, indent=2) + "\n")


def _cycle_json(cycle: CycleSummary) -> dict[str, Any]:
    return {"claims_sent": cycle.submitted, "files_sent": len(cycle.files_sent),
            "files_received": len(cycle.files_received), "accepted": cycle.accepted,
            "rejected": [{"claim": claim, "why": why} for claim, why in cycle.rejected],
            "claims_by_status": dict(sorted(cycle.claims_by_status.items())), "paid": cycle.paid.plain(),
            "denied_lines_by_reason": dict(cycle.denials.most_common()), "unmatched": cycle.unmatched,
            "secondary_claims_sent": cycle.secondary_queued, "crossovers": cycle.crossovers,
            "ar_by_payer": [{"payer": payer, "insurance": a.plain(), "denied": d.plain()}
                            for payer, a, d in cycle.ar_by_payer],
            "patient_balance": cycle.patient_balance.plain(),
            "ledger": cycle.ledger.as_json() if cycle.ledger else None,
            "denial_management": cycle.work.to_json()}
