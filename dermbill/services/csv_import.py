"""Bringing a practice's data in from CSV files: practices, payers, providers, service locations, fee schedules,
contracted rates, patients, coverages and appointments (``core.csv_import`` has the columns of each).

The file is checked whole before anything is saved: its header (unknown and missing columns, reported once), then
every record, through the same services that save it (``services.intake``, ``services.practice_setup``) in a
transaction that is rolled back, so a check here is the check the saving will make. A file with a problem saves
nothing, unless ``skip_bad_rows``: then its good records are saved and the bad ones reported. ``dry_run`` checks
and reports what would be created, updated or left unchanged, and saves nothing. Records are saved in batches
(each its own transaction), so a large file does not hold one long transaction. Importing the same file again
changes nothing: records are found by their natural key and updated.

Every import is audited (the kind, the file's name, the counts and the lines with problems: no values); each
patient and coverage created or changed is audited as a change of protected health information.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dermbill.core.csv_import import (
    KINDS,
    FileKind,
    RowProblem,
    cell_values,
    fix_for,
    header_problems,
    key_of,
    read_table,
    records_of,
    repeated_key,
)
from dermbill.core.errors import DermbillError, InvalidFields, InvalidInput, NotFound, Problem
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.services.appointments import register_appointment
from dermbill.services.intake import Outcome, Registered, register_coverage, register_patient
from dermbill.services.practice_setup import (
    register_location,
    register_payer,
    register_practice,
    register_provider,
    set_fee,
)

BATCH_ROWS = 500
Progress = Callable[[str, int, int], None]  # (stage, done, total)
# A column of the file that a service names differently.
_FIELD_OF = {"payers": {"payer_id": "payer_identifier"}, "contracted-rates": {"allowed_amount": "amount"}}


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import found and did. ``problems``: the header's first (line 1), then the records' by line."""

    kind: str
    file_name: str
    records: int
    dry_run: bool
    skip_bad_rows: bool
    problems: tuple[RowProblem, ...]
    created: int
    updated: int
    unchanged: int
    bad_rows: int
    saved: bool  # whether the good records were saved (never in a dry run)

    @property
    def refused(self) -> bool:
        """Nothing saved because of the problems (and not a dry run)."""
        return bool(self.problems) and not self.saved and not self.dry_run

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file_name, "records": self.records, "dry_run": self.dry_run,
                "skip_bad_rows": self.skip_bad_rows, "saved": self.saved, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "bad_rows": self.bad_rows,
                "problems": [{"line": p.line, "column": p.column, "reason": p.reason, "fix": p.fix}
                             for p in self.problems]}


@dataclass
class _Record:
    line: int
    values: dict[str, Any]
    practice: str | None


@dataclass
class _Tally:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    problems: list[RowProblem] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)
    outcomes: dict[int, Outcome] = field(default_factory=dict)  # by line

    def problem(self, problem: RowProblem) -> None:
        self.problems.append(problem)
        self.bad_lines.add(problem.line)


def decode_csv(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a byte-order mark), else Windows-1252 (what spreadsheets save as
    "CSV" on Windows)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def kind_named(name: str) -> FileKind:
    """The kind of file of this name (InvalidInput naming the kinds otherwise)."""
    found = KINDS.get(name.strip().lower())
    if found is None:
        raise InvalidInput(f"'{name[:40]}' is not a kind of file dermbill imports; the kinds: {', '.join(KINDS)}")
    return found


def organization_for_import(database: Database, name: str | None, *, create: bool = False, actor: str = "import"
                            ) -> int:
    """The billing company an import is for: the one named, or the only one in the database. ``create``: a company
    named and not there yet is created (the first file of a new billing company is its practices)."""
    with UnitOfWork(database, actor=actor) as uow:
        names = uow.organization_names()
        if name is None:
            if len(names) == 1:
                found = uow.find_organization(names[0])
                assert found is not None
                return found.id
            known = ", ".join(names) or "none yet: import a practices file with --organization NAME"
            raise InvalidInput(f"the database has {len(names)} billing companies: name one with --organization "
                               f"({known})")
        text = " ".join(name.split())
        row = uow.find_organization(text)
        if row is not None:
            return row.id
        if not create or not text or len(text) > 200:
            raise NotFound(f"no billing company is named {text[:60]!r}; there are: {', '.join(names) or 'none'} "
                           "(importing a practices file, not a dry run, creates it)")
        row = uow.add_organization(text)
        uow.commit()
        return row.id


def import_csv(database: Database, kind_name: str, text: str, *, file_name: str, organization_id: int, actor: str,
               as_of: datetime.date, practice: str | None = None, practice_ids: Collection[int] | None = None,
               dry_run: bool = False, skip_bad_rows: bool = False, progress: Progress | None = None,
               batch_rows: int = BATCH_ROWS) -> ImportReport:
    """Check a CSV file of ``kind_name`` and save its records (see the module's docstring).

    ``practice``: the practice (code) of records whose row names none. ``practice_ids``: the practices the person
    may change (None: every practice of the billing company, as on the command line); a row naming another is a
    problem of that row, said the same whether the practice exists or not."""
    kind = kind_named(kind_name)
    try:
        table = read_table(text)
    except ValueError as unreadable:
        raise InvalidInput(f"{file_name}: {unreadable}") from None
    if not table.header:
        raise InvalidInput(f"{file_name}: the file is empty (a CSV file starts with a header line naming its "
                           f"columns: {', '.join(kind.column_names)})")
    tally = _Tally()
    header = header_problems(kind, table.header, practice_chosen=bool(practice and practice.strip()))
    for problem in header:
        tally.problem(problem)
    records: list[_Record] = []
    missing_column = any(p.reason == "the column is missing" or p.column == "practice" for p in header)
    if not missing_column:  # the records are checked only when every column they need is there
        records = _readable_records(kind, table_records=records_of(kind, table), tally=tally,
                                    practice=practice.strip() if practice else None)
    scope = _Scope(database, organization_id, practice_ids)
    # The check: every record through the saving services, in a transaction rolled back at the end (a record with
    # an unreadable cell too, without that cell, so that each line's problems are all reported at once).
    checked = _Tally()
    if records:
        with UnitOfWork(database, actor=actor) as uow:
            _apply(uow, kind, scope, records, checked, as_of, progress, "checking", len(records))
    said = {(p.line, p.column) for p in tally.problems}
    for problem in checked.problems:
        if (problem.line, problem.column) not in said:
            tally.problem(problem)
    for line in tally.bad_lines:  # a bad record's outcome in the check is not one the import would have
        for outcome in _outcomes_of(checked, line):
            checked.counts[outcome] -= 1
    good = [r for r in records if r.line not in tally.bad_lines]
    # A problem with the columns stops the saving even with skip_bad_rows: the file is not what it claims to be.
    save = not dry_run and bool(good) and not header and (skip_bad_rows or not tally.problems)
    result = checked
    if save:
        result = _Tally()
        to_save = [r for r in good if r.line not in tally.bad_lines]
        for start in range(0, len(to_save), batch_rows):
            with UnitOfWork(database, actor=actor) as uow:
                _apply(uow, kind, scope, to_save[start:start + batch_rows], result, as_of, progress, "saving",
                       len(to_save), done_before=start)
                if result.problems and not skip_bad_rows:
                    break  # changed since the check (another person, at the same time): stop here
                uow.commit()
        for problem in result.problems:
            tally.problem(problem)
    shown_counts = result.counts if (save or dry_run) else dict.fromkeys(Outcome, 0)
    report = ImportReport(
        kind=kind.name, file_name=file_name, records=len(table.records), dry_run=dry_run,
        skip_bad_rows=skip_bad_rows, problems=tuple(sorted(tally.problems, key=lambda p: p.line)),
        created=shown_counts[Outcome.CREATED], updated=shown_counts[Outcome.UPDATED],
        unchanged=shown_counts[Outcome.UNCHANGED], bad_rows=len(tally.bad_lines - {1}), saved=save)
    _audit(database, actor, organization_id, scope, report)
    return report


def _readable_records(kind: FileKind, *, table_records: Iterator[tuple[int, dict[str, str], int]],
                      tally: _Tally, practice: str | None) -> list[_Record]:
    records = []
    first_line: dict[tuple[str, ...], int] = {}
    schedule_end: dict[tuple[str, ...], tuple[int, Any]] = {}
    for line, cells, extra in table_records:
        values, problems = cell_values(kind, line, cells, extra)
        for problem in problems:
            tally.problem(problem)
        named = values.pop("practice", None)
        record = _Record(line, values, named or practice)
        if kind.practice_owned and not record.practice:
            tally.problem(RowProblem(line, "practice", "no practice is given",
                                     "write the practice's code in the practice column"))
        key = key_of(kind, values, (record.practice or "").upper())
        if key in first_line:
            tally.problem(repeated_key(kind, line, first_line[key]))
        else:
            first_line[key] = line
        if "effective_to" in kind.column_names:  # one end date per schedule
            schedule = key_of(kind, values, record.practice)[:3]
            if schedule in schedule_end and schedule_end[schedule][1] != values.get("effective_to"):
                tally.problem(RowProblem(line, "effective_to", f"line {schedule_end[schedule][0]} gives the same "
                                         "schedule another end date", "give every row of a schedule the same "
                                         "effective_to"))
            schedule_end.setdefault(schedule, (line, values.get("effective_to")))
        records.append(record)
    return records


def _outcomes_of(tally: _Tally, line: int) -> list[Outcome]:
    found = tally.outcomes.get(line)
    return [] if found is None else [found]


class _Scope:
    """The practices an import may touch, found by code once."""

    def __init__(self, database: Database, organization_id: int, practice_ids: Collection[int] | None) -> None:
        self.organization_id = organization_id
        self.practice_ids = None if practice_ids is None else frozenset(practice_ids)
        with UnitOfWork(database, actor="import") as uow:
            rows = uow.session.execute(select(PracticeRow.code, PracticeRow.id).where(
                PracticeRow.organization_id == organization_id)).all()
        self.by_code = {code.upper(): practice_id for code, practice_id in rows}
        self.touched: set[int] = set()

    def practice_id(self, code: str) -> int:
        found = self.by_code.get(code.strip().upper())
        if found is None or (self.practice_ids is not None and found not in self.practice_ids):
            mine = sorted(c for c, i in self.by_code.items() if self.practice_ids is None or i in self.practice_ids)
            raise InvalidFields("not saved", (Problem("practice", f"'{code[:24]}' is not one of your practices "
                                                                   f"(yours: {', '.join(mine) or 'none'})"),))
        return found

    def may_change_practice(self, code: str) -> bool:
        found = self.by_code.get(code.strip().upper())
        return found is None or self.practice_ids is None or found in self.practice_ids


def _apply(uow: UnitOfWork, kind: FileKind, scope: _Scope, records: list[_Record], tally: _Tally,
           as_of: datetime.date, progress: Progress | None, stage: str, total: int, done_before: int = 0) -> None:
    repos: dict[int, PracticeRepository] = {}
    renamed = _FIELD_OF.get(kind.name, {})
    columns = {v: k for k, v in renamed.items()}
    for index, record in enumerate(records, start=1):
        values = {renamed.get(name, name): value for name, value in record.values.items()}
        try:
            repo = None
            if kind.practice_owned:
                practice_id = scope.practice_id(record.practice or "")
                repo = repos.get(practice_id) or repos.setdefault(practice_id, uow.practice(practice_id))
                scope.touched.add(practice_id)
            done = _save(uow, kind.name, scope, repo, values, as_of)
            tally.counts[done.outcome] += 1
            tally.outcomes[record.line] = done.outcome
        except InvalidFields as refused:
            for problem in refused.problems:
                column = columns.get(problem.field, problem.field)
                fix = fix_for(kind, column)
                if problem.field == "practice":
                    fix = "write the code of one of your practices (import the practice first if it is new)"
                elif problem.field == "account_number" and problem.message.startswith("no patient"):
                    fix = "import the patient first (a patients file), or correct the account number"
                elif problem.field == "payer" and "payers" in problem.message:
                    fix = "import the payer first (a payers file), or use the payer ID as the payers file has it"
                tally.problem(RowProblem(record.line, column, problem.message, fix))
        except DermbillError as refused:
            tally.problem(RowProblem(record.line, "(row)", str(refused), "correct the row, or leave it out"))
        if progress is not None and (index % 100 == 0 or index == len(records)):
            progress(stage, done_before + index, total)


def _save(uow: UnitOfWork, kind: str, scope: _Scope, repo: PracticeRepository | None, values: dict[str, Any],
          as_of: datetime.date) -> Registered:
    via = "csv import"
    if kind == "practices":
        code = str(values.get("code") or "")
        if not scope.may_change_practice(code):
            raise InvalidFields("not saved", (Problem("code", f"'{code[:24]}' is a practice you may not change"),))
        return register_practice(uow, scope.organization_id, values, via=via)
    if kind == "payers":
        return register_payer(uow, scope.organization_id, values, via=via)
    assert repo is not None
    if kind == "providers":
        return register_provider(repo, values, via=via)
    if kind == "locations":
        return register_location(repo, values, via=via)
    if kind in ("fee-schedules", "contracted-rates"):
        fee = {name: values.get(name) for name in ("procedure_code", "modifier", "amount")}
        return set_fee(repo, values.get("schedule"), values.get("effective_from"), values.get("effective_to"), fee,
                       payer=values.get("payer") or "" if kind == "contracted-rates" else None, via=via)
    account = str(values.pop("account_number", None) or "")
    if kind == "patients":
        return register_patient(repo, account, values, as_of=as_of, via=via)
    if kind == "appointments":
        return register_appointment(repo, account, values, via=via)
    return register_coverage(repo, account, values, as_of=as_of, via=via)


def _audit(database: Database, actor: str, organization_id: int, scope: _Scope, report: ImportReport) -> None:
    with UnitOfWork(database, actor=actor) as uow:
        touched = sorted(scope.touched)
        uow.audit("import.csv", "import", None, organization_id=organization_id,
                  practice_id=touched[0] if len(touched) == 1 else None, detail={
                      "kind": report.kind, "file": report.file_name[:200], "records": report.records,
                      "dry_run": report.dry_run, "skip_bad_rows": report.skip_bad_rows, "saved": report.saved,
                      "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                      "bad_rows": report.bad_rows,
                      "lines_with_problems": sorted({p.line for p in report.problems})[:100]})
        uow.commit()
