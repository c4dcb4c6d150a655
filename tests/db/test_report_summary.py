"""The ledger summaries the reports read (``ledger_day_total``, ``receivable_balance``; migration 0029) stay the
GROUP BY of the postings as entries arrive and are reversed, and the reports move exactly as the ledger does.

As of 30 June 2026, practice P1: C1 (Medicare, 11102 $150 + 17000 $90, seen 10 June) partly paid, $20 put on the
patient, 17000 denied; a patient credit of $25; practice P2: C2 ($100, seen 1 June) untouched.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from report_world import ReportWorld, day

from dermbill.core.ledger import CASH, DENIED_AR, INSURANCE_AR, PATIENT_AR
from dermbill.core.reports.aging import Kind
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import Period
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.services.reports import aging_report, kpi_report

AS_OF = day(6, 30)
JUNE = Period(day(6, 1), day(6, 30))
RECEIVABLE = (INSURANCE_AR, DENIED_AR, PATIENT_AR)


@pytest.fixture
def world(database: Database) -> ReportWorld:
    world = ReportWorld(database)
    c1 = world.claim("P1", dos=day(6, 10), lines=[("11102", 15000), ("17000", 9000)], submitted_on=day(6, 12))
    world.pay(c1, 1, 8000, on=day(6, 20))
    world.adjust(c1, 1, 5000, on=day(6, 20))
    world.to_patient(c1, 1, 2000, on=day(6, 20))
    world.deny(c1, 2, 9000, on=day(6, 20))
    world.patient_credit(c1, 2500, on=day(6, 21))
    world.claim("P2", dos=day(6, 1), lines=[("11102", 10000)], submitted_on=day(6, 2))
    return world


def _summaries(database: Database) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """(the day totals, the receivable balances) as kept, nonzero rows only."""
    with database.engine.connect() as connection:
        days = {tuple(r) for r in connection.exec_driver_sql(
            "SELECT practice_id, account_id, entry_date, amount_cents FROM ledger_day_total "
            "WHERE amount_cents <> 0")}
        balances = {tuple(r) for r in connection.exec_driver_sql(
            "SELECT practice_id, account_id, claim_line_key, claim_key, payer_key, patient_key, balance_cents "
            "FROM receivable_balance WHERE balance_cents <> 0")}
    return days, balances


def _from_postings(database: Database) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """The same, summed from the postings now (what the summaries must always equal)."""
    with database.engine.connect() as connection:
        days = {tuple(r) for r in connection.exec_driver_sql(
            "SELECT p.practice_id, p.account_id, j.entry_date, SUM(p.amount_cents) FROM posting p "
            "JOIN journal_entry j ON j.id = p.journal_entry_id GROUP BY p.practice_id, p.account_id, j.entry_date "
            "HAVING SUM(p.amount_cents) <> 0")}
        balances = {tuple(r) for r in connection.exec_driver_sql(
            "SELECT p.practice_id, p.account_id, COALESCE(p.claim_line_id, 0), "
            "CASE WHEN p.claim_line_id IS NULL THEN COALESCE(p.claim_id, 0) ELSE 0 END, COALESCE(p.payer_id, 0), "
            "COALESCE(p.patient_id, 0), SUM(p.amount_cents) FROM posting p "
            "JOIN ledger_account a ON a.id = p.account_id WHERE a.code IN ('1100', '1150', '1200') "
            "GROUP BY p.practice_id, p.account_id, COALESCE(p.claim_line_id, 0), "
            "CASE WHEN p.claim_line_id IS NULL THEN COALESCE(p.claim_id, 0) ELSE 0 END, COALESCE(p.payer_id, 0), "
            "COALESCE(p.patient_id, 0) HAVING SUM(p.amount_cents) <> 0")}
    return days, balances


def _ledger_receivables(database: Database, practice_id: int, as_of: datetime.date) -> dict[str, int]:
    with database.engine.connect() as connection:
        return {code: int(cents) for code, cents in connection.exec_driver_sql(
            "SELECT a.code, SUM(p.amount_cents) FROM posting p JOIN ledger_account a ON a.id = p.account_id "
            "JOIN journal_entry j ON j.id = p.journal_entry_id WHERE p.practice_id = %(p)s AND j.entry_date <= %(d)s "
            "GROUP BY a.code" if database.backend == "postgresql" else
            "SELECT a.code, SUM(p.amount_cents) FROM posting p JOIN ledger_account a ON a.id = p.account_id "
            "JOIN journal_entry j ON j.id = p.journal_entry_id WHERE p.practice_id = :p AND j.entry_date <= :d "
            "GROUP BY a.code", {"p": practice_id, "d": as_of.isoformat() if database.backend == "sqlite" else as_of})}


def _aging_cents(database: Database, f: ReportFilter) -> tuple[int, int]:
    report = aging_report(database, f)
    return report.totals[Kind.INSURANCE].total.cents, report.totals[Kind.PATIENT].total.cents


def test_summaries_are_the_postings_summed(world: ReportWorld) -> None:
    assert _summaries(world.database) == _from_postings(world.database)


def test_a_payment_after_the_summary_moves_aging_and_figures_as_the_ledger_does(world: ReportWorld) -> None:
    database, p1 = world.database, world.practices["P1"]
    f = ReportFilter.of({p1}, AS_OF, JUNE)
    insurance, patient = _aging_cents(database, f)
    ledger = _ledger_receivables(database, p1, AS_OF)
    assert (insurance, patient) == (ledger[INSURANCE_AR] + ledger[DENIED_AR], ledger[PATIENT_AR]) == (9000, 2000)
    payments = kpi_report(database, f).figure("payments").value

    claims = world.claim("P1", dos=day(6, 10), lines=[("11102", 15000), ("17000", 9000)])  # a second claim charged
    world.patient_pays(claims, 1, 700, on=day(6, 25))  # and paid on by the patient: credit balance below zero
    assert _summaries(database) == _from_postings(database)
    after = _ledger_receivables(database, p1, AS_OF)
    assert _aging_cents(database, f) == (after[INSURANCE_AR] + after[DENIED_AR], after[PATIENT_AR])
    assert _aging_cents(database, f) == (insurance + 24000, patient - 700)
    assert kpi_report(database, f).figure("payments").value == payments + 7


def test_a_reversal_takes_the_posting_back_out_of_the_reports(world: ReportWorld) -> None:
    database, p1 = world.database, world.practices["P1"]
    f = ReportFilter.of({p1}, AS_OF, JUNE)
    before = _aging_cents(database, f)
    payments = kpi_report(database, f).figure("payments").value
    claim = world.claim("P1", dos=day(6, 15), lines=[("11102", 15000)], submitted_on=day(6, 16))
    world.pay(claim, 1, 6000, on=day(6, 28))
    assert _aging_cents(database, f) == (before[0] + 9000, before[1])
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(p1)
        with database.engine.connect() as connection:
            paid = connection.exec_driver_sql(
                "SELECT max(id) FROM journal_entry WHERE kind = 'payment'").scalar_one()
        repo.reverse(int(paid), entry_date=day(6, 29), memo="posted to the wrong claim")
        uow.commit()
    assert _summaries(database) == _from_postings(database)
    assert _aging_cents(database, f) == (before[0] + 15000, before[1])
    assert kpi_report(database, f).figure("payments").value == payments


def test_aging_as_of_an_earlier_day_leaves_out_the_postings_after_it(world: ReportWorld) -> None:
    database, p1 = world.database, world.practices["P1"]
    claim = world.claim("P1", dos=day(7, 2), lines=[("11102", 15000)], submitted_on=day(7, 3))
    world.pay(claim, 1, 6000, on=day(7, 20))
    for as_of in (day(6, 19), day(6, 20), AS_OF, day(7, 10), day(7, 31)):
        ledger = _ledger_receivables(database, p1, as_of)
        expected = (ledger.get(INSURANCE_AR, 0) + ledger.get(DENIED_AR, 0), ledger.get(PATIENT_AR, 0))
        assert _aging_cents(database, ReportFilter.of({p1}, as_of, JUNE)) == expected, as_of


def test_cash_in_the_figures_is_the_day_totals_of_the_period(world: ReportWorld) -> None:
    database, p1 = world.database, world.practices["P1"]
    figures = kpi_report(database, ReportFilter.of({p1}, AS_OF, JUNE))
    with database.engine.connect() as connection:
        cash = connection.exec_driver_sql(
            "SELECT SUM(p.amount_cents) FROM posting p JOIN ledger_account a ON a.id = p.account_id "
            f"WHERE a.code = '{CASH}' AND p.practice_id = {p1}").scalar_one()
    assert figures.figure("payments").value * 100 == cash


_KEPT = ("SELECT practice_id, account_id, claim_line_key, claim_key, payer_key, patient_key, balance_cents, claim_ref, "
         "service_date, provider_key, procedure_code, claim_payer_key FROM receivable_balance")


def test_each_balance_carries_its_line_and_claim_as_aging_groups_them(world: ReportWorld) -> None:
    with world.database.engine.connect() as connection:
        kept = connection.exec_driver_sql(_KEPT + " WHERE claim_line_key <> 0").all()
        lines = {row[0]: tuple(row[1:]) for row in connection.exec_driver_sql(
            "SELECT l.id, l.claim_id, l.service_date_from, COALESCE(l.rendering_provider_id, c.rendering_provider_id), "
            "l.procedure_code, c.payer_id FROM claim_line l JOIN claim c ON c.id = l.claim_id")}
    assert kept
    for row in kept:
        claim_id, service_date, provider, code, payer = lines[row[2]]
        assert (row[7], str(row[8]), row[9], row[10], row[11]) == (claim_id, str(service_date), provider or 0, code,
                                                                   payer or 0)


def test_the_summaries_rebuilt_from_the_postings_are_the_ones_kept(world: ReportWorld) -> None:
    from dermbill.db.summaries import rebuild_statements

    database = world.database
    with database.engine.connect() as connection:
        kept = sorted(tuple(str(v) for v in row)
                      for row in connection.exec_driver_sql(_KEPT + " WHERE balance_cents <> 0"))
        days = sorted(tuple(str(v) for v in row) for row in connection.exec_driver_sql(
            "SELECT practice_id, account_id, entry_date, amount_cents FROM ledger_day_total WHERE amount_cents <> 0"))
    with database.engine.begin() as connection:
        for statement in rebuild_statements():
            connection.exec_driver_sql(statement)
    with database.engine.connect() as connection:
        assert sorted(tuple(str(v) for v in row)
                      for row in connection.exec_driver_sql(_KEPT + " WHERE balance_cents <> 0")) == kept
        assert sorted(tuple(str(v) for v in row) for row in connection.exec_driver_sql(
            "SELECT practice_id, account_id, entry_date, amount_cents FROM ledger_day_total "
            "WHERE amount_cents <> 0")) == days
