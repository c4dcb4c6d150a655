"""CSV files a billing company brings a practice's data in with: the columns of each kind of file, and the checks
that need no database (the header, the cells' dates, rows repeated within the file).

Lines are counted as a spreadsheet shows them: the header is line 1, the first record line 2 (a quoted cell that
holds a line break is still one record). Every problem names its line and column, says what is wrong and what to
do, so a person can fix the file in the spreadsheet it came from and import it again. The values' own rules (names,
NPIs, member IDs, amounts ...) are those of ``core.patient_edits`` and ``core.practice_setup``; this module only
reads the file.

Example: a patients file whose line 3 has ``date_of_birth`` ``13/01/1960`` gets
``line 3, date_of_birth: '13/01/1960' is not a date`` and "write the date as YYYY-MM-DD or MM/DD/YYYY".
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dermbill.core.access import Permission, Role, allowed

MAX_CELL = 1000  # characters: no field of any kind is near it; a longer cell is a broken file
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a kind of file: whether every row needs it, its format in words, an example."""

    name: str
    required: bool
    format: str
    example: str
    is_date: bool = False


@dataclass(frozen=True, slots=True)
class FileKind:
    """A kind of file: its columns, the columns that name a record (re-importing updates it), and whether its
    records belong to one practice (a ``practice`` column, or the practice chosen for the whole file)."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    practice_owned: bool

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong at one line and column (line 1: the header), and what to do about it."""

    line: int
    column: str
    reason: str
    fix: str


def _c(name: str, required: bool, format: str, example: str, *, is_date: bool = False) -> Column:
    return Column(name, required, format, example, is_date)


_DATE = "a date, YYYY-MM-DD or MM/DD/YYYY"
_PRACTICE = _c("practice", False, "the practice's code; may be left out when the practice is chosen for the whole "
                                  "file (--practice CODE, or on the import page)", "NORTH")
_ADDRESS = (
    _c("address_line1", True, "street address, up to 55 letters, digits, spaces and # ' . , / -", "100 MAIN ST"),
    _c("address_line2", False, "suite or unit, same characters", "SUITE 200"),
    _c("city", True, "city, up to 30 letters", "PHILADELPHIA"),
    _c("state", True, "two-letter US state or territory code", "PA"),
    _c("zip_code", True, "five or nine digits (12345 or 12345-6789)", "19103"),
)
_NPI = "ten digits with a valid check digit, starting with 1 or 2"
_TAXONOMY = "ten-character provider taxonomy code ending in X"
_PROCEDURE = ("procedure_code", True, "CPT or HCPCS code, five characters", "11102")
_MODIFIER = ("modifier", False, "a pricing modifier (two characters, e.g. 26 or TC); empty for the code alone", "")

KINDS: dict[str, FileKind] = {kind.name: kind for kind in (
    FileKind("practices", "the practices of the billing company (billing provider on their claims)", (
        _c("code", True, "short code of the practice, up to 20 letters, digits or hyphens", "NORTH"),
        _c("legal_name", True, "legal name as the payers know it, up to 200 characters", "NORTH DERMATOLOGY PC"),
        _c("tin", True, "tax identification number, nine digits (EIN 12-3456789)", "12-3456789"),
        _c("billing_npi", True, f"the practice's (group) NPI: {_NPI}", "1234567893"),
        _c("taxonomy", True, _TAXONOMY, "207N00000X"),
        *_ADDRESS,
        _c("phone", False, "ten-digit US phone number", "215-555-0100"),
        _c("pay_to_address_line1", False, "where payers send payments, if not the address above", "PO BOX 100"),
        _c("pay_to_address_line2", False, "second line of the pay-to address", ""),
        _c("pay_to_city", False, "pay-to city (needed with a pay-to address)", "PHILADELPHIA"),
        _c("pay_to_state", False, "pay-to state (needed with a pay-to address)", "PA"),
        _c("pay_to_zip_code", False, "pay-to ZIP code (needed with a pay-to address)", "19101"),
    ), ("code",), False),
    FileKind("payers", "the payers the billing company bills, by electronic payer ID", (
        _c("payer_id", True, "electronic payer ID (2 to 80 letters, digits or hyphens), as the clearinghouse "
                             "lists it", "12502"),
        _c("name", True, "payer name, up to 60 characters", "NOVITAS MEDICARE PART B"),
        _c("kind", True, "medicare, medicaid, commercial or self_pay", "medicare"),
        _c("claim_filing_indicator_code", True, "837P SBR09 code: MB Medicare Part B, MC Medicaid, CI commercial, "
                                                "BL Blue Cross, HM HMO, 09 self-pay ...", "MB"),
        _c("timely_filing_days", True, "days after the date of service a claim may be filed (1 to 3650)", "365"),
        _c("appeal_address_line1", False, "where appeals are mailed", "PO BOX 3000"),
        _c("appeal_address_line2", False, "second line of the appeal address", ""),
        _c("appeal_city", False, "appeal city (needed with an appeal address)", "MECHANICSBURG"),
        _c("appeal_state", False, "appeal state (needed with an appeal address)", "PA"),
        _c("appeal_zip_code", False, "appeal ZIP code (needed with an appeal address)", "17055"),
        _c("status_inquiry_days", False, "days without an answer before a claim status inquiry (276) asks about a "
                                         "claim (1 to 365; empty means 30)", "30"),
    ), ("payer_id",), False),
    FileKind("providers", "the practice's rendering providers", (
        _PRACTICE,
        _c("npi", True, f"the provider's individual NPI: {_NPI}", "1234567893"),
        _c("last_name", True, "last name, up to 60 letters", "TESTDOC"),
        _c("first_name", True, "first name, up to 35 letters", "ANN"),
        _c("credential", False, "credential, e.g. MD, DO, PA-C", "MD"),
        _c("taxonomy", True, _TAXONOMY, "207N00000X"),
        _c("active", False, "yes or no; empty means yes", "yes"),
    ), ("practice", "npi"), True),
    FileKind("locations", "where the practice sees patients (service locations)", (
        _PRACTICE,
        _c("name", True, "the location's name, unique in the practice, up to 100 characters", "MAIN OFFICE"),
        _c("place_of_service", True, "two-digit CMS place-of-service code (11 office)", "11"),
        _c("npi", False, f"the location's own NPI, if it has one: {_NPI}", ""),
        *_ADDRESS,
    ), ("practice", "name"), True),
    FileKind("fee-schedules", "the practice's charge for each code, with the dates the prices are in effect", (
        _PRACTICE,
        _c("schedule", True, "the fee schedule's name, up to 100 characters", "STANDARD FEES"),
        _c("effective_from", True, f"first date of service the price applies to: {_DATE}", "2026-01-01", is_date=True),
        _c("effective_to", False, f"last date of service, empty if still in effect: {_DATE}", "", is_date=True),
        _c(*_PROCEDURE),
        _c(*_MODIFIER),
        _c("amount", True, "the charge in dollars and cents (at most two decimals)", "150.00"),
    ), ("practice", "schedule", "effective_from", "procedure_code", "modifier"), True),
    FileKind("contracted-rates", "what each payer allows for each code under its contract with the practice", (
        _PRACTICE,
        _c("payer", True, "the payer's ID (imported with the payers file)", "12502"),
        _c("effective_from", True, f"first date of service the rate applies to: {_DATE}", "2026-01-01", is_date=True),
        _c("effective_to", False, f"last date of service, empty if still in effect: {_DATE}", "", is_date=True),
        _c(*_PROCEDURE),
        _c(*_MODIFIER),
        _c("allowed_amount", True, "the contracted allowed amount in dollars and cents (at most two decimals)",
           "98.40"),
    ), ("practice", "payer", "effective_from", "procedure_code", "modifier"), True),
    FileKind("patients", "the practice's patients and their demographics", (
        _PRACTICE,
        _c("account_number", True, "the practice's account number of the patient, up to 20 letters, digits and "
                                   "- . / _", "A-10001"),
        _c("last_name", True, "last name, up to 60 letters, spaces, hyphens, apostrophes", "TEST"),
        _c("first_name", True, "first name, up to 35 letters", "ALPHA"),
        _c("middle_name", False, "middle name or initial, up to 25 letters", "Q"),
        _c("date_of_birth", True, f"{_DATE}; not in the future", "1950-01-31", is_date=True),
        _c("sex", True, "F, M or U (unknown)", "F"),
        *_ADDRESS,
        _c("phone", False, "ten-digit US phone number", "215-555-0100"),
        _c("email", False, "e-mail address", "alpha.test@example.test"),
    ), ("practice", "account_number"), True),
    FileKind("coverages", "the patients' insurance (patients must be imported first)", (
        _PRACTICE,
        _c("account_number", True, "the patient's account number (as in the patients file)", "A-10001"),
        _c("payer", True, "the payer's ID (imported with the payers file)", "12502"),
        _c("member_id", True, "member ID as on the insurance card (Medicare: the 11-character MBI)",
           "1EG4-TE5-MK72"),
        _c("group_number", False, "group number from the card", "GRP100"),
        _c("coverage_order", True, "primary, secondary or tertiary", "primary"),
        _c("relationship_code", False, "the patient's relationship to the subscriber: 18 self (the default if "
                                       "empty), 01 spouse, 19 child, 20 employee, G8 other", "18"),
        _c("subscriber_last_name", False, "the subscriber's last name when not the patient", ""),
        _c("subscriber_first_name", False, "the subscriber's first name when not the patient", ""),
        _c("subscriber_date_of_birth", False, f"the subscriber's date of birth: {_DATE}", "", is_date=True),
        _c("subscriber_sex", False, "the subscriber's sex: F, M or U", ""),
        _c("effective_date", True, f"first day of coverage: {_DATE}", "2026-01-01", is_date=True),
        _c("termination_date", False, f"last day of coverage, empty if none: {_DATE}", "", is_date=True),
    ), ("practice", "account_number", "payer", "member_id"), True),
    FileKind("appointments", "the practice's schedule: who is seen, by whom, where, when, and for what (patients, "
                             "providers and locations must be imported first)", (
        _PRACTICE,
        _c("account_number", True, "the patient's account number (as in the patients file)", "A-10001"),
        _c("start", True, "the date and time of the visit, the practice's local time: YYYY-MM-DD HH:MM (24-hour) "
                          "or MM/DD/YYYY HH:MM AM", "2026-03-02 09:30"),
        _c("minutes", False, "the visit's length in minutes, 5 to 600 (15 if empty)", "20"),
        _c("provider_npi", False, f"the rendering provider's individual NPI (imported with the providers file): "
                                  f"{_NPI}", "1234567893"),
        _c("location", False, "the service location's name (as in the locations file)", "MAIN OFFICE"),
        _c("visit_type", False, "the kind of visit, up to 40 characters (new patient, follow-up, procedure, Mohs "
                                "...)", "procedure"),
        _c("planned_codes", False, "the procedure codes planned (CPT or HCPCS), separated by spaces or semicolons",
           "11102 17000"),
        _c("reason", False, "the reason for the visit, up to 200 characters", "lesion on the back"),
        _c("appointment_id", False, "the scheduling system's appointment ID, up to 80 characters (re-importing the "
                                    "same ID updates that appointment)", "S-20260302-0930"),
        _c("status", False, "booked (the default), cancelled, no_show, arrived or completed", "booked"),
    ), ("practice", "account_number", "start"), True),
)}


# Who may import each kind: the permission that changes those records by hand, and IMPORT_DATA for the fees.
PERMISSION_OF: dict[str, Permission] = {
    "practices": Permission.MANAGE_PRACTICES, "providers": Permission.MANAGE_PRACTICES,
    "locations": Permission.MANAGE_PRACTICES, "payers": Permission.MANAGE_PAYERS,
    "fee-schedules": Permission.IMPORT_DATA, "contracted-rates": Permission.IMPORT_DATA,
    "patients": Permission.EDIT_PATIENTS, "coverages": Permission.EDIT_PATIENTS,
    "appointments": Permission.EDIT_PATIENTS,
}


def kinds_allowed(roles: Iterable[Role]) -> list[str]:
    """The kinds of file these roles may import (none without IMPORT_DATA)."""
    held = list(roles)
    if not allowed(held, Permission.IMPORT_DATA):
        return []
    return [name for name in KINDS if allowed(held, PERMISSION_OF[name])]


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file read: its header (as written) and its records with their spreadsheet line numbers."""

    header: tuple[str, ...]
    records: tuple[tuple[int, tuple[str, ...]], ...]


def read_table(text: str) -> Table:
    """The header and records of CSV text (comma-separated, quoted as spreadsheets write it; a byte-order mark is
    ignored). Empty records are left out; their lines still count."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows = iter(reader)
    header: tuple[str, ...] = ()
    records: list[tuple[int, tuple[str, ...]]] = []
    line = 0
    try:
        for row in rows:
            line += 1
            if not header:
                if any(cell.strip() for cell in row):
                    header = tuple(row)
                continue
            if any(cell.strip() for cell in row):
                records.append((line, tuple(row)))
    except csv.Error as broken:
        raise ValueError(f"line {line + 1}: the file is not readable CSV ({broken})") from None
    return Table(header, tuple(records))


def column_name(text: str) -> str:
    """A header cell as a column name: trimmed, lower case, spaces and hyphens as underscores."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def header_problems(kind: FileKind, header: Iterable[str], *, practice_chosen: bool) -> list[RowProblem]:
    """Columns the kind does not have, named twice, or missing (each reported once, at line 1)."""
    problems = []
    seen: set[str] = set()
    known = kind.column_names
    for cell in header:
        name = column_name(cell)
        if not name:
            problems.append(RowProblem(1, "(empty)", "a column has no name",
                                       "name the column or delete it (and its cells)"))
        elif name in seen:
            problems.append(RowProblem(1, name, "the column appears twice", "delete one of the two columns"))
        elif name not in known:
            problems.append(RowProblem(1, cell.strip(), f"is not a column of a {kind.name} file",
                                       f"rename it to one of {', '.join(known)}, or delete it"))
        seen.add(name)
    for column in kind.columns:
        if column.required and column.name not in seen:
            problems.append(RowProblem(1, column.name, "the column is missing",
                                       f"add a column named {column.name}: {column.format} (e.g. {column.example})"))
    if kind.practice_owned and "practice" not in seen and not practice_chosen:
        problems.append(RowProblem(1, "practice", "no practice is given for the file's records",
                                   "add a practice column (the practice's code), or choose the practice for the "
                                   "whole file (--practice CODE, or on the import page)"))
    return problems


def parse_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD or MM/DD/YYYY (as US spreadsheets show them), or None when it is neither."""
    value = text.strip()
    try:
        if len(value) == 10 and value[4] == "-":
            return datetime.date.fromisoformat(value)
        match = _US_DATE.fullmatch(value)
        if match:
            month, day, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        return None
    return None


def fix_for(kind: FileKind, column: str) -> str:
    """What to do about a bad value in ``column``: its format and an example."""
    spec = kind.column(column)
    if spec is None:
        return "correct the row"
    example = f" (e.g. {spec.example})" if spec.example else ""
    return f"write {column} as {spec.format}{example}"


def records_of(kind: FileKind, table: Table) -> Iterator[tuple[int, dict[str, str], int]]:
    """(line, column name to cell, how many cells lie beyond the header) of each record, for the kind's columns
    (unknown columns are left out; a short row's missing cells are empty)."""
    names = [column_name(cell) for cell in table.header]
    for line, cells in table.records:
        yield line, {name: cells[i] if i < len(cells) else "" for i, name in enumerate(names)
                     if kind.column(name) is not None}, max(0, len(cells) - len(names))


def cell_values(kind: FileKind, line: int, cells: Mapping[str, str],
                extra_cells: int = 0) -> tuple[dict[str, Any], list[RowProblem]]:
    """A record's values by column: trimmed text, None for an empty cell, dates read (YYYY-MM-DD or MM/DD/YYYY);
    with a problem for each unreadable date and overlong cell, and for cells beyond the header."""
    values: dict[str, Any] = {}
    problems = []
    if extra_cells:
        problems.append(RowProblem(line, "(row)", f"the row has {extra_cells} more cell(s) than the header has "
                                                  "columns", "remove the extra cells, or quote a cell holding a "
                                                             "comma"))
    for name, raw in cells.items():
        text = raw.strip()
        if len(text) > MAX_CELL:
            problems.append(RowProblem(line, name, f"the cell has {len(text)} characters", fix_for(kind, name)))
            continue
        if not text:
            values[name] = None
            continue
        spec = kind.column(name)
        if spec is not None and spec.is_date:
            day = parse_date(text)
            if day is None:
                problems.append(RowProblem(line, name, f"'{text[:24]}' is not a date",
                                           "write the date as YYYY-MM-DD or MM/DD/YYYY, e.g. 2026-01-31"))
                continue
            values[name] = day
        else:
            values[name] = text
    return values, problems


def key_of(kind: FileKind, values: Mapping[str, Any], practice: str | None) -> tuple[str, ...]:
    """The record's natural key as compared within a file (case and a member ID's hyphens do not count)."""
    parts = []
    for name in kind.key:
        value = practice if name == "practice" else values.get(name)
        text = value.isoformat() if isinstance(value, datetime.date) else str(value or "")
        if name == "member_id":
            text = text.replace("-", "")
        parts.append(" ".join(text.upper().split()))
    return tuple(parts)


def repeated_key(kind: FileKind, line: int, first_line: int) -> RowProblem:
    """A record whose key an earlier line of the same file already has."""
    named = ", ".join(name for name in kind.key if name != "practice")
    return RowProblem(line, kind.key[-1], f"the same {named} as line {first_line}",
                      f"keep one of lines {first_line} and {line} (each record once per file)")
