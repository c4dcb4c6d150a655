"""The statement run for N guarantors (default 100,000; issue 16's goal: at least 200 statements/s on one core,
memory flat): ``run_statements`` as a dry run and for real, then, when their modules are there, the run's e-mail
statements sent to an SMTP server on 127.0.0.1 (``services.statement_mail``, aiosmtpd) and its print statements
rendered into print batches (``services.statement_printing``; at N/5 and on SQLite only: rendering a PDF does not
touch the database and runs at about 50 statements/s, so N's half on paper would take many minutes).

Setup (not timed): the benchmarks' practice (era_posting.set_up_practice) with N patients (every second one with
an e-mail address), each with one paid claim of 1-3 lines, loaded with bulk inserts: per claim a charge entry
(Dr 1100 per line, Cr 4000), and an 835's entry per line (Dr 1000 naming the payer, Dr 4100, Dr 1200, Cr 1100), so
that the patient owes coinsurance and no payer owes anything; every fourth patient paid part of it since (Dr 1000
naming no payer, Cr 1200), and every third was on a statement 35 days before (a reminder this time). The ledger
passes ``dermbill ledger check``. Timed, each in its own process (its memory its own): the dry run, the run (the
statements kept), the e-mails, the print batches. The runs are measured again for N/5 guarantors: the peak memory
of the two shows whether it grows with the run.
"""

from __future__ import annotations

import datetime
import importlib.util
import resource
import socket
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.era_posting import each_backend, in_subprocess, set_up_practice
from benchmarks.insert_encounters import Result

NAME = "statement run"
PRINT = f"{NAME}: print batches at N/5 (PDF + manifest)"
DAY = datetime.date(2026, 5, 18)
NOW = datetime.datetime(2026, 5, 18, 5, 0, tzinfo=datetime.UTC)
CHARGES = (("11102", 15000), ("17000", 9000), ("17003", 2500))
_BATCH = 5000


def _set_up(url: str, guarantors: int) -> None:
    """The practice, its patients, claims, ledger and earlier statements (see the module docstring)."""
    from sqlalchemy import func, insert, select

    from dermbill.core.ledger import CASH, CONTRACTUAL, GROSS_CHARGES, INSURANCE_AR, PATIENT_AR
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.db.models import (
        ClaimLineRow,
        ClaimRow,
        JournalEntryRow,
        PatientRow,
        PostingRow,
        StatementClaimRow,
        StatementRow,
    )

    database = open_database(url)
    upgrade(database)
    accounts, practice_id, ids = set_up_practice(database)
    _, _, payer_id, coverage_id, encounter_id, provider_id, location_id = ids
    dos = DAY - datetime.timedelta(days=60)
    earlier = DAY - datetime.timedelta(days=35)
    tables = (PatientRow, ClaimRow, ClaimLineRow, JournalEntryRow, StatementRow)
    with database.engine.begin() as connection:
        patient0, claim0, line0, entry0, statement0 = (
            int(connection.scalar(select(func.coalesce(func.max(t.id), 0)))) + 1 for t in tables)
        for start in range(0, guarantors, _BATCH):
            numbers = range(start, min(start + _BATCH, guarantors))
            patients, claims, lines, entries, postings, statements, listed = [], [], [], [], [], [], []
            for n in numbers:
                patient, claim, entry = patient0 + n, claim0 + n, entry0 + 3 * n
                charged = CHARGES[:1 + n % 3]
                patients.append(dict(
                    id=patient, practice_id=practice_id, account_number=f"S{n:07d}", last_name="TESTBENCH",
                    first_name=f"PAT{n:06d}", date_of_birth=datetime.date(1950 + n % 40, 1 + n % 12, 1 + n % 28),
                    sex="F", address_line1=f"{n} TEST ST", city="ANYTOWN", state="PA", zip_code="19099",
                    email=f"pat{n}@example.test" if n % 2 == 0 else None, created_at=NOW))
                claims.append(dict(
                    id=claim, practice_id=practice_id, patient_id=patient, encounter_id=encounter_id,
                    coverage_id=coverage_id, payer_id=payer_id, rendering_provider_id=provider_id,
                    location_id=location_id, status="paid", frequency_code="1", patient_control_number=f"S{n:08d}",
                    diagnosis_codes=["L57.0"], total_charge_cents=sum(c for _, c in charged), date_of_service=dos,
                    created_at=NOW, updated_at=NOW))
                entries += [
                    dict(id=entry, practice_id=practice_id, entry_date=dos, kind="charge",
                         memo=f"charges of claim S{n:08d}", idempotency_key=f"charge:claim:{claim}",
                         created_at=NOW, created_by="bench"),
                    dict(id=entry + 1, practice_id=practice_id, entry_date=dos + datetime.timedelta(days=20),
                         kind="remittance", memo=f"835 of claim S{n:08d}", idempotency_key=f"bench-835:{claim}",
                         created_at=NOW, created_by="bench")]
                about = dict(practice_id=practice_id, patient_id=patient, claim_id=claim)
                postings.append(dict(about, journal_entry_id=entry, account_id=accounts[GROSS_CHARGES],
                                     amount_cents=-sum(c for _, c in charged), payer_id=payer_id,
                                     claim_line_id=None))  # every row names the same columns (one executemany)
                for index, (code, charge) in enumerate(charged):
                    line = line0 + 3 * n + index
                    lines.append(dict(id=line, practice_id=practice_id, claim_id=claim, line_number=index + 1,
                                      procedure_code=code, modifiers=[], units=1, charge_cents=charge,
                                      diagnosis_pointers=[1], service_date_from=dos))
                    allowed = charge * 3 // 5
                    coinsurance = allowed // 5
                    on_line = dict(about, claim_line_id=line)
                    postings += [
                        dict(on_line, journal_entry_id=entry, account_id=accounts[INSURANCE_AR],
                             amount_cents=charge, payer_id=payer_id),
                        dict(on_line, journal_entry_id=entry + 1, account_id=accounts[CASH],
                             amount_cents=allowed - coinsurance, payer_id=payer_id),
                        dict(on_line, journal_entry_id=entry + 1, account_id=accounts[CONTRACTUAL],
                             amount_cents=charge - allowed, payer_id=payer_id),
                        dict(on_line, journal_entry_id=entry + 1, account_id=accounts[PATIENT_AR],
                             amount_cents=coinsurance, payer_id=None),
                        dict(on_line, journal_entry_id=entry + 1, account_id=accounts[INSURANCE_AR],
                             amount_cents=-charge, payer_id=payer_id)]
                if n % 4 == 0:  # paid $5.00 of the first line's coinsurance at the desk
                    entries.append(dict(id=entry + 2, practice_id=practice_id, kind="patient_payment",
                                        entry_date=DAY - datetime.timedelta(days=10), memo="patient payment",
                                        idempotency_key=f"patient-payment:T-{n}", created_at=NOW,
                                        created_by="bench"))
                    on_line = dict(about, claim_line_id=line0 + 3 * n, journal_entry_id=entry + 2, payer_id=None)
                    postings += [dict(on_line, account_id=accounts[CASH], amount_cents=500),
                                 dict(on_line, account_id=accounts[PATIENT_AR], amount_cents=-500)]
                if n % 3 == 0:  # on last month's statement (its document is not read again)
                    statement = statement0 + n
                    statements.append(dict(
                        id=statement, practice_id=practice_id, patient_id=patient, statement_date=earlier,
                        due_on=earlier + datetime.timedelta(days=21), amount_cents=1, step="statement",
                        code=f"B{n:09d}", delivery="print", delivery_status="sent", document={},
                        created_by="bench", created_at=NOW))
                    listed.append(dict(practice_id=practice_id, statement_id=statement, claim_id=claim,
                                       patient_owes_cents=1))
            for table, rows in ((PatientRow, patients), (ClaimRow, claims), (ClaimLineRow, lines),
                                (JournalEntryRow, entries), (PostingRow, postings), (StatementRow, statements),
                                (StatementClaimRow, listed)):
                if rows:
                    connection.execute(insert(table), rows)
        if database.backend == "postgresql":  # explicit ids do not move the sequences on
            for table in ("patient", "claim", "claim_line", "journal_entry", "statement"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            connection.exec_driver_sql("ANALYZE")
    database.dispose()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(url: str, dry_run: str) -> dict[str, Any]:
    """Runs inside the subprocess: the statement run of DAY, timed ("1": a dry run)."""
    from dermbill.db.engine import open_database
    from dermbill.services.statements import run_statements

    database = open_database(url)
    try:
        start = time.perf_counter()
        run = run_statements(database, DAY, dry_run=dry_run == "1", cycle_billing=False, actor="bench", now=NOW)
        seconds = time.perf_counter() - start
    finally:
        database.dispose()
    return {"seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "statements": len(run.statements),
            "email": sum(s.delivery == "email" for s in run.statements)}


def _print_batch(url: str, folder: str) -> dict[str, Any]:
    """Runs inside the subprocess: the run's print statements rendered into print batches (``dermbill statements
    print``: PDF and manifest files of 1,000 statements each, the statements marked printed)."""
    from dermbill.db.engine import open_database
    from dermbill.services.statement_printing import print_statements

    database = open_database(url)
    try:
        start = time.perf_counter()
        batches = print_statements(database, Path(folder) / "print", actor="bench", now=NOW)
        seconds = time.perf_counter() - start
    finally:
        database.dispose()
    return {"seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "statements": sum(b.statements for b in batches)}


def _emails(url: str, port: str) -> dict[str, Any]:
    """Runs inside the subprocess: the run's e-mail statements sent to the SMTP server on 127.0.0.1:``port``."""
    from dermbill.db.engine import open_database
    from dermbill.services.statement_mail import deliver_statement_emails
    from dermbill.settings import SmtpSecurity, SmtpSettings

    database = open_database(url)
    smtp = SmtpSettings("127.0.0.1", "statements@billing.example.test", port=int(port), security=SmtpSecurity.NONE)
    try:
        start = time.perf_counter()
        report = deliver_statement_emails(database, smtp, None, now=NOW, base_url="https://bills.example.test",
                                          actor="bench")
        seconds = time.perf_counter() - start
    finally:
        database.dispose()
    return {"seconds": seconds, "peak_rss_mib": _peak_rss_mib(), "sent": len(report.sent),
            "problem": report.problem}


def _missing(module: str) -> str | None:
    """Why ``module`` cannot be benchmarked (None: it can)."""
    try:
        found = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        found = None
    return None if found is not None else f"not available: no {module}"


class _SmtpSink:
    """An SMTP server on 127.0.0.1 (aiosmtpd, in a thread of this process) that counts what it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received = 0
        self._lock = threading.Lock()
        with socket.socket() as probe:  # a free port (aiosmtpd checks the one it is given by connecting to it)
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        with self._lock:
            self.received += 1
        return "250 OK"

    def __enter__(self) -> _SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.controller.stop()


def run(*, guarantors: int = 100_000) -> list[Result]:
    smaller = max(1, guarantors // 5)

    def measure(backend: str, url: str, folder: Path) -> list[Result]:
        _set_up(url, guarantors)
        results = []
        for label, dry in (("dry run", "1"), ("statements kept", "0")):
            measured = in_subprocess("statements", "_run", url, dry)
            if measured["statements"] != guarantors:
                raise RuntimeError(f"{guarantors} guarantors: {measured['statements']} statements ({label})")
            results.append(Result(f"{NAME}, {label}", backend, guarantors, measured["statements"],
                                  measured["seconds"], measured["peak_rss_mib"], per_second_label="statements"))
        results.append(_email_result(backend, url))
        return results

    def measure_smaller(backend: str, url: str, folder: Path) -> list[Result]:
        _set_up(url, smaller)
        results = []
        for label, dry in (("dry run", "1"), ("statements kept", "0")):
            measured = in_subprocess("statements", "_run", url, dry)
            results.append(Result(f"{NAME}, {label} (memory at N/5)", backend, smaller, measured["statements"],
                                  measured["seconds"], measured["peak_rss_mib"], per_second_label="statements"))
        # Rendering does not read the database: measured once, at N/5 (about 50 statements/s: minutes at N).
        results.append(_print_result(backend, url, folder) if backend == "sqlite" else Result(
            PRINT, backend, 0, 0, 0.0, 0.0, note="measured on SQLite only (PDF rendering)"))
        return results

    results = each_backend(NAME, measure)
    if smaller < guarantors:
        results += each_backend(NAME, measure_smaller)
    return results


def _print_result(backend: str, url: str, folder: Path) -> Result:
    missing = _missing("dermbill.pdf.statements") or _missing("dermbill.services.statement_printing")
    if missing:
        return Result(PRINT, backend, 0, 0, 0.0, 0.0, note=missing)
    measured = in_subprocess("statements", "_print_batch", url, str(folder))
    return Result(PRINT, backend, 0, measured["statements"], measured["seconds"], measured["peak_rss_mib"],
                  per_second_label="statements")


def _email_result(backend: str, url: str) -> Result:
    label = f"{NAME}: e-mails to SMTP on 127.0.0.1"
    missing = _missing("dermbill.services.statement_mail") or _missing("aiosmtpd")
    if missing:
        return Result(label, backend, 0, 0, 0.0, 0.0, note=missing)
    with _SmtpSink() as sink:
        measured = in_subprocess("statements", "_emails", url, str(sink.port))
    if measured["problem"] or sink.received != measured["sent"]:
        return Result(label, backend, 0, 0, 0.0, 0.0,
                      note=f"WRONG: {measured['sent']} sent, {sink.received} received ({measured['problem']})")
    return Result(label, backend, 0, measured["sent"], measured["seconds"], measured["peak_rss_mib"],
                  per_second_label="e-mails")
