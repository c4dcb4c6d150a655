"""The fuzzing loop: feed a target mutated inputs, tally what happens, keep every crash with its input.

Only ``InvalidInput`` is an expected failure. Anything else is a crash: the input and the traceback go to
fuzz/crashes/ (a few files per distinct crash: its exception type and the line that raised it).
"""

from __future__ import annotations

import random
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dermbill.core.errors import InvalidInput
from fuzz.invariants import InvariantResult
from fuzz.targets import CRASHES, Target

KEPT_PER_CRASH = 3


@dataclass(slots=True)
class Tally:
    target: str
    seeds: int = 0
    inputs: int = 0
    accepted: int = 0
    typed: int = 0
    crashes: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0
    crash_kinds: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    invariants: list[InvariantResult] = field(default_factory=list)
    broken_at: dict[str, int] = field(default_factory=dict)  # invariant -> inputs fed when first seen broken

    @property
    def failed(self) -> bool:
        return bool(self.crashes) or any(not result.held for result in self.invariants)


@dataclass(frozen=True, slots=True)
class Limits:
    runs: int | None  # this many inputs, when given
    seconds: float  # otherwise for this long


def crash_kind(exc: BaseException) -> str:
    """What tells crashes apart: the exception type and where in dermbill it was raised."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/dermbill/" in f.filename] or \
        traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    where = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    return f"{type(exc).__name__} at {where}"


def save_crash(target: str, number: int, seed_name: str, data: bytes, folder: Path = CRASHES) -> Path:
    folder.mkdir(exist_ok=True)
    stem = folder / f"{target}-{number}"
    stem.with_suffix(".x12").write_bytes(data)
    stem.with_suffix(".txt").write_text(f"target {target}, input {number}, mutated from {seed_name}\n\n"
                                        + traceback.format_exc())
    return stem


def run_target(target: Target, limits: Limits, seed: int, crashes: Path = CRASHES) -> Tally:
    tally = Tally(target.name)
    started = time.perf_counter()
    seeds = target.seeds()
    tally.seeds = len(seeds)
    tally.setup_seconds = time.perf_counter() - started
    rng = random.Random(f"{seed}:{target.name}")
    next_input = target.inputs(seeds, rng)
    started = time.perf_counter()
    deadline = started + limits.seconds
    while (tally.inputs < limits.runs) if limits.runs is not None else (time.perf_counter() < deadline):
        source, data = next_input()
        tally.inputs += 1
        try:
            target.feed(data)
            tally.accepted += 1
        except InvalidInput:
            tally.typed += 1
        except Exception as exc:  # a crash is what we are looking for
            tally.crashes += 1
            kind = crash_kind(exc)
            tally.crash_kinds[kind] += 1
            if tally.crash_kinds[kind] <= KEPT_PER_CRASH:
                save_crash(target.name, tally.inputs, source.name, data, crashes)
        _note(tally, target.check(final=False))
    _note(tally, target.check(final=True))
    tally.seconds = time.perf_counter() - started
    tally.outcomes = target.outcomes
    return tally


def _note(tally: Tally, results: list[InvariantResult]) -> None:
    if not results:
        return
    tally.invariants = results
    for result in results:
        if not result.held:
            tally.broken_at.setdefault(result.name, tally.inputs)
