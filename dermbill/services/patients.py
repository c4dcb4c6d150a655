"""Patients and their insurance, as the front desk and billers see and change them, within their practices.

Every read shows protected health information and is audited (who, which patients); every change is audited with
the fields before and after. A patient of another practice is "not found" (NotFound), never "forbidden".

A changed member ID, payer, subscriber or demographics changes what the claims say (the 837P reads them from the
patient and the coverage): so the patient's claims that were scrubbed and not yet sent, or came back rejected,
are scrubbed again in the same transaction. A rejected claim whose content changed leaves the fix queue (ready for
the next submission, or with the scrubber's findings); one the change did not touch stays rejected.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import INSURANCE_AR, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.core.patient_edits import (
    CoverageValues,
    PatientValues,
    changed,
    edited_coverage,
    edited_patient,
)
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    CoverageRow,
    LedgerAccountRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.services.claim_editing import note
from dermbill.services.scrubbing import scrub_claim_row

SEARCH_LIMIT = 50
RESCRUBBED = ("scrub_errors", "ready", "rejected", "corrected")  # scrubbed before, not with the payer
NOT_SENT = ("draft", "coded", "held", "scrub_errors", "ready")


@dataclass(frozen=True, slots=True)
class PatientSummary:
    patient_id: int
    account_number: str
    practice: str
    last_name: str
    first_name: str
    date_of_birth: datetime.date


@dataclass(frozen=True, slots=True)
class CoverageView:
    coverage_id: int
    order: str
    payer: str  # the payer's ID (837P 2010BB NM109)
    payer_name: str
    values: CoverageValues

    @property
    def in_force(self) -> tuple[datetime.date, datetime.date | None]:
        return self.values.effective_date, self.values.termination_date


@dataclass(frozen=True, slots=True)
class PatientRecord:
    patient_id: int
    account_number: str
    practice: str
    values: PatientValues
    coverages: tuple[CoverageView, ...]


@dataclass(frozen=True, slots=True)
class RescrubbedClaim:
    claim_number: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class PatientChangeOutcome:
    record: PatientRecord
    before: dict[str, Any]
    after: dict[str, Any]
    rescrubbed: tuple[RescrubbedClaim, ...]


def search_patients(database: Database, practice_ids: Collection[int], query: str, *, actor: str,
                    limit: int = SEARCH_LIMIT, offset: int = 0) -> list[PatientSummary]:
    """Patients of these practices whose account number, last name (or "last, first") or date of birth
    (YYYY-MM-DD) begins with ``query``, or whose member ID is ``query``, by name; all of them for an empty query.
    Up to ``limit``, from the ``offset``-th (paging). Audited."""
    if not practice_ids:
        return []
    text = " ".join(query.split())[:100]
    criteria = [PatientRow.practice_id.in_(sorted(practice_ids))]
    if text:
        criteria.append(_matching(text))
    with UnitOfWork(database, actor=actor) as uow:
        rows = uow.session.execute(
            select(PatientRow, PracticeRow.code).join(PracticeRow, PracticeRow.id == PatientRow.practice_id)
            .where(*criteria).order_by(PatientRow.last_name, PatientRow.first_name, PatientRow.id)
            .offset(max(offset, 0)).limit(limit)).all()
        found = [PatientSummary(p.id, p.account_number, code, p.last_name, p.first_name, p.date_of_birth)
                 for p, code in rows]
        # The query itself may be a name: the audit keeps which patients were shown, not what was typed.
        uow.audit("patient.search", "patient", None, detail={"patients": [p.patient_id for p in found]})
        uow.commit()
        return found


def payer_choices(database: Database, practice_ids: Collection[int], *, actor: str) -> list[tuple[str, str]]:
    """(payer ID, name) of the payers the billing companies of these practices bill, by name: a coverage's choices."""
    if not practice_ids:
        return []
    with UnitOfWork(database, actor=actor) as uow:
        organizations = select(PracticeRow.organization_id).where(PracticeRow.id.in_(sorted(practice_ids)))
        rows = uow.session.execute(select(PayerRow.payer_identifier, PayerRow.name).where(
            PayerRow.organization_id.in_(organizations)).order_by(PayerRow.name, PayerRow.payer_identifier)).all()
        return sorted({(identifier, name) for identifier, name in rows}, key=lambda p: (p[1], p[0]))


def _matching(text: str) -> Any:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is not None:
        return PatientRow.date_of_birth == day
    last, _, first = (part.strip() for part in text.partition(","))
    by_name = func.upper(PatientRow.last_name).startswith(last.upper(), autoescape=True)
    if first:
        by_name = by_name & func.upper(PatientRow.first_name).startswith(first.upper(), autoescape=True)
    # A member ID as printed on the card, with or without its hyphens (MBIs are stored without them).
    member = text.upper().replace(" ", "")
    by_member = select(CoverageRow.id).where(CoverageRow.patient_id == PatientRow.id, func.upper(
        CoverageRow.member_id).in_(sorted({member, member.replace("-", "")}))).exists()
    return or_(by_name, func.upper(PatientRow.account_number).startswith(text.upper(), autoescape=True), by_member)


def scoped_patient(uow: UnitOfWork, practice_ids: Collection[int], ref: str | int, *,
                   lock: bool = False) -> tuple[PracticeRepository, PatientRow]:
    """The patient ``ref`` names among these practices' patients: an account number, ``PRACTICE:ACCOUNT``, or the
    patient's id (digits, when no account number is those digits; an int is the id only, as the pages link it).
    NotFound when none of them has it."""
    text = str(ref).strip()[:60]
    if not practice_ids or not text:
        raise NotFound(f"no patient {text} among your practices' patients")
    query = select(PatientRow).where(PatientRow.practice_id.in_(sorted(practice_ids))).order_by(PatientRow.id)
    if lock:
        query = query.with_for_update(of=PatientRow)
    if isinstance(ref, int):
        found = uow.session.scalars(query.where(PatientRow.id == ref)).first() if 0 < ref < 2**31 else None
        if found is None:
            raise NotFound(f"no patient {text} among your practices' patients")
        return uow.practice(found.practice_id), found
    rows = list(uow.session.scalars(query.where(PatientRow.account_number == text)))
    code, _, account = text.rpartition(":")
    if not rows and code:
        rows = list(uow.session.scalars(query.join(PracticeRow, PracticeRow.id == PatientRow.practice_id).where(
            func.upper(PracticeRow.code) == code.strip().upper(), PatientRow.account_number == account.strip())))
    if not rows and text.isdigit() and int(text) < 2**31:
        rows = list(uow.session.scalars(query.where(PatientRow.id == int(text))))
    if not rows:
        raise NotFound(f"no patient {text} among your practices' patients")
    if len(rows) > 1:
        raise InvalidInput(f"'{text}' names {len(rows)} patients of your practices: give PRACTICE:{text}")
    return uow.practice(rows[0].practice_id), rows[0]


def read_patient(database: Database, practice_ids: Collection[int], ref: str | int, *, actor: str) -> PatientRecord:
    """A patient with every coverage (an audited read of PHI)."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, patient = scoped_patient(uow, practice_ids, ref)
        record = _record(repo, patient)
        repo.audit("patient.read", "patient", patient.id, {"patient": patient.account_number})
        uow.commit()
        return record


def edit_patient(database: Database, practice_ids: Collection[int], ref: str | int, changes: Mapping[str, Any], *,
                 actor: str, as_of: datetime.date) -> PatientChangeOutcome:
    """Change a patient's demographics (only the fields in ``changes``); InvalidFields lists every problem and
    nothing is saved. The patient's claims not yet with a payer, or rejected, are scrubbed again."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, patient = scoped_patient(uow, practice_ids, ref, lock=True)
        before = patient_values(patient)
        after = edited_patient(f"patient {patient.account_number}", before, changes, as_of=as_of)
        old, new = changed(before, after)
        rescrubbed: list[RescrubbedClaim] = []
        if new:
            for name in new:
                setattr(patient, name, getattr(after, name))
            repo.audit("patient.edited", "patient", patient.id, {"patient": patient.account_number,
                                                                 "before": old, "after": new})
            claims = repo.rows(ClaimRow, ClaimRow.patient_id == patient.id, ClaimRow.status.in_(RESCRUBBED))
            rescrubbed = rescrub_claims(
                repo, claims, f"the patient's {', '.join(n.replace('_', ' ') for n in new)} changed", as_of)
        outcome = PatientChangeOutcome(_record(repo, patient), old, new, tuple(rescrubbed))
        uow.commit()
        return outcome


def edit_coverage(database: Database, practice_ids: Collection[int], ref: str | int, order: str,
                  changes: Mapping[str, Any], *, actor: str, as_of: datetime.date) -> PatientChangeOutcome:
    """Change the patient's coverage of this order (primary, secondary, tertiary: the one in force on ``as_of``,
    else the latest): member ID, group, payer, dates, order, subscriber. A new order swaps with the coverage that
    held it. The claims billed on it and not yet with the payer, or rejected, are scrubbed again (a fixed member
    ID takes a rejected claim out of the fix queue, into the next submission)."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, patient = scoped_patient(uow, practice_ids, ref, lock=True)
        coverage = _coverage_of(repo, patient, order, as_of)
        payers = {p.payer_identifier: p for p in repo.payers()}
        by_id = {p.id: p for p in payers.values()}
        before = coverage_values(coverage, by_id)
        who = f"the {coverage.coverage_order} coverage of patient {patient.account_number}"
        after = edited_coverage(who, before, changes, payers=payers.keys(), as_of=as_of,
                                medicare_payers={key for key, p in payers.items() if p.kind == "medicare"})
        old, new = changed(before, after)
        rescrubbed: list[RescrubbedClaim] = []
        if new:
            claims = repo.rows(ClaimRow, ClaimRow.coverage_id == coverage.id)
            if "payer" in new:
                sent = [c.patient_control_number for c in claims if c.status not in (*NOT_SENT, "rejected")]
                if sent:
                    raise InvalidTransition(
                        f"{who} was billed on claims the payer has ({', '.join(sent[:5])}); its payer cannot change: "
                        "end it (a termination date) and add the new insurance as another coverage")
            swapped: list[ClaimRow] = []
            if "coverage_order" in new:
                moved = _swap_order(repo, patient, coverage, after.coverage_order, as_of)
                swapped = repo.rows(ClaimRow, ClaimRow.coverage_id.in_(moved)) if moved else []
            for name in new:
                value = getattr(after, name)
                if name == "payer":
                    coverage.payer_id = payers[value].id
                    for claim in claims:  # not with a payer: they go to the new one, their receivable too
                        _move_receivable(repo, claim, coverage.payer_id)
                        claim.payer_id = coverage.payer_id
                else:
                    setattr(coverage, name, value)
            repo.audit("coverage.edited", "coverage", coverage.id, {"patient": patient.account_number,
                                                                    "coverage": before.coverage_order,
                                                                    "before": old, "after": new})
            touched = [c for c in [*claims, *swapped] if c.status in RESCRUBBED]
            rescrubbed = rescrub_claims(repo, touched, f"the {before.coverage_order} coverage's "
                                        f"{', '.join(n.replace('_', ' ') for n in new)} changed", as_of)
        outcome = PatientChangeOutcome(_record(repo, patient), old, new, tuple(rescrubbed))
        uow.commit()
        return outcome


def _move_receivable(repo: PracticeRepository, claim: ClaimRow, payer_id: int) -> None:
    """A rejected claim's charges were posted as the old payer's receivable when it was first sent: they become
    the new payer's, line by line (the ledger is append-only: one balanced transfer entry)."""
    rows = repo.session.execute(
        select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.claim_id == claim.id,
               LedgerAccountRow.code == INSURANCE_AR, PostingRow.payer_id == claim.payer_id)
        .group_by(PostingRow.claim_line_id).order_by(PostingRow.claim_line_id)).all()
    postings: list[Posting] = []
    for line_id, cents in rows:
        if line_id is None or not cents:
            continue
        amount = Money(int(cents))
        postings += [Posting(INSURANCE_AR, amount, patient_id=claim.patient_id, payer_id=payer_id,
                             claim_id=claim.id, claim_line_id=line_id),
                     Posting(INSURANCE_AR, -amount, patient_id=claim.patient_id, payer_id=claim.payer_id,
                             claim_id=claim.id, claim_line_id=line_id)]
    if postings:
        now = repo.uow.clock()
        repo.post(JournalEntry(now.date(), f"claim {claim.patient_control_number} billed to another payer after its "
                               "rejection", tuple(postings),
                               idempotency_key=f"payer-change:claim:{claim.id}:{now.isoformat()}", kind="transfer"))


def _coverage_of(repo: PracticeRepository, patient: PatientRow, order: str, as_of: datetime.date) -> CoverageRow:
    rows = repo.rows(CoverageRow, CoverageRow.patient_id == patient.id, CoverageRow.coverage_order == order.strip())
    if not rows:
        held = sorted({c.coverage_order for c in repo.rows(CoverageRow, CoverageRow.patient_id == patient.id)})
        raise NotFound(f"patient {patient.account_number} has no {order.strip()[:20]} coverage (coverages: "
                       f"{', '.join(held) or 'none'})")
    in_force = [c for c in rows if c.effective_date <= as_of and (c.termination_date is None
                                                                  or as_of <= c.termination_date)]
    return max(in_force or rows, key=lambda c: (c.effective_date, c.id))


def _swap_order(repo: PracticeRepository, patient: PatientRow, coverage: CoverageRow, order: str,
                as_of: datetime.date) -> list[int]:
    """The coverage that held ``order`` (in force on ``as_of``) takes this coverage's order: they swap. Returns the
    coverages that moved."""
    others = [c for c in repo.rows(CoverageRow, CoverageRow.patient_id == patient.id,
                                   CoverageRow.coverage_order == order, CoverageRow.id != coverage.id)
              if c.effective_date <= as_of and (c.termination_date is None or as_of <= c.termination_date)]
    for other in others:
        repo.audit("coverage.edited", "coverage", other.id, {
            "patient": patient.account_number, "coverage": order, "before": {"coverage_order": order},
            "after": {"coverage_order": coverage.coverage_order}})
        other.coverage_order = coverage.coverage_order
    return [other.id for other in others]


def rescrub_claims(repo: PracticeRepository, claims: list[ClaimRow], why: str,
                   as_of: datetime.date) -> list[RescrubbedClaim]:
    """Scrub these claims again (each noted with ``why``), as a change to what they carry requires."""
    repo.flush()
    done = []
    for claim in sorted(claims, key=lambda c: c.id):
        before = claim.status
        note(repo, claim, f"{why}: scrubbed again")
        scrub_claim_row(repo, claim, as_of=as_of)
        done.append(RescrubbedClaim(claim.patient_control_number, before, claim.status))
    return done


def _record(repo: PracticeRepository, patient: PatientRow) -> PatientRecord:
    repo.flush()
    payers = {p.id: p for p in repo.payers()}
    coverages = repo.rows(CoverageRow, CoverageRow.patient_id == patient.id)
    rank = {"primary": 0, "secondary": 1, "tertiary": 2}
    coverages.sort(key=lambda c: (rank.get(c.coverage_order, 3), -c.effective_date.toordinal(), c.id))
    return PatientRecord(patient.id, patient.account_number, repo.practice.code, patient_values(patient),
                         tuple(CoverageView(c.id, c.coverage_order, payers[c.payer_id].payer_identifier,
                                            payers[c.payer_id].name, coverage_values(c, payers))
                               for c in coverages))


def patient_values(row: PatientRow) -> PatientValues:
    """A stored patient's demographics, as the checks of ``core.patient_edits`` take them."""
    return PatientValues(row.last_name, row.first_name, row.middle_name, row.date_of_birth, row.sex,
                         row.address_line1, row.address_line2, row.city, row.state, row.zip_code, row.phone,
                         row.email)


def coverage_values(row: CoverageRow, payers: Mapping[int, PayerRow]) -> CoverageValues:
    """A stored coverage's values (its payer by payer ID), as the checks of ``core.patient_edits`` take them."""
    return CoverageValues(payers[row.payer_id].payer_identifier, row.member_id, row.group_number, row.coverage_order,
                          row.relationship_code, row.subscriber_last_name, row.subscriber_first_name,
                          row.subscriber_date_of_birth, row.subscriber_sex, row.effective_date, row.termination_date)
