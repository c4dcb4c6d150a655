"""Build a "next" CMS release (PTP, MUE, PFS RVU) from the tables dermbill ships, with known changes, in CMS's layouts.

    python scripts/build_next_release.py OUT_DIR [--quarter 2026q4] [--manifest FILE]

Writes into OUT_DIR, named as CMS names them so that ``dermbill reference update OUT_DIR`` recognises them:
- ``ccipra-vNNNr0-f1.txt``: the shipped PTP pairs, tab-delimited with CMS's preamble and header, plus one pair added,
  one deleted (its deletion date the day before the quarter) and one whose modifier indicator changed;
- ``MCR_MUE_PractitionerServices_Eff_MM-01-YYYY.csv``: the shipped MUEs with one value changed, one added, one
  removed;
- ``PPRRVUYY_MON.csv``: the shipped relative values with one code's work RVU and another's global days changed
  (DESCRIPTION left empty: CPT descriptors are the AMA's);
- with ``--manifest FILE`` (kept out of OUT_DIR, which holds only CMS files): the changes made, as
  ``dermbill reference changes --json`` should report them.

So no test needs the internet: tests build a release with this script and compare what dermbill reports with the
manifest. ``build_next_release(out_dir, quarter)`` does the same from Python.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import sys
from decimal import Decimal
from pathlib import Path

TABLES = Path(__file__).resolve().parent.parent / "dermbill" / "reference" / "tables"

# The known changes. Each is checked against the shipped tables, so a change of those tables that makes one of
# them meaningless fails loudly here instead of producing a release that changes nothing.
PTP_ADDED = ("17311", "17000", "0")
PTP_DELETED = ("11400", "11102")
PTP_INDICATOR = ("11104", "11102", "1")  # shipped with 0
MUE_CHANGED = ("17003", 12)  # shipped 13
MUE_ADDED = ("J7345", 3, "3")  # not in the shipped table
MUE_REMOVED = "96567"
RVU_WORK = ("11102", Decimal("0.70"))  # shipped 0.66
RVU_GLOBAL = ("11200", "000")  # shipped 010
MONTHS = {1: "JAN", 2: "APR", 3: "JUL", 4: "OCT"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _quarter(text: str) -> tuple[int, int, datetime.date]:
    year, quarter = int(text[:4]), int(text[5])
    if len(text) != 6 or text[4].lower() != "q" or not 1 <= quarter <= 4:
        raise SystemExit(f"--quarter '{text}' must look like 2026q4")
    return year, quarter, datetime.date(year, 3 * quarter - 2, 1)


def build_next_release(out_dir: Path, quarter: str = "2026q4") -> dict[str, object]:
    """Write the three files into ``out_dir``; return the manifest of the changes made."""
    year, number, starts = _quarter(quarter)
    out_dir.mkdir(parents=True, exist_ok=True)
    ptp_name = _write_ptp(out_dir, year, number, starts)
    mue_name = _write_mue(out_dir, starts)
    rvu_name = _write_rvu(out_dir, year, number)
    manifest: dict[str, object] = {
        "quarter": quarter,
        "files": [ptp_name, mue_name, rvu_name],
        "changes": [
            {"change": "ptp_indicator_changed", "column1": PTP_INDICATOR[0], "column2": PTP_INDICATOR[1],
             "old_indicator": "0", "new_indicator": PTP_INDICATOR[2]},
            {"change": "ptp_pair_deleted", "column1": PTP_DELETED[0], "column2": PTP_DELETED[1],
             "modifier_indicator": "1"},
            {"change": "ptp_pair_added", "column1": PTP_ADDED[0], "column2": PTP_ADDED[1],
             "modifier_indicator": PTP_ADDED[2]},
            {"change": "mue_changed", "code": MUE_CHANGED[0], "old_units": 13, "new_units": MUE_CHANGED[1]},
            {"change": "mue_added", "code": MUE_ADDED[0], "units": MUE_ADDED[1]},
            {"change": "mue_removed", "code": MUE_REMOVED, "old_units": 1},
            {"change": "rvu_changed", "code": RVU_WORK[0], "old_global_days": "000", "new_global_days": "000"},
            {"change": "rvu_changed", "code": RVU_GLOBAL[0], "old_global_days": "010",
             "new_global_days": RVU_GLOBAL[1]},
        ],
    }
    return manifest


def _write_ptp(out_dir: Path, year: int, number: int, starts: datetime.date) -> str:
    rows = _rows(TABLES / "ncci_ptp" / "2024q3.csv")
    active = {(r["column1"], r["column2"]): r for r in rows if not r["deletion_date"]}
    if PTP_ADDED[:2] in active or PTP_DELETED not in active or active.get(PTP_INDICATOR[:2], {}).get(
            "modifier_indicator") != "0":
        raise SystemExit("the shipped PTP table no longer fits this script's known changes; choose others")
    name = f"ccipra-v{year - 1994}{number - 1}r0-f1.txt"
    ended = (starts - datetime.timedelta(days=1)).strftime("%Y%m%d")
    lines = ["CPT codes, descriptions and other data only are copyright American Medical Association.",
             f"Test release built by scripts/build_next_release.py for {year} Q{number}; not a CMS file.",
             "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\t"
             "PTP Edit Rationale",
             "\t\t\t\t*=no data\t0=not allowed 1=allowed 9=not applicable\t"]
    for row in rows:
        pair = (row["column1"], row["column2"])
        indicator, deletion = row["modifier_indicator"], row["deletion_date"] or "*"
        if pair == PTP_DELETED and not row["deletion_date"]:
            deletion = ended
        if pair == PTP_INDICATOR[:2] and not row["deletion_date"]:
            indicator = PTP_INDICATOR[2]
        effective = row["effective_from"] or "19960101"
        lines.append(f"{pair[0]}\t{pair[1]}\t\t{effective}\t{deletion}\t{indicator}\tStandards of Medical / "
                     "Surgical Practice")
    lines.append(f"{PTP_ADDED[0]}\t{PTP_ADDED[1]}\t\t{starts:%Y%m%d}\t*\t{PTP_ADDED[2]}\tMutually exclusive")
    (out_dir / name).write_text("\n".join(lines) + "\n")
    return name


def _write_mue(out_dir: Path, starts: datetime.date) -> str:
    rows = _rows(TABLES / "ncci_mue" / "2024q3.csv")
    codes = {r["hcpcs"]: r for r in rows}
    if MUE_ADDED[0] in codes or MUE_REMOVED not in codes or codes[MUE_CHANGED[0]]["mue_value"] != "13":
        raise SystemExit("the shipped MUE table no longer fits this script's known changes; choose others")
    name = f"MCR_MUE_PractitionerServices_Eff_{starts:%m-%d-%Y}.csv"
    indicator_words = {"1": "1 Line Edit", "2": "2 Date of Service Edit: Policy", "3": "3 Date of Service Edit: "
                       "Clinical"}
    with (out_dir / name).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["Test release built by scripts/build_next_release.py; not a CMS file."])
        writer.writerow(["HCPCS/CPT Code", "Practitioner Services MUE Values", "MUE Adjudication Indicator",
                         "MUE Rationale"])
        for row in rows:
            if row["hcpcs"] == MUE_REMOVED:
                continue
            units = str(MUE_CHANGED[1]) if row["hcpcs"] == MUE_CHANGED[0] else row["mue_value"]
            writer.writerow([row["hcpcs"], units, indicator_words[row["mai"]], row["mue_rationale"]])
        writer.writerow([MUE_ADDED[0], MUE_ADDED[1], indicator_words[MUE_ADDED[2]], "Clinical: Data"])
    return name


def _write_rvu(out_dir: Path, year: int, number: int) -> str:
    rows = _rows(TABLES / "pfs_rvu" / "2025.csv")
    by_code = {r["hcpcs"]: r for r in rows if not r["modifier"]}
    if Decimal(by_code[RVU_WORK[0]]["work_rvu"]) == RVU_WORK[1] or by_code[RVU_GLOBAL[0]]["glob_days"] == \
            RVU_GLOBAL[1]:
        raise SystemExit("the shipped RVU table no longer fits this script's known changes; choose others")
    name = f"PPRRVU{year % 100:02}_{MONTHS[number]}.csv"
    with (out_dir / name).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f"Test release built by scripts/build_next_release.py for {year} Q{number}; not a CMS "
                         "file."])
        writer.writerow(["HCPCS", "MOD", "DESCRIPTION", "STATUS CODE", "NOT USED FOR MEDICARE PAYMENT", "WORK RVU",
                         "NON-FAC PE RVU", "NON-FAC NA INDICATOR", "FACILITY PE RVU", "FACILITY NA INDICATOR",
                         "MP RVU", "NON-FACILITY TOTAL", "FACILITY TOTAL", "PCTC IND", "GLOB DAYS", "PRE OP",
                         "INTRA OP", "POST OP", "MULT PROC", "BILAT SURG", "ASST SURG", "CO SURG", "TEAM SURG",
                         "ENDO BASE", "CONV FACTOR"])
        for row in rows:
            work = RVU_WORK[1] if (row["hcpcs"], row["modifier"]) == (RVU_WORK[0], "") else Decimal(row["work_rvu"])
            days = RVU_GLOBAL[1] if (row["hcpcs"], row["modifier"]) == (RVU_GLOBAL[0], "") else row["glob_days"]
            nonfac, fac, mp = (Decimal(row[k]) for k in ("nonfac_pe_rvu", "facility_pe_rvu", "mp_rvu"))
            writer.writerow([row["hcpcs"], row["modifier"], "", row["status_code"], "", work, nonfac, "", fac, "", mp,
                             work + nonfac + mp, work + fac + mp, "0", days, "", "", "", row["mult_proc"], "", "",
                             "", "", "", row["conv_factor"]])
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--quarter", default="2026q4")
    parser.add_argument("--manifest", type=Path, help="Write the changes made here, as JSON.")
    args = parser.parse_args(argv)
    manifest = build_next_release(args.out_dir, args.quarter)
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {', '.join(str(f) for f in manifest['files'])} into {args.out_dir}")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
