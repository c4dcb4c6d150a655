"""The staff API under load: the claim board, a claim search and a claim's page, at a million claims.

Setup (not timed, reused when the database already holds the same number of claims): a PostgreSQL database for
each count (``dermbill_bench_claims_1000000`` beside the test database), migrated, with one billing company of 10
practices, 12 payers, 8 providers a practice, a patient for every 4 claims and ``claims`` one-line claims over three
years of dates of service, loaded with COPY (two to three minutes for a million on a busy 2-core machine). Then
``dermbill serve --workers 2`` on 127.0.0.1 and a manager's personal access token granted every practice.

Timed: for each endpoint in turn, ``clients`` concurrent clients (httpx, one connection each) send requests for
``seconds`` seconds: the board (``/api/v1/claims/board``), a search by patient name and a 90-day range of dates of
service (``/api/v1/claims?q=NAME&date_from=..&date_to=..``) and a claim (``/api/v1/claims/{number}``). Printed:
requests per second and the 50th/95th percentile latency of each (the goal: p95 under 150 ms).

``DERMBILL_BENCH_API_CLAIMS`` (or ``python -m benchmarks --api-claims N``) sets the number of claims.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.insert_encounters import PG_URL

DATABASE_PREFIX = "dermbill_bench_claims"  # one database per claim count: dermbill_bench_claims_1000000
DEFAULT_CLAIMS = int(os.environ.get("DERMBILL_BENCH_API_CLAIMS", "1000000"))
PRACTICES = 10
PROVIDERS_PER_PRACTICE = 8
CLAIMS_PER_PATIENT = 4
FIRST_DAY = datetime.date(2024, 1, 1)
DAYS = 3 * 365
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
EMAIL = "bench.manager@bench.test"
# Obviously fake names, from syllables: a few thousand last names, common ones more common (as in life).
SYLLABLES = ("BAR", "TON", "MEL", "KIR", "DAN", "SOL", "VEX", "RUM", "PEL", "GOR", "TAN", "LIS", "MOR", "QUI",
             "FEN", "DOR", "HAL", "WIN", "ZEB", "NOL")
FIRST_NAMES = ("ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL", "INDIA", "JULIET",
               "KILO", "LIMA", "MIKE", "NOVEMBER", "OSCAR", "PAPA", "QUEBEC", "ROMEO", "SIERRA", "TANGO")
# Most claims are settled; a working set is in flight.
STATUS_WEIGHTS = (("paid", 40), ("closed", 25), ("submitted", 8), ("accepted", 6), ("partially_paid", 5),
                  ("denied", 4), ("ready", 3), ("scrub_errors", 2), ("rejected", 2), ("coded", 2), ("held", 1),
                  ("corrected", 1), ("draft", 1))


@dataclass(frozen=True)
class EndpointResult:
    endpoint: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float

    def cells(self) -> tuple[str, ...]:
        return (self.endpoint, f"{self.requests:,}", str(self.errors), f"{self.requests / self.seconds:,.0f}",
                f"{self.p50_ms:.1f}", f"{self.p95_ms:.1f}")


def last_names() -> list[str]:
    return [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "SON", "ER", "MAN", "LEY")]


def _urls(name: str) -> tuple[str, str]:
    from sqlalchemy.engine import make_url

    base = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return (base.render_as_string(hide_password=False),
            base.set(database=name).render_as_string(hide_password=False))


def prepare(claims: int) -> str | None:
    """The bench database's URL, loaded with ``claims`` claims (reused when it already is); None without PostgreSQL."""
    from sqlalchemy import create_engine, text

    name = f"{DATABASE_PREFIX}_{claims}"
    admin_url, url = _urls(name)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": name}).first() is not None
    except Exception:
        return None
    if exists and _loaded_claims(url) == claims:
        print(f"claim API bench: reusing {name} ({claims:,} claims)", file=sys.stderr)
        admin.dispose()
        return url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    start = time.perf_counter()
    _load(url, claims)
    print(f"claim API bench: loaded {claims:,} claims in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return url


def _loaded_claims(url: str) -> int | None:
    from sqlalchemy import create_engine, text

    from dermbill.db.migrate import head_revision

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if revision != head_revision():
                return None
            return int(connection.execute(text("SELECT count(*) FROM claim")).scalar_one())
    except Exception:
        return None
    finally:
        engine.dispose()


def _load(url: str, claims: int) -> None:
    import psycopg

    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade

    database = open_database(url)
    upgrade(database)
    practices = _base_rows(database)
    database.dispose()
    rng = random.Random(13)
    names = last_names()
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(names))]  # a few names are common
    statuses = [s for s, _ in STATUS_WEIGHTS]
    status_weights = [w for _, w in STATUS_WEIGHTS]
    patients = max(1, claims // CLAIMS_PER_PATIENT)
    created = NOW.isoformat()
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=False) as connection:
        connection.execute("SET session_replication_role = replica")  # no foreign key triggers while loading
        with connection.cursor() as cursor:
            with cursor.copy("COPY patient (id, practice_id, account_number, last_name, first_name, date_of_birth, "
                             "sex, address_line1, city, state, zip_code, created_at) FROM STDIN") as copy:
                chosen = rng.choices(names, weights=weights, k=patients)
                for n in range(1, patients + 1):
                    practice_id = practices[n % PRACTICES][0]
                    copy.write_row((n, practice_id, f"B{n:08d}", chosen[n - 1], FIRST_NAMES[n % 20],
                                    datetime.date(1930 + n % 70, 1 + n % 12, 1 + n % 28), "FMU"[n % 3],
                                    "1 TEST ST", "ANYTOWN", "PA", "19099", created))
            claim_statuses = rng.choices(statuses, weights=status_weights, k=claims)
            with cursor.copy("COPY claim (id, practice_id, patient_id, rendering_provider_id, location_id, payer_id, "
                             "status, frequency_code, patient_control_number, diagnosis_codes, total_charge_cents, "
                             "date_of_service, created_at, updated_at) FROM STDIN") as copy:
                for n in range(1, claims + 1):
                    patient = rng.randint(1, patients)
                    practice_id, code, providers, location, payers = practices[patient % PRACTICES]
                    day = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS))
                    copy.write_row((n, practice_id, patient, providers[n % len(providers)], location,
                                    payers[patient % len(payers)], claim_statuses[n - 1], "1", f"{code}-{n:07d}",
                                    '["L82.1"]', 5000 + 125 * (n % 400), day, created, created))
            cursor.execute(  # one line a claim, made by the server from the claims
                "INSERT INTO claim_line (id, practice_id, claim_id, line_number, procedure_code, modifiers, units, "
                "charge_cents, diagnosis_pointers, service_date_from) SELECT id, practice_id, id, 1, '17110', '[]', "
                "1, total_charge_cents, '[1]', date_of_service FROM claim")
            for table in ("patient", "claim", "claim_line"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        connection.commit()
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for table in ("patient", "claim", "claim_line"):
            connection.execute(f"VACUUM ANALYZE {table}")  # statistics, and the visibility map for index-only scans


def _base_rows(database: object) -> list[tuple[int, str, list[int], int, list[int]]]:
    """The company, its payers and practices with providers and a location: (id, code, providers, location,
    payers) per practice."""
    from dermbill.db.engine import Database
    from dermbill.db.models import PayerRow, PracticeRow, ProviderRow, ServiceLocationRow
    from dermbill.db.repositories import UnitOfWork

    assert isinstance(database, Database)
    found = []
    with UnitOfWork(database, actor="bench", clock=lambda: NOW) as uow:
        organization = uow.add_organization("BENCH BILLING")
        payers = [PayerRow(organization_id=organization.id, name=f"BENCH PAYER {n:02d}",
                           payer_identifier=f"BENCH{n:02d}", kind="commercial", claim_filing_indicator_code="CI",
                           timely_filing_days=180) for n in range(12)]
        uow.add_payers(payers)
        for p in range(PRACTICES):
            code = f"P{p:02d}"
            practice = uow.add_practice(PracticeRow(
                organization_id=organization.id, code=code, legal_name=f"BENCH DERMATOLOGY {p:02d}",
                tin=f"99{p:07d}", billing_npi="1234567893", taxonomy="207N00000X", address_line1="1 TEST ST",
                city="ANYTOWN", state="PA", zip_code="19099"))
            repo = uow.practice(practice.id)
            providers = [repo.add(ProviderRow(last_name=f"DOC{n}", first_name=code, npi=f"1{p:02d}{n:07d}",
                                              taxonomy="207N00000X")) for n in range(PROVIDERS_PER_PRACTICE)]
            location = repo.add(ServiceLocationRow(name="OFFICE", place_of_service="11", address_line1="1 TEST ST",
                                                   city="ANYTOWN", state="PA", zip_code="19099"))
            repo.flush()
            found.append((practice.id, code, [x.id for x in providers], location.id,
                          [payer.id for payer in payers[p % 4::4] + payers[:2]]))
        uow.commit()
    return found


def _token(url: str) -> str:
    from dermbill.core.errors import NotFound
    from dermbill.db.engine import open_database
    from dermbill.services.users import add_user, create_token, get_user

    database = open_database(url)
    try:
        try:
            get_user(database, EMAIL)
        except NotFound:
            add_user(database, company="BENCH BILLING", email=EMAIL, display_name="Bench Manager", roles=["manager"],
                     practices=[f"P{p:02d}" for p in range(PRACTICES)], password="bench horse battery staple",
                     actor="bench")
        return create_token(database, EMAIL, name="bench", actor="bench").token
    finally:
        database.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    dermbill = Path(sys.executable).with_name("dermbill")
    server = subprocess.Popen([str(dermbill), "--db", url, "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import httpx

    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"dermbill serve did not start: {(server.stderr.read() if server.stderr else b'').decode()}")


async def _hammer(base: str, token: str, make_path: object, *, clients: int, seconds: float
                  ) -> tuple[list[float], int, float]:
    import httpx

    assert callable(make_path)
    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(rng: random.Random, deadline: float) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as http:
            for _ in range(1_000_000):  # bounded; the deadline ends it first
                if time.perf_counter() >= deadline:
                    return
                start = time.perf_counter()
                answer = await http.get(make_path(rng))
                latencies.append(time.perf_counter() - start)
                if answer.status_code != 200:
                    errors += 1

    warm = time.perf_counter() + min(2.0, seconds / 5)
    await asyncio.gather(*(client(random.Random(100 + n), warm) for n in range(clients)))
    latencies.clear()
    errors = 0
    start = time.perf_counter()
    await asyncio.gather(*(client(random.Random(n), start + seconds) for n in range(clients)))
    return latencies, errors, time.perf_counter() - start


def run(*, claims: int = DEFAULT_CLAIMS, clients: int = 12, seconds: float = 20.0) -> list[EndpointResult] | str:
    """The table's rows, or why the benchmark could not run."""
    url = prepare(claims)
    if url is None:
        return f"PostgreSQL is not available at {PG_URL}"
    token = _token(url)
    names = last_names()
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(names))]
    port = _free_port()
    server = _serve(url, port)
    base = f"http://127.0.0.1:{port}"

    def board(rng: random.Random) -> str:
        return "/api/v1/claims/board"

    def search(rng: random.Random) -> str:
        start = FIRST_DAY + datetime.timedelta(days=rng.randrange(DAYS - 90))
        name = rng.choices(names, weights=weights)[0][:rng.choice((3, 5, 8))]
        return (f"/api/v1/claims?q={name}&date_from={start.isoformat()}"
                f"&date_to={(start + datetime.timedelta(days=90)).isoformat()}&limit=50")

    numbers = _claim_numbers(url, 5000)

    def detail(rng: random.Random) -> str:
        return f"/api/v1/claims/{rng.choice(numbers)}"

    results = []
    try:
        for name, make_path in (("claim board", board), ("claim search (name, dates)", search),
                                ("claim detail", detail)):
            latencies, errors, elapsed = asyncio.run(_hammer(base, token, make_path, clients=clients,
                                                             seconds=seconds))
            cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
            results.append(EndpointResult(name, len(latencies), errors, elapsed, cuts[49] * 1000, cuts[94] * 1000))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def _claim_numbers(url: str, count: int) -> list[str]:
    """Claim numbers to ask for, spread over every practice and date."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [str(n) for n in connection.execute(
                text("SELECT patient_control_number FROM claim TABLESAMPLE SYSTEM (1) LIMIT :count"),
                {"count": count}).scalars()]
    finally:
        engine.dispose()


if __name__ == "__main__":
    rows = run(claims=int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CLAIMS)
    print(json.dumps(rows if isinstance(rows, str) else [r.cells() for r in rows]))
