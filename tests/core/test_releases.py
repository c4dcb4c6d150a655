"""The release model and diff_releases: each kind of change, the practice filter and the fee effect."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.releases import (
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
