"""Command start-up: the wall time of ``dermbill --version`` and of ``dermbill code FILE`` on one encounter.

Issue 19's goals: ``--version`` under 0.3 s, ``code`` on one encounter under 0.5 s. Staff feel it on every
command, and the test suite starts the command many times. Each command runs as staff run it (the installed
``dermbill`` script, else ``python -m dermbill``), several times; the fastest run is reported, since a busy
machine only ever adds time. Peak memory is the largest of those commands' (measured in a subprocess of its
own, so that no other benchmark's children count).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.era_posting import in_subprocess
from benchmarks.insert_encounters import Result

ROOT = Path(__file__).resolve().parents[1]
ENCOUNTER = ROOT / "docs" / "examples" / "encounter.json"
COMMANDS = {"--version": ["--version"], "code FILE": ["code", str(ENCOUNTER)]}


def _dermbill() -> list[str]:
    script = Path(sys.executable).with_name("dermbill")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dermbill"]


def _case(name: str, runs: str) -> dict[str, float]:
    """Runs inside the subprocess: the fastest of ``runs`` runs of the command, after one to warm the disk cache."""
    command = [*_dermbill(), *COMMANDS[name]]
    best = float("inf")
    for _ in range(int(runs) + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": best, "peak_rss_mib": peak_kib / 1024}


def run(*, runs: int = 5) -> list[Result]:
    results = []
    for name in COMMANDS:
        measured = in_subprocess("startup", "_case", name, str(runs))
        results.append(Result(f"start-up: dermbill {name}", f"CLI (best of {runs})", 0, 1, measured["seconds"],
                              measured["peak_rss_mib"], per_second_label="commands"))
    return results
