"""The demo's revenue cycle: the scrubbed claims go to the simulated payer and come back paid, denied or rejected.

The simulated payer is given the truth about the demo's patients (its roster) with the kinds of
differences real payers find: a few member IDs the front desk keyed wrongly (rejected by the 277CA),
a few coverages that ended without the practice knowing (denied CO-27), and Medicare patients whose
supplement receives their claims by crossover. Then: submit, sync (999, 277CA, 835 posted), open the
secondary claims, submit and sync again, and check the ledger.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from dermbill.clearinghouse.config import ClearinghouseConfig, read_config
from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile, write_roster
from dermbill.clearinghouse.simulated_payer.service import write_payers
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    PatientRow,
    PayerRow,
    PostingRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.repositories import UnitOfWork, clock_for_units_of_work
from dermbill.services.demo_denials import (
    APPEALS,
    MOHS,
    DenialSummary,
    correct_certain_fixes,
    count_queue,
    work_the_queue,
    write_contracts,
)
from dermbill.services.denials import refresh_queue
from dermbill.services.ledger_check import LedgerReport, check_ledger
from dermbill.services.patient_payments import apply_patient_credits
from dermbill.services.scrubbing import scrub_stored_claims
from dermbill.services.transmission import SubmitReport, SyncReport, submit_claims, sync
from dermbill.synthetic.people import PAYERS

CONNECTION = "simulated-payer"
FEE_PERCENT = {"medicare": 100, "medicaid": 72, "blue": 128, "national": 135, "hmo": 118}
DAYS_TO_PAY = {"medicare": 14, "medicaid": 30}
MEDICARE_DEDUCTIBLE = Money(25700)  # Part B, 2025
MIS_KEYED_PERCENT = 1.0
ENDED_UNKNOWN_PERCENT = 1.5
CROSSOVER_PERCENT = 60
LEARNING_DAYS = 30  # the last month's claims are sent after the first claims' denials were worked
CONFIG_FILE, PAYER_FOLDER, OUTBOX, INBOX = "dermbill.toml", "simulated-payer", "837p", "x12-received"
CYCLE_OUTPUTS = (CONFIG_FILE, PAYER_FOLDER, OUTBOX, INBOX, APPEALS)  # what the cycle writes under the demo's folder


@dataclass(slots=True)
class CycleSummary:
    submitted: int = 0
    files_sent: list[Path] = field(default_factory=list)
    files_received: list[Path] = field(default_factory=list)
    accepted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    claims_by_status: Counter[str] = field(default_factory=Counter)
    paid: Money = field(default_factory=Money.zero)
    denials: Counter[str] = field(default_factory=Counter)  # CARC -> lines
    unmatched: int = 0
    secondary_queued: int = 0
    crossovers: int = 0
    ar_by_payer: list[tuple[str, Money, Money]] = field(default_factory=list)  # payer, insurance A/R, denied
    patient_balance: Money = field(default_factory=Money.zero)
    ledger: LedgerReport | None = None
    mis_keyed: int = 0
    ended_unknown: int = 0
    credits_applied: Money = field(default_factory=Money.zero)
    work: DenialSummary = field(default_factory=DenialSummary)


DEMO_CONFIG = f"""# The demo's clearinghouse connection, written by dermbill demo: claims go to the simulated payer.
# Use it with: dermbill claims submit --config THIS_FILE ... and dermbill clearinghouse sync --config THIS_FILE ...
[connections.{CONNECTION}]
kind = "simulated"
folder = "{PAYER_FOLDER}"

[[routes]]
practice = "*"
payer = "*"
connection = "{CONNECTION}"
"""


def demo_time(as_of: datetime.date) -> datetime.datetime:
    """The demo's clock: the end of its as-of day (18:00 UTC), when everything it does happens."""
    return datetime.datetime.combine(as_of, datetime.time(18, 0), tzinfo=datetime.UTC)


def simulated_payer_config(out_dir: Path) -> ClearinghouseConfig:
    """The demo's configuration, written to ``out_dir/dermbill.toml`` for the commands to use afterwards."""
    path = out_dir / CONFIG_FILE
    path.write_text(DEMO_CONFIG)
    return read_config(path)


def set_up_simulated_payer(database: Database, folder: Path, seed: int) -> tuple[int, int]:
    """Write the payer's payers and roster from the demo's patients; returns (member IDs mis-keyed in our
    records, coverages the payer ended without our knowing)."""
    rng = random.Random(seed * 7919 + 11)
    folder.mkdir(parents=True, exist_ok=True)
    write_payers(folder / "payers.csv", [
        PayerProfile(p.payer_identifier, p.name, p.kind, FEE_PERCENT[p.key], p.timely_filing_days,
                     DAYS_TO_PAY.get(p.kind, 21), patient_owes_after_secondary=p.kind != "medicaid",
                     accepts_x_modifiers=p.key != "blue", authorization_codes=MOHS if p.key == "hmo" else ())
        for p in PAYERS])
    members: list[Member] = []
    mis_keyed = ended = 0
    with UnitOfWork(database, actor="demo") as uow:
        payers = {row.id: row for row in uow.session.scalars(select(PayerRow))}
        patients = {row.id: row for row in uow.session.scalars(select(PatientRow))}
        coverages = list(uow.session.scalars(select(CoverageRow).order_by(CoverageRow.id)))
        first_service = dict(uow.session.execute(
            select(ClaimRow.coverage_id, func.min(ClaimLineRow.service_date_from))
            .join(ClaimLineRow, ClaimLineRow.claim_id == ClaimRow.id).group_by(ClaimRow.coverage_id)).all())
        by_patient: dict[int, list[CoverageRow]] = {}
        for coverage in coverages:
            by_patient.setdefault(coverage.patient_id, []).append(coverage)
        for coverage in coverages:
            payer, patient = payers[coverage.payer_id], patients[coverage.patient_id]
            termination = coverage.termination_date
            billed_from = first_service.get(coverage.id)
            if billed_from and termination is None and rng.random() * 100 < ENDED_UNKNOWN_PERCENT:
                termination = billed_from - datetime.timedelta(days=rng.randint(1, 20))
                ended += 1
            crossover = None
            if payer.kind == "medicare" and rng.random() * 100 < CROSSOVER_PERCENT:
                crossover = next((c for c in by_patient[coverage.patient_id] if c.coverage_order == "secondary"
                                  and payers[c.payer_id].kind == "commercial"), None)
            members.append(Member(
                payer.payer_identifier, coverage.member_id,
                coverage.subscriber_last_name or patient.last_name,
                coverage.subscriber_first_name or patient.first_name,
                coverage.subscriber_date_of_birth or patient.date_of_birth, coverage.effective_date, termination,
                MEDICARE_DEDUCTIBLE if payer.kind == "medicare" else
                Money(0) if payer.kind == "medicaid" else Money(rng.choice((25000, 50000, 100000))),
                20 if payer.kind == "medicare" else 0 if payer.kind == "medicaid" else rng.choice((10, 20)),
                Money(coverage.copay_cents or 0),
                payers[crossover.payer_id].payer_identifier if crossover else None,
                crossover.member_id if crossover else None))
        write_roster(folder / "roster.csv", members)
        for coverage in coverages:  # the front desk mis-keys a few member IDs after the payer knows the right ones
            if coverage.id in first_service and coverage.coverage_order == "primary" and \
                    rng.random() * 100 < MIS_KEYED_PERCENT and len(coverage.member_id) > 3:
                coverage.member_id = coverage.member_id[:-2] + coverage.member_id[-1] + coverage.member_id[-2]
                mis_keyed += coverage.member_id[-1] != coverage.member_id[-2]
        uow.commit()
    return mis_keyed, ended


CYCLE_STEPS = 8


def run_revenue_cycle(database: Database, out_dir: Path, *, as_of: datetime.date, seed: int,
                      progress: Callable[[int, int], None] = lambda _done, _total: None) -> CycleSummary:
    """Send the claims of all but the last month, work the denials, learn, then send the rest (see demo_denials).
    ``progress(done, total)`` is told after each of its steps. Everything is done on ``as_of`` (``demo_time``)."""
    with clock_for_units_of_work(lambda: demo_time(as_of)):
        return _run_revenue_cycle(database, out_dir, as_of=as_of, seed=seed, progress=progress)


def _run_revenue_cycle(database: Database, out_dir: Path, *, as_of: datetime.date, seed: int,
                       progress: Callable[[int, int], None]) -> CycleSummary:
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        progress(done, CYCLE_STEPS)

    progress(0, CYCLE_STEPS)
    summary = CycleSummary()
    config = simulated_payer_config(out_dir)
    summary.mis_keyed, summary.ended_unknown = set_up_simulated_payer(database, out_dir / PAYER_FOLDER, seed)
    write_contracts(database, as_of, FEE_PERCENT)
    step()
    now = demo_time(as_of)
    outbox, inbox = out_dir / OUTBOX, out_dir / INBOX
    first_claims, later_claims = _split_ready_claims(database, as_of - datetime.timedelta(days=LEARNING_DAYS))
    submits, syncs = [], []
    for _ in range(2):  # the claims, then the secondary claims their 835s opened
        submits.append(submit_claims(database, config, outbox, now=now, actor="demo",
                                     claim_ids=_ready_claims(database) - later_claims))
        syncs.append(sync(database, config, inbox, now=now))
        step()
    work_the_queue(database, out_dir, today=as_of, summary=summary.work)
    step()
    for _ in range(2):  # the last month's claims with the corrected claims; then their secondary claims
        rescrubbed = scrub_stored_claims(database, claim_ids=sorted(_ready_claims(database)), fix=True, as_of=as_of,
                                         actor="demo")  # with the payer rules just learned
        summary.work.fixed_by_learned_rules += sum(bool(o.fixes) for o in rescrubbed)
        summary.work.held_by_learned_rules += sum(
            any(f.rule == "authorization-missing" for f in o.result.findings) for o in rescrubbed)
        submits.append(submit_claims(database, config, outbox, now=now, actor="demo"))
        syncs.append(sync(database, config, inbox, now=now))
        step()
    refresh_queue(database, today=as_of, actor="demo")
    if correct_certain_fixes(database, today=as_of, summary=summary.work):  # denials of the last month's claims
        submits.append(submit_claims(database, config, outbox, now=now, actor="demo"))
        syncs.append(sync(database, config, inbox, now=now))
        refresh_queue(database, today=as_of, actor="demo")
    step()
    count_queue(database, summary.work, first_claims, later_claims)
    summary.secondary_queued = sum(len(report.secondary.queued) for report in syncs)
    _tally(summary, tuple(submits), tuple(syncs))
    summary.credits_applied = apply_patient_credits(database, now=now, actor="demo")
    _balances(database, summary)
    summary.ledger = check_ledger(database)
    step()
    return summary


def _ready_claims(database: Database) -> set[int]:
    with UnitOfWork(database, actor="demo") as uow:
        return set(uow.session.scalars(select(ClaimRow.id).where(ClaimRow.status == "ready")))


def _split_ready_claims(database: Database, cutoff: datetime.date) -> tuple[set[int], set[int]]:
    """The ready claims with services before the cutoff, and those from it on (sent after the learning)."""
    with UnitOfWork(database, actor="demo") as uow:
        rows = uow.session.execute(
            select(ClaimRow.id, func.min(ClaimLineRow.service_date_from))
            .join(ClaimLineRow, ClaimLineRow.claim_id == ClaimRow.id)
            .where(ClaimRow.status == "ready").group_by(ClaimRow.id)).all()
    return {claim for claim, day in rows if day < cutoff}, {claim for claim, day in rows if day >= cutoff}


def _tally(summary: CycleSummary, submits: tuple[SubmitReport, ...], syncs: tuple[SyncReport, ...]) -> None:
    summary.submitted = sum(s.claims for s in submits)
    summary.files_sent = [f.path for s in submits for f in s.files]
    for report in syncs:
        summary.files_received += report.fetched
        summary.accepted += len(report.accepted)
        summary.rejected += report.rejected
        summary.paid += sum((r.paid for r in report.remittances), Money.zero())
        summary.unmatched += sum(len(r.unmatched) for r in report.remittances)


def _balances(database: Database, summary: CycleSummary) -> None:
    with UnitOfWork(database, actor="demo") as uow:
        summary.claims_by_status = Counter({status: int(count) for status, count in uow.session.execute(
            select(ClaimRow.status, func.count()).group_by(ClaimRow.status))})
        for adjustments in uow.session.scalars(select(LineAdjudicationRow.adjustments).where(
                LineAdjudicationRow.paid_cents == 0, LineAdjudicationRow.status_code != "22")):
            for adjustment in adjustments:
                if adjustment["group"] in ("CO", "OA", "PI") and adjustment["reason"] not in ("45", "59", "23"):
                    summary.denials[f"{adjustment['group']}-{adjustment['reason']}"] += 1
        rows = uow.session.execute(
            select(PayerRow.name, LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
            .join(PostingRow, PostingRow.payer_id == PayerRow.id)
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(LedgerAccountRow.code.in_(("1100", "1150")))
            .group_by(PayerRow.name, LedgerAccountRow.code)).all()
        by_payer: dict[str, dict[str, int]] = {}
        for name, code, total in rows:
            by_payer.setdefault(name, {})[code] = int(total)
        summary.ar_by_payer = [(name, Money(v.get("1100", 0)), Money(v.get("1150", 0)))
                               for name, v in sorted(by_payer.items())]
        patient = uow.session.scalar(
            select(func.sum(PostingRow.amount_cents)).join(LedgerAccountRow,
                                                           LedgerAccountRow.id == PostingRow.account_id)
            .where(LedgerAccountRow.code == "1200"))
        summary.patient_balance = Money(int(patient or 0))
        summary.crossovers = int(uow.session.scalar(select(func.count(func.distinct(LineAdjudicationRow.claim_id)))
                                                    .where(LineAdjudicationRow.status_code == "19")) or 0)
        summary.unmatched = int(uow.session.scalar(select(func.count()).select_from(UnmatchedRemittanceRow)) or 0)
