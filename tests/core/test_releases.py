"""The release model and diff_releases: each kind of change, the practice filter and the fee effect."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.releases import (
    Change,
    CodeAdded,
    CodeDeleted,
    CodeRevised,
    MueAdded,
    MueChanged,
    MueLimit,
    MueRemoved,
    Period,
    PtpIndicatorChanged,
    PtpPairAdded,
    PtpPairDeleted,
    Release,
    ReleaseKind,
    RvuChanged,
    RvuValues,
    counted,
    diff_releases,
    engine_codes_deleted,
    release_in_force,
)

Q3 = Period.parse("2026q3")
Q4 = Period.parse("2026q4")


def test_periods_parse_quarters_and_fiscal_years() -> None:
    assert Q4.starts == datetime.date(2026, 10, 1)
    assert Period.parse("FY2027").starts == datetime.date(2026, 10, 1)
    assert Period.parse("fy2027").label == "FY2027"
    assert Period.quarter_of(datetime.date(2026, 2, 14)).label == "2026q1"


@pytest.mark.parametrize("text", ["2026q5", "2026", "Q4 2026", "FY27"])
def test_a_period_dermbill_cannot_read_is_refused_saying_what_it_takes(text: str) -> None:
    with pytest.raises(InvalidInput, match="2026q4.*FY2027"):
        Period.parse(text)


def ptp(period: Period, pairs: dict[tuple[str, str], str], revision: int = 1) -> Release:
    return Release(ReleaseKind.PTP, period, f"PTP {period}", revision, ptp=pairs)


def test_ptp_pairs_added_deleted_and_indicator_changed() -> None:
    old = ptp(Q3, {("11102", "11104"): "0", ("17000", "11102"): "1", ("11300", "11100"): "1"})
    new = ptp(Q4, {("11102", "11104"): "1", ("17000", "11102"): "1", ("11400", "11300"): "0"})
    changes = diff_releases(old, new)
    assert changes == [PtpIndicatorChanged("11102", "11104", "0", "1"), PtpPairDeleted("11300", "11100", "1"),
                       PtpPairAdded("11400", "11300", "0")]
    assert "never billed together" in changes[2].describe()
    assert changes[0].as_dict()["change"] == "ptp_indicator_changed"


def test_ptp_changes_for_a_practice_keep_only_pairs_of_codes_it_bills() -> None:
    old = ptp(Q3, {})
    new = ptp(Q4, {("11400", "11300"): "0", ("11400", "99999"): "1"})
    assert diff_releases(old, new, practice_codes={"11400": 3, "11300": 1}) == [PtpPairAdded("11400", "11300", "0")]
    assert diff_releases(old, new, practice_codes={"11400": 3}) == []


def test_mue_changed_added_and_removed() -> None:
    old = Release(ReleaseKind.MUE, Q3, "MUE", mue={"17003": MueLimit("17003", 13, "2"),
                                                  "11102": MueLimit("11102", 1, "2")})
    new = Release(ReleaseKind.MUE, Q4, "MUE", mue={"17003": MueLimit("17003", 12, "2"),
                                                  "11104": MueLimit("11104", 1, "2")})
    assert diff_releases(old, new) == [MueRemoved("11102", 1), MueAdded("11104", 1, "2"),
                                       MueChanged("17003", 13, 12, "2", "2")]
    assert "13 -> 12 units per day (down)" in MueChanged("17003", 13, 12, "2", "2").describe()


def rvu(work: str, global_days: str = "000", factor: str = "32.3465") -> RvuValues:
    return RvuValues("11102", "", "A", Decimal(work), Decimal("2.24"), Decimal("0.38"), Decimal("0.06"), global_days,
                     Decimal(factor))


def test_rvu_change_carries_the_fee_effect_at_the_practice_volume() -> None:
    old = Release(ReleaseKind.RVU, Q3, "RVU", rvu={("11102", ""): rvu("0.66")})
    new = Release(ReleaseKind.RVU, Q4, "RVU", rvu={("11102", ""): rvu("0.76")})
    [change] = diff_releases(old, new, practice_codes={"11102": 40})
    assert isinstance(change, RvuChanged)
    # (0.66 + 2.24 + 0.06) x 32.3465 = 95.75; (0.76 + 2.24 + 0.06) x 32.3465 = 98.98
    assert change.fee_change == Money(323)
    assert change.fee_effect == Money(323 * 40)
    assert "+$129.20 at the practice's 40 units" in change.describe()


def test_global_days_change_alone_is_reported_and_unchanged_values_are_not() -> None:
    old = Release(ReleaseKind.RVU, Q3, "RVU", rvu={("11102", ""): rvu("0.66"), ("11103", ""): rvu("0.66")})
    new = Release(ReleaseKind.RVU, Q4, "RVU", rvu={("11102", ""): rvu("0.66", "010"), ("11103", ""): rvu("0.66")})
    [change] = diff_releases(old, new)
    assert isinstance(change, RvuChanged) and change.fee_change == Money(0)
    assert "global days 000 -> 010" in change.describe()


def icd(period: Period, codes: dict[str, str]) -> Release:
    return Release(ReleaseKind.ICD10CM, period, "ICD", icd10cm=codes)


def test_icd10cm_changes_in_dermatology_chapters_name_the_site_entries_that_must_follow() -> None:
    fy26, fy27 = Period.parse("FY2026"), Period.parse("FY2027")
    old = icd(fy26, {"L57.0": "Actinic keratosis", "C44.311": "BCC of nose", "I10": "Hypertension",
                     "D22.5": "Nevus of trunk"})
    new = icd(fy27, {"L57.00": "AK, face", "L57.01": "AK, elsewhere", "C44.311": "Basal cell carcinoma of nose",
                     "I11.0": "Other", "D22.5": "Nevus of trunk"})
    entries = {"L57.0": ("actinic_keratosis/face//",), "C44.311": ("bcc/nose//",)}
    changes = diff_releases(old, new, site_entries=entries, engine_codes=frozenset({"L57.0"}))
    assert changes == [
        CodeDeleted("ICD-10-CM", "L57.0", "Actinic keratosis", ("L57.00", "L57.01"), ("actinic_keratosis/face//",),
                    True),
        CodeAdded("ICD-10-CM", "L57.00", "AK, face", ("actinic_keratosis/face//",)),
        CodeAdded("ICD-10-CM", "L57.01", "AK, elsewhere", ("actinic_keratosis/face//",)),
        CodeRevised("ICD-10-CM", "C44.311", "BCC of nose", "Basal cell carcinoma of nose", ("bcc/nose//",)),
    ]
    assert "the coding engine still suggests it" in changes[0].describe()


def test_releases_of_different_kinds_are_not_compared() -> None:
    with pytest.raises(InvalidInput, match="cannot compare"):
        diff_releases(ptp(Q3, {}), icd(Q4, {}))


def test_the_release_in_force_is_the_latest_period_started_and_its_newest_revision() -> None:
    releases = [ptp(Q3, {}), ptp(Q4, {}, revision=1), ptp(Q4, {}, revision=2)]
    assert release_in_force(releases, ReleaseKind.PTP, datetime.date(2026, 9, 30)) == releases[0]
    assert release_in_force(releases, ReleaseKind.PTP, datetime.date(2026, 10, 1)) == releases[2]
    assert release_in_force(releases, ReleaseKind.PTP, datetime.date(2026, 6, 30)) is None
    assert release_in_force(releases, ReleaseKind.MUE, datetime.date(2026, 10, 1)) is None


def test_engine_codes_missing_from_a_release_are_named() -> None:
    assert engine_codes_deleted(icd(Q4, {"C44.311": ""}), ["C44.311", "L57.0"]) == ["L57.0"]


def rvu_change(old_days: str, new_days: str, fee: int, volume: int = 0) -> RvuChanged:
    return RvuChanged("11200", "", Decimal("2.10"), Decimal("2.20") if fee else Decimal("2.10"), old_days, new_days,
                      Decimal("32.3465"), Decimal("32.3465"), Money(fee), volume, Money(fee * volume))


@pytest.mark.parametrize(("change", "words"), [
    (PtpPairAdded("17311", "17000", "0"), "new NCCI edit: 17000 is bundled into 17311 on the same day (modifier "
     "indicator 0: never billed together, not even with a modifier)"),
    (PtpPairAdded("17311", "17000", "1"), "(modifier indicator 1: a modifier may bypass the edit (59 or XS, for a "
     "separate lesion or site))"),
    (PtpPairDeleted("11400", "11102", "1"), "NCCI edit removed: 11400 and 11102 may now be billed together without "
     "a modifier"),
    (PtpIndicatorChanged("11104", "11102", "0", "1"), "NCCI edit 11104 with 11102 (modifier indicator 0 -> 1): from "
     "now on a modifier may bypass the edit (59 or XS, for a separate lesion or site)"),
    (MueChanged("17003", 13, 12, "2", "2"), "MUE for 17003: 13 -> 12 units per day (down)"),
    (MueChanged("96567", 2, 1, "3", "3"), "MUE for 96567: 2 -> 1 unit per day (down)"),
    (MueChanged("11102", 1, 2, "1", "1"), "MUE for 11102: 1 -> 2 units per claim line (up)"),
    (MueChanged("11102", 1, 1, "2", "1"), "MUE for 11102: still 1 unit, now counted per claim line; adjudication "
     "indicator 2 -> 1"),
    (MueAdded("J7345", 1, "3"), "new MUE for J7345: at most 1 unit per day (adjudication indicator 3)"),
    (MueAdded("J7345", 3, "1"), "new MUE for J7345: at most 3 units per claim line (adjudication indicator 1)"),
    (MueRemoved("96567", 1), "MUE for 96567 removed (was 1 unit): no CMS unit limit now"),
    (MueRemoved("17003", 13), "MUE for 17003 removed (was 13 units): no CMS unit limit now"),
    (rvu_change("010", "000", 0), "11200: global days 010 -> 000; fee unchanged"),
    (rvu_change("010", "010", 323, 1), "11200: total RVU 2.10 -> 2.20; fee +$3.23 per unit, +$3.23 at the "
     "practice's 1 unit"),
    (rvu_change("010", "010", -323, 2), "fee -$3.23 per unit, -$6.46 at the practice's 2 units"),
    (CodeDeleted("ICD-10-CM", "L57.0", "Actinic keratosis", ("L57.00",)), "ICD-10-CM code L57.0 (Actinic "
     "keratosis) deleted: not valid for dates of service in the new release; use L57.00 instead"),
    (CodeDeleted("ICD-10-CM", "L57.0", "", ("L57.00", "L57.01")), "; use one of L57.00, L57.01"),
    (CodeAdded("HCPCS", "J7345", "Aminolevulinic acid gel"), "new HCPCS code J7345 (Aminolevulinic acid gel)"),
    (CodeRevised("ICD-10-CM", "C44.311", "BCC of nose", "Basal cell carcinoma of nose"),
     "ICD-10-CM code C44.311 reworded: 'BCC of nose' -> 'Basal cell carcinoma of nose'"),
])
def test_every_kind_of_change_reads_well_to_a_biller_in_the_right_number(change: Change, words: str) -> None:
    said = change.describe()
    assert words in said
    assert not re.search(r"\b1 units\b|\b1 days\b|\(s\)|\$0\.00", said)


@pytest.mark.parametrize(("count", "words"), [(0, "0 units"), (1, "1 unit"), (2, "2 units")])
def test_counted_puts_the_noun_in_the_right_number(count: int, words: str) -> None:
    assert counted(count, "unit") == words
    assert counted(count, "entry", "entries").endswith("entry" if count == 1 else "entries")
