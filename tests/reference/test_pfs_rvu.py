from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from tests_paths import SHARED

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money
from dermbill.reference.pfs_rvu import TABLE_DIR, read_rvu_file, shipped_rvu_table

IN_2025 = datetime.date(2025, 6, 1)


def test_allowed_amount_is_total_rvus_times_the_conversion_factor() -> None:
    entry = shipped_rvu_table().for_code("11102", on=IN_2025).entry
    assert entry.total_rvu(facility=False) == Decimal("2.96")
    assert entry.allowed_amount(facility=False) == Money.parse("95.75")  # 2.96 x 32.3465 = 95.74564
    assert entry.allowed_amount(facility=True) == Money.round_half_up(Decimal("1.12") * Decimal("32.3465"))
    assert entry.global_days == "000"


def test_lookup_by_date_of_service_and_modifier() -> None:
    table = shipped_rvu_table()
    assert table.for_code("88305", on=IN_2025, modifier="26").entry.modifier == "26"
    assert table.modifiers("88305") == ["", "26", "TC"]
    assert table.for_code("11102", on=datetime.date(2025, 12, 31)).in_force
    later = table.for_code("11102", on=datetime.date(2026, 1, 1))
    assert not later.in_force  # no 2026 table shipped: the newest one, flagged as a fallback
    with pytest.raises(NotFound, match="11102 on 2024-12-31"):
        table.for_code("11102", on=datetime.date(2024, 12, 31))
    with pytest.raises(NotFound):
        table.for_code("99999", on=IN_2025)


def test_shipped_table_matches_the_cms_file_in_shared() -> None:
    source = SHARED / "cms-data" / "pfs_rvu_derm.csv"
    if not source.exists():
        pytest.skip(f"{source} not found")
    table = shipped_rvu_table()
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 181
    for row in rows:
        entry = table.for_code(row["hcpcs"], on=IN_2025, modifier=row["modifier"]).entry
        assert entry.work_rvu == Decimal(row["work_rvu"])
        assert entry.nonfacility_pe_rvu == Decimal(row["nonfac_pe_rvu"])
        assert entry.facility_pe_rvu == Decimal(row["facility_pe_rvu"])
        assert entry.malpractice_rvu == Decimal(row["mp_rvu"])
        assert entry.global_days == row["glob_days"]
        assert entry.multiple_procedure_indicator == row["mult_proc"]


def test_shipped_table_has_no_descriptor_text() -> None:
    for path in TABLE_DIR.glob("*.csv"):
        header = path.read_text().splitlines()[0].lower()
        assert "desc" not in header


def test_a_bad_row_fails_the_load_naming_file_and_line(tmp_path: Path) -> None:
    good = (TABLE_DIR / "2025.csv").read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([good[0], good[1], good[2].replace(",010,", ",01O,", 1)]) + "\n")
    with pytest.raises(InvalidInput, match="bad.csv line 3: glob_days"):
        read_rvu_file(bad)
    bad.write_text("\n".join([good[0], good[1].replace("1.22", "x1.2", 1)]) + "\n")
    with pytest.raises(InvalidInput, match="bad.csv line 2: work_rvu 'x1.2' is not a number"):
        read_rvu_file(bad)
