"""The ledger invariant under random sequences of charges, submissions, payments, denials, reversals, patient
payments (toward one claim, and a guarantor's across visits, oldest first), small-balance write-offs, denials
worked from the queue (written off or billed to the patient), payers paying a claim twice and refunds, and on the
patient's side statement runs (billed exactly the model's balance), payment plans, hardship adjustments and refunds
approved by a manager, the hand-off to a collection agency (written off to bad debt, 4300) and the agency's
recoveries, on SQLite and PostgreSQL: every journal entry sums to zero, for every claim line

    charge = insurance payments + adjustments + patient responsibility + remaining insurance balance,

no line's insurance or patient balance is below zero (`ledger check` would say so), and what was paid twice or
too much is a credit balance: the payer's (2150, with its overpayment in the queue) or the patient's (2100).

A hypothesis state machine drives the real services (837P export, 835 files through the parser and the
poster, patient payments) and keeps its own model of what each line's balances must be.
"""

from __future__ import annotations

import datetime
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from era_world import (
    DOS,
    NOW,
    Claim,
    Line,
    add_claim,
    paid_claim,
    practice_world,
    remittance,
    write,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from migrated_databases import migrated_postgres_url, migrated_sqlite_url
from pg_server import require_postgres
from sqlalchemy import func, select

from dermbill.core.access import Role
from dermbill.core.errors import DermbillError
from dermbill.core.money import Money
from dermbill.db.engine import open_database
from dermbill.db.models import LedgerAccountRow, PostingRow, StatementPolicyRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.collections import decide_agency, export_agency_file, propose_agency, record_recovery
from dermbill.services.denials import list_items, refresh_queue, resolve_item
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.services.overpayments import (
    overpayment_queue,
    patient_credit_queue,
    refund_overpayment,
    refund_patient_credit,
)
from dermbill.services.patient_adjustments import (
    approve_adjustment,
    request_hardship,
    request_refund,
    write_off_small_balances,
)
from dermbill.services.patient_balances import active_plan_patient_ids, create_payment_plan, post_guarantor_payment
from dermbill.services.patient_payments import post_patient_payment
from dermbill.services.statements import run_statements, statement_document
from dermbill.services.submission import export_837p
from dermbill.services.users import add_user, set_company_totp
from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine

MANAGER = "manager@era.test"  # approves hardship adjustments, refunds and agency hand-offs
CODES = ("11102", "11104", "17000", "17110", "11305", "99213")
SMALL_BALANCE_UNDER = 50000  # the practice's small-balance threshold in cents ($500.00)
line_specs = st.lists(st.tuples(st.sampled_from(CODES), st.just(()), st.integers(100, 90000)), min_size=1,
                      max_size=3)


@dataclass
class ModelLine:
    line: Line
    insurance: int  # what the insurer still owes (1100)
    patient: int = 0  # what the patient owes (1200)
    denied: int = 0  # denied and being worked (1150)


@dataclass
class ModelClaim:
    claim: Claim
    submitted: bool
    lines: list[ModelLine]
    live: PaidClaim | None = None  # the adjudication in force (not reversed)
    denied: int = 0  # what is denied and being worked (1150)
    history: list[Path] = field(default_factory=list)


@st.composite
def adjudications(draw: st.DrawFn, charges: tuple[int, ...]) -> tuple[str, tuple[tuple[int, int, str, bool], ...]]:
    """CLP02 and per line (allowed, patient share, PR reason, denied)."""
    deny_all = draw(st.booleans())
    lines = []
    for charge in charges:
        denied = deny_all or draw(st.integers(0, 4)) == 0
        allowed = draw(st.integers(0, charge))
        patient = draw(st.integers(0, allowed))
        lines.append((allowed, patient, draw(st.sampled_from(("1", "2", "3"))), denied))
    return ("4" if deny_all else "1"), tuple(lines)


class LedgerMachine(RuleBasedStateMachine):
    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.stack = ExitStack()
        self.folder = Path(self.stack.enter_context(tempfile.TemporaryDirectory()))
        url = self.stack.enter_context(migrated_postgres_url()) if self.backend == "postgresql" \
            else migrated_sqlite_url(self.folder / "ledger.db")
        self.database = open_database(url)
        self.stack.callback(self.database.dispose)
        self.world = practice_world(self.database)
        with UnitOfWork(self.database, actor="test") as uow:  # a high threshold, so that write-offs happen
            uow.practice(self.world.practice_id).add(StatementPolicyRow(
                small_balance_cents=SMALL_BALANCE_UNDER, updated_by="test", updated_at=NOW))
            uow.commit()
        self.claims: list[ModelClaim] = []
        self.cash = 0
        self.files = 0
        self.payer_credit = 0  # paid twice by the payer: refund due (2150)
        self.patient_credit = 0  # paid beyond what the patient owes (2100)
        self.day = DOS + datetime.timedelta(days=30)  # the statement runs' day, moving forward
        self.last_statement: datetime.date | None = None
        self.bad_debt = 0  # placed with the agency and written off (4300), less what it recovered
        self.charity = 0  # hardship adjustments approved (4320)
        set_company_totp(self.database, "ERA TEST BILLING", required=False, actor="test")
        add_user(self.database, company="ERA TEST BILLING", email=MANAGER, display_name="Manager",
                 roles=[Role.MANAGER], practices=["ERA"], password="a long test password 1", actor="test")

    def teardown(self) -> None:
        self.stack.close()

    def _file(self, claims: tuple[PaidClaim, ...]) -> Path:
        self.files += 1
        return write(self.folder / f"{self.files}.835", (remittance(claims, trace=f"EFT{self.files:05d}"),),
                     interchange=self.files)

    def _post(self, path: Path) -> None:
        [outcome] = post_era_file(self.database, path)
        assert outcome.status == "posted", outcome

    @rule(spec=line_specs, submit=st.booleans())
    def charge(self, spec: list[tuple[str, tuple[str, ...], int]], submit: bool) -> None:
        claim = add_claim(self.world, spec, submit=False)
        self.claims.append(ModelClaim(claim, False, [ModelLine(line, 0) for line in claim.lines]))
        if submit:
            self.submit()

    @precondition(lambda self: any(not c.submitted for c in self.claims))
    @rule()
    def submit(self) -> None:
        assert export_837p(self.database, self.folder / "837p")
        for model in self.claims:
            if not model.submitted:
                model.submitted = True
                for line in model.lines:
                    line.insurance = line.line.charge.cents

    @precondition(lambda self: any(c.submitted and c.live is None for c in self.claims))
    @rule(data=st.data())
    def adjudicate(self, data: st.DataObject) -> None:
        model = data.draw(st.sampled_from([c for c in self.claims if c.submitted and c.live is None]))
        status, decisions = data.draw(adjudications(tuple(line.line.charge.cents for line in model.lines)))
        self._adjudicate(model, status, decisions)

    def _adjudicate(self, model: ModelClaim, status: str,
                    decisions: tuple[tuple[int, int, str, bool], ...]) -> None:
        paid_lines = []
        for line, (allowed, patient, reason, denied) in zip(model.lines, decisions, strict=True):
            charge = line.line.charge
            if denied:
                adjustments: tuple[Adjusted, ...] = (Adjusted("CO", "97", charge),)
                model.denied += charge.cents
                line.denied += charge.cents
            else:
                adjustments = (Adjusted("CO", "45", charge - Money(allowed)), Adjusted("PR", reason, Money(patient)))
                line.patient += patient
                self.cash += allowed - patient
            line.insurance -= charge.cents
            paid_lines.append(PaidLine(line.line.code, (), charge, 1, DOS,
                                       adjustments, control_number=line.line.control))
        model.live = paid_claim(model.claim, tuple(paid_lines), status=status)
        path = self._file((model.live,))
        self._post(path)
        model.history.append(path)

    @precondition(lambda self: any(c.live is not None for c in self.claims))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        model = data.draw(st.sampled_from([c for c in self.claims if c.live is not None]))
        assert model.live is not None
        negated = tuple(PaidLine(line.code, line.modifiers, -line.charge, -1, line.date_of_service,
                                 tuple(Adjusted(a.group, a.reason, -a.amount) for a in line.adjustments),
                                 control_number=line.control_number) for line in model.live.lines)
        for line, paid in zip(model.lines, model.live.lines, strict=True):
            line.insurance += paid.charge.cents
            line.patient -= sum(a.amount.cents for a in paid.adjustments if a.group == "PR")
            if line.patient < 0:  # the patient had paid the share the payer takes back: the patient's credit
                self.patient_credit -= line.patient
                line.patient = 0
            model.denied -= sum(a.amount.cents for a in paid.adjustments if a.reason == "97")
            line.denied -= sum(a.amount.cents for a in paid.adjustments if a.reason == "97")
            self.cash -= paid.paid.cents
        self._post(self._file((paid_claim(model.claim, negated, status="22"),)))
        model.live = None

    @precondition(lambda self: any(line.patient > 0 for c in self.claims for line in c.lines))
    @rule(data=st.data())
    def patient_pays(self, data: st.DataObject) -> None:
        model = data.draw(st.sampled_from([c for c in self.claims if any(line.patient > 0 for line in c.lines)]))
        owed = sum(max(line.patient, 0) for line in model.lines)
        amount = data.draw(st.integers(1, owed + 2000))
        self.files += 1
        payment = post_patient_payment(self.database, self.world.practice_id, model.claim.id, Money(amount),
                                       f"RCPT{self.files}")
        left = amount
        for line in model.lines:
            part = min(left, max(line.patient, 0))
            line.patient -= part
            left -= part
        assert payment.credit == Money(left)
        self.cash += amount
        self.patient_credit += left

    @precondition(lambda self: any(line.patient > 0 for c in self.claims for line in c.lines))
    @rule(data=st.data(), method=st.sampled_from(("cash", "check", "card")))
    def guarantor_pays(self, data: st.DataObject, method: str) -> None:
        """A payment on the whole account: every visit's lines, oldest first (here one date of service: by claim,
        then line), the rest a credit."""
        owed = sum(max(line.patient, 0) for c in self.claims for line in c.lines)
        amount = data.draw(st.integers(1, owed + 2000))
        self.files += 1
        payment = post_guarantor_payment(self.database, self.world.practice_id, "A-1", Money(amount), method,
                                         f"GP{self.files}", actor="test")
        left = amount
        for model in self.claims:
            for line in model.lines:
                part = min(left, max(line.patient, 0))
                line.patient -= part
                left -= part
        assert payment.credit == Money(left)
        self.cash += amount
        self.patient_credit += left

    @precondition(lambda self: any(line.patient > 0 for c in self.claims for line in c.lines))
    @rule()
    def write_off_small_balances(self) -> None:
        """The small-balance batch: the whole balance goes when it is under the threshold, nothing is with a payer
        and there is no credit to apply first; else nothing is written off."""
        owed = sum(line.patient for c in self.claims for line in c.lines)
        pending = any(sum(line.insurance for line in c.lines) or sum(line.denied for line in c.lines)
                      for c in self.claims)
        _, written = write_off_small_balances(self.database, self.world.practice_id, dry_run=False, actor="test")
        if 0 < owed < SMALL_BALANCE_UNDER and not pending and not self.patient_credit:
            assert [w.amount for w in written] == [Money(owed)]
            for model in self.claims:
                for line in model.lines:
                    line.patient = 0
        else:
            assert written == []

    @precondition(lambda self: any(c.live is not None for c in self.claims))
    @rule(data=st.data())
    def pay_twice(self, data: st.DataObject) -> None:
        """The payer sends the answer in force again under a new trace number: the cash is a refund due to it."""
        model = data.draw(st.sampled_from([c for c in self.claims if c.live is not None]))
        assert model.live is not None
        [outcome] = post_era_file(self.database, self._file((model.live,)))
        assert outcome.status == "posted" and outcome.claims_posted == 0
        self.cash += model.live.paid.cents
        self.payer_credit += model.live.paid.cents

    @precondition(lambda self: self.payer_credit > 0 or self.patient_credit > 0)
    @rule()
    def refund(self) -> None:
        today = DOS + datetime.timedelta(days=90)
        for item in overpayment_queue(self.database):
            refund_overpayment(self.database, item.id, f"CHK{item.id}", actor="test", today=today)
        for number, credit in enumerate(patient_credit_queue(self.database)):
            self.files += 1
            refund_patient_credit(self.database, credit.practice, credit.account_number, f"PRF{self.files}-{number}",
                                  actor="test", today=today)
        self.cash -= self.payer_credit + self.patient_credit
        self.payer_credit = self.patient_credit = 0

    @precondition(lambda self: any(line.denied > 0 for c in self.claims for line in c.lines))
    @rule(data=st.data())
    def work_denials(self, data: st.DataObject) -> None:
        """A denial specialist closes the claim's open work items: written off, or billed to the patient."""
        model = data.draw(st.sampled_from([c for c in self.claims if any(line.denied > 0 for line in c.lines)]))
        how = data.draw(st.sampled_from(("write_off", "bill_patient")))
        today = DOS + datetime.timedelta(days=60)
        refresh_queue(self.database, today=today)
        moved = Money.zero()
        for item in list_items(self.database, today=today, statuses=("open", "waiting", "snoozed")):
            if item.claim == model.claim.pcn:
                moved += resolve_item(self.database, item.id, how, actor="test", today=today)
        expected = 0
        for line in model.lines:
            if line.denied > 0:  # only what is still being worked moves (a negative balance stays for a refund)
                expected += line.denied
                if how == "bill_patient":
                    line.patient += line.denied
                model.denied -= line.denied
                line.denied = 0
        assert moved == Money(expected)

    @rule(days=st.integers(0, 40))
    def statements(self, days: int) -> None:
        """A statement run: the patient is billed exactly what the model says they owe, and only when no payer
        still owes on a claim, the balance is at least the minimum ($5.00) and no statement went out in 28 days."""
        self.day += datetime.timedelta(days=days)
        moment = datetime.datetime.combine(self.day, datetime.time(9), tzinfo=datetime.UTC)
        run = run_statements(self.database, self.day, cycle_billing=False, now=moment)
        lines = [line for c in self.claims for line in c.lines]
        pending = any(line.insurance or line.denied for line in lines)
        owed = sum(line.patient for line in lines) - self.patient_credit
        due = (not pending and owed >= 500
               and (self.last_statement is None or (self.day - self.last_statement).days >= 28))
        assert len(run.statements) == int(due), (run, pending, owed)
        if run.statements:
            [sent] = run.statements
            assert sent.planned.decision.amount == Money(owed)
            document = statement_document(self.database, sent.statement_id or 0, None, actor="test")
            shown = [line for visit in document.visits for line in visit.lines]
            assert document.balance_due == Money(owed) and shown
            assert sum(line.you_owe.cents for line in shown) == owed + self.patient_credit
            self.last_statement = self.day

    def _moment(self) -> datetime.datetime:
        return datetime.datetime.combine(self.day, datetime.time(9), tzinfo=datetime.UTC)

    def _take_oldest_first(self, amount: int) -> None:
        """The model of an amount applied to the patient's lines oldest first (one date of service: by claim, then
        line), as payments and adjustments apply it."""
        for model in self.claims:
            for line in model.lines:
                part = min(amount, max(line.patient, 0))
                line.patient -= part
                amount -= part

    @precondition(lambda self: any(line.patient > 0 for c in self.claims for line in c.lines))
    @rule(data=st.data())
    def hardship(self, data: st.DataObject) -> None:
        """A hardship adjustment, asked for by a biller and approved by the manager: 4320 up, the patient's lines
        down oldest first, once."""
        owed = sum(max(line.patient, 0) for c in self.claims for line in c.lines)
        amount = data.draw(st.integers(1, owed))
        request = request_hardship(self.database, self.world.practice_id, "A-1", Money(amount),
                                   reason="income below the practice's charity-care line", requested_by="biller",
                                   now=self._moment())
        approve_adjustment(self.database, request.id, approver=MANAGER, now=self._moment())
        self._take_oldest_first(amount)
        self.charity += amount

    @precondition(lambda self: self.patient_credit > 0)
    @rule()
    def refund_with_approval(self) -> None:
        """The patient's credit refunded through the queue: asked for, approved by the manager, posted once."""
        request = request_refund(self.database, self.world.practice_id, "A-1", reason="paid twice",
                                 requested_by="biller", now=self._moment())
        self.files += 1
        approve_adjustment(self.database, request.id, approver=MANAGER, reference=f"RF{self.files}",
                           now=self._moment())
        self.cash -= self.patient_credit
        self.patient_credit = 0

    @precondition(lambda self: any(line.patient > 0 for c in self.claims for line in c.lines))
    @rule(installments=st.integers(2, 6))
    def payment_plan(self, installments: int) -> None:
        """A payment plan: the ledger does not move; the plan holds the cadence (no hand-off while it is active)."""
        try:
            create_payment_plan(self.database, self.world.practice_id, "A-1", installments,
                                self.day + datetime.timedelta(days=14), actor="biller", now=self._moment())
        except DermbillError as refused:  # a plan already active, no balance, or too few cents for the installments
            assert any(why in str(refused) for why in ("active", "balance", "installments of at least a cent")), \
                refused

    @precondition(lambda self: any(line.patient > 0 for c in self.claims for line in c.lines))
    @rule()
    def hand_to_agency(self) -> None:
        """Months after the first statement (a statement run first, if none went out): proposed, approved by the
        manager, exported: the balance written off to bad debt line by line (4300), once. Refused while a payer
        owes, a plan holds it, or nothing is owed."""
        if self.last_statement is None:
            self.statements(0)
        self.day += datetime.timedelta(days=200)
        moment = self._moment()
        try:
            placement = propose_agency(self.database, "ERA", "A-1", actor="biller", now=moment)
        except DermbillError:
            return  # its own rules (tests/core/test_collections_rules.py); the ledger must not have moved
        decide_agency(self.database, "ERA", placement, approve=True, decider=MANAGER, now=moment)
        export = export_agency_file(self.database, "ERA", self.folder / "agency", actor="biller", now=moment)
        with UnitOfWork(self.database, actor="test") as uow:
            planned = active_plan_patient_ids(uow, self.world.practice_id)
        if export.placed:
            owed = sum(max(line.patient, 0) for c in self.claims for line in c.lines)
            assert export.written_off == Money(owed) and not planned
            for model in self.claims:
                for line in model.lines:
                    line.patient = min(line.patient, 0)
            self.bad_debt += owed

    @precondition(lambda self: self.bad_debt > 0)
    @rule(data=st.data())
    def agency_recovers(self, data: st.DataObject) -> None:
        """The agency collects part of what was written off: reinstated and paid, cash up and bad debt down."""
        amount = data.draw(st.integers(1, self.bad_debt))
        self.files += 1
        recovery = record_recovery(self.database, "ERA", "A-1", Money(amount), f"AG{self.files}", actor="biller",
                                   now=self._moment())
        assert recovery.amount == Money(amount)
        self.cash += amount
        self.bad_debt -= amount

    @precondition(lambda self: any(c.history for c in self.claims))
    @rule(data=st.data())
    def repost(self, data: st.DataObject) -> None:
        path = data.draw(st.sampled_from([p for c in self.claims for p in c.history]))
        [outcome] = post_era_file(self.database, path)
        assert outcome.status == "already posted"

    @invariant()
    def ledger_is_clean_and_matches_the_model(self) -> None:
        report = check_ledger(self.database)
        assert report.clean, report.violations
        with UnitOfWork(self.database, actor="test") as uow:
            sums = {(line, code): int(total) for line, code, total in uow.session.execute(
                select(PostingRow.claim_line_id, LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
                .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                .group_by(PostingRow.claim_line_id, LedgerAccountRow.code))}
        for model in self.claims:
            for line in model.lines:
                assert sums.get((line.line.id, "1100"), 0) == line.insurance, line
                assert sums.get((line.line.id, "1200"), 0) == line.patient, line
            assert sum(sums.get((line.line.id, "1150"), 0) for line in model.lines) == model.denied
            for line in model.lines:
                assert sums.get((line.line.id, "1150"), 0) == line.denied, line
        assert report.totals["cash"] == Money(self.cash)
        with UnitOfWork(self.database, actor="test") as uow:
            by_account = dict(uow.session.execute(
                select(LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
                .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                .where(LedgerAccountRow.code.in_(("4300", "4320"))).group_by(LedgerAccountRow.code)).all())
        assert (int(by_account.get("4300", 0)), int(by_account.get("4320", 0))) == (self.bad_debt, self.charity)
        assert report.totals["payer_credit"] == Money(self.payer_credit)
        assert report.totals["unapplied"] == Money(self.patient_credit)
        assert sum((item.amount for item in overpayment_queue(self.database)), Money.zero()) == Money(self.payer_credit)


class PostgresLedgerMachine(LedgerMachine):
    backend = "postgresql"


class PatientBalanceMachine(LedgerMachine):
    """The same machine started where the patient's part begins: a claim the payer settled with a share on the
    patient ($80.00 deductible, $30.00 coinsurance), so that statements, payments, plans, hardship adjustments,
    the agency hand-off, recoveries and refunds are reached in a few steps."""

    def __init__(self) -> None:
        super().__init__()
        claim = add_claim(self.world, [("11102", (), 30000), ("17000", (), 12000)], submit=False)
        model = ModelClaim(claim, False, [ModelLine(line, 0) for line in claim.lines])
        self.claims.append(model)
        self.submit()
        self._adjudicate(model, "1", ((20000, 8000, "1", False), (9000, 3000, "2", False)))


quick = settings(max_examples=15, stateful_step_count=12, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_ledger_invariant_holds_on_sqlite() -> None:
    run_state_machine_as_test(LedgerMachine, settings=quick)


def test_ledger_invariant_holds_for_patient_balances_on_sqlite() -> None:
    run_state_machine_as_test(PatientBalanceMachine, settings=settings(quick, stateful_step_count=16))


class PostgresPatientBalanceMachine(PatientBalanceMachine):
    backend = "postgresql"


@pytest.mark.postgres
def test_ledger_invariant_holds_for_patient_balances_on_postgresql() -> None:
    require_postgres()
    run_state_machine_as_test(PostgresPatientBalanceMachine,
                              settings=settings(quick, max_examples=6, stateful_step_count=16))


@pytest.mark.postgres
def test_ledger_invariant_holds_on_postgresql() -> None:
    require_postgres()
    run_state_machine_as_test(PostgresLedgerMachine, settings=settings(quick, max_examples=10))
