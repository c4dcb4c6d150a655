"""Building the denial work queue from a large posted 835, and reading it again.

Setup (not timed): the ERA benchmark's practice with N two-line claims, and its 835 posted (every 20th claim
has a line denied CO-151, so N/20 work items). Timed, in a fresh process: the first ``refresh_queue`` (reads
the remittance, makes the items with their root cause and deadline) and then ``dermbill denials list``'s work
(a second refresh, which has nothing new, and ``list_items``).
"""

from __future__ import annotations

import datetime
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.era_posting import _database, _set_up
from benchmarks.insert_encounters import PG_URL, Result, _drop_pg_schema

TODAY = datetime.date(2026, 4, 10)


def _measure(url: str, path: str) -> dict[str, Any]:
    """Runs inside the subprocess: post (not timed), then the queue, timed."""
    from dermbill.db.engine import open_database
    from dermbill.services.denials import list_items, refresh_queue
    from dermbill.services.era_posting import post_era_file

    database = open_database(url)
    post_era_file(database, Path(path))
    start = time.perf_counter()
    made = refresh_queue(database, today=TODAY)
    build = time.perf_counter() - start
    start = time.perf_counter()
    refresh_queue(database, today=TODAY)
    shown = list_items(database, today=TODAY)
    read = time.perf_counter() - start
    database.dispose()
    return {"build": build, "read": read, "items": made.created, "shown": len(shown),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(*, claims: int = 20_000) -> list[Result]:
    results = []
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as folder:
            target = _database(backend, Path(folder))
            if target is None:
                results.append(Result("denial queue", backend, 0, 0, 0.0, 0.0, note=f"not available at {PG_URL}"))
                continue
            url, schema = target
            try:
                path = _set_up(url, claims, Path(folder))
                code = ("import json; from benchmarks.denial_queue import _measure; "
                        f"print(json.dumps(_measure({url!r}, {str(path)!r})))")
                done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                      cwd=Path(__file__).resolve().parents[1])
                measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
            finally:
                if schema is not None:
                    _drop_pg_schema(schema)
            results.append(Result(f"denial queue: build from {claims:,} claims", backend, 0, measured["items"],
                                  measured["build"], measured["peak_rss_mib"], per_second_label="items"))
            results.append(Result("denial queue: list (refresh + sort)", backend, 0, measured["shown"],
                                  measured["read"], measured["peak_rss_mib"], per_second_label="items"))
    return results
