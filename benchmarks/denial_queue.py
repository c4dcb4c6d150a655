"""Building the denial work queue from a large posted 835, and reading it again.

Setup (not timed): the ERA benchmark's practice with N two-line claims, and its 835 posted (every 20th claim
has a line denied CO-151, so N/20 work items). Timed, in a fresh process: the first ``refresh_queue`` (reads
the remittance, makes the items with their root cause and deadline) and then ``dermbill denials list``'s work
(a second refresh, which has nothing new, and ``list_items``).
"""

from __future__ import annotations

import datetime
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks.era_posting import _set_up, each_backend, in_subprocess
from benchmarks.insert_encounters import Result

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
    def work(backend: str, url: str, folder: Path) -> list[Result]:
        measured = in_subprocess("denial_queue", "_measure", url, str(_set_up(url, claims, folder)))
        return [Result(f"denial queue: build from {claims:,} claims", backend, 0, measured["items"],
                       measured["build"], measured["peak_rss_mib"], per_second_label="items"),
                Result("denial queue: list (refresh + sort)", backend, 0, measured["shown"], measured["read"],
                       measured["peak_rss_mib"], per_second_label="items")]

    return each_backend("denial queue", work)
