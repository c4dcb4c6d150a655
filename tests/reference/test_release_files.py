"""Recognising CMS release files by name and content, reading each layout, and the canonical text kept."""

from __future__ import annotations

import datetime
import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.releases import ReleaseKind
from dermbill.reference.release_files import (
    ReleaseFile,
    content_hash,
    read_release,
    recognise,
    release_files,
    release_from_text,
    release_text,
    shipped_releases,
)

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_next_release.py"


def next_release_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_next_release", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PTP_TEXT = "Column 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale\n" \
           "11104\t11102\t\t20190101\t*\t0\tStandards\n"
MUE_TEXT = '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n' \
           '17003,13,"2 Date of Service Edit: Policy",Clinical\n'
RVU_TEXT = "HCPCS,MOD,DESCRIPTION,STATUS CODE,x,WORK RVU\n"
ICD_CODES = "L570    Actinic keratosis\nC44311  Basal cell carcinoma of skin of nose\n"


@pytest.mark.parametrize(("name", "text", "kind", "period"), [
    ("ccipra-v323r0-f1.txt", PTP_TEXT, ReleaseKind.PTP, "2026q4"),
    ("ccipra-v302r1-f4.TXT", PTP_TEXT, ReleaseKind.PTP, "2024q3"),
    ("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv", MUE_TEXT, ReleaseKind.MUE, "2026q4"),
    ("PPRRVU26_JAN.csv", RVU_TEXT, ReleaseKind.RVU, "2026q1"),
    ("PPRRVU2025_Oct.csv", RVU_TEXT, ReleaseKind.RVU, "2025q4"),
    ("icd10cm_codes_2027.txt", ICD_CODES, ReleaseKind.ICD10CM, "FY2027"),
    ("icd10cm-order-2026.txt", "00001 A00     0 Cholera", ReleaseKind.ICD10CM, "FY2026"),
    ("HCPC2026_OCT_ANWEB.txt", "J7345000013" + " " * 120, ReleaseKind.HCPCS, "2026q4"),
])
def test_each_cms_file_is_placed_by_its_name_and_content(name: str, text: str, kind: ReleaseKind,
                                                          period: str) -> None:
    found = recognise(ReleaseFile(name, text))
    assert (found.kind, found.period.label) == (kind, period)


def test_a_file_it_cannot_place_is_refused_naming_what_it_expected() -> None:
    with pytest.raises(InvalidInput, match=r"notes\.csv: cannot tell.*ccipra-vNNNrN-fN.*PPRRVUYY_MON"):
        recognise(ReleaseFile("notes.csv", "a,b\n"))


def test_a_name_whose_content_is_another_layout_is_refused() -> None:
    with pytest.raises(InvalidInput, match="the name says NCCI PTP edits, but the content"):
        recognise(ReleaseFile("ccipra-v323r0-f1.txt", MUE_TEXT))


@pytest.mark.parametrize("name", ["ccioph-v323r0-f1.txt", "MCR_MUE_OutpatientHospitalServices_Eff_10-01-2026.csv"])
def test_hospital_files_are_refused_as_not_the_practitioner_ones(name: str) -> None:
    with pytest.raises(InvalidInput, match="practitioner files only"):
        recognise(ReleaseFile(name, PTP_TEXT))


def test_an_mue_dated_mid_quarter_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not the first day of a quarter"):
        recognise(ReleaseFile("MCR_MUE_PractitionerServices_Eff_10-15-2026.csv", MUE_TEXT))


def test_icd10cm_order_file_keeps_billable_codes_with_their_long_description() -> None:
    text = ("00001 L57     0 Actinic keratosis                                            Actinic keratosis\n"
            "00002 L570    1 Actinic keratosis                                            Actinic keratosis, "
            "long words\n")
    release = read_release(ReleaseFile("icd10cm_order_2027.txt", text))
    assert dict(release.icd10cm) == {"L57.0": "Actinic keratosis, long words"}


def test_icd10cm_codes_file_and_a_bad_line_naming_it() -> None:
    assert dict(read_release(ReleaseFile("icd10cm_codes_2027.txt", ICD_CODES)).icd10cm) == {
        "L57.0": "Actinic keratosis", "C44.311": "Basal cell carcinoma of skin of nose"}
    with pytest.raises(InvalidInput, match="line 2: expected an ICD-10-CM code"):
        read_release(ReleaseFile("icd10cm_codes_2027.txt", "L570 Actinic keratosis\n12345 nothing\n"))


def test_hcpcs_records_keep_the_first_line_of_each_code() -> None:
    line = "J7345" + "00010" + "3" + "Long text".ljust(80) + "Aminolevulinic acid gel".ljust(28) + " " * 10
    continuation = "J7345" + "00020" + "4" + " " * 130
    release = read_release(ReleaseFile("HCPC2026_OCT_ANWEB.txt", line + "\n" + continuation + "\n"))
    assert dict(release.hcpcs) == {"J7345": "Aminolevulinic acid gel"}


def test_the_next_release_files_read_back_with_the_changes_made(tmp_path: Path) -> None:
    next_release_script().build_next_release(tmp_path, "2026q4")
    releases = {r.kind: r for r in (read_release(f) for f in release_files([tmp_path]))}
    assert releases[ReleaseKind.PTP].ptp[("11104", "11102")] == "1"
    assert ("11400", "11102") not in releases[ReleaseKind.PTP].ptp  # deleted the day before the quarter
    assert releases[ReleaseKind.MUE].mue["17003"].units == 12
    assert str(releases[ReleaseKind.RVU].rvu[("11102", "")].work) == "0.7"
    assert {r.period.starts for r in releases.values()} == {datetime.date(2026, 10, 1)}


def test_a_zip_is_read_member_by_member(tmp_path: Path) -> None:
    archive = tmp_path / "ccipra-v323r0-f1.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("ccipra-v323r0-f1.txt", PTP_TEXT)
    [member] = release_files([archive])
    assert recognise(member).kind is ReleaseKind.PTP


def test_the_same_content_in_two_layouts_gives_the_same_text_and_hash() -> None:
    shipped = {r.kind: r for r in shipped_releases()}
    for release in shipped.values():
        if release.kind is ReleaseKind.ICD10CM:
            continue
        text = release_text(release)
        back = release_from_text(release.kind, release.period, release.name, release.revision, text)
        assert back == release and content_hash(release_text(back)) == content_hash(text)
