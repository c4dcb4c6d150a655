"""Load a full-size synthetic NCCI table (1.5 million PTP pairs, an MUE value for 15,000 codes) and scrub claims
against it on one core.

The synthetic pairs use codes outside dermatology's range plus every real pair dermbill ships, so lookups
for real claims hit a table of production size. Claims come from the demo's synthetic documentation,
coded by the engine (not timed); scrubbing (parse and every rule) is timed.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.insert_encounters import Result

PAIRS = 1_500_000
MUE_CODES = 15_000


def write_tables(folder: Path) -> tuple[Path, Path]:
    from dermbill.reference.coding_tables import TABLES

    ptp = folder / "ptp-2026q4.csv"
    real = (TABLES / "ncci_ptp" / "2024q3.csv").read_text().splitlines()[1:]
    with ptp.open("w") as handle:
        handle.write("column1,column2,modifier_indicator,effective_from,deletion_date\n")
        handle.write("\n".join(real) + "\n")
        codes = [f"{30000 + i:05d}" for i in range(3000)]
        count = len(real)
        for i, first in enumerate(codes):
            for j in range(500):
                if count >= PAIRS:
                    break
                handle.write(f"{first},{codes[(i + j + 1) % 3000]},{'0' if j % 20 == 0 else '1'},"
                             f"20{10 + j % 15:02d}0101,{'20231231' if j % 10 == 0 else ''}\n")
                count += 1
    mue = folder / "mue-2026q4.csv"
    real_mue = (TABLES / "ncci_mue" / "2024q3.csv").read_text().splitlines()[1:]
    with mue.open("w") as handle:
        handle.write("hcpcs,mue_value,mai,mue_rationale\n" + "\n".join(real_mue) + "\n")
        handle.writelines(f"{40000 + i:05d},{1 + i % 9},{1 + i % 3},Clinical: Data\n"
                          for i in range(MUE_CODES - len(real_mue)))
    return ptp, mue


def _load_case(ptp: str, mue: str) -> dict[str, float]:
    from dermbill.reference.ncci import mue_release, ptp_release

    start = time.perf_counter()
    pairs = ptp_release(Path(ptp))
    values = mue_release(Path(mue))
    seconds = time.perf_counter() - start
    return {"pairs": sum(len(v) for v in pairs.edits.values()), "codes": len(values.values), "seconds": seconds,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _scrub_case(ptp: str, mue: str, claims: int) -> dict[str, float]:
    from dermbill.core.ncci import MueTable, PtpTable
    from dermbill.reference.ncci import mue_release, ptp_release
    from dermbill.reference.scrub_tables import scrub_tables
    from dermbill.services.coding import code_document
    from dermbill.services.document_scrubbing import claim_document, scrub_document
    from dermbill.synthetic.encounters import document_encounter

    shipped = scrub_tables()
    big = dataclasses.replace(shipped, coding=dataclasses.replace(
        shipped.coding, ptp=PtpTable((ptp_release(Path(ptp)),)), mue=MueTable((mue_release(Path(mue)),))))
    rng = random.Random(2)
    documents = []
    while len(documents) < claims:
        day = datetime.date(2025, 10, 1) + datetime.timedelta(days=rng.randrange(360))
        encounter = document_encounter(rng, date_of_service=day, age=rng.randint(18, 95), sex="F",
                                       payer=rng.choice(["medicare", "commercial"]))
        coded = code_document(encounter, shipped.coding)
        if coded.lines:
            documents.append(claim_document(coded, encounter, billing_npi="1234567893", taxonomy="207N00000X",
                                            rendering_npi="1234560013", place_of_service="11", charges={},
                                            submitted_on=day + datetime.timedelta(days=2)))
    as_of = datetime.date(2026, 11, 26)
    start = time.perf_counter()
    clean = sum(scrub_document(doc, as_of=as_of, tables=big).clean for doc in documents)
    seconds = time.perf_counter() - start
    return {"claims": claims, "clean": clean, "seconds": seconds,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _run(code: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(*, claims: int, repeat: int) -> list[Result]:
    with tempfile.TemporaryDirectory() as folder:
        ptp, mue = write_tables(Path(folder))
        load = min((_run(f"import json; from benchmarks.scrubbing import _load_case; "
                         f"print(json.dumps(_load_case({str(ptp)!r}, {str(mue)!r})))") for _ in range(repeat)),
                   key=lambda r: r["seconds"])
        scrub = min((_run(f"import json; from benchmarks.scrubbing import _scrub_case; "
                          f"print(json.dumps(_scrub_case({str(ptp)!r}, {str(mue)!r}, {claims})))")
                     for _ in range(repeat)), key=lambda r: r["seconds"])
    return [
        Result(f"load NCCI ({int(load['pairs']):,} pairs, {int(load['codes']):,} MUE)", "tables", 0,
               int(load["pairs"]), load["seconds"], load["peak_rss_mib"], per_second_label="pairs"),
        Result("scrub claims", "1 core, full-size NCCI", 0, int(scrub["claims"]), scrub["seconds"],
               scrub["peak_rss_mib"], per_second_label="claims"),
    ]
