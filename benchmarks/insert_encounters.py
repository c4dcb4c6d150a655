"""Generate and insert N encounters with their patients (the demo's path) into SQLite and PostgreSQL.

Measures the demo's storage path without coding: synthetic documentation, patients and coverages,
encounters, copay postings, the encounters.jsonl file, one commit (coding has its own benchmark).
Peak memory is the subprocess's max resident set size.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

PG_URL = os.environ.get("DERMBILL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ENCOUNTERS_PER_PATIENT = 2.5
NAME = "insert encounters"


@dataclass(frozen=True)
class Result:
    benchmark: str
    backend: str
    patients: int
    encounters: int
    seconds: float
    peak_rss_mib: float
    note: str = ""
    per_second_label: str = "encounters"

    def cells(self) -> tuple[str, ...]:
        if self.note:
            return (self.benchmark, self.backend, "-", "-", "-", "-", self.note)
        patients = f"{self.patients:,}" if self.patients else "-"
        rate = f"{self.encounters / self.seconds:,.0f} {self.per_second_label}/s"
        return (self.benchmark, self.backend, patients, f"{self.encounters:,}", f"{self.seconds:.2f}", rate,
                f"{self.peak_rss_mib:.0f}")


def _case(url: str, encounters: int) -> dict[str, float]:
    """Runs inside the subprocess."""
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.services.demo import DemoOptions, build_demo

    database = open_database(url)
    upgrade(database)
    patients = max(1, round(encounters / ENCOUNTERS_PER_PATIENT))
    with tempfile.TemporaryDirectory() as out:
        options = DemoOptions(out_dir=Path(out), as_of=datetime.date(2026, 11, 26), patients=patients,
                              encounters=encounters, seed=1, code=False)
        start = time.perf_counter()
        summary = build_demo(database, options)
        seconds = time.perf_counter() - start
    database.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"patients": summary.patients, "encounters": summary.encounters, "seconds": seconds,
            "peak_rss_mib": peak_kib / 1024}


def _run_in_subprocess(url: str, encounters: int) -> dict[str, float]:
    code = (
        "import json; from benchmarks.insert_encounters import _case; "
        f"print(json.dumps(_case({url!r}, {encounters})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _pg_base_url() -> URL:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(drivername="postgresql+psycopg")


def _pg_schema_url() -> tuple[str, str] | None:
    from sqlalchemy import create_engine, text

    schema = f"dermbill_bench_{uuid.uuid4().hex[:8]}"
    try:
        engine = create_engine(_pg_base_url(), connect_args={"connect_timeout": 3})
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except Exception:
        return None
    url = _pg_base_url().update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_pg_schema(schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(_pg_base_url())
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def run_all(*, encounters: int, repeat: int) -> list[Result]:
    results = []
    for backend in ("sqlite", "postgresql"):
        best: dict[str, float] | None = None
        for _ in range(repeat):
            if backend == "sqlite":
                with tempfile.TemporaryDirectory() as folder:
                    measured = _run_in_subprocess(f"sqlite:///{folder}/bench.db", encounters)
            else:
                target = _pg_schema_url()
                if target is None:
                    results.append(Result(NAME, backend, 0, 0, 0.0, 0.0, note=f"not available at {PG_URL}"))
                    break
                try:
                    measured = _run_in_subprocess(target[0], encounters)
                finally:
                    _drop_pg_schema(target[1])
            if best is None or measured["seconds"] < best["seconds"]:
                best = measured
        if best is not None:
            results.append(Result(NAME, backend, int(best["patients"]), int(best["encounters"]), best["seconds"],
                                  best["peak_rss_mib"]))
    return results
