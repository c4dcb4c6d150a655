"""Write dermbill's curated PFS RVU table from a CMS PPRRVU file (or the cut-down CSV in ../shared/cms-data).

Usage:
    python scripts/curate_pfs_rvu.py PPRRVU2025_Oct.csv dermbill/reference/tables/pfs_rvu/2025.csv \
        2025-01-01 2025-12-31

Keeps only numbers and indicators (never descriptor text): code, modifier, status, the RVUs, global
days, multiple-procedure indicator and conversion factor, with the table's effective dates.
"""

from __future__ import annotations

import csv
import sys

COLUMNS = (
    "hcpcs", "modifier", "status_code", "work_rvu", "nonfac_pe_rvu", "facility_pe_rvu", "mp_rvu",
    "glob_days", "mult_proc", "conv_factor",
)


def main(source: str, target: str, effective_from: str, effective_to: str) -> None:
    with open(source, newline="") as src, open(target, "w", newline="") as dst:
        writer = csv.writer(dst, lineterminator="\n")
        writer.writerow((*COLUMNS, "effective_from", "effective_to"))
        rows = sorted(csv.DictReader(src), key=lambda r: (r["hcpcs"], r["modifier"]))
        for row in rows:
            writer.writerow((*(row[c].strip() for c in COLUMNS), effective_from, effective_to))


if __name__ == "__main__":
    main(*sys.argv[1:5])
