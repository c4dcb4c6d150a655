"""Write dermbill's curated NCCI practitioner MUE table for the codes it knows.

Usage:
    python scripts/curate_ncci_mue.py SOURCE.csv dermbill/reference/tables/ncci_mue/2024q3.csv

SOURCE has columns hcpcs, mue_value, mai, mue_rationale (the layout of ../shared/cms-data/mue_practitioner.csv,
cut from CMS's quarterly practitioner MUE table). Keeps the codes of the procedure code set and the fee
schedule table.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TABLES = Path(__file__).resolve().parents[1] / "dermbill/reference/tables"


def main(source: str, target: str) -> None:
    known: set[str] = set()
    for table in (TABLES / "procedure_codes/codes.csv", TABLES / "pfs_rvu/2025.csv"):
        with table.open(newline="") as handle:
            known |= {row.get("code") or row["hcpcs"] for row in csv.DictReader(handle)}
    with open(source, newline="") as handle:
        rows = [(r["hcpcs"], r["mue_value"], r["mai"], r["mue_rationale"]) for r in csv.DictReader(handle)
                if r["hcpcs"] in known]
    with open(target, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("hcpcs", "mue_value", "mai", "mue_rationale"))
        writer.writerows(sorted(rows))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
