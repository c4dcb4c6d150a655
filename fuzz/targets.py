"""What the fuzzer feeds: each target takes one input and fails only with ``InvalidInput``.

- ``parse``: the tokenizer and the transaction readers (``x12.parse.parse_text``);
- ``validate``: ``dermbill x12 validate FILE`` (``services.x12_files.validate_x12_file``);
- ``reader``: the 837P reader the simulated payer uses (``x12.claim_837p_reader.read_837p_file``);
- ``era``: ``dermbill era post FILE`` (``services.era_posting.post_era_file``) into a scratch SQLite database
  holding the demo, built once with a fixed ``--as-of``; the demo's own 835s are the seeds.
"""

from __future__ import annotations

import datetime
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dermbill.db.engine import Database
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.era_posting import post_era_file
from dermbill.services.schema import connect, initialize_schema
from dermbill.services.x12_files import validate_x12_file
from dermbill.x12.claim_837p_reader import read_837p_file
from dermbill.x12.parse import parse_text
from fuzz.invariants import Baseline, InvariantResult, baseline, check_invariants
from fuzz.mutate import Pool, damage_bytes, mutate_835
from fuzz.seeds import Seed, demo_835_seeds, repository_seeds

CRASHES = Path(__file__).resolve().parent / "crashes"  # crash inputs, and the inputs that broke an invariant

AS_OF = datetime.date(2026, 11, 26)
DEMO_PATIENTS = 500


class Target:
    """One thing to feed: its seeds, how it mutates them, and what one input does."""

    name = ""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.file = scratch / "input.x12"
        self.outcomes: Counter[str] = Counter()  # what the accepted inputs came to (era: posted, quarantined...)

    def seeds(self) -> list[Seed]:
        raise NotImplementedError

    def inputs(self, seeds: list[Seed], rng: random.Random) -> Callable[[], tuple[Seed, bytes]]:
        """A source of (seed, mutated input)."""
        def next_input() -> tuple[Seed, bytes]:
            seed = rng.choice(seeds)
            return seed, damage_bytes(seed.data, rng)
        return next_input

    def feed(self, data: bytes) -> None:
        raise NotImplementedError

    def check(self, final: bool) -> list[InvariantResult]:
        return []

    def close(self) -> None:
        """Let go of what the target holds."""


class ParseTarget(Target):
    name = "parse"

    def seeds(self) -> list[Seed]:
        return repository_seeds()

    def feed(self, data: bytes) -> None:
        parse_text(data)


class ValidateTarget(Target):
    name = "validate"

    def seeds(self) -> list[Seed]:
        return repository_seeds()

    def feed(self, data: bytes) -> None:
        self.file.write_bytes(data)
        validate_x12_file(self.file)


class ReaderTarget(Target):
    name = "reader"

    def seeds(self) -> list[Seed]:
        return [seed for seed in repository_seeds() if seed.kind == "837"]

    def feed(self, data: bytes) -> None:
        self.file.write_bytes(data)
        read_837p_file(self.file)


@dataclass(slots=True)
class EraSettings:
    patients: int = DEMO_PATIENTS
    as_of: datetime.date = AS_OF
    check_every: int = 500  # invariants checked every so many inputs, and at the end
    invariant_log: list[tuple[int, list[InvariantResult]]] = field(default_factory=list)
    progress: Callable[[str], None] | None = None  # told after each check


class EraTarget(Target):
    """Posting into a scratch database holding the demo: the originals again first, then mutated copies."""

    name = "era"

    def __init__(self, scratch: Path, settings: EraSettings | None = None) -> None:
        super().__init__(scratch)
        self.settings = settings or EraSettings()
        self.database: Database | None = None
        self.before: Baseline | None = None
        self.fed = 0
        self.recent: list[bytes] = []  # the inputs since the last check: saved when an invariant breaks
        self.broken: set[str] = set()
        self.started: float | None = None  # perf_counter at the first post
        self.now = datetime.datetime.combine(self.settings.as_of, datetime.time(18), datetime.UTC)

    def seeds(self) -> list[Seed]:
        folder = self.scratch / "demo"
        url = f"sqlite:///{self.scratch / 'era.db'}"
        self.database = connect(url)
        initialize_schema(self.database)
        build_demo(self.database, DemoOptions(out_dir=folder, as_of=self.settings.as_of,
                                              patients=self.settings.patients))
        self.before = baseline(self.database)
        return demo_835_seeds(folder)

    def inputs(self, seeds: list[Seed], rng: random.Random) -> Callable[[], tuple[Seed, bytes]]:
        pool = Pool.of([seed.data for seed in seeds])
        originals = list(seeds)

        def next_input() -> tuple[Seed, bytes]:
            if originals:  # every 835 the demo posted, posted again unchanged: it must change nothing
                seed = originals.pop(0)
                return seed, seed.data
            seed = rng.choice(seeds)
            return seed, mutate_835(seed.data, rng, pool)
        return next_input

    def feed(self, data: bytes) -> None:
        assert self.database is not None, "seeds() builds the database"
        self.file.write_bytes(data)
        self.fed += 1
        self.recent.append(data)
        self.started = self.started or time.perf_counter()
        for outcome in post_era_file(self.database, self.file, now=self.now):
            self.outcomes[outcome.status] += 1

    def check(self, final: bool) -> list[InvariantResult]:
        if self.database is None or self.before is None or not (final or self.fed % self.settings.check_every == 0):
            return []
        log = self.settings.invariant_log
        if final and log and log[-1][0] == self.fed:
            return log[-1][1]  # checked after the last input already
        results = check_invariants(self.database, self.before)
        log.append((self.fed, results))
        for result in results:
            if not result.held and result.name not in self.broken:  # the inputs that broke it, in posting order
                self.broken.add(result.name)
                folder = CRASHES / f"invariant-{self.fed}"
                folder.mkdir(parents=True, exist_ok=True)
                for number, data in enumerate(self.recent, start=self.fed - len(self.recent) + 1):
                    (folder / f"{number:06d}.835").write_bytes(data)
        self.recent = []
        if self.settings.progress is not None:
            elapsed = time.perf_counter() - (self.started or time.perf_counter())
            self.settings.progress(f"era: {self.fed} inputs posted in {elapsed:.0f} s; " + "; ".join(
                f"{r.name}: {'held' if r.held else 'BROKEN'}" for r in results))
        return results

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()


TARGETS: dict[str, type[Target]] = {t.name: t for t in (ParseTarget, ValidateTarget, ReaderTarget, EraTarget)}


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="dermbill-fuzz-")
