"""Soft collections (issue 16): the call list, the contact log, holds on the cadence, and the hand-off of a balance
to a collection agency with its bad-debt write-off and the recoveries after it.

The decisions are ``core.collections``' (who to call, a contact's consistency, when an account may go to an agency,
who may approve it); this module reads the facts (``services.patient_accounts``: the ledger's balances by claim, the
statement history, the holds; the contact log; patient payments; placements), asks the core, and saves.

Money paths (all in the practice's ledger, each posted once, by its idempotency key):
- placing an approved account with the agency writes its balance off, line by line: Dr bad debt (4300), Cr patient
  A/R (1200), each posting naming the patient, claim and claim line (key ``agency-placement:<id>``);
- money the agency recovers afterwards reinstates the written-off part of each line, oldest first, and pays it:
  Dr patient A/R, Cr bad debt; Dr cash, Cr patient A/R, naming the lines (key ``agency-recovery:<id>:<reference>``),
  so bad debt falls by what was recovered and each line's patient balance stays zero. The amount is gross (what
  the agency collected; its fee, if any, is the practice's expense, outside this path).
Every listing and change is audited, and every query is scoped to one practice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select

from dermbill.core.access import NotPermitted, Permission, require
from dermbill.core.collections import (
    OPEN_PLACEMENTS,
    PLACEABLE_HOLDS,
    RECONTACT_DAYS,
    AgencyRow,
    Channel,
    Contact,
    Debtor,
    Outcome,
    Payment,
    PlacementStatus,
    agency_csv,
    check_agency_decision,
    check_agency_proposal,
    check_contact,
    check_hold_kind,
    todays_calls,
)
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import BAD_DEBT, CASH, PATIENT_AR, JournalEntry, Posting
from dermbill.core.money import Money, apply_in_order
from dermbill.core.statements import Hold, Policy, Step
from dermbill.db.engine import Database
from dermbill.db.models import (
    AgencyPlacementRow,
    ClaimLineRow,
    ClaimRow,
    CollectionContactRow,
    CollectionHoldRow,
    JournalEntryRow,
    LedgerAccountRow,
    PatientRow,
    PostingRow,
    PracticeRow,
    UserAccountRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.patient_accounts import PatientAccount, read_accounts
from dermbill.services.statements import load_policy
from dermbill.services.users import normalized_email, user_view

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class CallView:
    practice: str
    account_number: str
    patient: str
    phone: str
    balance: Money
    age_days: int
    step: Step | None
    reason: str
    last_contact: Contact | None
    script: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        last = self.last_contact
        return {"practice": self.practice, "account_number": self.account_number, "patient": self.patient,
                "phone": self.phone, "balance": self.balance.plain(), "age_days": self.age_days,
                "step": self.step.value if self.step else None, "reason": self.reason,
                "last_contact": None if last is None else {"on": last.on.isoformat(), "outcome": last.outcome.value},
                "script": list(self.script)}


def call_list(database: Database, practices: Collection[str] | None, day: datetime.date, *, actor: str,
              recontact_days: int = RECONTACT_DAYS, practice_ids: Collection[int] | None = None) -> list[CallView]:
    """Today's calls for these practices (codes; None: every practice; and only those of ``practice_ids`` when
    given: a user's), most urgent first. Audited per practice (the list shows balances and phone numbers)."""
    views: list[CallView] = []
    with UnitOfWork(database, actor=actor) as uow:
        chosen = [p for p in _practices(uow, practices) if practice_ids is None or p.id in practice_ids]
        for practice in chosen:
            repo = uow.practice(practice.id)
            policy = load_policy(uow, practice.id)
            debtors = _debtors(repo, day, policy)
            for call in todays_calls([d for _, d in debtors], day, policy, practice_name=practice.legal_name,
                                     recontact_days=recontact_days):
                debtor = call.debtor
                views.append(CallView(practice.code, debtor.account.account_number, debtor.name, debtor.phone or "",
                                      debtor.account.balance, call.age_days, call.decision.step,
                                      call.decision.reason, debtor.last_contact, call.script))
        if chosen:
            uow.audit_practices("collections.call_list", "patient", [p.id for p in chosen],
                                detail={"day": day.isoformat(), "calls": len(views)})
        uow.commit()
    return views


@dataclass(frozen=True, slots=True)
class ContactLogged:
    contact_id: int
    hold_id: int | None  # the dispute hold it placed


def log_contact(database: Database, practice: str, account_number: str, outcome: str, *, actor: str,
                channel: str = Channel.PHONE.value, promise_date: datetime.date | None = None,
                promise_amount: Money | None = None, note: str | None = None,
                now: datetime.datetime | None = None, practice_id: int | None = None) -> ContactLogged:
    """Log a contact with a guarantor; a dispute also holds the cadence (until released after review). The
    practice by its code, or by ``practice_id`` (the web application's, among the user's practices)."""
    moment = now or utc_now()
    chosen_outcome = _choice(Outcome, outcome, "outcome")
    chosen_channel = _choice(Channel, channel, "channel")
    effect = check_contact(chosen_outcome, moment.date(), promise_date=promise_date, promise_amount=promise_amount)
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id if practice_id is not None else _practice(uow, practice).id)
        patient = _patient(repo, account_number)
        row = repo.add(CollectionContactRow(
            patient_id=patient.id, contacted_at=moment, contacted_by=actor, channel=chosen_channel.value,
            outcome=chosen_outcome.value, promise_date=promise_date,
            promise_cents=promise_amount.cents if promise_amount else None, note=(note or "").strip() or None))
        repo.flush()
        repo.audit("collections.contact_logged", "patient", patient.id,
                   {"contact": row.id, "channel": chosen_channel.value, "outcome": chosen_outcome.value,
                    "promise_date": promise_date.isoformat() if promise_date else None,
                    "promise": promise_amount.plain() if promise_amount else None})
        hold_id = None
        if effect.hold is not None and not _open_holds(repo, patient.id, effect.hold):
            hold_id = _add_hold(repo, patient, effect.hold, f"disputed on contact: {(note or '').strip()}".strip(),
                                actor, moment)
        uow.commit()
    return ContactLogged(row.id, hold_id)


def place_hold(database: Database, practice: str, account_number: str, kind: str, reason: str, *, actor: str,
               now: datetime.datetime | None = None) -> int:
    """Hold the guarantor's cadence (a dispute, a pending insurance re-bill, a hardship review); returns its id."""
    moment = now or utc_now()
    hold = check_hold_kind(_choice(Hold, kind, "hold", offered=PLACEABLE_HOLDS))
    if not reason.strip():
        raise InvalidInput("a hold needs a reason (what is being reviewed or re-billed)")
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(_practice(uow, practice).id)
        patient = _patient(repo, account_number)
        if _open_holds(repo, patient.id, hold):
            raise InvalidTransition(f"account {account_number} already has an open {hold.label} hold")
        hold_id = _add_hold(repo, patient, hold, reason.strip(), actor, moment)
        uow.commit()
    return hold_id


def release_hold(database: Database, practice: str, account_number: str, kind: str, *, actor: str,
                 now: datetime.datetime | None = None) -> int:
    """Release the guarantor's open hold of this kind: the cadence goes on from where the days put it."""
    moment = now or utc_now()
    hold = _choice(Hold, kind, "hold", offered=PLACEABLE_HOLDS)
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(_practice(uow, practice).id)
        patient = _patient(repo, account_number)
        rows = _open_holds(repo, patient.id, hold)
        if not rows:
            raise NotFound(f"account {account_number} has no open {hold.label} hold")
        for row in rows:
            row.released_by, row.released_at = actor, moment
        repo.flush()
        repo.audit("collections.hold_released", "patient", patient.id, {"kind": hold.value,
                                                                        "holds": [r.id for r in rows]})
        uow.commit()
    return rows[0].id


def propose_agency(database: Database, practice: str, account_number: str, *, actor: str, reason: str = "",
                   now: datetime.datetime | None = None) -> int:
    """Propose handing the guarantor's balance to the agency; only an account the cadence took to the hand-off
    step. It waits for a manager's approval (``decide_agency``). Returns the placement's id."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        practice_row = _practice(uow, practice)
        repo = uow.practice(practice_row.id)
        patient = _patient(repo, account_number)
        policy = load_policy(uow, practice_row.id)
        found = [d for a, d in _debtors(repo, moment.date(), policy, patient_ids=[patient.id])
                 if a.patient.id == patient.id]
        if not found:
            raise InvalidTransition(f"account {account_number} owes nothing: nothing to hand to an agency")
        balance = check_agency_proposal(found[0], moment.date(), policy)
        row = repo.add(AgencyPlacementRow(patient_id=patient.id, status=PlacementStatus.PROPOSED.value,
                                          balance_cents=balance.cents, proposed_by=actor, proposed_at=moment,
                                          reason=reason.strip() or None, recovered_cents=0))
        repo.flush()
        repo.audit("collections.agency_proposed", "patient", patient.id, {"placement": row.id,
                                                                          "balance": balance.plain()})
        uow.commit()
    return row.id


def decide_agency(database: Database, practice: str, placement_id: int, *, approve: bool, decider: str,
                  reason: str = "", now: datetime.datetime | None = None) -> PlacementStatus:
    """A manager approves or rejects a proposed hand-off. ``decider`` is the user's e-mail: they must hold the
    permission to approve patient adjustments, have the practice, and not be the one who proposed it."""
    moment = now or utc_now()
    decision = PlacementStatus.APPROVED if approve else PlacementStatus.REJECTED
    with UnitOfWork(database, actor=decider, clock=lambda: moment) as uow:
        practice_row = _practice(uow, practice)
        user_row = uow.session.scalars(select(UserAccountRow).where(
            UserAccountRow.email == normalized_email(decider))).first()
        if user_row is None or user_row.disabled:
            raise NotPermitted(f"'{decider}' is not an enabled dermbill user: a manager decides a hand-off to an "
                               "agency (act as one: dermbill --as EMAIL ...)")
        user = user_view(uow, user_row)
        require(user.roles, Permission.APPROVE_PATIENT_ADJUSTMENTS)
        if practice_row.id not in user.practice_ids:
            raise NotPermitted(f"{user.email} does not have practice {practice_row.code}")
        repo = uow.practice(practice_row.id)
        row = repo.get(AgencyPlacementRow, placement_id)
        check_agency_decision(PlacementStatus(row.status), decision, proposed_by=row.proposed_by,
                              decided_by=user.email)
        if not approve and not reason.strip():
            raise InvalidInput("say why the hand-off is rejected (--reason)")
        row.status, row.decided_by, row.decided_at = decision.value, user.email, moment
        if reason.strip():
            row.reason = reason.strip()
        repo.flush()
        repo.audit(f"collections.agency_{decision.value}", "patient", row.patient_id,
                   {"placement": row.id, "reason": reason.strip() or None})
        uow.commit()
    return decision


@dataclass(frozen=True, slots=True)
class AgencyExport:
    path: Path | None  # None when nothing was approved
    placed: tuple[str, ...]  # account numbers placed
    written_off: Money
    skipped: tuple[str, ...]  # approved accounts paid off in the meantime (recalled, nothing placed)
    held: tuple[str, ...] = ()  # approved accounts held since (a dispute, a plan ...): left approved, not placed


def export_agency_file(database: Database, practice: str, directory: Path, *, actor: str,
                       now: datetime.datetime | None = None) -> AgencyExport:
    """Place every approved account of the practice with the agency: one CSV (``core.collections.agency_csv``) in
    ``directory``, each account marked placed, and its balance written off to bad debt line by line (once per
    placement: its idempotency key). An account paid off since approval is recalled instead; one whose cadence is
    held since (a dispute, a payment plan ...) waits, approved, until the hold is released."""
    moment = now or utc_now()
    day = moment.date()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        practice_row = _practice(uow, practice)
        repo = uow.practice(practice_row.id)
        approved = repo.rows(AgencyPlacementRow, AgencyPlacementRow.status == PlacementStatus.APPROVED.value)
        if not approved:
            return AgencyExport(None, (), Money(0), ())
        held: list[str] = []
        repo.open_standard_chart()
        accounts = read_accounts(repo, day, load_policy(uow, practice_row.id),
                                 patient_ids=[p.patient_id for p in approved])
        payments = _payments(repo, [p.patient_id for p in approved])
        rows: list[AgencyRow] = []
        placed: list[AgencyPlacementRow] = []
        skipped: list[str] = []
        written_off = Money(0)
        name = f"agency-{practice_row.code}-{moment:%Y%m%dT%H%M%S}.csv"
        for placement in approved:
            patient = repo.get(PatientRow, placement.patient_id)
            lines = _open_lines(repo, patient.id)
            if not lines:
                placement.status, placement.reason = PlacementStatus.RECALLED.value, "paid before placement"
                skipped.append(patient.account_number)
                continue
            account = accounts.get(patient.id)
            if account is not None and account.account.holds:
                held.append(patient.account_number)
                continue
            postings: list[Posting] = []
            for (claim_id, line_id), cents in lines:
                dims = {"patient_id": patient.id, "claim_id": claim_id, "claim_line_id": line_id}
                postings += [Posting(BAD_DEBT, Money(cents), **dims), Posting(PATIENT_AR, Money(-cents), **dims)]
            amount = Money(sum(cents for _, cents in lines))
            entry_id, _ = repo.post(JournalEntry(day, f"patient {patient.account_number} placed with a collection "
                                                      f"agency ({name}): balance written off to bad debt",
                                                 tuple(postings), idempotency_key=f"agency-placement:{placement.id}",
                                                 kind="bad_debt"))
            dos = _dates_of_service(repo, [claim_id for (claim_id, _), _ in lines if claim_id is not None])
            paid = [p.on for p in payments.get(patient.id, [])]
            rows.append(AgencyRow(
                patient.account_number, f"{patient.last_name}, {patient.first_name}",
                ", ".join(part for part in (patient.address_line1, patient.address_line2, patient.city,
                                            f"{patient.state} {patient.zip_code}") if part),
                patient.phone or "", patient.date_of_birth, amount,
                account.account.last_statement if account else None, max(paid) if paid else None,
                min(dos) if dos else day))
            placement.status, placement.placed_file, placement.placed_at = PlacementStatus.PLACED.value, name, moment
            placement.written_off_entry_id = entry_id
            placed.append(placement)
            written_off += amount
        path = None
        if rows:
            text = agency_csv(rows)
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / name
            path.touch(mode=0o600)  # names, addresses and dates of birth: readable by its owner only
            path.write_text(text, encoding="utf-8", newline="")
        repo.flush()
        repo.audit("collections.agency_exported", "patient", None,
                   {"file": name if rows else None, "placements": [p.id for p in placed],
                    "written_off": written_off.plain(), "recalled": skipped, "held": held})
        uow.commit()
    return AgencyExport(path, tuple(r.account_number for r in rows), written_off, tuple(skipped), tuple(held))


@dataclass(frozen=True, slots=True)
class Recovery:
    entry_id: int
    posted: bool  # False: this reference was recorded before
    amount: Money


def record_recovery(database: Database, practice: str, account_number: str, amount: Money, reference: str, *,
                    actor: str, now: datetime.datetime | None = None) -> Recovery:
    """Money the agency collected on a placed account (gross): the written-off part of each line reinstated and
    paid, oldest line first. The same reference posts once."""
    moment = now or utc_now()
    if amount.cents <= 0:
        raise InvalidInput(f"a recovery must be more than zero (got {amount})")
    if not reference.strip():
        raise InvalidInput("a recovery needs a reference (the agency's remittance or check number)")
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(_practice(uow, practice).id)
        patient = _patient(repo, account_number)
        placements = repo.rows(AgencyPlacementRow, AgencyPlacementRow.patient_id == patient.id,
                               AgencyPlacementRow.status == PlacementStatus.PLACED.value,
                               order_by=AgencyPlacementRow.id.desc())
        written_off_entry = placements[0].written_off_entry_id if placements else None
        if written_off_entry is None:
            raise InvalidTransition(f"account {account_number} is not placed with an agency: post the money as a "
                                    "patient payment")
        placement = placements[0]
        key = f"agency-recovery:{placement.id}:{reference.strip()}"
        done = repo.session.scalar(select(JournalEntryRow.id).where(JournalEntryRow.practice_id == repo.practice_id,
                                                                    JournalEntryRow.idempotency_key == key))
        if done is not None:
            return Recovery(done, False, amount)
        written = [p for p in repo.postings(PostingRow.journal_entry_id == written_off_entry)
                   if p.account_code == BAD_DEBT]
        owed = [p.amount for p in written]
        before, _ = apply_in_order(Money(placement.recovered_cents), owed)
        after, beyond = apply_in_order(Money(placement.recovered_cents) + amount, owed)
        if beyond.cents:
            left = Money(sum(m.cents for m in owed) - placement.recovered_cents)
            raise InvalidInput(f"account {account_number}: {left} of the written-off balance is left to recover; "
                               f"{amount} is more than that")
        postings: list[Posting] = []
        for posting, was, now_part in zip(written, before, after, strict=True):
            part = now_part - was
            if part.cents:
                dims = {"patient_id": posting.patient_id, "claim_id": posting.claim_id,
                        "claim_line_id": posting.claim_line_id}
                postings += [Posting(PATIENT_AR, part, **dims), Posting(BAD_DEBT, -part, **dims),
                             Posting(CASH, part, **dims), Posting(PATIENT_AR, -part, **dims)]
        entry_id, posted = repo.post(JournalEntry(
            moment.date(), f"collection agency recovery {reference.strip()} on patient {account_number}",
            tuple(postings), idempotency_key=key, kind="agency_recovery"))
        if posted:
            placement.recovered_cents += amount.cents
            repo.flush()
            repo.audit("collections.agency_recovered", "patient", patient.id,
                       {"placement": placement.id, "reference": reference.strip(), "amount": amount.plain()})
        uow.commit()
    return Recovery(entry_id, posted, amount)


def collection_holds(uow: UnitOfWork, practice_id: int) -> dict[int, set[Hold]]:
    """The open holds the collections team placed, by patient: one of ``services.statements.hold_sources()``, so
    the statement run's cadence stops for them too."""
    holds: dict[int, set[Hold]] = defaultdict(set)
    for row in uow.practice(practice_id).rows(CollectionHoldRow, CollectionHoldRow.released_at.is_(None)):
        holds[row.patient_id].add(Hold(row.kind))
    return dict(holds)


# Reading.
def _debtors(repo: PracticeRepository, day: datetime.date, policy: Policy, *,
             patient_ids: Collection[int] | None = None) -> list[tuple[PatientAccount, Debtor]]:
    accounts = read_accounts(repo, day, policy, patient_ids=patient_ids)
    if not accounts:
        return []
    # The whole practice's rows when the whole practice is read (no IN list of every debtor: SQLite bounds it).
    only = None if patient_ids is None else list(accounts)
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for row in repo.rows(CollectionContactRow, *_of(CollectionContactRow.patient_id, only)):
        if row.contacted_at.date() > day:
            continue  # a list as of an earlier day does not know of later contacts
        contacts[row.patient_id].append(Contact(
            row.contacted_at.date(), Outcome(row.outcome), row.promise_date,
            Money(row.promise_cents) if row.promise_cents is not None else None))
    with_agency = set(repo.session.scalars(select(AgencyPlacementRow.patient_id).where(
        AgencyPlacementRow.practice_id == repo.practice_id, *_of(AgencyPlacementRow.patient_id, only),
        AgencyPlacementRow.status.in_([s.value for s in OPEN_PLACEMENTS]))))
    payments = _payments(repo, only)
    return [(account, Debtor(account.account, f"{account.patient.last_name}, {account.patient.first_name}",
                             account.patient.phone, tuple(contacts.get(patient_id, [])),
                             tuple(payments.get(patient_id, [])), patient_id in with_agency))
            for patient_id, account in sorted(accounts.items(), key=lambda item: item[1].patient.account_number)]


def _of(column: Any, patient_ids: list[int] | None) -> list[Any]:
    """The criterion ``column IN patient_ids``, or none at all for every patient."""
    return [] if patient_ids is None else [column.in_(patient_ids)]


def _payments(repo: PracticeRepository, patient_ids: list[int] | None) -> dict[int, list[Payment]]:
    """Money in from each patient (of ``patient_ids``; None: every patient) by day: cash received naming the
    patient and no payer (patient payments, copays, agency recoveries)."""
    cash = repo.account_ids().get(CASH)
    if cash is None or patient_ids == []:
        return {}
    rows = repo.session.execute(
        select(PostingRow.patient_id, JournalEntryRow.entry_date, func.sum(PostingRow.amount_cents))
        .join(JournalEntryRow, (JournalEntryRow.id == PostingRow.journal_entry_id)
              & (JournalEntryRow.practice_id == PostingRow.practice_id))
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.account_id == cash,
               *_of(PostingRow.patient_id, patient_ids), PostingRow.payer_id.is_(None),
               PostingRow.amount_cents > 0)
        .group_by(PostingRow.patient_id, JournalEntryRow.entry_date))
    found: dict[int, list[Payment]] = defaultdict(list)
    for patient_id, day, cents in rows:
        if patient_id is not None:
            found[patient_id].append(Payment(day, Money(int(cents))))
    return found


def _open_lines(repo: PracticeRepository, patient_id: int) -> list[tuple[tuple[int | None, int | None], int]]:
    """What the patient owes per charged line, named by the claim that charged it, oldest line first; only what
    is owed (> 0). A line's postings may name other claims (a secondary or corrected claim carries the same charged
    line): summed by the line, so nothing is written off twice; patient A/R naming a claim but no line is summed
    by the claim."""
    owed_on = (select(PostingRow.claim_line_id, PostingRow.claim_id, func.sum(PostingRow.amount_cents))
               .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
               .where(PostingRow.practice_id == repo.practice_id, LedgerAccountRow.practice_id == repo.practice_id,
                      LedgerAccountRow.code == PATIENT_AR, PostingRow.patient_id == patient_id))
    by_line = dict(repo.session.execute(
        select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, LedgerAccountRow.practice_id == repo.practice_id,
               LedgerAccountRow.code == PATIENT_AR, PostingRow.patient_id == patient_id,
               PostingRow.claim_line_id.is_not(None))
        .group_by(PostingRow.claim_line_id)
        .having(func.sum(PostingRow.amount_cents) > 0)).all())
    charged = {line.id: line.claim_id for line in repo.rows(ClaimLineRow, ClaimLineRow.id.in_(list(by_line)))} \
        if by_line else {}
    found: list[tuple[tuple[int | None, int | None], int]] = [
        ((charged.get(line_id), line_id), int(cents)) for line_id, cents in by_line.items() if line_id is not None]
    found += [((claim_id, None), int(cents)) for _, claim_id, cents in repo.session.execute(
        owed_on.where(PostingRow.claim_line_id.is_(None))
        .group_by(PostingRow.claim_line_id, PostingRow.claim_id)
        .having(func.sum(PostingRow.amount_cents) > 0)).all()]
    return sorted(found, key=lambda item: (item[0][0] or 0, item[0][1] or 0))


def _dates_of_service(repo: PracticeRepository, claim_ids: list[int]) -> list[datetime.date]:
    if not claim_ids:
        return []
    return [c.date_of_service for c in repo.rows(ClaimRow, ClaimRow.id.in_(claim_ids))]


def _open_holds(repo: PracticeRepository, patient_id: int, kind: Hold) -> list[CollectionHoldRow]:
    return repo.rows(CollectionHoldRow, CollectionHoldRow.patient_id == patient_id,
                     CollectionHoldRow.kind == kind.value, CollectionHoldRow.released_at.is_(None))


def _add_hold(repo: PracticeRepository, patient: PatientRow, kind: Hold, reason: str, actor: str,
              moment: datetime.datetime) -> int:
    row = repo.add(CollectionHoldRow(patient_id=patient.id, kind=kind.value, reason=reason or kind.label,
                                     placed_by=actor, placed_at=moment))
    repo.flush()
    repo.audit("collections.hold_placed", "patient", patient.id, {"hold": row.id, "kind": kind.value})
    return row.id


def _practices(uow: UnitOfWork, codes: Collection[str] | None) -> list[PracticeRow]:
    query = select(PracticeRow).order_by(PracticeRow.code, PracticeRow.id)
    if codes is not None:
        query = query.where(PracticeRow.code.in_(set(codes)))
    chosen = list(uow.session.scalars(query))
    missing = sorted(set(codes or ()) - {p.code for p in chosen})
    if missing:
        raise NotFound(f"no practice {', '.join(missing)}")
    return chosen


def _practice(uow: UnitOfWork, code: str) -> PracticeRow:
    found = list(uow.session.scalars(select(PracticeRow).where(PracticeRow.code == code.strip())))
    if not found:
        raise NotFound(f"no practice {code.strip()[:20]!r}")
    if len(found) > 1:
        raise InvalidInput(f"{len(found)} billing companies have a practice {code!r}: say which from the web "
                           "application")
    return found[0]


def _patient(repo: PracticeRepository, account_number: str) -> PatientRow:
    found = repo.rows(PatientRow, PatientRow.account_number == account_number.strip())
    if not found:
        raise NotFound(f"no patient with account number '{account_number.strip()[:20]}' in practice "
                       f"{repo.practice.code}")
    return found[0]


def _choice(kind: type[E], text: str, what: str, *, offered: Collection[E] | None = None) -> E:
    try:
        return kind(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        names = ", ".join(e.value for e in (offered if offered is not None else kind))
        raise InvalidInput(f"'{text}' is not a {what}; one of: {names}") from None
