"""Write dermbill's curated NCCI practitioner PTP table for the codes in its procedure code set.

Usage:
    python scripts/curate_ncci_ptp.py SOURCE.csv dermbill/reference/tables/ncci_ptp/2024q3.csv

SOURCE is a CSV with columns column1, column2, deletion_date (YYYYMMDD or empty/*), modifier_indicator
(the layout of ../shared/cms-data/ptp_practitioner_derm.csv, cut from CMS's quarterly files). Keeps the
pairs whose two codes are both in dermbill/reference/tables/procedure_codes/codes.csv; dates stay
YYYYMMDD (empty: no date in the source / not deleted).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

CODES = Path(__file__).resolve().parents[1] / "dermbill/reference/tables/procedure_codes/codes.csv"


def main(source: str, target: str) -> None:
    with CODES.open(newline="") as handle:
        known = {row["code"] for row in csv.DictReader(handle)}
    rows = []
    with open(source, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["column1"] in known and row["column2"] in known:
                deletion = row["deletion_date"].strip().strip("*")
                rows.append((row["column1"], row["column2"], row["modifier_indicator"], "", deletion))
    with open(target, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("column1", "column2", "modifier_indicator", "effective_from", "deletion_date"))
        writer.writerows(sorted(set(rows)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
