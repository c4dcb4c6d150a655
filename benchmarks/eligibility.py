"""Eligibility for a day of appointments: ``dermbill eligibility run`` over N booked visits (default 5,000), 270s in
batches of 1,000 through the simulated payer, the 271s fetched and applied.

Setup (not timed): the benchmarks' practice (era_posting.set_up_practice) with N patients, each with a Medicare
coverage and an appointment the next day, a clearinghouse profile, and the simulated payer's roster: nine in ten
members active, the rest ended, unknown or under another member ID, so the work list fills too. Timed, in its own
process: the run (select the appointments, write and record the 270s, the payer answers, fetch, apply every 271,
flag the unanswered). Afterwards every appointment must have its answer.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from benchmarks.era_posting import each_backend, in_subprocess, set_up_practice
from benchmarks.insert_encounters import Result

NAME = "eligibility run (270 out, 271 applied)"
NOW = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
VISIT_DAY = datetime.date(2026, 4, 3)
PAYER = "BNCMCR"


def _set_up(url: str, appointments: int, folder: Path) -> None:
    from sqlalchemy import insert, select

    from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile, write_roster
    from dermbill.clearinghouse.simulated_payer.service import write_payers
    from dermbill.core.money import Money
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.db.models import AppointmentRow, ClearinghouseProfileRow, CoverageRow, PatientRow, PayerRow
    from dermbill.db.repositories import UnitOfWork

    database = open_database(url)
    try:
        upgrade(database)
        set_up_practice(database)
        start = datetime.date(2026, 1, 1)
        members = []
        with UnitOfWork(database, actor="bench") as uow:
            payer = uow.session.scalars(select(PayerRow)).one()
            uow.session.add(ClearinghouseProfileRow(
                organization_id=payer.organization_id, name="BENCH CLEARINGHOUSE", submitter_id="BENCHSUB",
                submitter_name="BENCH BILLING", submitter_contact="DESK", submitter_phone="2155550100",
                receiver_id="SIMPAYER", receiver_name="SIMULATED PAYER"))
            practice_id = uow.session.scalars(select(PatientRow.practice_id)).first()
            uow.session.execute(insert(PatientRow), [{
                "practice_id": practice_id, "account_number": f"E-{n}", "last_name": "TESTBENCH",
                "first_name": f"PAT{n:05d}", "date_of_birth": datetime.date(1950 + n % 40, 1 + n % 12, 1 + n % 28),
                "sex": "F", "address_line1": "1 TEST ST", "city": "ANYTOWN", "state": "PA", "zip_code": "19099",
                "created_at": NOW} for n in range(appointments)])
            ids = dict(uow.session.execute(select(PatientRow.account_number, PatientRow.id).where(
                PatientRow.account_number.like("E-%"))).all())
            uow.session.execute(insert(CoverageRow), [{
                "practice_id": practice_id, "patient_id": ids[f"E-{n}"], "payer_id": payer.id,
                "member_id": f"BM{n:09d}", "coverage_order": "primary", "relationship_code": "18",
                "effective_date": start} for n in range(appointments)])
            uow.session.execute(insert(AppointmentRow), [{
                "practice_id": practice_id, "patient_id": ids[f"E-{n}"], "minutes": 15, "status": "booked",
                "planned_codes": ["99213"], "updated_at": NOW,
                "starts_at": datetime.datetime.combine(VISIT_DAY, datetime.time(8 + n % 10, 0), tzinfo=datetime.UTC)}
                for n in range(appointments)])
            uow.commit()
        for n in range(appointments):
            kind = n % 20
            if kind == 19:
                continue  # not a member: AAA 75
            born = datetime.date(1950 + n % 40, 1 + n % 12, 1 + n % 28)
            members.append(Member(PAYER, f"BM{n:09d}" if kind != 18 else f"BX{n:09d}", "TESTBENCH",
                                  f"PAT{n:05d}", born, start, datetime.date(2026, 3, 31) if kind == 17 else None,
                                  Money(25700), 20, Money(2500), out_of_pocket=Money(300000)))
        payer_folder = folder / "payer"
        payer_folder.mkdir()
        write_payers(payer_folder / "payers.csv", [PayerProfile(PAYER, "BENCH MEDICARE", "medicare", 100, 365)])
        write_roster(payer_folder / "roster.csv", members)
    finally:
        database.dispose()


def _run(url: str, folder: str) -> dict[str, Any]:
    """Runs inside the subprocess: the timed eligibility run."""
    import resource

    from dermbill.clearinghouse.config import parse_config
    from dermbill.db.engine import open_database
    from dermbill.services.eligibility import run_eligibility

    base = Path(folder)
    config = parse_config({"connections": {"simulated": {"kind": "simulated", "folder": str(base / "payer")}}}, base)
    database = open_database(url)
    try:
        start = time.perf_counter()
        summary = run_eligibility(database, config, inbox=base / "inbox", outbox=base / "outbox", days=1, now=NOW,
                                  batch_size=1000)
        seconds = time.perf_counter() - start
    finally:
        database.dispose()
    return {"seconds": seconds, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            **summary.to_json()}


def run(*, appointments: int = 5000) -> list[Result]:
    def ask(backend: str, url: str, folder: Path) -> list[Result]:
        _set_up(url, appointments, folder)
        measured = in_subprocess("eligibility", "_run", url, str(folder))
        answered = sum(measured["outcomes"].values()) - measured["no_answer"]
        if measured["sent"] != appointments or answered != appointments:
            raise RuntimeError(f"{appointments} appointments: {measured['sent']} sent, {answered} answered")
        return [Result(NAME, backend, appointments, int(measured["sent"]), measured["seconds"],
                       measured["peak_rss_mib"], per_second_label="appointments")]

    return each_backend(NAME, ask)
