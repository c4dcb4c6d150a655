"""What a payment poster reads: a remittance (835) as the payer sent it, each claim payment as an EOB (billed,
allowed, paid, the patient's share, each adjustment's group and reason in words, remarks, provider-level
adjustments), and the 835s held in quarantine with what is wrong. Reads of PHI are audited; every lookup is
within the reader's practices (another practice's remittance is not found)."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from dermbill.core.denial_codes import DenialCodeTable, group_words
from dermbill.core.errors import NotFound
from dermbill.core.money import Money
from dermbill.core.remittance import (
    CLAIM_STATUS_WORDS,
    Adjustment,
    ClaimPayment,
    ServiceLinePayment,
    provider_adjustment_words,
)
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    LineAdjudicationRow,
    PracticeRow,
    RemittanceContentRow,
    RemittanceRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.remittances import unresolved_remittances
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.denial_codes import denial_code_table
from dermbill.x12.kept_transactions import kept_transaction
from dermbill.x12.remittance_835 import read_835


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    group: str
    group_words: str
    reason: str
    reason_words: str
    amount: Money


@dataclass(frozen=True, slots=True)
class RemarkView:
    code: str
    words: str


@dataclass(frozen=True, slots=True)
class LineView:
    code: str
    modifiers: tuple[str, ...]
    date_of_service: datetime.date | None
    units: str
    charge: Money
    allowed: Money | None
    paid: Money
    patient_share: Money
    adjustments: tuple[AdjustmentView, ...]
    remarks: tuple[RemarkView, ...]
    billed_code: str  # the code we sent, when the payer paid another (SVC06), else ""


@dataclass(frozen=True, slots=True)
class ClaimEob:
    index: int  # its place in the 835 (the EOB's address)
    claim_number: str  # CLP01: the claim number the payer sent back
    status_code: str
    status_words: str
    payer_claim_number: str
    patient: str  # LAST, FIRST as the payer has it
    member_id: str
    charge: Money
    allowed: Money | None  # the lines' allowed amounts, when the payer gave them for every line
    paid: Money
    patient_responsibility: Money
    adjustments: tuple[AdjustmentView, ...]  # claim-level (CAS right after CLP)
    remarks: tuple[RemarkView, ...]  # MOA
    lines: tuple[LineView, ...]
    posted_to: str  # our claim number it was posted to ("" when held)
    held_reason: str  # why it waits in the unmatched queue ("" when posted)
    unmatched_id: int | None  # the unmatched queue's item, while it is held


@dataclass(frozen=True, slots=True)
class ProviderAdjustmentView:
    reason: str
    words: str
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class RemittanceView:
    id: int
    practice: str
    trace_number: str
    payer: str  # the payer's identifier (REF*2U) or name
    payer_name: str
    payee: str
    paid_on: datetime.date | None
    payment: Money
    status: str  # posted, quarantined, conflict
    resolved: bool
    file_name: str
    received_at: datetime.datetime
    received_by: str
    problems: tuple[str, ...]
    kept: bool  # False: received before dermbill kept the 835's text; only its summary can be shown
    claims: tuple[ClaimEob, ...]
    provider_adjustments: tuple[ProviderAdjustmentView, ...]

    @property
    def claims_paid(self) -> Money:
        return Money(sum(claim.paid.cents for claim in self.claims))


def remittance_view(database: Database, practice_ids: Collection[int], remittance_id: int, *,
                    actor: str) -> RemittanceView:
    """A remittance of these practices with every claim payment's EOB (audited as a read)."""
    view = _view(database, practice_ids, remittance_id, actor=actor, action="remittance.viewed")
    return view


def claim_eob(database: Database, practice_ids: Collection[int], remittance_id: int, index: int, *,
              actor: str) -> tuple[RemittanceView, ClaimEob]:
    """One claim payment of a remittance as an EOB (audited as a read of it)."""
    view = _view(database, practice_ids, remittance_id, actor=actor, action="remittance.eob_viewed", index=index)
    found = [claim for claim in view.claims if claim.index == index]
    if not found:
        raise NotFound(f"remittance {view.trace_number} has no claim payment {index + 1}")
    return view, found[0]


def _view(database: Database, practice_ids: Collection[int], remittance_id: int, *, actor: str, action: str,
          index: int | None = None) -> RemittanceView:
    with UnitOfWork(database, actor=actor) as uow:
        found = uow.session.execute(
            select(RemittanceRow, PracticeRow.code).join(PracticeRow, PracticeRow.id == RemittanceRow.practice_id)
            .where(RemittanceRow.id == remittance_id, RemittanceRow.practice_id.in_(sorted(practice_ids)))).first()
        if found is None:
            raise NotFound(f"no remittance {remittance_id} among your practices' remittances")
        row, practice = found
        kept = uow.session.execute(select(RemittanceContentRow.content, RemittanceContentRow.received_by).where(
            RemittanceContentRow.practice_id == row.practice_id,
            RemittanceContentRow.remittance_id == row.id)).first()
        repo = uow.practice(row.practice_id)
        held = {int(item.detail["index"]): item for item in repo.rows(
            UnmatchedRemittanceRow, UnmatchedRemittanceRow.remittance_id == row.id)
            if isinstance(item.detail.get("index"), int)}
        posted = {number: (number, icn) for number, icn in uow.session.execute(
            select(ClaimRow.patient_control_number, ClaimRow.payer_claim_number)
            .join(LineAdjudicationRow, LineAdjudicationRow.claim_id == ClaimRow.id)
            .where(LineAdjudicationRow.practice_id == row.practice_id,
                   LineAdjudicationRow.remittance_id == row.id).distinct())}
        codes = denial_code_table()
        if kept is not None:
            remit = read_835(kept_transaction(kept[0]))
            claims = tuple(_eob(at, payment, codes, held.get(at), posted)
                           for at, payment in enumerate(remit.claims) if index is None or at == index)
            plb = tuple(ProviderAdjustmentView(a.reason, provider_adjustment_words(a.reason), a.reference, a.amount)
                        for a in remit.provider_adjustments)
            payer_name, payee = remit.payer_name, f"{remit.payee_name} (NPI {remit.payee_npi})"
        else:
            claims, plb, payer_name, payee = _from_summary(row, held), (), "", ""
        repo.audit(action, "remittance", row.id, {"trace": row.trace_number, **(
            {"claim": claims[0].claim_number} if index is not None and claims else {})})
        uow.commit()
        return RemittanceView(
            row.id, practice, row.trace_number, row.payer_identifier, payer_name, payee, row.payment_date,
            Money(row.payment_cents), row.status, row.resolved, row.file_name, row.received_at,
            kept[1] if kept is not None else "", tuple(row.problems), kept is not None, claims, plb)


def _eob(index: int, payment: ClaimPayment, codes: DenialCodeTable, held: UnmatchedRemittanceRow | None,
         posted: dict[str, tuple[str, str | None]]) -> ClaimEob:
    lines = tuple(_line(line, codes) for line in payment.lines)
    allowed = Money(sum(line.allowed.cents for line in lines if line.allowed is not None)) \
        if lines and all(line.allowed is not None for line in lines) else None
    posted_to = ""
    if held is not None:
        posted_to = str(held.detail.get("matched", {}).get("claim", "")) if held.resolved else ""
    elif payment.patient_control_number in posted:
        posted_to = payment.patient_control_number
    else:
        posted_to = next((number for number, icn in posted.values()
                          if icn and icn == payment.payer_claim_number), "")
    return ClaimEob(
        index, payment.patient_control_number, payment.status_code,
        CLAIM_STATUS_WORDS.get(payment.status_code, f"claim status code {payment.status_code}"),
        payment.payer_claim_number, f"{payment.patient_last}, {payment.patient_first}".strip(", "),
        payment.member_id, payment.charge, allowed, payment.paid, payment.patient_responsibility,
        _adjustments(payment.adjustments, codes), _remarks(payment.remarks, codes), lines, posted_to,
        held.reason if held is not None and not held.resolved else "",
        held.id if held is not None and not held.resolved else None)


def _line(line: ServiceLinePayment, codes: DenialCodeTable) -> LineView:
    return LineView(line.code, line.modifiers, line.date_of_service, str(line.units), line.charge, line.allowed,
                    line.paid, Money(sum(a.amount.cents for a in line.adjustments if a.group == "PR")),
                    _adjustments(line.adjustments, codes), _remarks(line.remarks, codes), line.submitted_code or "")


def _adjustments(adjustments: Sequence[Adjustment], codes: DenialCodeTable) -> tuple[AdjustmentView, ...]:
    return tuple(AdjustmentView(a.group, group_words(a.group), a.reason, codes.carc(a.reason).description, a.amount)
                 for a in adjustments)


def _remarks(remarks: Sequence[str], codes: DenialCodeTable) -> tuple[RemarkView, ...]:
    return tuple(RemarkView(code, codes.rarc(code).description) for code in remarks)


def _from_summary(row: RemittanceRow, held: dict[int, UnmatchedRemittanceRow]) -> tuple[ClaimEob, ...]:
    """The claim payments as the remittance's summary keeps them (no lines): for 835s received before dermbill
    kept their text."""
    claims = []
    for at, (pcn, status, charge, paid, icn, *_rest) in enumerate((row.summary or {}).get("claims", [])):
        item = held.get(at)
        claims.append(ClaimEob(
            at, pcn, status, CLAIM_STATUS_WORDS.get(status, f"claim status code {status}"), icn or "", "", "",
            Money.parse(charge), None, Money.parse(paid), Money(0), (), (), (), "" if item else pcn,
            item.reason if item is not None and not item.resolved else "",
            item.id if item is not None and not item.resolved else None))
    return tuple(claims)


@dataclass(frozen=True, slots=True)
class HeldRemittance:
    id: int
    practice: str
    status: str  # quarantined (does not balance, not whole, unknown payer) or conflict (posted before, differs)
    trace_number: str
    payer: str
    payment: Money
    file_name: str
    received_at: datetime.datetime
    problems: tuple[str, ...]


def held_remittances(database: Database, practice_ids: Collection[int], *, actor: str) -> list[HeldRemittance]:
    """The quarantined and conflicting 835s of these practices not yet resolved, oldest first (audited)."""
    if not practice_ids:
        return []
    with UnitOfWork(database, actor=actor) as uow:
        found = [HeldRemittance(row.id, practice, row.status, row.trace_number, row.payer_identifier,
                                Money(row.payment_cents), row.file_name, row.received_at, tuple(row.problems))
                 for practice, row in unresolved_remittances(uow) if row.practice_id in practice_ids]
        uow.audit_practices("remittance.held_list", "remittance", practice_ids,
                            detail={"traces": [item.trace_number for item in found]})
        uow.commit()
        return found
