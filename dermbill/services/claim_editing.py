"""Editing a claim before the payer adjudicates it, scrubbing and sending it, and correcting or voiding it after.

Every use case is scoped to the practices the person was granted: a claim of another practice is "not found"
(NotFound), never "forbidden". Every change is audited with what the record said before and after, and written in
the claim's history (its status events: a change that does not move the claim is an event from its status to
itself, saying what changed). A change is checked whole before anything is saved (``core.claim_edits``), and
saved in one transaction with its consequences (the claim re-scrubbed, the ledger's charge adjusted), or not at
all.

A line edit re-scrubs the claim: clean, it is ready for the next submission (``send_claim`` writes its 837P now,
through the same path as ``dermbill claims submit``); a rejected claim whose content changed leaves the fix queue.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from dermbill.core.claim_edits import LineChange, LineValues, check_correctable, check_editable, edited_line
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidFields, InvalidInput, InvalidTransition, NotFound, Problem
from dermbill.core.ledger import GROSS_CHARGES, INSURANCE_AR, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    ClearinghouseProfileRow,
    DenialItemRow,
    JournalEntryRow,
    PayerRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.services.claim_lifecycle import move_claim
from dermbill.services.denials import copy_claim, copy_claim_lines, next_claim_number
from dermbill.services.resubmission import approve_unchanged
from dermbill.services.scrubbing import SCRUBBABLE, scrub_claim_row
from dermbill.services.submission import Router, export_837p

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class LineView:
    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    diagnosis_pointers: tuple[int, ...]
    charge: Money
    date_of_service: datetime.date


@dataclass(frozen=True, slots=True)
class FindingView:
    rule: str
    severity: str
    lines: tuple[int, ...]
    message: str
    fix: str


@dataclass(frozen=True, slots=True)
class ClaimView:
    """A claim as the editing screens show it: its lines, its latest findings, and what it replaces."""

    claim_number: str
    practice: str
    status: str
    frequency_code: str
    payer: str
    payer_claim_number: str | None
    replaces: str | None  # the claim a replacement (7) or void (8) is about
    diagnoses: tuple[str, ...]
    total_charge: Money
    lines: tuple[LineView, ...]
    findings: tuple[FindingView, ...]


@dataclass(frozen=True, slots=True)
class SentClaim:
    claim_number: str
    status: str
    file_name: str
    interchange_control_number: str
    connection: str | None  # None: written to the outbox only (no connection routes it)


def scoped_claim(uow: UnitOfWork, practice_ids: Collection[int], ref: str, *,
                 lock: bool = False) -> tuple[PracticeRepository, ClaimRow]:
    """The claim ``ref`` names among these practices' claims: its claim number (CLM01), or ``PRACTICE:NUMBER``
    where two practices use the same number. NotFound when none of them has it; ``lock`` holds the row until the
    transaction ends (PostgreSQL), so two people's edits of one claim apply one after the other."""
    text = ref.strip()[:60]
    if not practice_ids or not text:
        raise NotFound(f"no claim {text} among your practices' claims")
    query = select(ClaimRow).where(ClaimRow.practice_id.in_(sorted(practice_ids))).order_by(ClaimRow.id)
    if lock:
        query = query.with_for_update(of=ClaimRow)
    rows = list(uow.session.scalars(query.where(ClaimRow.patient_control_number == text)))
    code, _, number = text.rpartition(":")
    if not rows and code:
        rows = list(uow.session.scalars(query.join(PracticeRow, PracticeRow.id == ClaimRow.practice_id).where(
            func.upper(PracticeRow.code) == code.strip().upper(), ClaimRow.patient_control_number == number.strip())))
    if not rows:
        rows = list(uow.session.scalars(query.where(func.upper(ClaimRow.patient_control_number) == text.upper())))
    if not rows:
        raise NotFound(f"no claim {text} among your practices' claims")
    if len(rows) > 1:
        codes = {row.id: uow.session.get(PracticeRow, row.practice_id) for row in rows}
        named = ", ".join(f"{p.code if p else '?'}:{row.patient_control_number}" for row in rows
                          for p in [codes[row.id]])
        raise InvalidInput(f"'{text}' names {len(rows)} claims of your practices: give one of {named}")
    return uow.practice(rows[0].practice_id), rows[0]


def claim_view(repo: PracticeRepository, claim: ClaimRow) -> ClaimView:
    """The claim as it is now in this transaction."""
    repo.flush()
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
    findings = repo.rows(ClaimFindingRow, ClaimFindingRow.claim_id == claim.id)
    payer = repo.session.get(PayerRow, claim.payer_id) if claim.payer_id else None
    original = repo.get(ClaimRow, claim.original_claim_id) if claim.original_claim_id else None
    return ClaimView(
        claim.patient_control_number, repo.practice.code, claim.status, claim.frequency_code,
        payer.name if payer else "", claim.payer_claim_number,
        original.patient_control_number if original else None, tuple(claim.diagnosis_codes),
        Money(claim.total_charge_cents),
        tuple(LineView(line.line_number, line.procedure_code, tuple(line.modifiers), line.units,
                       tuple(line.diagnosis_pointers), Money(line.charge_cents), line.service_date_from)
              for line in lines),
        tuple(FindingView(f.rule, f.severity, tuple(f.lines), f.message, f.fix) for f in findings))


def read_claim(database: Database, practice_ids: Collection[int], claim_number: str, *, actor: str) -> ClaimView:
    """The claim with its lines and findings (an audited read)."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, claim = scoped_claim(uow, practice_ids, claim_number)
        view = claim_view(repo, claim)
        repo.audit("claim.read", "claim", claim.id, {"claim": claim.patient_control_number})
        uow.commit()
        return view


def edit_claim_line(database: Database, practice_ids: Collection[int], claim_number: str, line_number: int,
                    change: LineChange, *, actor: str, as_of: datetime.date) -> ClaimView:
    """Change a line of a claim not yet adjudicated, then re-scrub the claim (when it is one the scrubber takes:
    a draft or held claim is left as it is). InvalidFields lists every problem; nothing is saved then."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, claim = scoped_claim(uow, practice_ids, claim_number, lock=True)
        number = claim.patient_control_number
        check_editable(number, ClaimStatus(claim.status))
        if claim.frequency_code == "8":
            raise InvalidTransition(f"claim {number} is a void: it says what the claim it voids said, and is not "
                                    "edited")
        lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        line = next((row for row in lines if row.line_number == line_number), None)
        if line is None:
            raise NotFound(f"claim {number} has no line {line_number} (its lines: "
                           f"{', '.join(str(row.line_number) for row in lines) or 'none'})")
        before = _values(line)
        after = edited_line(number, line_number, before, change, diagnoses=len(claim.diagnosis_codes),
                            charge_fixed_by=_charge_fixed_by(repo, claim, line))
        if after == before:
            return claim_view(repo, claim)
        line.procedure_code, line.modifiers, line.units = after.procedure_code, list(after.modifiers), after.units
        line.diagnosis_pointers, line.charge_cents = list(after.diagnosis_pointers), after.charge.cents
        claim.total_charge_cents = sum(row.charge_cents for row in lines)
        claim.updated_at = uow.clock()
        if after.charge != before.charge:
            _adjust_posted_charge(repo, claim, line, after.charge - before.charge)
        old, new = _changed(before, after)
        note(repo, claim, f"line {line_number} edited: " + "; ".join(
            f"{name.replace('_', ' ')} {_plain(old[name])} -> {_plain(new[name])}" for name in new))
        repo.audit("claim.line_edited", "claim", claim.id, {"claim": number, "line": line_number,
                                                            "before": old, "after": new})
        if claim.status in SCRUBBABLE:
            scrub_claim_row(repo, claim, as_of=as_of)
        view = claim_view(repo, claim)
        uow.commit()
        return view


def scrub_claim(database: Database, practice_ids: Collection[int], claim_number: str, *, actor: str,
                as_of: datetime.date, resubmit_unchanged: bool = False) -> ClaimView:
    """Scrub one claim: clean, it is ready for the next submission. ``resubmit_unchanged``: the person approves
    sending a rejected claim again as it is (the fix was outside it); audited."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, claim = scoped_claim(uow, practice_ids, claim_number, lock=True)
        before = claim.status
        if resubmit_unchanged:
            if claim.status != ClaimStatus.REJECTED.value:
                raise InvalidTransition(f"claim {claim.patient_control_number} is {claim.status.replace('_', ' ')}; "
                                        "only a rejected claim is approved to go out again unchanged")
            approve_unchanged(repo, claim)
        scrub_claim_row(repo, claim, as_of=as_of)
        repo.audit("claim.scrubbed", "claim", claim.id, {"claim": claim.patient_control_number,
                                                         "before": {"status": before},
                                                         "after": {"status": claim.status}})
        view = claim_view(repo, claim)
        uow.commit()
        return view


def send_claim(database: Database, practice_ids: Collection[int], claim_number: str, *, outbox: Path,
               route: Router | None, actor: str, now: datetime.datetime | None = None) -> SentClaim:
    """Write a ready claim's 837P now, as ``dermbill claims submit`` does (the claim submitted, its charge
    posted), into ``outbox``, routed to the connection ``route`` names for its practice and payer: that file is
    delivered by the next ``dermbill claims submit``, which first delivers every file written and not sent."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, claim = scoped_claim(uow, practice_ids, claim_number)
        number, claim_id = claim.patient_control_number, claim.id
        if claim.status != ClaimStatus.READY.value:
            hint = {"scrub_errors": "fix what the scrubber found, then scrub it again",
                    "rejected": "fix what the rejection names (the fix queue says what), then scrub it again",
                    "coded": "scrub it first", "corrected": "scrub it first"}.get(claim.status, "")
            raise InvalidTransition(f"claim {number} is {claim.status.replace('_', ' ')}, not ready; only a ready "
                                    f"claim is sent{': ' + hint if hint else ''}")
        if uow.session.scalar(select(ClearinghouseProfileRow.id).where(
                ClearinghouseProfileRow.organization_id == repo.practice.organization_id).limit(1)) is None:
            raise InvalidTransition(f"claim {number} cannot be sent: the billing company has no clearinghouse "
                                    "profile yet (an administrator sets it up)")
    try:
        files = export_837p(database, outbox, actor=actor, route=route, claim_ids={claim_id}, now=now)
    except NotFound as exc:  # no route names a connection for its practice and payer: the setup, not the claim
        raise InvalidTransition(f"claim {number} cannot be sent: {exc}") from None
    if len(files) != 1:
        raise InvalidTransition(f"claim {number} changed while it was being sent; look at it again")
    [exported] = files
    return SentClaim(number, ClaimStatus.SUBMITTED.value, exported.path.name, exported.interchange_control_number,
                     exported.connection)


def correct_claim(database: Database, practice_ids: Collection[int], claim_number: str, *, frequency: str,
                  reason: str, actor: str, as_of: datetime.date) -> ClaimView:
    """A corrected claim (frequency 7: a replacement, to be edited and sent) or a void (8) of an adjudicated
    claim, carrying the payer's claim number (REF*F8); the original is closed (it never goes out again). The new
    claim is scrubbed at once; returned."""
    why = " ".join(reason.split())
    if not 1 <= len(why) <= MAX_REASON:
        raise InvalidFields(f"claim {claim_number.strip()[:60]} was not corrected", (Problem(
            "reason", f"say why, in 1 to {MAX_REASON} characters (the claim's history keeps it)"),))
    with UnitOfWork(database, actor=actor) as uow:
        repo, original = scoped_claim(uow, practice_ids, claim_number, lock=True)
        number = original.patient_control_number
        replaced = repo.rows(ClaimRow, ClaimRow.original_claim_id == original.id,
                             ClaimRow.frequency_code.in_(("7", "8")), limit=1)
        check_correctable(number, ClaimStatus(original.status), str(frequency).strip(),
                          own_frequency=original.frequency_code, payer_claim_number=original.payer_claim_number,
                          replaced_by=replaced[0].patient_control_number if replaced else None)
        frequency = str(frequency).strip()
        void = frequency == "8"
        claim = copy_claim(repo, original, next_claim_number(repo, number, "V" if void else "C"),
                           frequency_code=frequency, payer_claim_number=original.payer_claim_number,
                           original_claim_id=original.id)
        copy_claim_lines(repo, original, claim, {})
        status_before = original.status
        what = "voided by claim" if void else "replaced by corrected claim"
        move_claim(repo, original, ClaimStatus.CLOSED, f"{what} {claim.patient_control_number}: {why}")
        note(repo, claim, f"{'void' if void else 'replacement'} (frequency {frequency}) of claim {number}, payer "
                          f"claim number {original.payer_claim_number}: {why}")
        if not void:  # the denial work items of the original wait for the corrected claim's answer
            for item in repo.rows(DenialItemRow, DenialItemRow.claim_id == original.id,
                                  DenialItemRow.status.in_(("open", "snoozed")),
                                  DenialItemRow.follow_up_claim_id.is_(None)):
                item.follow_up_claim_id, item.status, item.updated_at = claim.id, "waiting", uow.clock()
        repo.audit("claim.voided" if void else "claim.corrected", "claim", original.id, {
            "claim": number, "reason": why,
            "before": {"status": status_before},
            "after": {"status": original.status, "frequency": frequency, "new_claim": claim.patient_control_number}})
        scrub_claim_row(repo, claim, as_of=as_of)
        view = claim_view(repo, claim)
        uow.commit()
        return view


def note(repo: PracticeRepository, claim: ClaimRow, reason: str) -> None:
    """A change that does not move the claim, in its history: an event from its status to itself."""
    repo.add(ClaimStatusEventRow(claim_id=claim.id, from_status=claim.status, to_status=claim.status,
                                 actor=repo.uow.actor, reason=reason[:2000], occurred_at=repo.uow.clock()))


def _values(line: ClaimLineRow) -> LineValues:
    return LineValues(line.procedure_code, tuple(line.modifiers), line.units, tuple(line.diagnosis_pointers),
                      Money(line.charge_cents))


def _changed(before: LineValues, after: LineValues) -> tuple[dict[str, object], dict[str, object]]:
    old, new = before.shown(), after.shown()
    names = [name for name in new if old[name] != new[name]]
    return {name: old[name] for name in names}, {name: new[name] for name in names}


def _plain(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value) or "none"
    return str(value)


def _charge_fixed_by(repo: PracticeRepository, claim: ClaimRow, line: ClaimLineRow) -> str | None:
    """Why the line's charge cannot change on this claim, if it cannot: it bills again a charge made on another
    claim (a secondary, corrected or rebilled claim), whose ledger charge and line say the amount."""
    if line.billed_line_id is None and claim.primary_claim_id is None:
        return None
    charged = repo.get(ClaimLineRow, line.charged_line_id)
    owner = repo.get(ClaimRow, charged.claim_id)
    return (f"the charge is the one made on claim {owner.patient_control_number} line {charged.line_number} "
            f"({Money(charged.charge_cents)}); this claim bills it again and cannot change it")


def _adjust_posted_charge(repo: PracticeRepository, claim: ClaimRow, line: ClaimLineRow, delta: Money) -> None:
    """A claim sent once (then rejected) has its charges in the ledger: a changed charge is posted as the
    difference, so the line's postings still add up to its charge (the ledger is append-only)."""
    if not repo.count(JournalEntryRow, JournalEntryRow.idempotency_key == f"charge:claim:{claim.id}"):
        return  # not charged yet: the charge is posted from the lines as they are when the claim is sent
    dims = {"patient_id": claim.patient_id, "payer_id": claim.payer_id, "claim_id": claim.id}
    now = repo.uow.clock()
    repo.post(JournalEntry(now.date(), f"charge of claim {claim.patient_control_number} line {line.line_number} "
                           f"changed by {delta}", (Posting(INSURANCE_AR, delta, **dims, claim_line_id=line.id),
                                                    Posting(GROSS_CHARGES, -delta, **dims)),
                           idempotency_key=f"charge-edit:line:{line.id}:{now.isoformat()}", kind="charge"))
