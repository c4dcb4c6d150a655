"""Background jobs on PostgreSQL (issue 19): posting a large 835 as a job on a worker against posting it directly,
and how long a job takes to finish when its worker is killed halfway.

Setup (not timed): the era_posting benchmark's practice with N submitted claims, in a new PostgreSQL schema for each
case, and an 835 paying them in S transaction sets (the job posts and reports one set at a time).
Timed, in this order, each in fresh processes:
1. direct: ``post_era_file`` on the file (what ``dermbill era post`` runs);
2. as a job: ``dermbill jobs defer post_835`` then one ``dermbill worker``: from the defer to the job's success
   (worker start-up included), and the job's own run (started to finished);
3. a worker killed (SIGKILL) when half the sets are posted, a second worker started at once with
   ``--stalled-after 5``: from the kill to the job's success; every set must be posted once and the cash must be
   the file's total.

Run: ``PYTHONPATH=. python -m benchmarks.jobs [--claims 20000] [--sets 20]``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.era_posting import _set_up, in_subprocess
from benchmarks.insert_encounters import _drop_pg_schema, _pg_schema_url

ROOT = Path(__file__).resolve().parents[1]
DOS = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
STALLED_AFTER = "5"


def _split_835(path: Path, claims: int, sets: int) -> int:
    """Rewrite the era_posting benchmark's 835 (claims B00000001 ...) as ``sets`` transaction sets; its total
    in cents."""
    from dermbill.core.money import Money
    from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
    from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, Remittance, write_835

    charges, allowed = (15000, 12000), (6631, 647)
    paid = []
    for n in range(1, claims + 1):
        lines = tuple(PaidLine(("17000", "17003")[i], (), Money(charge), 1, DOS,
                               (Adjusted("CO", "45", Money(charge - allowed[i])), Adjusted("PR", "2",
                                                                                          Money(allowed[i] // 5))),
                               control_number=f"B{n:08d}-{i + 1}") for i, charge in enumerate(charges))
        paid.append(PaidClaim(f"B{n:08d}", "1", "MB", f"ICN{n:010d}", "DOE", "JANE", "1EG4TE5MK72", lines))
    size = -(-claims // sets)
    remittances = tuple(Remittance("BENCH MEDICARE", "BNCMCR", "BENCH DERMATOLOGY", "1234567893", f"EFTJOB{i + 1}",
                                   DOS + datetime.timedelta(days=20), tuple(paid[i * size:(i + 1) * size]))
                        for i in range(sets))
    profile = ClearinghouseProfile("BNCMCR", "BENCH MEDICARE", "EDI", "2155550100", "BENCH", "BENCH BILLING")
    path.write_text(write_835(remittances, profile, ControlNumbers(1, 1, 1), NOW))
    return sum(r.total.cents for r in remittances)


def _prepared(claims: int, sets: int, folder: Path) -> tuple[str, str, Path, int]:
    target = _pg_schema_url()
    if target is None:
        raise SystemExit("PostgreSQL is not reachable (DERMBILL_TEST_PG_URL)")
    url, schema = target
    path = _set_up(url, claims, folder)
    total = _split_835(path, claims, sets)
    return url, schema, path, total


def _worker(url: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "dermbill", "--db", url, "worker", "--no-schedule", *extra],
                                cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})


def _job(url: str, job_id: int) -> tuple[str, int, int | None, float | None]:
    """(status, done, total, seconds of its last run) of a job."""
    from dermbill.db.engine import open_database
    from dermbill.db.models import BackgroundJobRow
    from dermbill.db.repositories import UnitOfWork

    database = open_database(url)
    try:
        with UnitOfWork(database, actor="bench") as uow:
            row = uow.session.get(BackgroundJobRow, job_id)
            assert row is not None
            ran = ((row.finished_at - row.started_at).total_seconds() if row.finished_at and row.started_at
                   else None)
            return row.status, row.done, row.total, ran
    finally:
        database.dispose()


def _defer(url: str, path: Path) -> int:
    from dermbill.db.engine import open_database
    from dermbill.services.job_queue import defer_job

    database = open_database(url)
    try:
        job, _ = defer_job(database, "post_835", {"file": str(path)}, requested_by="bench")
        return job.id
    finally:
        database.dispose()


def _wait(url: str, job_id: int, ready: str, sets: int, timeout: float = 900) -> tuple[str, int, int | None,
                                                                                      float | None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _job(url, job_id)
        if (ready == "finished" and state[0] in ("succeeded", "failed")) or (
                ready == "halfway" and state[1] >= sets // 2):
            return state
        time.sleep(0.05)
    raise SystemExit(f"job {job_id} not {ready} after {timeout:g} s")


def _posted_once(url: str, sets: int, total: int) -> bool:
    from sqlalchemy import select

    from dermbill.db.engine import open_database
    from dermbill.db.models import RemittanceRow
    from dermbill.db.repositories import UnitOfWork
    from dermbill.services.ledger_check import check_ledger

    database = open_database(url)
    try:
        with UnitOfWork(database, actor="bench") as uow:
            traces = list(uow.session.scalars(select(RemittanceRow.trace_number).where(
                RemittanceRow.status == "posted")))
        report = check_ledger(database)
        return (sorted(traces) == sorted(f"EFTJOB{i}" for i in range(1, sets + 1)) and report.clean
                and report.totals["cash"].cents == total)
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.jobs", description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--sets", type=int, default=20)
    args = parser.parse_args()
    claims, sets = args.claims, args.sets
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        url, schema, path, total = _prepared(claims, sets, folder)
        try:
            direct = float(in_subprocess("jobs", "_post_all", url, str(path))["seconds"])
        finally:
            _drop_pg_schema(schema)
        rows.append(("direct: post_era_file (in a fresh process)", f"{direct:.2f} s, {claims / direct:,.0f} claims/s"))

        url, schema, path, total = _prepared(claims, sets, folder)
        try:
            job_id = _defer(url, path)
            start = time.perf_counter()
            worker = _worker(url, folder / "worker.log", "--until-empty")
            worker.wait(timeout=900)
            wall = time.perf_counter() - start
            status, _, _, ran = _job(url, job_id)
            once = _posted_once(url, sets, total)
        finally:
            _drop_pg_schema(schema)
        assert ran is not None
        rows.append(("as a job: the job's run (started to finished)", f"{ran:.2f} s, {claims / ran:,.0f} claims/s "
                                                                      f"({ran / direct:.2f} x direct)"))
        rows.append(("as a job: defer to done, worker start-up included", f"{wall:.2f} s ({status}, posted once: "
                                                                          f"{'yes' if once else 'NO'})"))

        url, schema, path, total = _prepared(claims, sets, folder)
        try:
            job_id = _defer(url, path)
            first = _worker(url, folder / "killed.log", "--stalled-after", STALLED_AFTER)
            halfway = _wait(url, job_id, "halfway", sets)
            first.send_signal(signal.SIGKILL)
            killed_at = time.perf_counter()
            first.wait(timeout=30)
            second = _worker(url, folder / "killed.log", "--stalled-after", STALLED_AFTER)
            try:
                status, done, _, _ = _wait(url, job_id, "finished", sets)
                recovered = time.perf_counter() - killed_at
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(timeout=60)
            once = _posted_once(url, sets, total)
        finally:
            _drop_pg_schema(schema)
        rows.append((f"worker killed at {halfway[1]}/{sets} sets: kill to done (--stalled-after {STALLED_AFTER})",
                     f"{recovered:.2f} s ({status}, {done}/{sets}, posted once: {'yes' if once else 'NO'})"))
    width = max(len(name) for name, _ in rows)
    print(f"background jobs on PostgreSQL: an 835 of {claims:,} claim payments in {sets} transaction sets")
    for name, figure in rows:
        print(f"  {name:<{width}}  {figure}")


def _post_all(url: str, path: str) -> dict[str, float]:
    """Runs in a fresh process: post every set of the file directly, timed (imports and connecting not)."""
    from dermbill.db.engine import open_database
    from dermbill.services.era_posting import post_era_file

    database = open_database(url)
    try:
        start = time.perf_counter()
        outcomes = post_era_file(database, Path(path))
        seconds = time.perf_counter() - start
        return {"posted": sum(o.status == "posted" for o in outcomes), "seconds": seconds}
    finally:
        database.dispose()


if __name__ == "__main__":
    main()
