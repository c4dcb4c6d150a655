"""The fuzz harness (``python -m fuzz``, ``make fuzz``) run for a handful of inputs, so that it cannot rot.

It builds a small demo and posts 835s (the era target), so it reaches the clock: it is in CLOCK_TESTS.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.remittance import Remittance
from dermbill.x12.remittance_835 import read_835
from dermbill.x12.tokenizer import segments_of
from dermbill.x12.transactions import transaction_sets
from fuzz import seeds as seed_files
from fuzz.__main__ import main
from fuzz.mutate import Pool, X12Text, mutate_835, payer_mistakes, shift_payment
from fuzz.runner import Limits, run_target
from fuzz.seeds import NoSeeds, repository_seeds, written_835_seeds
from fuzz.targets import EraSettings, EraTarget, ParseTarget, ReaderTarget, Target, ValidateTarget


def remittance_of(data: bytes) -> Remittance:
    return read_835(next(transaction_sets(segments_of(data))))


def test_the_seeds_are_the_repositorys_golden_files_and_835s_from_our_writer() -> None:
    found = repository_seeds()
    names = [seed.name for seed in found]
    assert "837p/original-medicare/expected.x12" in names and "responses/999/expected.x12" in names
    assert names[-2:] == ["write_835 TRACE0001", "write_835 TRACE0002"]
    kinds = {seed.kind for seed in found}
    assert {"837", "835", "999", "270", "271", "276", "277"} <= kinds
    assert all(remittance_of(seed.data).balanced for seed in written_835_seeds())


def test_no_seed_files_stop_the_run_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(NoSeeds, match=r"no X12 seed files \(\*\.x12\) under"):
        repository_seeds(tmp_path)
    monkeypatch.setattr(seed_files, "GOLDEN", tmp_path)
    assert main(["--target", "parse", "--runs", "5"]) == 2
    assert f"error: no X12 seed files (*.x12) under {tmp_path}" in capsys.readouterr().err


@pytest.mark.parametrize("target", [ParseTarget, ValidateTarget, ReaderTarget])
def test_each_file_target_fails_only_with_typed_errors(target: type[Target], tmp_path: Path) -> None:
    tally = run_target(target(tmp_path), Limits(runs=60, seconds=0), seed=3, crashes=tmp_path / "crashes")
    assert (tally.inputs, tally.crashes) == (60, 0)
    assert tally.accepted > 0 and tally.typed > 0 and tally.accepted + tally.typed == 60


def test_a_crash_is_kept_with_its_input_and_traceback(tmp_path: Path) -> None:
    class Crashing(ParseTarget):
        name = "crashing"

        def feed(self, data: bytes) -> None:
            raise KeyError("boom")

    tally = run_target(Crashing(tmp_path), Limits(runs=5, seconds=0), seed=0, crashes=tmp_path / "crashes")
    assert (tally.crashes, tally.failed) == (5, True)
    assert list(tally.crash_kinds) == [next(iter(tally.crash_kinds))] and "KeyError at" in next(iter(tally.crash_kinds))
    kept = sorted(p.name for p in (tmp_path / "crashes").iterdir())
    assert kept == ["crashing-1.txt", "crashing-1.x12", "crashing-2.txt", "crashing-2.x12", "crashing-3.txt",
                    "crashing-3.x12"]  # three of each kind of crash
    assert "KeyError: 'boom'" in (tmp_path / "crashes" / "crashing-1.txt").read_text()


def test_a_shifted_payment_still_balances_and_changes_the_total() -> None:
    seed = written_835_seeds()[0].data
    before = remittance_of(seed)
    totals = set()
    for number in range(20):
        text = X12Text.of(seed)
        shift_payment(text, random.Random(number), Pool.of([seed]))
        text.count_segments()
        after = remittance_of(text.to_bytes())
        assert after.balanced, after.problems
        claims = sum(c.paid.cents for c in after.claims)
        assert after.total == Money(claims)
        totals.add(after.total)
    assert before.total == Money(12800) and len(totals - {before.total}) >= 5


def test_the_835_mutations_never_fail_themselves() -> None:
    seeds = [seed.data for seed in written_835_seeds()]
    pool = Pool.of(seeds)
    rng = random.Random(11)
    for _ in range(3000):
        data = rng.choice(seeds)
        for _ in range(rng.randint(1, 4)):  # mutations of mutations: reversals of reversals, negative payments
            data = mutate_835(data, rng, pool)
    assert Pool.of(seeds).traces == [b"TRACE0001", b"TRACE0002"]


def test_payer_mistakes_mostly_keep_the_file_readable() -> None:
    seed = written_835_seeds()[0].data
    rng = random.Random(5)
    pool = Pool.of([seed])
    readable = 0
    for _ in range(100):
        try:
            remittance_of(payer_mistakes(seed, rng, pool))
            readable += 1
        except InvalidInput:
            pass
    assert readable >= 80


def test_the_era_target_posts_into_a_scratch_demo_and_checks_the_invariants(tmp_path: Path) -> None:
    settings = EraSettings(patients=5, check_every=20)
    target = EraTarget(tmp_path, settings)
    try:
        tally = run_target(target, Limits(runs=40, seconds=0), seed=1, crashes=tmp_path / "crashes")
    finally:
        target.close()
    assert (tally.inputs, tally.crashes) == (40, 0)
    assert tally.seeds >= 3
    assert tally.outcomes["already posted"] >= tally.seeds  # the demo's own 835s, posted again, change nothing
    assert len(tally.outcomes) >= 3  # mutated copies reach posting: conflicts, quarantines, new payments ...
    assert [fed for fed, _ in settings.invariant_log] == [20, 40]
    assert [r.name for r in tally.invariants] == ["ledger check clean", "no payment posted twice",
                                                  "cash equals BPR02 posted"]
    assert all(result.held for result in tally.invariants), [r.detail for r in tally.invariants]
