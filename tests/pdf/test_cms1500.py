"""The CMS-1500 PDF read back with pdfplumber: every value on its line and column of the 02/12 print grid.

The grid is the form's own: 10 characters per inch, 6 lines per inch, line 1 at the top edge of the page and
column 1 at 0.3 inch. The positions checked by hand below are computed from that grid, not from the table.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from typing import Any

import pdfplumber
import pytest

from dermbill.core.claim_form import (
    Address,
    BillingProvider,
    OtherPayer,
    Payer,
    Person,
    ProfessionalClaim,
    ServiceLine,
)
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.pdf.cms1500 import form_pages, form_values, render
from dermbill.pdf.cms1500_layout import BOXES, FIELDS, LABELS

OFFICE = Address("100 Test Alpha Ave.", "Anytown", "PA", "190990001")
BILLING = BillingProvider("TEST DERMATOLOGY ASSOCIATES", "1234561003", "990000001", "207N00000X", OFFICE,
                          phone="(215) 555-0100")
PATIENT = Person("Testalpha", "Bravo", datetime.date(1950, 1, 2), "F",
                 Address("1 Test St., Apt. #4", "Anytown", "PA", "19099"), "Q.", "2155550123")
DOS = datetime.date(2026, 3, 2)
SIGNED = datetime.date(2026, 3, 9)
CLAIM = ProfessionalClaim(
    "D1E0000001", Money(75000), "11", "7", ("C44.311", "L57.0"),
    (ServiceLine("11642", (), Money(61000), 1, (1,), DOS, "D1E0000001-1"),
     ServiceLine("17000", ("XS",), Money(12000), 1, (2,), DOS, "D1E0000001-2"),
     ServiceLine("17003", (), Money(2000), 2, (2, 1), DOS, "D1E0000001-3")),
    Payer("TEST MEDICARE", "TSTMCR", Address("PO Box 100", "Claimtown", "PA", "19098")), "P", "MB", PATIENT,
    "1EG4TE5MK73", None, "18", PATIENT,
    rendering_npi="1234560013", payer_claim_number="MCRICN1", prior_authorization="AUTH42",
)
POINTS = 72.0
SLACK = 0.5  # points: a character's body is exactly one line high


def _grown(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = bbox
    return x0 - SLACK, top - SLACK, x1 + SLACK, bottom + SLACK


def _pdf(claims: list[tuple[ProfessionalClaim, BillingProvider]], *, full_form: bool) -> Any:
    return pdfplumber.open(io.BytesIO(render(claims, full_form=full_form, signed_on=SIGNED)))


def _values(page: Any, name: str) -> str:
    """The value text printed (in Courier) wholly inside the field's cell."""
    chars = [c for c in page.within_bbox(_grown(FIELDS[name].bbox)).chars if "Courier" in c["fontname"]]
    return "".join(c["text"] for c in sorted(chars, key=lambda c: c["x0"])).strip()


def _cell(line: int, column: int, width: int = 1) -> tuple[float, float, float, float]:
    """A grid cell computed from first principles: (x0, top, x1, bottom) in points."""
    return ((0.3 + (column - 1) / 10) * POINTS, (line - 1) / 6 * POINTS,
            (0.3 + (column - 1 + width) / 10) * POINTS, line / 6 * POINTS)


def _chars_in(page: Any, bbox: tuple[float, float, float, float]) -> str:
    return "".join(c["text"] for c in page.within_bbox(_grown(bbox)).chars if "Courier" in c["fontname"])


@pytest.mark.parametrize("full_form", [True, False], ids=["full-form", "red-form"])
def test_every_value_is_read_back_from_its_cell(full_form: bool) -> None:
    expected = form_values(CLAIM, BILLING, signed_on=SIGNED)
    with _pdf([(CLAIM, BILLING)], full_form=full_form) as pdf:
        [page] = pdf.pages
        for name, text in expected.items():
            assert _values(page, name) == text, name
        printed = [c for c in page.chars if "Courier" in c["fontname"]]
        assert len(printed) == sum(len(text) for text in expected.values())  # nothing printed elsewhere
        assert ("HEALTH INSURANCE CLAIM FORM" in (page.extract_text() or "")) == full_form


def test_values_land_where_the_red_form_has_its_boxes() -> None:
    with _pdf([(CLAIM, BILLING)], full_form=False) as pdf:
        page = pdf.pages[0]
        # box 24, line 1: the date of service on print line 46, 7.5 to 7.67 inch down, from column 1
        assert _chars_in(page, _cell(46, 1, 17)) == "030226030226"
        first_date = [c for c in page.chars if c["x0"] < 0.5 * POINTS and 7 * POINTS < c["top"] < 7.8 * POINTS]
        assert [c["text"] for c in first_date] == ["0", "3"]
        assert all(c["top"] >= 7.5 * POINTS - SLACK and c["bottom"] <= 7.5 * POINTS + 12 + SLACK for c in first_date)
        assert _chars_in(page, _cell(46, 25, 5)) == "11642" and _chars_in(page, _cell(48, 33, 2)) == "XS"
        assert _chars_in(page, _cell(50, 45, 2)) == "BA"  # 24E pointers, no commas
        assert _chars_in(page, _cell(46, 50, 6)) == "610" and _chars_in(page, _cell(46, 56, 2)) == "00"
        assert _chars_in(page, _cell(46, 68, 10)) == "1234560013"
        # box 1: Medicare's X in the first column of line 10; 1a from column 50
        assert _chars_in(page, _cell(10, 1)) == "X" and _chars_in(page, _cell(10, 50, 11)) == "1EG4TE5MK73"
        # box 21: indicator 0, A and B without the decimal point
        assert _chars_in(page, _cell(39, 42)) == "0"
        assert _chars_in(page, _cell(40, 3, 8)) == "C44311" and _chars_in(page, _cell(40, 16, 8)) == "L570"
        # box 28: dollars right-justified up to column 56, cents in 58-59; box 33a on the last line, 63
        assert _chars_in(page, _cell(58, 51, 6)) == "750" and _chars_in(page, _cell(58, 58, 2)) == "00"
        assert _chars_in(page, _cell(63, 50, 10)) == "1234561003"
        assert _chars_in(page, _cell(4, 41, 20)) == "TEST MEDICARE"  # the carrier block, top right


def test_the_full_form_draws_every_nucc_box_with_its_caption_inside() -> None:
    names = {box.name for box in BOXES}
    nucc = {"1", "1a", *map(str, range(2, 34)), "9a", "9b", "9c", "9d", "10d", "11a", "11b", "11c", "11d", "17a",
            "17b", "32a", "32b", "33a", "33b", *(f"24{letter}" for letter in "ABCDEFGHIJ")}
    assert nucc - {"24"} <= names
    assert {"10a.yes", "10b.no", "10c.yes", "14.qualifier", "24.1.c", "24.1.h", "24.1.i.qualifier",
            "24.6.supplemental", "carrier.1", "32a", "11b"} <= set(FIELDS)
    with _pdf([(CLAIM, BILLING)], full_form=True) as pdf:
        captions = [c for c in pdf.pages[0].chars if "Helvetica" in c["fontname"]]
    for box in BOXES:
        if box.caption:
            assert box.caption in "".join(c["text"] for c in _inside(captions, box.bbox)), box.name
    box_27, box_28 = (next(b for b in BOXES if b.name == name).bbox for name in ("27", "28"))
    caption_27 = [c for c in _inside(captions, box_27) if c["text"] != " "]
    assert caption_27 and max(c["x1"] for c in caption_27) <= box_28[0]  # 27's caption stops before box 28
    assert not _inside(captions, box_28) or "".join(c["text"] for c in _inside(captions, box_28)).startswith("28.")


def _inside(chars: list[Any], bbox: tuple[float, float, float, float]) -> list[Any]:
    x0, top, x1, bottom = bbox
    return [c for c in chars if x0 <= c["x0"] and c["x1"] <= x1 and top <= c["top"] and c["bottom"] <= bottom]


def test_no_value_touches_a_caption_or_a_rule() -> None:
    with _pdf([(CLAIM, BILLING)], full_form=True) as pdf:
        page = pdf.pages[0]
        values = [c for c in page.chars if "Courier" in c["fontname"] and c["text"] != " "]
        captions = [c for c in page.chars if "Helvetica" in c["fontname"] and c["text"] != " "]
        for v in values:
            # a Courier glyph's ink is narrower than its cell: shrink the box to the glyph's body
            x0, x1, top, bottom = v["x0"] + 1, v["x1"] - 1, v["top"] + 1.5, v["bottom"] - 1.5
            for c in captions:
                assert not (c["x0"] < x1 and x0 < c["x1"] and c["top"] < bottom and top < c["bottom"]), (
                    v["text"], c["text"], round(v["x0"]), round(v["top"]))
            for line in page.lines:
                if line["x0"] == line["x1"]:  # a vertical rule
                    assert not (x0 < line["x0"] < x1 and line["top"] < bottom and top < line["bottom"]), v["text"]


def test_checkboxes_are_boxes_with_the_x_inside() -> None:
    with _pdf([(CLAIM, BILLING)], full_form=True) as pdf:
        page = pdf.pages[0]
        squares = [r for r in page.rects if 6 < r["width"] < 10 and 8 < r["height"] < 12]
        checks = [f for f in FIELDS.values() if f.check]
        assert len(squares) >= len(checks)
        xs = [c for c in page.chars if c["text"] == "X" and "Courier" in c["fontname"]]
        ticked = {name for name, text in form_values(CLAIM, BILLING).items() if FIELDS[name].check}
        assert ticked == {"1.medicare", "3.f", "6.self", "11a.f", "10a.no", "10b.no", "10c.no", "11d.no", "25.ein",
                          "27.yes"}
        for field in checks:
            x0, top, x1, bottom = field.bbox
            [square] = [r for r in squares if r["x0"] <= x0 and r["x1"] >= x1 and top <= r["top"] < bottom]
            inside = [c for c in xs if square["x0"] <= c["x0"] and c["x1"] <= square["x1"] + 0.5
                      and square["top"] - 2 <= c["top"] and c["bottom"] <= square["bottom"] + 2]
            assert len(inside) == (field.name in ticked), field.name


def test_the_shaded_supplemental_line_sits_above_each_service_line() -> None:
    with _pdf([(CLAIM, BILLING)], full_form=True) as pdf:
        page = pdf.pages[0]
        shaded = sorted(round(r["top"] / POINTS * 6) + 1 for r in page.rects if r["fill"] and r["width"] > 500)
        assert shaded == [45, 47, 49, 51, 53, 55]


def test_the_red_form_prints_values_only() -> None:
    with _pdf([(CLAIM, BILLING)], full_form=False) as pdf:
        page = pdf.pages[0]
        assert not page.rects and not page.lines
        assert {c["fontname"] for c in page.chars} == {"Courier"}
        assert all(c["text"] == c["text"].upper() for c in page.chars)
        assert not {"$", ".", "#"} & {c["text"] for c in page.chars}


def test_values_follow_the_nucc_instructions() -> None:
    values = form_values(CLAIM, BILLING, signed_on=SIGNED)
    assert values["2"] == values["4"] == "TESTALPHA, BRAVO, Q"  # LAST, FIRST, MI and no period
    assert values["5.street"] == "1 TEST ST APT 4"  # no punctuation in addresses
    assert (values["5.area"], values["5.phone"]) == ("215", "5550123")
    assert (values["3.mm"], values["3.dd"], values["3.yy"]) == ("01", "02", "1950")  # birth date MM DD YYYY
    assert (values["24.1.a.from.yy"], values["24.1.a.to.mm"]) == ("26", "03")  # service dates MM DD YY
    assert values["25"] == "990000001"  # no hyphen in the tax id
    assert values["33.3"] == "ANYTOWN PA 19099-0001" and values["33.2"] == "100 TEST ALPHA AVE"
    assert (values["33.area"], values["33.phone"]) == ("215", "5550100")
    assert values["31.date"] == "03 09 26" and values["12"] == values["31"] == "SIGNATURE ON FILE"
    assert values["11"] == "NONE"  # Medicare primary: nothing primary to Medicare
    assert values["carrier.2"] == "PO BOX 100" and values["carrier.3"] == "CLAIMTOWN PA 19098"
    assert "24.1.j.other_id" not in values and "33b" not in values  # Medicare takes the NPI only


def test_box_22_carries_the_resubmission_of_a_corrected_claim_only() -> None:
    corrected = form_values(CLAIM, BILLING)
    assert (corrected["22.code"], corrected["22.original"]) == ("7", "MCRICN1")
    original = form_values(dataclasses.replace(CLAIM, frequency_code="1", payer_claim_number=None), BILLING)
    assert "22.code" not in original and "22.original" not in original


def test_boxes_14_17_19_and_32a_are_filled_when_known() -> None:
    claim = dataclasses.replace(
        CLAIM, onset_date=datetime.date(2026, 2, 14), referring_provider=Person("Referral", "Alpha", middle_name="T"),
        referring_npi="1234567893", additional_claim_information="Lesion photos on file",
        facility_name="Test ASC", facility_address=Address("9 Test Way", "Anytown", "PA", "19099"),
        facility_npi="1234567891")
    values = form_values(claim, BILLING)
    assert [values[f"14.{part}"] for part in ("mm", "dd", "yy", "qualifier")] == ["02", "14", "26", "431"]
    assert (values["17.qualifier"], values["17"], values["17b"]) == ("DN", "ALPHA T REFERRAL", "1234567893")
    assert values["19"] == "LESION PHOTOS ON FILE"
    assert (values["32.1"], values["32.2"], values["32a"]) == ("TEST ASC", "9 TEST WAY", "1234567891")
    bare = form_values(CLAIM, BILLING)
    assert not {"14.mm", "14.qualifier", "17", "17b", "19", "32.1", "32a"} & set(bare)


@pytest.mark.parametrize(("filing", "box"), [("MB", "1.medicare"), ("MC", "1.medicaid"), ("CH", "1.tricare"),
                                             ("CI", "1.group"), ("BL", "1.group"), ("WC", "1.other")])
def test_box_1_marks_the_program_of_the_filing_indicator(filing: str, box: str) -> None:
    values = form_values(dataclasses.replace(CLAIM, filing_indicator=filing), BILLING)
    assert [name for name in values if name.startswith("1.")] == [box]


def test_a_secondary_claim_shows_the_other_insurance_and_what_it_paid() -> None:
    primary = OtherPayer(Payer("TEST COMMERCIAL", "TSTCOM"), "P", PATIENT, "W123", "18", "CI", Money(41050))
    claim = dataclasses.replace(CLAIM, order="S", other_payers=(primary,))
    values = form_values(claim, BILLING)
    assert (values["9"], values["9a"], values["9d"]) == ("TESTALPHA, BRAVO, Q", "W123", "TEST COMMERCIAL")
    assert values["11d.yes"] == "X" and "11d.no" not in values and "11" not in values
    assert (values["29.dollars"], values["29.cents"]) == ("410", "50")


def test_a_claim_with_more_than_six_lines_continues_on_pages_that_total_their_own_lines() -> None:
    lines = tuple(ServiceLine("11102" if i == 0 else "11103", (), Money(10000 + i), 1, (1,), DOS, f"L{i}")
                  for i in range(8))
    long_claim = dataclasses.replace(CLAIM, lines=lines, total_charge=Money(sum(line.charge.cents for line in lines)))
    first, second = form_pages(long_claim, BILLING)
    assert (first["28.dollars"], first["28.cents"]) == ("600", "15")
    assert (second["28.dollars"], second["28.cents"]) == ("200", "13")
    with _pdf([(long_claim, BILLING), (CLAIM, BILLING)], full_form=False) as pdf:
        assert len(pdf.pages) == 3
        assert _values(pdf.pages[1], "24.1.d.code") == "11103" and not _values(pdf.pages[1], "24.3.d.code")


def test_a_value_longer_than_its_field_is_cut_at_a_word() -> None:
    billing = dataclasses.replace(BILLING, name="TEST DERMATOLOGY ASSOCIATES (DEMO)")
    values = form_values(CLAIM, billing)
    assert values["33.1"] == "TEST DERMATOLOGY ASSOCIATES"
    assert all(len(text) <= FIELDS[name].width for name, text in values.items())


def test_an_amount_the_form_cannot_hold_is_refused() -> None:
    huge = dataclasses.replace(CLAIM, lines=(dataclasses.replace(CLAIM.lines[0], charge=Money(100_000_000)),))
    with pytest.raises(InvalidInput, match="24.1.f"):
        form_values(huge, BILLING)


def test_every_label_and_field_is_on_the_page() -> None:
    for field in FIELDS.values():
        x0, top, x1, bottom = field.bbox
        assert 0 < x0 < x1 <= 8.25 * POINTS and 0 < top < bottom <= 10.5 * POINTS, field.name
    assert all(1 <= label.line <= 64 for label in LABELS)
