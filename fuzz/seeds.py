"""The X12 files fuzzing starts from: the repository's golden files and 835s written by dermbill's own writer.

Seeds come from the repository, never from a folder beside it: when none are found the run stops (exit 2)
rather than fuzzing something else in silence.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from dermbill.core.money import Money
from dermbill.core.remittance import Adjustment, ClaimPayment, ProviderAdjustment, Remittance, ServiceLinePayment
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.remittance_835_writer import write_835

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "x12"
PROFILE = ClearinghouseProfile(submitter_id="TESTPAYER", submitter_name="TEST PAYER", submitter_contact="EDI",
                               submitter_phone="2155550100", receiver_id="TESTPRACTICE", receiver_name="PRACTICE")
WRITTEN_AT = datetime.datetime(2026, 11, 26, 18, 0, tzinfo=datetime.UTC)


class NoSeeds(Exception):
    """No seed file where the fuzzer looks: the run cannot mean anything."""


@dataclass(frozen=True, slots=True)
class Seed:
    name: str  # where it came from, for the crash report
    data: bytes

    @property
    def kind(self) -> str:
        """The transaction set type (ST01), '' when there is none."""
        at = self.data.find(b"ST")
        while at >= 0:
            before = self.data[at - 1:at] if at else b"~"
            if before in (b"~", b"\n", b"\r"):
                return self.data[at + 3:at + 6].decode("ascii", "replace")
            at = self.data.find(b"ST", at + 1)
        return ""


def golden_seeds(folder: Path) -> list[Seed]:
    """Every expected.x12 under tests/golden/x12 (837P, 270, 276, 271, 277, 277CA, 999)."""
    return [Seed(str(path.relative_to(folder)), path.read_bytes()) for path in sorted(folder.rglob("*.x12"))]


def written_835_seeds() -> list[Seed]:
    """835s from dermbill's writer: a paid claim, a denial, a reversal, a crossover, and PLB adjustments."""
    day = datetime.date(2026, 11, 20)
    line = ServiceLinePayment("11102", (), Money(15000), 1, day, (Adjustment("CO", "45", Money(6000)),),
                              control_number="D1E0000001-1", allowed=Money(9000))
    second = ServiceLinePayment("17000", ("59",), Money(9000), 1, day,
                                (Adjustment("CO", "45", Money(2000)), Adjustment("PR", "2", Money(1000))),
                                control_number="D1E0000001-2", allowed=Money(7000))
    denied = ServiceLinePayment("11104", (), Money(20000), 1, day, (Adjustment("CO", "197", Money(20000)),),
                                control_number="D1E0000002-1")
    reversed_line = ServiceLinePayment("11102", (), Money(-15000), 1, day, (Adjustment("CO", "45", Money(-6000)),))
    claims = (
        ClaimPayment("D1E0000001", "1", "MB", "26330010000001", "TEST", "ALPHA", "MB0001", (line, second),
                     received=day),
        ClaimPayment("D1E0000002", "4", "MB", "26330010000002", "TEST", "BRAVO", "MB0002", (denied,)),
        ClaimPayment("D1E0000003", "22", "MB", "26330010000003", "TEST", "CHARLIE", "MB0003", (reversed_line,)),
        ClaimPayment("D1E0000004", "19", "MB", "26330010000004", "TEST", "DELTA", "MB0004",
                     (ServiceLinePayment("99213", ("25",), Money(12500), Decimal(1), day,
                                         (Adjustment("CO", "45", Money(4000)), Adjustment("PR", "1", Money(1700)))),),
                     remarks=("MA18",), crossover_payer_id="TSTSUP", crossover_payer_name="TEST SUPPLEMENT"),
    )
    plain = Remittance("TEST PAYER", "TSTPAY", "TEST PRACTICE", "1234567893", "TRACE0001", day, claims)
    with_plb = Remittance("TEST PAYER", "TSTPAY", "TEST PRACTICE", "1234567893", "TRACE0002", day, claims[:2],
                          (ProviderAdjustment("WO", "26330010000001", Money(2500)),
                           ProviderAdjustment("L6", "INTEREST", Money(-125))), datetime.date(2026, 12, 31))
    return [Seed(f"write_835 {r.trace_number}", write_835((r,), PROFILE, ControlNumbers(7, 7, 1), WRITTEN_AT)
                 .encode("ascii")) for r in (plain, with_plb)]


def repository_seeds(folder: Path | None = None) -> list[Seed]:
    """The golden files and the written 835s; NoSeeds when the repository holds no golden X12 file."""
    folder = folder or GOLDEN
    golden = golden_seeds(folder)
    if not golden:
        raise NoSeeds(f"no X12 seed files (*.x12) under {folder}: the fuzzer takes its seeds from the "
                      "repository's golden files; run it from a checkout of dermbill")
    return golden + written_835_seeds()


def demo_835_seeds(out_dir: Path) -> list[Seed]:
    """The 835s the demo's simulated payer sent back; NoSeeds when the demo wrote none."""
    found = [Seed(path.name, path.read_bytes()) for path in sorted(out_dir.rglob("835-*.x12"))]
    if not found:
        raise NoSeeds(f"the demo wrote no 835 file under {out_dir}: the era target has nothing to post")
    return found
