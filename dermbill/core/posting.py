"""Posting decisions for 835 claim payments: pure functions over core values, no database.

- **Where an adjustment posts** comes from the CARC's category in the denial code table (one source, the same
  the denial queue reads): the patient's share (group PR) to patient A/R; a contractual reduction under CO to
  contractual adjustments (4100), under OA/PI/CR to write-offs (4200); a denial (any category that is a denial,
  unknown codes included) to the denied balance (1150), where it is worked. On a denied claim (CLP02 4) even a
  contractual CO amount is part of the denial. CARC 23 (what an earlier payer did) is information only.
- **A payment is applied to A/R once.** A claim line already settled by this payer (a live, unreversed answer
  of the same payer on the same claim, and nothing left with that payer on the line) is not applied again, nor
  is a claim-level payment (no service lines) of a claim every line of which is so settled:
  the cash is owed back to the payer (payer credit balance, 2150) and the payment is an overpayment to refund
  or to be recouped. A line whose denial is still being worked is not settled: the payer's new answer
  reprocesses it (an appeal won), and what the line no longer owes comes out of the denied balance.
- **No line balance goes below zero**: what would take a line's patient balance below zero is the patient's
  credit (2100, refund due to the patient).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from dermbill.core.claims import ClaimStatus
from dermbill.core.denial_codes import DenialCodeTable
from dermbill.core.ledger import (
    CASH,
    CONTRACTUAL,
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    PATIENT_CREDIT,
    PAYER_CREDIT,
    WRITE_OFF,
    Posting,
)
from dermbill.core.money import Money, allocate
from dermbill.core.remittance import DENIED, REVERSAL, ClaimPayment, ServiceLinePayment

PRIOR_PAYER = "23"  # CARC 23: the prior payer's part, told for information only
RECOUPMENT_REASONS = frozenset({"WO", "72"})  # PLB reasons that take back an overpayment


def adjustment_account(group: str, reason: str, status_code: str, codes: DenialCodeTable) -> str | None:
    """The account one CAS adjustment posts to; None for information-only amounts (CARC 23).

    >>> from dermbill.core.denial_codes import DenialCategory, ReasonCode
    >>> table = DenialCodeTable([ReasonCode("CARC", "45", DenialCategory.CONTRACTUAL, "fee schedule"),
    ...                          ReasonCode("CARC", "97", DenialCategory.CODING_BUNDLING, "bundled")])
    >>> adjustment_account("CO", "45", "1", table), adjustment_account("CO", "97", "1", table)
    ('4100', '1150')
    >>> adjustment_account("PR", "2", "1", table), adjustment_account("CO", "XX", "1", table)
    ('1200', '1150')
    """
    if reason == PRIOR_PAYER:
        return None
    if group == "PR":
        return PATIENT_AR
    category = codes.category(group, reason)
    if category.is_denial:
        return DENIED_AR
    if group == "CO":
        return DENIED_AR if status_code == DENIED else CONTRACTUAL
    return WRITE_OFF


@dataclass(frozen=True, slots=True)
class LineBalances:
    """One charged line's balances in the ledger (debit-positive sums)."""

    insurance: Money = field(default_factory=Money.zero)  # 1100
    denied: Money = field(default_factory=Money.zero)  # 1150
    patient: Money = field(default_factory=Money.zero)  # 1200

    def after(self, postings: Sequence[Posting]) -> LineBalances:
        """These balances once ``postings`` (of this line) are posted."""
        sums = {INSURANCE_AR: self.insurance.cents, DENIED_AR: self.denied.cents, PATIENT_AR: self.patient.cents}
        for posting in postings:
            if posting.account_code in sums:
                sums[posting.account_code] += posting.amount.cents
        return LineBalances(Money(sums[INSURANCE_AR]), Money(sums[DENIED_AR]), Money(sums[PATIENT_AR]))


@dataclass(frozen=True, slots=True)
class LineAnswer:
    """What a payer said about one line (CLP02, SVC03 and the CAS triples), to tell a repeat from a new answer."""

    status_code: str
    paid: Money
    adjustments: tuple[tuple[str, str, int], ...]  # (group, reason, cents)


def live_answers(history: Sequence[LineAnswer]) -> list[LineAnswer]:
    """The answers still in force, oldest first: a reversal (CLP02 22) takes back the latest one."""
    live: list[LineAnswer] = []
    for answer in history:
        if answer.status_code == REVERSAL:
            if live:
                live.pop()
        else:
            live.append(answer)
    return live


def is_settled(history: Sequence[LineAnswer], balances: LineBalances, answer: LineAnswer, *,
               replaced: bool = False) -> bool:
    """True when ``answer`` must not be applied to the line again: the same payer's answer on the same claim is
    in force, and either nothing is left with the payer on the line or ``answer`` repeats it word for word; or the
    claim was ``replaced`` by a corrected claim and nothing is left with the payer on the line (the payer answered
    on the corrected claim: its answer on the replaced one, sent again, is paid twice).

    A reversal is never a repeat (it takes an answer back). A line whose denial is still being worked (1150)
    takes a new, different answer: that is the payer reprocessing it.
    """
    if answer.status_code == REVERSAL:
        return False
    live = live_answers(history)
    if not live:
        # A first answer settles the line, unless a corrected claim replaced this one and was answered for it.
        return replaced and nothing_left(balances)
    if answer == live[-1]:
        return True
    return nothing_left(balances)


def nothing_left(balances: LineBalances) -> bool:
    """True when nothing is left with the payer on the line: no insurance balance, no denial being worked."""
    return balances.insurance.cents <= 0 and balances.denied.cents <= 0


def claim_settled(claim: OurClaim, payer_id: int | None, balances: Mapping[int, LineBalances],
                  history: Mapping[HistoryKey, Sequence[Answered]]) -> bool:
    """True when a claim-level payment (no service lines) must not be applied to the claim again: the same
    payer's answer is in force on every line of the claim and nothing is left with the payer on any of them.
    (A claim some line of which is still open with the payer takes the payment: it pays what is left.)"""
    keys = [(claim.id, line.charged_line_id, payer_id) for line in claim.lines]
    return bool(keys) and all(
        live_answers([a.answer for a in history.get(key, ())]) and nothing_left(balances.get(key[1], LineBalances()))
        for key in keys)


def settled_elsewhere(claim: OurClaim, matched: Sequence[OurLine], payer_id: int | None,
                      balances: Mapping[int, LineBalances], history: Mapping[HistoryKey, Sequence[Answered]]) -> bool:
    """True when a line the payment names has no answer of this payer on this claim and nothing left with the
    payer: settled on another claim of the line (a corrected claim), if this one was replaced."""
    return any(nothing_left(balances.get(line.charged_line_id, LineBalances()))
               and not live_answers([a.answer for a in history.get((claim.id, line.charged_line_id, payer_id), ())])
               for line in matched)


def answered_before(claim: OurClaim, payer_id: int | None, balances: Mapping[int, LineBalances],
                    history: Mapping[HistoryKey, Sequence[Answered]], *, claim_level: bool) -> bool:
    """True when the payer has an answer in force on the claim: one of its lines answered and not reversed, or,
    for a claim-level payment (which leaves no line answers), a line with less owed by the payer than charged."""
    if any(live_answers([a.answer for a in history.get((claim.id, line.charged_line_id, payer_id), ())])
           for line in claim.lines):
        return True
    return claim_level and any(balances.get(line.charged_line_id, LineBalances()).insurance != line.charge
                               for line in claim.lines)


def guard_line(postings: Sequence[Posting], before: LineBalances, *, patient_id: int | None,
               payer_id: int | None, claim_id: int | None, line_id: int, reprocessed: bool = False) -> list[Posting]:
    """Postings for one line, completed so that its balances do not end below zero where that is known wrong.

    - ``reprocessed`` (the payer answers again on the same claim while its earlier answer is in force) and
      insurance (1100) below zero while the line has a denied balance: the payer paid what it had denied (an
      appeal won), so the denied balance makes up the difference. (A corrected claim paid before the payer's
      reversal of the original is not reprocessing: the reversal, when it comes, puts the balances right.)
    - patient (1200) below zero (a reversal of a share the patient had paid): the patient's credit (2100).
    Both sides of each transfer name the line, so the line's postings still sum to its charge.
    """
    after = before.after(postings)
    extra: list[Posting] = []
    dims = {"patient_id": patient_id, "payer_id": payer_id, "claim_id": claim_id, "claim_line_id": line_id}
    short = min(-after.insurance.cents, after.denied.cents)
    if reprocessed and short > 0:
        extra += [Posting(INSURANCE_AR, Money(short), **dims), Posting(DENIED_AR, Money(-short), **dims)]
    if after.patient.cents < 0:
        extra += [Posting(PATIENT_AR, -after.patient, **dims),
                  Posting(PATIENT_CREDIT, after.patient, **{**dims, "payer_id": None})]
    return [*postings, *extra]


def net(postings: Sequence[Posting]) -> list[Posting]:
    """The postings with those to the same account and dimensions added together (zero sums dropped)."""
    sums: dict[tuple[str, int | None, int | None, int | None, int | None], int] = {}
    for p in postings:
        key = (p.account_code, p.patient_id, p.payer_id, p.claim_id, p.claim_line_id)
        sums[key] = sums.get(key, 0) + p.amount.cents
    return [Posting(account, Money(cents), patient, payer, claim, line)
            for (account, patient, payer, claim, line), cents in sums.items() if cents]


def recoupment(open_amount: Money, plb_amount: Money) -> Money:
    """How much of a PLB recoupment (WO, 72) takes back an open overpayment: never more than either."""
    if plb_amount.cents <= 0 or open_amount.cents <= 0:
        return Money(0)
    return Money(min(open_amount.cents, plb_amount.cents))



# The claim payment plan -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OurLine:
    """One of our claim lines, as posting needs it. ``charged_line_id`` is the line whose charge was posted (a
    secondary or corrected claim bills the original's line again and posts against it)."""

    id: int
    charged_line_id: int
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    charge: Money
    units: int


@dataclass(frozen=True, slots=True)
class OurClaim:
    id: int
    patient_control_number: str
    patient_id: int
    payer_id: int | None
    primary_claim_id: int | None  # set on a secondary claim
    lines: tuple[OurLine, ...]


@dataclass(frozen=True, slots=True)
class Answered:
    """A payer's earlier answer on a line, and the remittance that gave it."""

    answer: LineAnswer
    remittance_id: int


HistoryKey = tuple[int, int, int | None]  # (claim id, charged line id, payer id)


@dataclass(frozen=True, slots=True)
class ClaimPlan:
    """What to post for one claim payment, decided from the payment, the claim and what was posted before."""

    postings: tuple[Posting, ...]  # the entry applying the payment (empty: nothing to apply)
    adjudicated: tuple[tuple[ServiceLinePayment, OurLine], ...]  # new answers: a line adjudication each
    overpaid: tuple[Posting, ...]  # cash of lines paid again, to the payer credit balance
    overpaid_amount: Money
    original_remittance_id: int | None  # the remittance whose answer was in force, for a payment made again
    balances: dict[int, LineBalances]  # the touched lines' balances once this plan is posted
    answers: tuple[tuple[HistoryKey, Answered], ...]  # the new answers, for the next claim payments
    repeat: bool = False  # the payment answers nothing new: at most its cash goes to the payer credit balance


def line_answer(status_code: str, line: ServiceLinePayment) -> LineAnswer:
    return LineAnswer(status_code, line.paid, tuple((a.group, a.reason, a.amount.cents) for a in line.adjustments))


def match_lines(payment: ClaimPayment, lines: Sequence[OurLine], pcn: str) -> list[OurLine] | None:
    """Our line for each service line of the payment (None if any cannot be told apart)."""
    free = list(lines)
    matched = []
    for service in payment.lines:
        line = _line_for(service, free, pcn)
        if line is None:
            return None
        free.remove(line)
        matched.append(line)
    return matched


def _line_for(service: ServiceLinePayment, free: list[OurLine], pcn: str) -> OurLine | None:
    """The line control number we sent (REF*6R); else the same code and modifiers; else the code sent; else the
    code the payer changed it to; else the charge. At each step one line must fit (or lines alike in code,
    modifiers, charge and units); when different lines fit, the payment is not matched."""
    sent, modifiers = service.sent_code, service.sent_modifiers
    tiers: tuple[Callable[[OurLine], bool], ...] = (
        lambda x: service.control_number == f"{pcn}-{x.line_number}",
        lambda x: x.code == sent and x.modifiers == modifiers,
        lambda x: x.code == sent,
        lambda x: x.code == service.code,
        lambda x: x.charge == service.charge,
    )
    for tier in tiers:
        candidates = [line for line in free if tier(line)]
        if len({(x.code, x.modifiers, x.charge, x.units) for x in candidates}) == 1:
            return candidates[0]  # one line, or lines that cannot be told apart: either is the same
        if candidates:
            return None  # two different lines fit: that would be a guess
    return None


def claim_postings(payment: ClaimPayment, claim: OurClaim, matched: Sequence[OurLine], payer_id: int | None,
                   transferred: Mapping[int, Money], codes: DenialCodeTable) -> list[Posting]:
    """Per line, a debit to each account the payment names and one credit to insurance A/R for their sum.

    Claim-level amounts (a payment with no service lines, claim-level CAS) are spread over the claim's lines in
    proportion to their charges; when the payment has lines, which settle the charges, a claim-level adjustment
    is taken out of the cash they paid (CLP04 = the lines' SVC03 less the claim-level CAS). A secondary
    claim's lines go by ``secondary_line_postings``.
    """
    postings: list[Posting] = []
    credits: dict[int, int] = {}
    status = payment.status_code
    dims = {"patient_id": claim.patient_id, "payer_id": payer_id, "claim_id": claim.id}

    def pair(account: str | None, amount: Money, line_id: int) -> None:
        if amount.cents and account is not None:
            postings.append(Posting(account, amount, **dims, claim_line_id=line_id))
            credits[line_id] = credits.get(line_id, 0) - amount.cents

    spread: list[tuple[str | None, Money]] = []
    if payment.lines and claim.primary_claim_id is not None:
        for service, line in zip(payment.lines, matched, strict=True):
            for target, amount in secondary_line_postings(service, status, transferred.get(
                    line.charged_line_id, Money.zero()), codes):
                pair(target, amount, line.charged_line_id)
    elif payment.lines:
        for service, line in zip(payment.lines, matched, strict=True):
            pair(CASH, service.paid, line.charged_line_id)
            for adjustment in service.adjustments:
                pair(adjustment_account(adjustment.group, adjustment.reason, status, codes), adjustment.amount,
                     line.charged_line_id)
    else:
        spread = [(CASH, payment.paid)]
    claim_level = [(adjustment_account(a.group, a.reason, status, codes), a.amount) for a in payment.adjustments]
    if not payment.lines:
        spread += claim_level
    lines = claim.lines
    weights = [line.charge.cents for line in lines] if any(line.charge.cents for line in lines) else [1] * len(lines)
    for account, amount in spread:
        if amount.cents and lines:
            for line, part in zip(lines, allocate(amount, weights), strict=True):
                pair(account, part, line.charged_line_id)
    if payment.lines:  # the lines' amounts settle their charges: a claim-level adjustment comes out of their pay
        for account, amount in claim_level:  # (CLP04 is the lines' SVC03 less the claim-level CAS)
            if amount.cents and lines and account is not None:
                for line, part in zip(lines, allocate(amount, weights), strict=True):
                    if part.cents:
                        postings += [Posting(account, part, **dims, claim_line_id=line.charged_line_id),
                                     Posting(CASH, -part, **dims, claim_line_id=line.charged_line_id)]
    postings += [Posting(INSURANCE_AR, Money(cents), **dims, claim_line_id=line_id)
                 for line_id, cents in credits.items() if cents]
    return postings


def secondary_line_postings(service: ServiceLinePayment, status: str, transferred: Money,
                            codes: DenialCodeTable) -> list[tuple[str, Money]]:
    """A secondary payer's line: it owes only the share the primary left (moved to it when the secondary claim
    was opened), whatever its CAS amounts say about the rest of the charge. Paid and patient share post as
    given; the rest of that share goes where the secondary's own largest adjustment says (a denial to 1150,
    a contractual reduction to 4100). A reversal takes back the whole share."""
    patient = Money(sum(a.amount.cents for a in service.adjustments if a.group == "PR"))
    base = -transferred if status == REVERSAL else transferred
    own = [a for a in service.adjustments if a.group != "PR" and a.reason != PRIOR_PAYER]
    largest = max(own, key=lambda a: abs(a.amount.cents), default=None)
    account = (adjustment_account(largest.group, largest.reason, status, codes) if largest else None) or CONTRACTUAL
    return [(CASH, service.paid), (PATIENT_AR, patient), (account, base - service.paid - patient)]


def plan_claim_payment(payment: ClaimPayment, claim: OurClaim, matched: Sequence[OurLine], payer_id: int | None, *,
                       balances: Mapping[int, LineBalances], history: Mapping[HistoryKey, Sequence[Answered]],
                       transferred: Mapping[int, Money], codes: DenialCodeTable, remittance_id: int,
                       replaced: bool = False) -> ClaimPlan:
    """The whole decision for one matched claim payment: which lines it answers for the first time (posted to
    A/R, with their adjudications), which it pays again (cash to the payer credit balance), and the postings,
    completed so that no line balance ends below zero."""
    status = payment.status_code
    dims = {"patient_id": claim.patient_id, "payer_id": payer_id, "claim_id": claim.id}
    if not payment.lines and status != REVERSAL and claim_settled(claim, payer_id, balances, history):
        return _claim_paid_again(payment, claim, payer_id, history)
    answers = [line_answer(status, service) for service in payment.lines]
    keys: list[HistoryKey] = [(claim.id, line.charged_line_id, payer_id) for line in matched]
    settled = [is_settled([a.answer for a in history.get(key, ())], balances.get(key[1], LineBalances()), answer,
                          replaced=replaced) for key, answer in zip(keys, answers, strict=True)]
    overpaid: list[Posting] = []
    original: int | None = None
    for service, line, key, done in zip(payment.lines, matched, keys, settled, strict=True):
        if not done:
            continue
        if service.paid.cents:
            overpaid += [Posting(CASH, service.paid, **dims, claim_line_id=line.charged_line_id),
                         Posting(PAYER_CREDIT, -service.paid, **dims, claim_line_id=line.charged_line_id)]
        if original is None:
            live = live_answers([a.answer for a in history.get(key, ())])
            original = next((a.remittance_id for a in reversed(history.get(key, ())) if live and a.answer == live[-1]),
                            None)
    overpaid_amount = Money(sum(p.amount.cents for p in overpaid if p.account_code == CASH))
    if settled and all(settled):
        return ClaimPlan((), (), tuple(overpaid), overpaid_amount, original, {}, (), repeat=True)
    fresh = [(service, line) for service, line, done in zip(payment.lines, matched, settled, strict=True) if not done]
    if any(settled):  # some lines answered again, others for the first time: the new answers post as usual
        payment = replace(payment, lines=tuple(service for service, _ in fresh))
        matched = [line for _, line in fresh]
    raw = claim_postings(payment, claim, matched, payer_id, transferred, codes)
    by_line: dict[int | None, list[Posting]] = {}
    for posting in raw:
        by_line.setdefault(posting.claim_line_id, []).append(posting)
    guarded: list[Posting] = list(by_line.pop(None, []))
    after: dict[int, LineBalances] = {}
    for line_id, own in by_line.items():
        assert line_id is not None
        before = balances.get(line_id, LineBalances())
        reprocessed = status != REVERSAL and bool(live_answers([a.answer for a in history.get(
            (claim.id, line_id, payer_id), ())]))
        completed = guard_line(own, before, patient_id=claim.patient_id, payer_id=payer_id, claim_id=claim.id,
                               line_id=line_id, reprocessed=reprocessed)
        after[line_id] = before.after(completed)
        guarded += completed
    new_answers = tuple(((claim.id, line.charged_line_id, payer_id),
                         Answered(line_answer(status, service), remittance_id)) for service, line in fresh)
    return ClaimPlan(tuple(net(guarded)), tuple(fresh), tuple(overpaid), overpaid_amount, original, after,
                     new_answers)


def _claim_paid_again(payment: ClaimPayment, claim: OurClaim, payer_id: int | None,
                      history: Mapping[HistoryKey, Sequence[Answered]]) -> ClaimPlan:
    """The plan of a claim-level payment of a claim the payer already settled: its cash (spread over the claim's
    lines by charge, as a claim-level payment is posted) to the payer credit balance; its adjustments and
    nothing else are applied again."""
    dims = {"patient_id": claim.patient_id, "payer_id": payer_id, "claim_id": claim.id}
    overpaid: list[Posting] = []
    if payment.paid.cents > 0:
        weights = [line.charge.cents for line in claim.lines]
        if not any(weights):
            weights = [1] * len(weights)
        for line, part in zip(claim.lines, allocate(payment.paid, weights), strict=True):
            if part.cents:
                overpaid += [Posting(CASH, part, **dims, claim_line_id=line.charged_line_id),
                             Posting(PAYER_CREDIT, -part, **dims, claim_line_id=line.charged_line_id)]
    first = history.get((claim.id, claim.lines[0].charged_line_id, payer_id), ())
    live = live_answers([a.answer for a in first])
    original = next((a.remittance_id for a in reversed(first) if live and a.answer == live[-1]), None)
    amount = payment.paid if overpaid else Money(0)
    return ClaimPlan((), (), tuple(overpaid), amount, original, {}, (), repeat=True)


# The statuses an 835 posting decides anew from the claim's balances (the others are a person's or a payer's
# acknowledgement's to set: a claim being corrected or rejected keeps its status).
SETTLEABLE = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED, ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID,
                        ClaimStatus.DENIED, ClaimStatus.CLOSED})


def settled_status(current: ClaimStatus, by_account: Mapping[str, int], total_charge: Money, *,
                   replaced: bool) -> ClaimStatus:
    """The status an 835 posting leaves a claim in: ``claim_status`` of its balances, those of the claims it
    replaces included, when its status is settleable and no corrected claim replaces it; else ``current``.

    >>> from dermbill.core.ledger import CASH, CONTRACTUAL, GROSS_CHARGES
    >>> paid = {GROSS_CHARGES: -10000, CASH: 8000, CONTRACTUAL: 2000}
    >>> settled_status(ClaimStatus.SUBMITTED, paid, Money(10000), replaced=False).value
    'paid'
    >>> settled_status(ClaimStatus.SUBMITTED, paid, Money(10000), replaced=True).value
    'submitted'
    >>> settled_status(ClaimStatus.REJECTED, paid, Money(10000), replaced=False).value
    'rejected'
    """
    if current not in SETTLEABLE or replaced:
        return current
    return claim_status(by_account, total_charge)


def claim_status(by_account: Mapping[str, int], total_charge: Money) -> ClaimStatus:
    """A claim's status from its balances (its own and those of the claims it replaces): paid when nothing is
    left with the payer, denied when nothing was paid and denials remain, accepted when a reversal left nothing
    adjudicated, else partially paid."""
    def sum_of(account: str) -> int:
        return by_account.get(account, 0)
    if sum_of(INSURANCE_AR) == total_charge.cents and not any(sum_of(a) for a in (CASH, DENIED_AR, PATIENT_AR)):
        return ClaimStatus.ACCEPTED  # a reversal left nothing adjudicated: the payer owes its new answer
    if sum_of(INSURANCE_AR) == 0 and sum_of(DENIED_AR) == 0:
        return ClaimStatus.PAID  # adjudicated in full: paid, or left wholly to the patient (deductible)
    if sum_of(CASH) <= 0 and sum_of(DENIED_AR) > 0:
        return ClaimStatus.DENIED
    return ClaimStatus.PARTIALLY_PAID
