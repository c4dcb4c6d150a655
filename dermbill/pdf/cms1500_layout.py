"""Where everything sits on the CMS-1500 (02/12): the print grid, each field's cell, and the form's own boxes.

The 1500 Claim Form is designed for a printer at 10 characters per inch and 6 lines per inch on a US Letter
page (the NUCC's print specifications: pica, Courier 12 point, no proportional type). Lines are counted from
the top edge of the page, line ``n`` spanning ``(n - 1) / 6`` to ``n / 6`` inch; columns from the first print
position, 0.3 inch from the left edge, column ``c`` spanning ``0.3 + (c - 1) / 10`` to ``0.3 + c / 10`` inch.
On that grid every row of boxes is two lines high (a caption line above a data line): box 1's data sit on
line 10 (1.5 to 1.67 inch), the first service line of box 24 on line 46 (7.5 to 7.67 inch), the shaded
supplemental line of each service line on the line above it, and box 33's NPI on line 63.

The positions follow the NUCC 1500 Claim Form Reference Instruction Manual (02/12) box by box, cross-checked
with OpenEMR's printer layout for the 02/12 form (its line numbers are ours less two: it counts from its own
top margin) and measured against the form itself. ``FIELDS`` is the one table of positions: the red-form
values, the full form's values and the tests all read it. ``BOXES`` draws the full form on the same grid;
box edges fall on half columns so that no value touches a rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PAGE_WIDTH = 612.0  # points: 8.5 x 11 in
PAGE_HEIGHT = 792.0
POINTS_PER_INCH = 72.0
CHARACTERS_PER_INCH = 10
LINES_PER_INCH = 6
LEFT_MARGIN_INCHES = 0.3  # the first print position (column 1)
SERVICE_LINES = 6  # box 24 lines on one form
FIRST_SERVICE_LINE = 46  # print line of box 24 line 1 (its shaded supplemental line is 45)

Align = Literal["left", "right"]


def x_of(edge: float) -> float:
    """Points from the left page edge of column edge ``edge`` (column ``c`` spans edges ``c`` to ``c + 1``)."""
    return (LEFT_MARGIN_INCHES + (edge - 1) / CHARACTERS_PER_INCH) * POINTS_PER_INCH


def top_of(line: float) -> float:
    """Points from the top page edge of the top of print line ``line`` (lines count from 1 at the top)."""
    return (line - 1) / LINES_PER_INCH * POINTS_PER_INCH


@dataclass(frozen=True, slots=True)
class Field:
    """One value's cell: ``width`` characters from ``column`` on print line ``line``."""

    name: str
    line: int
    column: int
    width: int
    align: Align = "left"
    check: bool = False  # a checkbox: the value is an X in one character cell

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) in points from the top left, as pdfplumber measures."""
        return x_of(self.column), top_of(self.line), x_of(self.column + self.width), top_of(self.line + 1)


def _check(name: str, line: int, column: int) -> Field:
    return Field(name, line, column, 1, check=True)


def _date(prefix: str, line: int, column: int, year_width: int = 2) -> list[Field]:
    """MM DD YY(YY) in three cells three columns apart, as the form's date boxes are divided."""
    return [Field(f"{prefix}.mm", line, column, 2), Field(f"{prefix}.dd", line, column + 3, 2),
            Field(f"{prefix}.yy", line, column + 6, year_width)]


def _money(prefix: str, line: int, cents_column: int, dollar_width: int) -> list[Field]:
    """Dollars right-justified up to the printed divider (one column), the cents just after it."""
    return [Field(f"{prefix}.dollars", line, cents_column - 1 - dollar_width, dollar_width, "right"),
            Field(f"{prefix}.cents", line, cents_column, 2)]


def _service_line(n: int) -> list[Field]:
    line = FIRST_SERVICE_LINE + 2 * (n - 1)
    p = f"24.{n}"
    return [
        Field(f"{p}.supplemental", line - 1, 1, 61),  # shaded: NDC and other supplemental information
        Field(f"{p}.i.qualifier", line - 1, 65, 2),  # shaded 24I: qualifier of the non-NPI id in shaded 24J
        Field(f"{p}.j.other_id", line - 1, 68, 11),
        *_date(f"{p}.a.from", line, 1), *_date(f"{p}.a.to", line, 10),
        Field(f"{p}.b", line, 19, 2), Field(f"{p}.c", line, 22, 2),
        Field(f"{p}.d.code", line, 25, 6),
        *(Field(f"{p}.d.modifier{k}", line, 33 + 3 * (k - 1), 2) for k in range(1, 5)),
        Field(f"{p}.e", line, 45, 4),
        *_money(f"{p}.f", line, 56, 5),
        Field(f"{p}.g", line, 59, 3), Field(f"{p}.h", line, 63, 1),
        Field(f"{p}.j.npi", line, 68, 10),
    ]


FIELDS: dict[str, Field] = {field.name: field for field in [
    # carrier block (top right, no box): the payer's name and address
    *(Field(f"carrier.{k}", 3 + k, 41, 38) for k in range(1, 5)),
    # 1, 1a
    _check("1.medicare", 10, 1), _check("1.medicaid", 10, 8), _check("1.tricare", 10, 15),
    _check("1.champva", 10, 24), _check("1.group", 10, 31), _check("1.feca", 10, 39), _check("1.other", 10, 45),
    Field("1a", 10, 50, 29),
    # 2, 3, 4
    Field("2", 12, 1, 28), *_date("3", 12, 31, year_width=4), _check("3.m", 12, 42), _check("3.f", 12, 47),
    Field("4", 12, 50, 29),
    # 5, 6, 7
    Field("5.street", 14, 1, 28),
    _check("6.self", 14, 33), _check("6.spouse", 14, 38), _check("6.child", 14, 42), _check("6.other", 14, 47),
    Field("7.street", 14, 50, 29),
    Field("5.city", 16, 1, 24), Field("5.state", 16, 26, 3), Field("7.city", 16, 50, 23), Field("7.state", 16, 74, 3),
    Field("5.zip", 18, 1, 12), Field("5.area", 18, 15, 3), Field("5.phone", 18, 19, 10),
    Field("7.zip", 18, 50, 12), Field("7.area", 18, 65, 3), Field("7.phone", 18, 69, 10),
    # 9, 10, 11
    Field("9", 20, 1, 28), Field("11", 20, 50, 29),
    Field("9a", 22, 1, 28), _check("10a.yes", 22, 35), _check("10a.no", 22, 41),
    *_date("11a", 22, 53, year_width=4), _check("11a.m", 22, 68), _check("11a.f", 22, 75),
    Field("9b", 24, 1, 28), _check("10b.yes", 24, 35), _check("10b.no", 24, 41), Field("10b.state", 24, 45, 2),
    Field("11b.qualifier", 24, 50, 2), Field("11b", 24, 54, 25),
    Field("9c", 26, 1, 28), _check("10c.yes", 26, 35), _check("10c.no", 26, 41), Field("11c", 26, 50, 29),
    Field("9d", 28, 1, 28), Field("10d", 28, 31, 19), _check("11d.yes", 28, 52), _check("11d.no", 28, 57),
    # 12, 13 (the signature line)
    Field("12", 32, 8, 24), Field("12.date", 32, 38, 10), Field("13", 32, 57, 22),
    # 14, 15, 16
    *_date("14", 34, 2), Field("14.qualifier", 34, 16, 3),
    Field("15.qualifier", 34, 31, 3), *_date("15", 34, 37),
    *_date("16.from", 34, 54), *_date("16.to", 34, 68),
    # 17, 17a, 17b, 18
    Field("17a.qualifier", 35, 30, 2), Field("17a", 35, 33, 15),
    Field("17.qualifier", 36, 1, 2), Field("17", 36, 4, 24), Field("17b", 36, 33, 15),
    *_date("18.from", 36, 54), *_date("18.to", 36, 68),
    # 19, 20
    Field("19", 38, 1, 48), _check("20.yes", 38, 52), _check("20.no", 38, 57), *_money("20", 38, 70, 6),
    # 21 (indicator, then A-L four to a line), 22, 23
    Field("21.indicator", 39, 42, 1),
    *(Field(f"21.{'ABCDEFGHIJKL'[i]}", 40 + i // 4, 3 + 13 * (i % 4), 8) for i in range(12)),
    Field("22.code", 40, 50, 11), Field("22.original", 40, 62, 17),
    Field("23", 42, 50, 29),
    # 24: six service lines
    *(field for n in range(1, SERVICE_LINES + 1) for field in _service_line(n)),
    # 25-30
    Field("25", 58, 1, 15), _check("25.ssn", 58, 17), _check("25.ein", 58, 19),
    Field("26", 58, 23, 14), _check("27.yes", 58, 38), _check("27.no", 58, 43),
    *_money("28", 58, 58, 6), *_money("29", 58, 68, 6), Field("30", 58, 71, 9),
    # 31, 32, 33
    Field("33.area", 59, 66, 3), Field("33.phone", 59, 70, 9),
    Field("32.1", 60, 23, 26), Field("32.2", 61, 23, 26), Field("32.3", 62, 23, 26),
    Field("33.1", 60, 50, 29), Field("33.2", 61, 50, 29), Field("33.3", 62, 50, 29),
    Field("31", 62, 1, 21), Field("31.date", 63, 13, 9),
    Field("32a", 63, 23, 10), Field("32b", 63, 36, 13),
    Field("33a", 63, 50, 10), Field("33b", 63, 63, 16),
]}


@dataclass(frozen=True, slots=True)
class Box:
    """A ruled box of the full form: lines ``first``..``last``, between column edges ``left`` and ``right``."""

    name: str
    caption: str
    first: int
    last: int
    left: float
    right: float

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return x_of(self.left), top_of(self.first), x_of(self.right), top_of(self.last + 1)


L, M, R, E = 0.5, 29.5, 49.5, 80.0  # the form's outer edges and its three columns (patient / middle / insured)
A_TO_J = ((0.5, 18.5), (18.5, 21.5), (21.5, 24.5), (24.5, 44.5), (44.5, 49.5), (49.5, 58.5), (58.5, 62.5),
          (62.5, 64.5), (64.5, 67.5), (67.5, E))

BOXES: tuple[Box, ...] = (
    Box("1", "1.", 9, 10, L, R),
    Box("1a", "1a. INSURED'S I.D. NUMBER", 9, 10, R, E),
    Box("2", "2. PATIENT'S NAME (Last Name, First Name, Middle Initial)", 11, 12, L, M),
    Box("3", "3. PATIENT'S BIRTH DATE", 11, 12, M, R),
    Box("4", "4. INSURED'S NAME (Last Name, First Name, Middle Initial)", 11, 12, R, E),
    Box("5", "5. PATIENT'S ADDRESS (No., Street)", 13, 14, L, M),
    Box("6", "6. PATIENT RELATIONSHIP TO INSURED", 13, 14, M, R),
    Box("7", "7. INSURED'S ADDRESS (No., Street)", 13, 14, R, E),
    Box("5.city", "CITY", 15, 16, L, 25.5), Box("5.state", "STATE", 15, 16, 25.5, M),
    Box("8", "8. RESERVED FOR NUCC USE", 15, 18, M, R),
    Box("7.city", "CITY", 15, 16, R, 73.5), Box("7.state", "STATE", 15, 16, 73.5, E),
    Box("5.zip", "ZIP CODE", 17, 18, L, 13.5), Box("5.phone", "TELEPHONE (Include Area Code)", 17, 18, 13.5, M),
    Box("7.zip", "ZIP CODE", 17, 18, R, 62.5), Box("7.phone", "TELEPHONE (Include Area Code)", 17, 18, 62.5, E),
    Box("9", "9. OTHER INSURED'S NAME (Last Name, First Name, Middle Initial)", 19, 20, L, M),
    Box("10", "10. IS PATIENT'S CONDITION RELATED TO:", 19, 26, M, R),
    Box("11", "11. INSURED'S POLICY GROUP OR FECA NUMBER", 19, 20, R, E),
    Box("9a", "a. OTHER INSURED'S POLICY OR GROUP NUMBER", 21, 22, L, M),
    Box("11a", "a. INSURED'S DATE OF BIRTH", 21, 22, R, E),
    Box("9b", "b. RESERVED FOR NUCC USE", 23, 24, L, M),
    Box("11b", "b. OTHER CLAIM ID (Designated by NUCC)", 23, 24, R, E),
    Box("9c", "c. RESERVED FOR NUCC USE", 25, 26, L, M),
    Box("11c", "c. INSURANCE PLAN NAME OR PROGRAM NAME", 25, 26, R, E),
    Box("9d", "d. INSURANCE PLAN NAME OR PROGRAM NAME", 27, 28, L, M),
    Box("10d", "10d. CLAIM CODES (Designated by NUCC)", 27, 28, M, R),
    Box("11d", "d. IS THERE ANOTHER HEALTH BENEFIT PLAN?", 27, 28, R, E),
    Box("12", "", 29, 32, L, R),
    Box("13", "13. INSURED'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize", 29, 32, R, E),
    Box("14", "14. DATE OF CURRENT ILLNESS, INJURY, or PREGNANCY (LMP)", 33, 34, L, 27.5),
    Box("15", "15. OTHER DATE", 33, 34, 27.5, R),
    Box("16", "16. DATES PATIENT UNABLE TO WORK IN CURRENT OCCUPATION", 33, 34, R, E),
    Box("17", "17. NAME OF REFERRING PROVIDER OR OTHER SOURCE", 35, 36, L, 27.5),
    Box("17a", "", 35, 35, 27.5, R), Box("17b", "", 36, 36, 27.5, R),
    Box("18", "18. HOSPITALIZATION DATES RELATED TO CURRENT SERVICES", 35, 36, R, E),
    Box("19", "19. ADDITIONAL CLAIM INFORMATION (Designated by NUCC)", 37, 38, L, R),
    Box("20", "20. OUTSIDE LAB?", 37, 38, R, E),
    Box("21", "21. DIAGNOSIS OR NATURE OF ILLNESS OR INJURY  Relate A-L to service line below (24E)", 39, 42, L, R),
    Box("22", "22. RESUBMISSION", 39, 40, R, E),
    Box("23", "23. PRIOR AUTHORIZATION NUMBER", 41, 42, R, E),
    *(Box(f"24{letter}", "", 43, 44, left, right) for letter, (left, right) in zip("ABCDEFGHIJ", A_TO_J, strict=True)),
    *(Box(f"24.{n}.{letter}", "", FIRST_SERVICE_LINE + 2 * n - 3, FIRST_SERVICE_LINE + 2 * n - 2, left, right)
      for n in range(1, SERVICE_LINES + 1) for letter, (left, right) in zip("ABCDEFGHIJ", A_TO_J, strict=True)),
    Box("25", "25. FEDERAL TAX I.D. NUMBER", 57, 58, L, 22.5),
    Box("26", "26. PATIENT'S ACCOUNT NO.", 57, 58, 22.5, 37.5),
    Box("27", "27. ACCEPT ASSIGNMENT?", 57, 58, 37.5, R),
    Box("28", "28. TOTAL CHARGE", 57, 58, R, 60.5),
    Box("29", "29. AMOUNT PAID", 57, 58, 60.5, 70.5),
    Box("30", "30. Rsvd for NUCC Use", 57, 58, 70.5, E),
    Box("31", "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 59, 63, L, 22.5),
    Box("32", "32. SERVICE FACILITY LOCATION INFORMATION", 59, 62, 22.5, R),
    Box("32a", "", 63, 63, 22.5, 33.5), Box("32b", "", 63, 63, 33.5, R),
    Box("33", "33. BILLING PROVIDER INFO & PH #", 59, 62, R, E),
    Box("33a", "", 63, 63, R, 60.5), Box("33b", "", 63, 63, 60.5, E),
)
BOX = {box.name: box for box in BOXES}

Place = Literal["top", "middle", "bottom"]


@dataclass(frozen=True, slots=True)
class Label:
    """Small printed text of the form other than a box's caption: option names, units, sub-captions."""

    text: str
    line: int
    edge: float  # the column edge the text starts at
    place: Place = "middle"  # where in the line's height: "top" sits under the rule above
    size: float = 5.0


def _options(line: int, *options: tuple[str, int]) -> list[Label]:
    """The name of each checkbox, just right of its box."""
    return [Label(text, line, column + 1.4) for text, column in options]


def _mm_dd_yy(line: int, column: int, year: str = "YY") -> list[Label]:
    return [Label("MM", line, column + 0.3, "bottom", 4.0), Label("DD", line, column + 3.3, "bottom", 4.0),
            Label(year, line, column + 6.3 + (0.5 if year == "YYYY" else 0), "bottom", 4.0)]


LABELS: tuple[Label, ...] = (
    Label("PICA", 8, 4.2, size=5.0), Label("PICA", 8, 72.5, size=5.0),
    Label("MEDICARE", 9, 2, "top"), Label("MEDICAID", 9, 9, "top"), Label("TRICARE", 9, 16, "top"),
    Label("CHAMPVA", 9, 25, "top"), Label("GROUP HEALTH PLAN", 9, 32, "top"), Label("FECA BLK LUNG", 9, 40, "top"),
    Label("OTHER", 9, 46, "top"),
    *_options(10, ("(Medicare#)", 1), ("(Medicaid#)", 8), ("(ID#/DoD#)", 15), ("(Member ID#)", 24), ("(ID#)", 31),
              ("(ID#)", 39), ("(ID#)", 45)),
    Label("(For Program in Item 1)", 9, 66, "top"),
    *_mm_dd_yy(11, 31, "YYYY"), Label("SEX", 11, 44, "top"), Label("M", 12, 41.1), Label("F", 12, 45.6),
    Label("Self", 14, 30.6), Label("Spouse", 14, 34.6), Label("Child", 14, 39.4), Label("Other", 14, 44.2),
    Label("a. EMPLOYMENT? (Current or Previous)", 21, 30, "top"),
    Label("b. AUTO ACCIDENT?", 23, 30, "top"), Label("PLACE (State)", 23, 43.5, "top"),
    Label("c. OTHER ACCIDENT?", 25, 30, "top"),
    *(label for line in (22, 24, 26) for label in _options(line, ("YES", 35), ("NO", 41))),
    *_mm_dd_yy(21, 53, "YYYY"), Label("SEX", 21, 70, "top"), Label("M", 22, 66.6), Label("F", 22, 73.6),
    *_options(28, ("YES", 52), ("NO", 57)), Label("If yes, complete items 9, 9a, and 9d.", 28, 61),
    Label("READ BACK OF FORM BEFORE COMPLETING & SIGNING THIS FORM.", 29, 16, "top", 5.5),
    Label("12. PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE  I authorize the release of any medical or other "
          "information necessary", 30, 1, "top"),
    Label("to process this claim. I also request payment of government benefits either to myself or to the party "
          "who accepts assignment", 30, 2, "bottom"),
    Label("below.", 31, 2, "top"),
    Label("SIGNED", 32, 2, "bottom"), Label("DATE", 32, 33.5, "bottom"),
    Label("payment of medical benefits to the undersigned physician or supplier for", 30, 51, "top"),
    Label("services described below.", 30, 51, "bottom"), Label("SIGNED", 32, 51, "bottom"),
    *_mm_dd_yy(33, 2), Label("QUAL.", 34, 11.5),
    Label("QUAL.", 34, 28), *_mm_dd_yy(33, 37),
    *_mm_dd_yy(33, 54), *_mm_dd_yy(33, 68), Label("FROM", 34, 50.5), Label("TO", 34, 65.5),
    Label("17a.", 35, 28), Label("17b.", 36, 28), Label("NPI", 36, 30),
    *_mm_dd_yy(35, 54), *_mm_dd_yy(35, 68), Label("FROM", 36, 50.5), Label("TO", 36, 65.5),
    *_options(38, ("YES", 52), ("NO", 57)), Label("$ CHARGES", 37, 66, "top"),
    Label("ICD Ind.", 39, 37.5),
    *(Label(f"{'ABCDEFGHIJKL'[i]}.", 40 + i // 4, 1.4 + 13 * (i % 4)) for i in range(12)),
    Label("CODE", 39, 50.5, "bottom"), Label("ORIGINAL REF. NO.", 39, 64, "top"),
    Label("24. A.        DATE(S) OF SERVICE", 43, 1, "top"), Label("From", 43, 3, "bottom"),
    Label("To", 43, 12, "bottom"),
    *(Label(text, 44, edge, "bottom") for text, edge in (("MM", 1.3), ("DD", 4.3), ("YY", 7.3), ("MM", 10.3),
                                                         ("DD", 13.3), ("YY", 16.3))),
    Label("B.", 43, 19.5, "top"), Label("PLACE OF", 44, 18.8, "top", 4.0), Label("SERVICE", 44, 18.8, "bottom", 4.0),
    Label("C.", 43, 22.5, "top"), Label("EMG", 44, 22.2, "bottom"),
    Label("D. PROCEDURES, SERVICES, OR SUPPLIES", 43, 25, "top"), Label("(Explain Unusual Circumstances)", 43, 27,
                                                                          "bottom"),
    Label("CPT/HCPCS", 44, 25.5, "bottom"), Label("MODIFIER", 44, 35.5, "bottom"),
    Label("E.", 43, 46.5, "top"), Label("DIAGNOSIS", 44, 45, "top"), Label("POINTER", 44, 45.3, "bottom"),
    Label("F.", 43, 53.5, "top"), Label("$ CHARGES", 44, 51.5, "bottom"),
    Label("G.", 43, 60, "top"), Label("DAYS OR", 44, 58.8, "top", 4.0), Label("UNITS", 44, 59.2, "bottom", 4.0),
    Label("H.", 43, 63.2, "top"), Label("EPSDT", 44, 62.7, "top", 3.5), Label("Family", 44, 62.7, "middle", 3.5),
    Label("Plan", 44, 62.9, "bottom", 3.5),
    Label("I.", 43, 65.7, "top"), Label("ID.", 44, 65.4, "top"), Label("QUAL.", 44, 65, "bottom"),
    Label("J.", 43, 73, "top"), Label("RENDERING", 44, 70.5, "top"), Label("PROVIDER ID. #", 44, 69.5, "bottom"),
    *(Label("NPI", FIRST_SERVICE_LINE + 2 * n, 65.2) for n in range(SERVICE_LINES)),
    Label("SSN", 57, 16.6, "top"), Label("EIN", 57, 18.7, "top"),
    *_options(58, ("YES", 38), ("NO", 43)), Label("(For govt. claims, see back)", 57, 38.5, "bottom", 4.0),
    Label("$", 58, 50), Label("$", 58, 61),
    Label("INCLUDING DEGREES OR CREDENTIALS", 60, 2, "top"),
    Label("(I certify that the statements on the reverse", 60, 2, "bottom", 4.5),
    Label("apply to this bill and are made a part thereof.)", 61, 2, "top", 4.5),
    Label("SIGNED", 63, 1, "bottom", 4.5), Label("DATE", 63, 9, "bottom", 4.5),
    *(Label(text, line, edge, size=8.0) for line, edges in ((18, (14.2, 18.1)), (18, (64.2, 68.1)), (59, (65.2, 69.1)))
      for text, edge in zip("()", edges, strict=True)),
    Label("a.", 63, 22.55, "top", 3.5), Label("b.", 63, 33.8, "top"),
    Label("a.", 63, 49.55, "top", 3.5), Label("b.", 63, 60.8, "top"),
)
