"""A payer's remittance advice (the 835's content) as typed values: what ``x12.remittance_835`` reads and
``x12.remittance_835_writer`` writes, and what payment posting decides on.

- ``Remittance``: one payment (BPR/TRN) from a payer to a payee, with its claim payments and provider-level
  adjustments (PLB); ``problems`` are the balancing rules it breaks (an unbalanced 835 is never posted).
- ``ClaimPayment``: the payer's answer on one claim (CLP), with claim-level adjustments and its lines.
- ``ServiceLinePayment``: the answer on one service line (SVC), with its adjustments (CAS) and remarks (LQ).
- ``Adjustment``: a CAS triple: group (who owes the difference: CO, PR, OA, PI, CR), reason (CARC), amount.

Amounts are ``Money``. A line's paid amount is its charge less its adjustments, a claim's charge and paid
amount the sums of its lines', and the payment (BPR02) what the claims pay less the PLB adjustments, so a
remittance built in code balances by construction. An 835 that states other amounts (it does not balance)
keeps them in the ``stated_*`` fields, which are None whenever the stated amount is the computed one (so
``dataclasses.replace`` of the lines recomputes the totals, and a balanced 835 reads back equal to the
remittance that was written).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from dermbill.core.money import Money

REVERSAL = "22"  # CLP02: the payer takes back an earlier answer (amounts negated)
DENIED = "4"
CROSSOVER = frozenset({"19", "20", "21"})  # processed as primary (secondary, tertiary) and forwarded
# CLP02 claim status codes, in plain words (an EOB shows them).
CLAIM_STATUS_WORDS: dict[str, str] = {
    "1": "processed as primary", "2": "processed as secondary", "3": "processed as tertiary", "4": "denied",
    "19": "processed as primary, forwarded to the next payer",
    "20": "processed as secondary, forwarded to the next payer",
    "21": "processed as tertiary, forwarded to the next payer", "22": "reversal of an earlier answer",
    "23": "not our claim, forwarded to another payer", "25": "predetermination: pricing only, no payment",
}

# PLB03-1 provider adjustment reason codes (X12's list), in plain words (an EOB shows them).
PROVIDER_ADJUSTMENT_WORDS: dict[str, str] = {
    "72": "authorized return: the payer takes back an earlier payment", "WO": "overpayment recovery",
    "L6": "interest owed to the provider", "FB": "forwarding balance (carried to or from another payment)",
    "CS": "adjustment (see the payer's reference)", "J1": "non-reimbursable", "B2": "rebate",
    "50": "late charge", "51": "interest penalty charge", "90": "early payment allowance",
    "AP": "acceleration of benefits", "BD": "bad debt adjustment", "BN": "bonus", "C5": "temporary allowance",
    "E3": "withholding", "IR": "internal revenue service withholding", "IS": "interim settlement",
    "LE": "levy (a legal order to pay someone else)", "LS": "lump sum", "OB": "offset for affiliated providers",
    "PI": "periodic interim payment", "PL": "final payment", "RA": "retroactive adjustment",
    "SL": "student loan repayment", "TL": "third-party liability", "WU": "unspent funds",
}


def provider_adjustment_words(reason: str) -> str:
    """Plain words for a PLB reason code: ``provider_adjustment_words("WO")`` is "overpayment recovery"."""
    return PROVIDER_ADJUSTMENT_WORDS.get(reason.strip().upper(), f"provider adjustment code '{reason}'")


@dataclass(frozen=True, slots=True)
class Adjustment:
    group: str
    reason: str
    amount: Money
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ServiceLinePayment:
    code: str
    modifiers: tuple[str, ...]
    charge: Money
    units: Decimal | int
    date_of_service: datetime.date | None
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...] = ()
    control_number: str = ""  # REF*6R: the line control number we sent ({patient control number}-{line})
    allowed: Money | None = None
    submitted_code: str | None = None  # when the payer paid another code than the one sent (SVC06)
    submitted_modifiers: tuple[str, ...] = ()
    stated_paid: Money | None = None  # SVC03 when it is not the charge less the adjustments
    _paid: Money = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        paid = self.stated_paid if self.stated_paid is not None else \
            self.charge - Money(sum(a.amount.cents for a in self.adjustments))
        object.__setattr__(self, "_paid", paid)  # read for every line many times over: computed once

    @property
    def paid(self) -> Money:
        """SVC03: the charge less the adjustments (or what the 835 stated instead)."""
        return self._paid

    @property
    def sent_code(self) -> str:
        """The code we billed: SVC06's when the payer changed it, else SVC01's."""
        return self.submitted_code or self.code

    @property
    def sent_modifiers(self) -> tuple[str, ...]:
        return self.submitted_modifiers if self.submitted_code else self.modifiers

    def negated(self) -> ServiceLinePayment:
        """The same line taken back (a reversal): every amount and the units negated."""
        return ServiceLinePayment(self.code, self.modifiers, -self.charge, -self.units, self.date_of_service,
                                  tuple(Adjustment(a.group, a.reason, -a.amount, a.quantity)
                                        for a in self.adjustments),
                                  control_number=self.control_number, submitted_code=self.submitted_code,
                                  submitted_modifiers=self.submitted_modifiers,
                                  stated_paid=None if self.stated_paid is None else -self.stated_paid)


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    patient_control_number: str
    status_code: str  # 1 primary, 2 secondary, 4 denied, 19-21 forwarded, 22 reversal
    filing_indicator: str
    payer_claim_number: str
    patient_last: str
    patient_first: str
    member_id: str
    lines: tuple[ServiceLinePayment, ...]
    remarks: tuple[str, ...] = ()  # claim-level remark codes (MOA), e.g. MA18 forwarded to the supplemental payer
    crossover_payer_id: str = ""  # NM1*TT: the payer the claim was forwarded to
    crossover_payer_name: str = "SUPPLEMENTAL PAYER"
    received: datetime.date | None = None  # DTM*050
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS (right after CLP)
    stated_charge: Money | None = None  # CLP03 when it is not the sum of the lines' charges
    stated_paid: Money | None = None  # CLP04 when it is not the lines' paid amounts less claim adjustments
    _charge: Money = field(init=False, repr=False, compare=False)
    _paid: Money = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        charge = self.stated_charge if self.stated_charge is not None else \
            Money(sum(line.charge.cents for line in self.lines))
        adjusted = Money(sum(a.amount.cents for a in self.adjustments))
        if self.stated_paid is not None:
            paid = self.stated_paid
        elif self.lines:
            paid = Money(sum(line.paid.cents for line in self.lines)) - adjusted
        else:
            paid = charge - adjusted
        object.__setattr__(self, "_charge", charge)
        object.__setattr__(self, "_paid", paid)

    @property
    def charge(self) -> Money:
        """CLP03."""
        return self._charge

    @property
    def paid(self) -> Money:
        """CLP04."""
        return self._paid

    @property
    def patient_responsibility(self) -> Money:
        """CLP05: the patient's share (group PR) of the claim and its lines."""
        return Money(sum(a.amount.cents for a in self.adjustments if a.group == "PR")
                     + sum(a.amount.cents for line in self.lines for a in line.adjustments if a.group == "PR"))

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB adjustment: positive amounts reduce the payment (e.g. WO overpayment recovery), negative add to it."""

    reason: str
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Remittance:
    payer_name: str
    payer_id: str
    payee_name: str
    payee_npi: str
    trace_number: str  # TRN02
    paid_on: datetime.date | None
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    fiscal_period_end: datetime.date | None = None  # PLB02
    stated_total: Money | None = None  # BPR02 when it is not the claims' payments less the PLB adjustments
    problems: tuple[str, ...] = ()  # the balancing rules a read 835 breaks: it must not be posted
    notices: tuple[str, ...] = ()  # oddities that do not change the money (an impossible date)
    trace_originator: str = ""  # TRN03: the payer's company identifier ("1" + its tax ID)
    trace_reference: str = ""  # TRN04: the payer's division, when it has several

    @property
    def total(self) -> Money:
        """BPR02: what the claims pay, less provider-level adjustments."""
        if self.stated_total is not None:
            return self.stated_total
        claims = sum(claim.paid.cents for claim in self.claims)
        return Money(claims - sum(a.amount.cents for a in self.provider_adjustments))

    @property
    def balanced(self) -> bool:
        return not self.problems
