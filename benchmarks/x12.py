"""X12 speed, side by side on one generated 25 MB 835 (built from a public sample's claim loops).

Our streaming 835 reader (claims as JSON-ready dicts, balancing checked) against pyx12's X12Reader,
x12sdk's model reader, edi-835-parser and a bare ``str.split`` pass; each in its own process, so the
peak memory (max RSS) is that reader's. Plus 837P claims written per second.
"""

from __future__ import annotations

import itertools
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.insert_encounters import Result

SIZE = 25_000_000
LX = re.compile(r"LX\*\d+~")
TIMEOUT = 600
SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "x12-samples" / "835" / "kei-emedny.txt"

READERS = {
    "dermbill": "from dermbill.x12.tokenizer import read_file\n"
                "from dermbill.x12.remittance_835 import stream_835_claims\n"
                "count = sum(1 for _ in stream_835_claims(read_file(path)))",
    "pyx12": "import pyx12.x12file\n"
             "with open(path, encoding='ascii', errors='replace') as handle:\n"
             "    count = sum(1 for _ in pyx12.x12file.X12Reader(handle))",
    "x12sdk": "from x12sdk.io import X12ModelReader\n"
              "with X12ModelReader(str(path)) as reader:\n"
              "    count = sum(1 for _ in reader.models())",
    "edi-835-parser": "import edi_835_parser\n"
                      "count = len(edi_835_parser.parse(str(path)))",
    "str.split": "text = path.read_text()\n"
                 "count = sum(len(segment.split('*')) for segment in text.split('~'))",
}


def build_835(target: Path) -> int:
    text = SAMPLE.read_text()
    start, end = text.index("LX*"), text.index("SE*")
    loops = text[start:end]
    header = text[text.index("ST*"):start]
    se, _, rest = text[end:].partition("~")
    repeats = -(-(SIZE - start) // len(loops))
    # SE01 must count the segments really there, or strict readers (rightly) refuse the file.
    count = header.count("~") + loops.count("~") * repeats + 1
    with target.open("w") as handle:
        handle.write(text[:start])
        numbers = itertools.count(1)
        for _ in range(repeats):  # LX numbers stay unique, as strict readers check
            handle.write(LX.sub(lambda _: f"LX*{next(numbers)}~", loops))
        handle.write(f"SE*{count}*{se.split('*')[2]}~{rest}")
    return target.stat().st_size


def _case(name: str, path: str) -> dict[str, float]:
    scope: dict[str, object] = {"path": Path(path)}
    start = time.perf_counter()
    exec(READERS[name], scope)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _write_case(claims: int) -> dict[str, float]:
    import datetime

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


def run(*, claims: int) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.835"
        size = build_835(path)
        megabytes = size / 1e6
        for name in READERS:
            measured = _run(f"import json; from benchmarks.x12 import _case; "
                            f"print(json.dumps(_case({name!r}, {str(path)!r})))")
            label = f"parse 835 ({megabytes:.0f} MB)"
            if measured is None or "error" in measured:
                note = "timed out" if measured is None else "not installed or failed"
                results.append(Result(label, name, 0, 0, 0.0, 0.0, note=note))
                continue
            results.append(Result(label, name, 0, round(megabytes), measured["seconds"], measured["peak_rss_mib"],
                                  per_second_label="MB"))
    written = _run(f"import json; from benchmarks.x12 import _write_case; print(json.dumps(_write_case({claims})))")
    if written and "error" not in written:
        results.append(Result("write 837P claims", "dermbill", 0, claims, written["seconds"],
                              written["peak_rss_mib"], per_second_label="claims"))
    return results
