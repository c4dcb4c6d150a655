"""The demo's front desk: its upcoming visits booked, and eligibility run the day before them.

After the revenue cycle, on the demo's day (``as_of``, 18:00), each practice books visits for a share of its insured
patients on the next business days, with a visit type and the procedures planned. The simulated payer is told of
what the front desk does not know yet, as in life: for a few of those patients the payer ended the coverage last
month, the front desk mis-keyed the member ID (two characters swapped), or another payer the patient has is primary
(the payer's roster says so: its 271 answers EB*R). Then eligibility runs for the next seven days, through the demo's
connection, and the answers are applied: the work list and the proposed order changes are the front desk's work
in the staff application.

Its summary is what the front desk caught before the visits: the claims that would have been denied CO-27
(coverage ended), CO-31 (patient not identified as the payer's member) or CO-22 (another payer is primary).
Nothing it writes is dated after ``as_of``: the visits are later, the checks are made on that day.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dermbill.clearinghouse.simulated_payer.plans import read_roster, write_roster
from dermbill.core.eligibility import Outcome
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppointmentRow,
    CoverageRow,
    EligibilityCheckRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo_cycle import INBOX, OUTBOX, PAYER_FOLDER, demo_time, simulated_payer_config
from dermbill.services.eligibility import RunSummary, run_eligibility

DAYS_AHEAD = 7  # eligibility looks this far ahead
BUSINESS_DAYS = 5  # the visits are booked over the next five business days
VISITS = (("follow-up", ("99213",)), ("skin check", ("99214",)), ("biopsy", ("11102",)),
          ("destruction", ("17000", "17003")), ("excision", ("11402", "12032")), ("Mohs", ("17311",)))
PLANTED = ("coverage ended", "member ID mis-keyed", "another payer primary")


@dataclass(slots=True)
class FrontDeskSummary:
    appointments: int = 0
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    planted: Counter[str] = field(default_factory=Counter)
    eligibility: RunSummary = field(default_factory=RunSummary)
    prevented: Counter[str] = field(default_factory=Counter)  # CARC -> claims caught before the visit

    def to_json(self) -> dict[str, Any]:
        return {"appointments": self.appointments, "business_days": BUSINESS_DAYS,
                "planted": dict(sorted(self.planted.items())), "eligibility": self.eligibility.to_json(),
                "denials_prevented": dict(sorted(self.prevented.items()))}

    def lines(self) -> list[str]:
        """The summary in words, for the demo's printout."""
        e = self.eligibility
        if not self.appointments:
            return ["Front desk: no upcoming visits booked."]
        days = f"{self.first_day.isoformat()} to {self.last_day.isoformat()}" if self.first_day and self.last_day \
            else ""
        caught = ", ".join(f"{count} {carc} ({CAUSES[carc]})" for carc, count in sorted(self.prevented.items()))
        return [
            f"Front desk: {self.appointments} upcoming visits booked ({days}); eligibility run the day before: "
            f"{e.sent} 270s in {len(e.files)} file(s).",
            f"  271s: {e.active} active, {e.inactive} inactive, {e.not_found} not found, {e.errors} other errors, "
            f"{e.other_payer_primary} another payer primary, {e.no_answer} no answer.",
            f"  Front-desk denials prevented: {sum(self.prevented.values())} claims caught before the visit"
            + (f": {caught}." if caught else ".")
            + " See the work list: dermbill eligibility worklist, or Front desk in the staff application.",
        ]


CAUSES = {"CO-27": "coverage ended", "CO-31": "patient not identified", "CO-22": "another payer primary"}


def run_front_desk(database: Database, out_dir: Path, *, as_of: datetime.date, seed: int) -> FrontDeskSummary:
    """Book the upcoming visits, tell the payer what the desk does not know, and run eligibility (see the module)."""
    rng = random.Random(seed * 7907 + 3)
    summary = FrontDeskSummary()
    days = _business_days(as_of, BUSINESS_DAYS)
    summary.first_day, summary.last_day = days[0], days[-1]
    now = demo_time(as_of)
    booked = _book_visits(database, rng, days, now, summary)
    _tell_the_payer(database, rng, out_dir / PAYER_FOLDER, booked, as_of, summary)
    summary.eligibility = run_eligibility(database, simulated_payer_config(out_dir), inbox=out_dir / INBOX,
                                          outbox=out_dir / OUTBOX, days=DAYS_AHEAD, today=as_of, now=now,
                                          actor="demo-front-desk")
    with UnitOfWork(database, actor="demo") as uow:
        outcomes = uow.session.scalars(select(EligibilityCheckRow.outcome).where(
            EligibilityCheckRow.id.in_(summary.eligibility.check_ids)))
        for outcome in outcomes:
            carc = Outcome(outcome).prevented_denial if outcome else None
            if carc:
                summary.prevented[carc] += 1
    return summary


def _business_days(as_of: datetime.date, count: int) -> list[datetime.date]:
    days: list[datetime.date] = []
    day = as_of
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def _book_visits(database: Database, rng: random.Random, days: list[datetime.date], now: datetime.datetime,
                 summary: FrontDeskSummary) -> list[tuple[int, int]]:
    """Book visits for a share of each practice's insured patients; (practice, patient) of each."""
    booked: list[tuple[int, int]] = []
    with UnitOfWork(database, actor="demo-front-desk", clock=lambda: now) as uow:
        for practice in uow.session.scalars(select(PracticeRow).order_by(PracticeRow.id)):
            repo = uow.practice(practice.id)
            insured = sorted({c.patient_id for c in repo.rows(CoverageRow, CoverageRow.coverage_order == "primary")
                              if c.termination_date is None or c.termination_date >= days[0]})
            if not insured:
                continue
            count = max(6, min(40, len(insured) // 10))
            chosen = sorted(rng.sample(insured, min(count, len(insured))))
            providers = repo.rows(ProviderRow)
            locations = repo.rows(ServiceLocationRow)
            for index, patient_id in enumerate(chosen):
                day = days[index % len(days)]
                slot = index // len(days)
                start = datetime.datetime.combine(day, datetime.time(9 + slot % 8, 20 * (slot // 8 % 3)),
                                                  tzinfo=datetime.UTC)
                visit_type, codes = rng.choice(VISITS)
                row = repo.add(AppointmentRow(
                    patient_id=patient_id, provider_id=rng.choice(providers).id if providers else None,
                    location_id=locations[0].id if locations else None, starts_at=start,
                    minutes=30 if visit_type in ("excision", "Mohs") else 15, visit_type=visit_type,
                    planned_codes=list(codes), status="booked", updated_at=now))
                repo.flush()
                repo.audit("appointment.booked", "appointment", row.id, {"status": "booked",
                                                                         "starts_at": start.isoformat(),
                                                                         "via": "demo"})
                booked.append((practice.id, patient_id))
        uow.commit()
    summary.appointments = len(booked)
    return booked


def _tell_the_payer(database: Database, rng: random.Random, folder: Path, booked: list[tuple[int, int]],
                    as_of: datetime.date, summary: FrontDeskSummary) -> None:
    """For a few booked patients per practice: the payer ended the coverage last month, the desk mis-keyed the
    member ID, or another payer of the patient is primary."""
    roster = {(m.payer_id, m.member_id): m for m in read_roster(folder / "roster.csv").members()}
    with UnitOfWork(database, actor="demo") as uow:
        payers = {p.id: p for p in uow.session.scalars(select(PayerRow))}
        by_practice: dict[int, list[int]] = {}
        for practice_id, patient_id in booked:
            by_practice.setdefault(practice_id, []).append(patient_id)
        for patient_ids in by_practice.values():
            coverages: dict[int, list[CoverageRow]] = {}
            for coverage in uow.session.scalars(select(CoverageRow).where(CoverageRow.patient_id.in_(patient_ids))
                                                .order_by(CoverageRow.id)):
                coverages.setdefault(coverage.patient_id, []).append(coverage)
            with_secondary = [p for p in patient_ids if len(coverages.get(p, [])) > 1]
            others = [p for p in patient_ids if p not in with_secondary]
            rng.shuffle(others)
            if with_secondary:
                patient_id = rng.choice(with_secondary)
                primary = _order(coverages[patient_id], "primary")
                secondary = _order(coverages[patient_id], "secondary")
                key = (payers[primary.payer_id].payer_identifier, primary.member_id) if primary else None
                if primary and secondary and key in roster:
                    other = payers[secondary.payer_id]
                    roster[key] = replace(roster[key], other_payer_id=other.payer_identifier,
                                          other_payer_name=other.name)
                    summary.planted[PLANTED[2]] += 1
            for plant, patient_id in zip(PLANTED[:2], others[:2], strict=False):
                primary = _order(coverages.get(patient_id, []), "primary")
                if primary is None:
                    continue
                key = (payers[primary.payer_id].payer_identifier, primary.member_id)
                if plant == PLANTED[0] and key in roster:
                    ended = as_of.replace(day=1) - datetime.timedelta(days=1)  # the end of last month
                    if roster[key].effective_date <= ended:
                        roster[key] = replace(roster[key], termination_date=ended)
                        summary.planted[plant] += 1
                elif plant == PLANTED[1] and len(primary.member_id) > 3 and primary.member_id[-1] != \
                        primary.member_id[-2]:
                    primary.member_id = primary.member_id[:-2] + primary.member_id[-1] + primary.member_id[-2]
                    summary.planted[plant] += 1
        uow.commit()
    write_roster(folder / "roster.csv", list(roster.values()))


def _order(coverages: list[CoverageRow], order: str) -> CoverageRow | None:
    found = [c for c in coverages if c.coverage_order == order]
    return max(found, key=lambda c: (c.effective_date, c.id)) if found else None

