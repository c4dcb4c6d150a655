"""Posting a large 835: claim payments posted per second on SQLite and PostgreSQL, and 8 processes at once.

Setup (not timed): one practice with N submitted claims of two lines each and their charges, loaded with
bulk inserts; an 835 paying every claim (CO-45, coinsurance, some denials) written with our writer.
Timed: ``post_era_file`` on that file, in a fresh process (parse, match, post, settle claim statuses).
Concurrent run (PostgreSQL): 8 processes post the same file at once; exactly one posts it.
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.goals import Goal, note
from benchmarks.insert_encounters import PG_URL, Result, _drop_pg_schema, _pg_schema_url

if TYPE_CHECKING:
    from dermbill.db.engine import Database

NAME = "post 835 claim payments"
NPI = "1234567893"
DOS = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)


def set_up_practice(database: Database) -> tuple[dict[str, int], int, tuple[int, ...]]:
    """The benchmarks' practice B1 (migrated database): one payer, provider (NPI), location OFFICE, patient B-1
    with Medicare coverage from DOS and one encounter. Returns the ledger's account ids by code, the practice id
    and (practice, patient, payer, coverage, encounter, provider, location) ids."""
    from dermbill.db.models import (
        CoverageRow,
        EncounterRow,
        PatientRow,
        PayerRow,
        PracticeRow,
        ProviderRow,
        ServiceLocationRow,
    )
    from dermbill.db.repositories import UnitOfWork

    with UnitOfWork(database, actor="bench") as uow:
        organization = uow.add_organization("BENCH BILLING")
        payer = PayerRow(organization_id=organization.id, name="BENCH MEDICARE", payer_identifier="BNCMCR",
                         kind="medicare", claim_filing_indicator_code="MB", timely_filing_days=365)
        uow.add_payers([payer])
        practice = uow.add_practice(PracticeRow(
            organization_id=organization.id, code="B1", legal_name="BENCH DERMATOLOGY", tin="990000001",
            billing_npi=NPI, taxonomy="207N00000X", address_line1="1 TEST ST", city="ANYTOWN", state="PA",
            zip_code="19099"))
        repo = uow.practice(practice.id)
        repo.open_standard_chart()
        provider = repo.add(ProviderRow(last_name="DOC", first_name="ANN", npi=NPI, taxonomy="207N00000X"))
        location = repo.add(ServiceLocationRow(name="OFFICE", place_of_service="11", address_line1="1 TEST ST",
                                               city="ANYTOWN", state="PA", zip_code="19099"))
        patient = repo.add(PatientRow(account_number="B-1", last_name="DOE", first_name="JANE",
                                      date_of_birth=datetime.date(1950, 1, 1), sex="F", address_line1="2 TEST ST",
                                      city="ANYTOWN", state="PA", zip_code="19099", created_at=NOW))
        repo.flush()
        coverage = repo.add(CoverageRow(patient_id=patient.id, payer_id=payer.id, member_id="1EG4TE5MK72",
                                        coverage_order="primary", relationship_code="18", effective_date=DOS))
        encounter = repo.add(EncounterRow(patient_id=patient.id, provider_id=provider.id, location_id=location.id,
                                          date_of_service=DOS, documentation={}, created_at=NOW))
        repo.flush()
        accounts = repo.account_ids()
        ids = (practice.id, patient.id, payer.id, coverage.id, encounter.id, provider.id, location.id)
        uow.commit()
    return accounts, practice.id, ids


def _set_up(url: str, claims: int, folder: Path) -> Path:
    """A practice with ``claims`` submitted claims and the 835 that pays them; returns the 835's path."""
    from sqlalchemy import insert

    from dermbill.core.ledger import GROSS_CHARGES, INSURANCE_AR
    from dermbill.core.money import Money
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.db.models import ClaimLineRow, ClaimRow, JournalEntryRow, PostingRow
    from dermbill.db.summaries import rebuild_statements
    from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
    from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, Remittance, write_835

    database = open_database(url)
    upgrade(database)
    accounts, _, ids = set_up_practice(database)
    practice_id, patient_id, payer_id, coverage_id, encounter_id, provider_id, location_id = ids
    charges = (15000, 12000)
    with database.engine.begin() as connection:
        for start in range(0, claims, 5000):
            numbers = range(start + 1, min(start + 5000, claims) + 1)
            connection.execute(insert(ClaimRow), [dict(
                id=n, practice_id=practice_id, patient_id=patient_id, encounter_id=encounter_id,
                coverage_id=coverage_id, payer_id=payer_id, rendering_provider_id=provider_id,
                location_id=location_id, status="submitted", frequency_code="1", patient_control_number=f"B{n:08d}",
                diagnosis_codes=["L57.0"], total_charge_cents=sum(charges), date_of_service=DOS, created_at=NOW,
                updated_at=NOW)
                for n in numbers])
            connection.execute(insert(ClaimLineRow), [dict(
                id=2 * n - 1 + index, practice_id=practice_id, claim_id=n, line_number=index + 1,
                procedure_code=("17000", "17003")[index], modifiers=[], units=1, charge_cents=charge,
                diagnosis_pointers=[1], service_date_from=DOS) for n in numbers
                for index, charge in enumerate(charges)])
            connection.execute(insert(JournalEntryRow), [dict(
                id=n, practice_id=practice_id, entry_date=DOS, kind="charge", memo=f"charges of claim B{n:08d}",
                idempotency_key=f"charge:claim:{n}", created_at=NOW, created_by="bench") for n in numbers])
            connection.execute(insert(PostingRow), [dict(
                practice_id=practice_id, journal_entry_id=n, account_id=accounts[code], amount_cents=amount,
                patient_id=patient_id, payer_id=payer_id, claim_id=n, claim_line_id=line)
                for n in numbers for code, amount, line in (
                    (INSURANCE_AR, charges[0], 2 * n - 1), (INSURANCE_AR, charges[1], 2 * n),
                    (GROSS_CHARGES, -sum(charges), None))])
        if database.backend == "postgresql":  # explicit ids do not move the sequences on
            for table in ("claim", "claim_line", "journal_entry"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with database.engine.begin() as connection:  # the ledger's summaries of the charges, as posting keeps them
        for statement in rebuild_statements():
            connection.exec_driver_sql(statement)
    if database.backend == "postgresql":  # statistics, as a database in use has (autovacuum would take a while)
        with database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "ANALYZE claim, claim_line, journal_entry, posting, line_adjudication, receivable_balance")
    database.dispose()
    paid: list[PaidClaim] = []
    for n in range(1, claims + 1):
        lines = []
        for index, charge in enumerate(charges):
            allowed = (6631, 647)[index]
            if n % 20 == 0 and index == 1:
                adjustments = (Adjusted("CO", "151", Money(charge)),)
            else:
                coinsurance = allowed // 5
                adjustments = (Adjusted("CO", "45", Money(charge - allowed)), Adjusted("PR", "2", Money(coinsurance)))
            lines.append(PaidLine(("17000", "17003")[index], (), Money(charge), 1, DOS, adjustments,
                                  control_number=f"B{n:08d}-{index + 1}"))
        paid.append(PaidClaim(f"B{n:08d}", "1", "MB", f"ICN{n:010d}", "DOE", "JANE", "1EG4TE5MK72", tuple(lines)))
    profile = ClearinghouseProfile("BNCMCR", "BENCH MEDICARE", "EDI", "2155550100", "BENCH", "BENCH BILLING")
    path = folder / "bench.835"
    path.write_text(write_835((Remittance("BENCH MEDICARE", "BNCMCR", "BENCH DERMATOLOGY", NPI, "EFTBENCH1",
                                          DOS + datetime.timedelta(days=20), tuple(paid)),),
                              profile, ControlNumbers(1, 1, 1), NOW))
    return path


def _post(url: str, path: str) -> dict[str, Any]:
    """Runs inside the subprocess: post the file once, timed."""
    from dermbill.db.engine import open_database
    from dermbill.services.era_posting import post_era_file

    database = open_database(url)
    backend, server_before, connections = 0, 0.0, set()
    if database.backend == "postgresql":  # the server process of the pooled connection the poster will take
        from sqlalchemy import event

        with database.engine.connect() as connection:
            backend = int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        server_before = _cpu_seconds(backend)

        @event.listens_for(database.engine.pool, "checkout")
        def _remember(connection: Any, *_: Any) -> None:
            connections.add(id(connection))
    start, cpu = time.perf_counter(), time.process_time()
    [outcome] = post_era_file(database, Path(path))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    # Server CPU only when the poster used that one connection (its process's CPU is then the server's work).
    server = _cpu_seconds(backend) - server_before if backend and len(connections) == 1 else 0.0
    again = time.perf_counter()
    [repeat] = post_era_file(database, Path(path))  # exactly once: the same file again posts nothing
    again = time.perf_counter() - again
    database.dispose()
    return {"seconds": seconds, "client_cpu": cpu, "server_cpu": server, "claims": outcome.claims_posted,
            "status": outcome.status,
            "again": repeat.status, "again_seconds": again,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process on this machine has used so far, from /proc; 0 when unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_subprocess(module: str, function: str, *args: str) -> dict[str, Any]:
    """``benchmarks.<module>.<function>(*args)`` in a fresh interpreter (its memory and clock its own), its JSON
    answer read back from the last line it prints."""
    code = (f"import json; from benchmarks.{module} import {function}; "
            f"print(json.dumps({function}(*{list(args)!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _database(backend: str, folder: Path) -> tuple[str, str | None] | None:
    """A new empty database: (URL, PostgreSQL schema to drop afterwards or None); None if PostgreSQL is down."""
    if backend == "sqlite":
        return f"sqlite:///{folder}/bench.db", None
    return _pg_schema_url()


def each_backend(name: str, measure: Callable[[str, str, Path], list[Result]]) -> list[Result]:
    """``measure(backend, url, folder)`` on a new SQLite database and a new PostgreSQL schema (dropped after), in a
    scratch folder each; a PostgreSQL that does not answer gives a row saying so."""
    results = []
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as folder:
            target = _database(backend, Path(folder))
            if target is None:
                results.append(Result(name, backend, 0, 0, 0.0, 0.0, note=f"not available at {PG_URL}"))
                continue
            url, schema = target
            try:
                results += measure(backend, url, Path(folder))
            finally:
                if schema is not None:
                    _drop_pg_schema(schema)
    return results


def run(*, claims: int = 60_000, concurrent: bool = True) -> list[Result]:
    def post(backend: str, url: str, folder: Path) -> list[Result]:
        measured = in_subprocess("era_posting", "_post", url, str(_set_up(url, claims, folder)))
        seconds, cpu = measured["seconds"], measured["client_cpu"]
        server = (f", server CPU {measured['server_cpu']:.1f} s" if measured["server_cpu"] else
                  " (in process)" if backend == "sqlite" else "")
        label = (f"{NAME}: client CPU {cpu:.1f} s{server}, wall {seconds:.1f} s; "
                 f"posted again: {measured['again']} in {measured['again_seconds']:.1f} s")
        once = measured["again"] == "already posted" and measured["claims"] == claims
        rate = measured["claims"] / seconds if seconds else 0.0
        note(Goal(f"post an 835 of {claims:,} claim payments, {backend}", f"{rate:,.0f} claim payments/s",
                  "2,000 claim payments/s", rate / 2000,
                  ">= 2,000/s on PostgreSQL, exactly once" if backend == "postgresql" else "exactly once (the rate: "
                  "no goal on SQLite)", (rate >= 2000 if backend == "postgresql" else True) and once))
        return [Result(label, backend, 0, int(measured["claims"]), seconds, measured["peak_rss_mib"],
                       per_second_label="claim payments",
                       note="" if once else f"WRONG: posted {measured['claims']}, again {measured['again']}")]

    results = each_backend(NAME, post)
    if concurrent and any(r.backend == "postgresql" and not r.note for r in results):
        results.append(_concurrent_run(claims))
    return results


def _concurrent_run(claims: int, processes: int = 8) -> Result:
    label = f"{NAME}, {processes} processes at once"
    with tempfile.TemporaryDirectory() as folder:
        target = _pg_schema_url()
        if target is None:
            return Result(label, "postgresql", 0, 0, 0.0, 0.0, note=f"not available at {PG_URL}")
        url, schema = target
        try:
            path = _set_up(url, claims, Path(folder))
            context = multiprocessing.get_context("spawn")
            start = time.perf_counter()
            with context.Pool(processes) as pool:
                outcomes = pool.starmap(_post, [(url, str(path))] * processes)
            seconds = time.perf_counter() - start
        finally:
            _drop_pg_schema(schema)
    statuses = sorted(o["status"] for o in outcomes)
    once = statuses == ["already posted"] * (processes - 1) + ["posted"]
    return Result(label, "postgresql", 0, claims, seconds, max(o["peak_rss_mib"] for o in outcomes),
                  per_second_label="claim payments",
                  note="" if once else f"WRONG: {statuses.count('posted')} processes posted it")
