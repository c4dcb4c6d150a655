"""X12 speed, side by side on one generated 835 (25 MB; 250 MB for the memory bound, not in --quick).

The 835 is written by dermbill's own writer (no file from outside the repository): a template of dermatology claim
payments (CO-45 and coinsurance, denials, claim-level adjustments, remarks, allowed amounts, line control numbers)
repeated under new claim numbers, with BPR02 the claims' payments less the provider-level adjustment, so it
balances and can be posted.

Measured, each in its own process (peak memory its own), CPU seconds and the garbage collector's share:
- the bare ``str.split('~')``/``split('*')`` over the same text (the reference);
- ``read_835_stream``: what ``x12 parse`` and ``x12 validate`` read (each claim as JSON, balancing checked);
- what ``era post`` reads: ``read_835_sets`` (``read_835_raw``: claims grouped and balanced in cents by the compiled
  scanner, the content hash and kept bytes) and then, posting, the claims again from the kept bytes
  (``kept_claims``), a round at a time;
- the same with each claim typed as posting types it (``raw_claim_payment``, a round at a time as the rounds are
  posted): typing is part of posting's cost per claim, shown here to tell the two apart (no goal);
- pyx12, x12sdk and edi-835-parser when installed (not in --quick).
Plus 837P claims written per second.
"""

from __future__ import annotations

import datetime
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.goals import Goal, note
from benchmarks.insert_encounters import Result

SIZE = 25_000_000
LARGE = 250_000_000
TIMEOUT = 900
TEMPLATE_CLAIMS = 40
MARK = "PCNMARK"

TYPED = "dermbill era post read, claims typed"
READERS = {
    "str.split": "text = path.read_text()\n"
                 "count = sum(len(segment.split('*')) for segment in text.split('~'))",
    "dermbill x12 parse/validate": "from dermbill.x12.remittance_835 import read_835_stream\n"
                                   "with path.open('rb') as handle:\n"
                                   "    count = sum(kind == 'claim' for kind, _ in read_835_stream(handle))",
    "dermbill era post read": "from dermbill.x12.remittance_835 import kept_claims, read_835_sets\n"
                              "count = 0\n"
                              "with path.open('rb') as handle:\n"
                              "    for read in read_835_sets(handle):\n"
                              "        count += sum(1 for _ in kept_claims(read.kept)[1])",
    TYPED: "from dermbill.x12.remittance_835 import kept_claims, raw_claim_payment, read_835_sets\n"
           "count, problems = 0, []\n"
           "with path.open('rb') as handle:\n"
           "    for read in read_835_sets(handle):\n"
           "        delimiters, claims = kept_claims(read.kept)\n"
           "        count += sum(1 for claim in claims if raw_claim_payment(claim, delimiters, problems))",
    "pyx12": "import pyx12.x12file\n"
             "with open(path, encoding='ascii', errors='replace') as handle:\n"
             "    count = sum(1 for _ in pyx12.x12file.X12Reader(handle))",
    "x12sdk": "from x12sdk.io import X12ModelReader\n"
              "with X12ModelReader(str(path)) as reader:\n"
              "    count = sum(1 for _ in reader.models())",
    "edi-835-parser": "import edi_835_parser\n"
                      "count = len(edi_835_parser.parse(str(path)))",
}
ERA = "dermbill era post read"
OURS = ("dermbill x12 parse/validate", ERA, TYPED)
OTHERS = ("pyx12", "x12sdk", "edi-835-parser")


def _template() -> tuple[str, list[str], str, int, int]:
    """The template 835 cut in three: the text up to the first claim, each claim's loop (LX..), and the rest
    (PLB, SE, GE, IEA); with what the claims pay and the PLB takes, in cents."""
    from dermbill.core.money import Money
    from dermbill.core.remittance import Adjustment, ClaimPayment, ProviderAdjustment, Remittance, ServiceLinePayment
    from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
    from dermbill.x12.remittance_835_writer import write_835

    day = datetime.date(2026, 3, 2)
    claims = []
    for n in range(TEMPLATE_CLAIMS):
        pcn = f"{MARK}{n:03d}"
        lines = []
        for index, (code, charge, allowed) in enumerate((("11102", 15000, 6631), ("17000", 12000, 647),
                                                         ("17003", 2500, 300))[:2 + n % 2]):
            if n % 20 == 7 and index == 1:
                adjustments = (Adjustment("CO", "151", Money(charge)),)
            else:
                coinsurance = allowed // 5 + n
                adjustments = (Adjustment("CO", "45", Money(charge - allowed)), Adjustment("PR", "2",
                                                                                           Money(coinsurance)))
            lines.append(ServiceLinePayment(code, ("XS",) if index == 2 else (), Money(charge), 1, day, adjustments,
                                            remarks=("N130",) if n % 5 == 0 else (),
                                            control_number=f"{pcn}-{index + 1}", allowed=Money(allowed)))
        claim_level = (Adjustment("OA", "23", Money(100 + n)),) if n % 10 == 3 else ()
        claims.append(ClaimPayment(pcn, "1" if n % 13 else "2", "MB", f"ICN{pcn}", "TESTALPHA", "BRAVO",
                                   "1EG4TE5MK72", tuple(lines), remarks=("MA18",) if n % 4 == 0 else (),
                                   received=day + datetime.timedelta(days=3), adjustments=claim_level))
    plb = (ProviderAdjustment("L6", "INTEREST", Money(-1234)), ProviderAdjustment("WO", "ICNX", Money(5000)))
    remittance = Remittance("BENCH MEDICARE", "BNCMCR", "BENCH DERMATOLOGY", "1234567893", "EFTBENCH835",
                            day + datetime.timedelta(days=20), tuple(claims), plb, datetime.date(2026, 12, 31))
    profile = ClearinghouseProfile("BNCMCR", "BENCH MEDICARE", "EDI", "2155550100", "BENCH", "BENCH BILLING")
    text = write_835((remittance,), profile, ControlNumbers(1, 1, 1), datetime.datetime(2026, 4, 2, 9, 0))
    text = text.replace("~\n", "~")  # one segment a line as written; the file is one line
    start, end = text.index("~LX*") + 1, text.index("~PLB*") + 1
    loops = ["LX*" + loop for loop in text[start:end].split("LX*") if loop]
    paid = sum(claim.paid.cents for claim in claims)
    return text[:start], loops, text[end:], paid, sum(a.amount.cents for a in plb)


def build_835(target: Path, size: int = SIZE) -> dict[str, int]:
    """Write a balanced 835 of about ``size`` bytes to ``target``; returns its size, claims and BPR02 in cents."""
    head, loops, tail, paid, plb = _template()
    loop_bytes = sum(len(loop) for loop in loops)
    repeats = max(1, (size - len(head) - len(tail)) // loop_bytes)
    total = paid * repeats - plb
    bpr = head[head.index("BPR*"):].split("~")[0]
    elements = bpr.split("*")
    elements[2] = f"{total // 100}.{total % 100:02d}"
    head = head.replace(bpr, "*".join(elements), 1)
    st = head.index("ST*")
    se_at = tail.index("SE*")
    segments = head[st:].count("~") + sum(loop.count("~") for loop in loops) * repeats + tail[:se_at].count("~") + 1
    se = tail[se_at:].split("~")[0]
    tail = tail.replace(se, f"SE*{segments}*{se.split('*')[2]}", 1)
    number = 0
    with target.open("w") as handle:
        handle.write(head)
        for repeat in range(repeats):
            batch = []
            for loop in loops:
                number += 1
                claim = loop.partition("~")[2]
                batch.append(f"LX*{number}~" + claim.replace(MARK, f"B{repeat:07d}"))
            handle.write("".join(batch))
        handle.write(tail)
    return {"bytes": target.stat().st_size, "claims": repeats * len(loops), "payment_cents": total}


def _case(name: str, path: str) -> dict[str, float]:
    scope: dict[str, object] = {"path": Path(path)}
    collecting = {"since": 0.0, "seconds": 0.0}

    def timer(phase: str, _: dict[str, Any]) -> None:
        if phase == "start":
            collecting["since"] = time.process_time()
        else:
            collecting["seconds"] += time.process_time() - collecting["since"]

    gc.callbacks.append(timer)
    start, cpu = time.perf_counter(), time.process_time()
    exec(READERS[name], scope)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    gc.callbacks.remove(timer)
    return {"seconds": seconds, "cpu": cpu, "gc": collecting["seconds"], "count": float(str(scope["count"])),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _write_case(claims: int) -> dict[str, float]:
    from dermbill.core.money import Money
    from dermbill.x12.claim_837p import (
        Address,
        Batch837,
        BillingProvider,
        Claim837,
        Payer,
        Person,
        ServiceLine,
        write_837p,
    )
    from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers

    office = Address("100 TEST ALPHA AVE", "ANYTOWN", "PA", "190990001")
    billing = BillingProvider("TEST DERMATOLOGY ASSOCIATES", "1234561003", "990000001", "207N00000X", office)
    patient = Person("TESTALPHA", "BRAVO", datetime.date(1950, 1, 2), "F", office)
    day = datetime.date(2026, 3, 2)
    payers = [Payer(f"TEST PAYER {i}", f"TST{i}") for i in range(5)]
    batch = tuple(Claim837(f"D1E{i:07d}", Money(73000), "11", "1", ("C44.311", "L57.0"), (
        ServiceLine("11642", (), Money(61000), 1, (1,), day, f"D1E{i:07d}-1"),
        ServiceLine("17000", ("XS",), Money(12000), 1, (2,), day, f"D1E{i:07d}-2")), payers[i % 5], "P", "MB",
        patient, "1EG4TE5MK73", None, "18", patient) for i in range(claims))
    profile = ClearinghouseProfile("DERMBILL", "TEST", "TEST", "2155550100", "CH", "TEST CH")
    now = datetime.datetime(2026, 3, 5, 12, 0)
    start = time.perf_counter()
    text = write_837p(Batch837(billing, batch, "B1"), profile, ControlNumbers(1, 1, 1), now)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": len(text),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(code: str) -> dict[str, float] | None:
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT,
                              cwd=Path(__file__).resolve().parents[1])
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return {"error": 1.0}
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _measure(name: str, path: Path) -> dict[str, float] | None:
    return _run(f"import json; from benchmarks.x12 import _case; print(json.dumps(_case({name!r}, {str(path)!r})))")


def run(*, claims: int, quick: bool = False) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.835"
        built = build_835(path)
        megabytes = built["bytes"] / 1e6
        label = f"parse 835 ({megabytes:.0f} MB, {built['claims']:,} claims)"
        measured: dict[str, dict[str, float]] = {}
        for name in ("str.split", *OURS, *(() if quick else OTHERS)):
            found = _measure(name, path)
            if found is None or "error" in found:
                why = "timed out" if found is None else "not installed or failed"
                results.append(Result(label, name, 0, 0, 0.0, 0.0, note=why))
                continue
            measured[name] = found
            gc_share = f", GC {found['gc'] / found['cpu']:.0%}" if found["cpu"] else ""
            results.append(Result(f"{label}, CPU {found['cpu']:.2f} s{gc_share}", name, 0, round(megabytes),
                                  found["cpu"], found["peak_rss_mib"], per_second_label="MB"))
        split = measured.get("str.split")
        for name, goal in zip(OURS, ("x12 parse/validate", "era post", "era post, claims typed (posting's)"),
                              strict=True):
            ours = measured.get(name)
            if split and ours:
                ratio = split["cpu"] / ours["cpu"]
                note(Goal(f"835 read, {goal} ({megabytes:.0f} MB)", f"{megabytes / ours['cpu']:.1f} MB/s CPU "
                          f"(GC {ours['gc'] / ours['cpu']:.0%})", f"bare split {megabytes / split['cpu']:.1f} MB/s",
                          ratio, ">= 0.5 x (0.7 x)" if name != TYPED else "(no goal: posting's cost)",
                          ratio >= 0.5 if name != TYPED else None))
        if not quick:
            large = Path(folder) / "large.835"
            built = build_835(large, LARGE)
            path.unlink()
            large_label = f"parse 835 ({built['bytes'] / 1e6:.0f} MB, {built['claims']:,} claims)"
            for name, goal in (("dermbill x12 parse/validate", "x12 parse/validate"), (ERA, "era post read")):
                found = _measure(name, large)
                if found is None or "error" in found:
                    note(Goal(f"835 read, 250 MB: peak RSS ({goal})", "timed out or failed", "300 MiB", None,
                              "< 300 MiB", None))
                    continue
                results.append(Result(large_label, name, 0, round(built["bytes"] / 1e6), found["cpu"],
                                      found["peak_rss_mib"], per_second_label="MB"))
                note(Goal(f"835 read, {built['bytes'] / 1e6:.0f} MB: peak RSS ({goal})",
                          f"{found['peak_rss_mib']:.0f} MiB", "300 MiB", None, "< 300 MiB",
                          found["peak_rss_mib"] < 300))
    written = _run(f"import json; from benchmarks.x12 import _write_case; print(json.dumps(_write_case({claims})))")
    if written and "error" not in written:
        results.append(Result("write 837P claims", "dermbill", 0, claims, written["seconds"],
                              written["peak_rss_mib"], per_second_label="claims"))
    return results
