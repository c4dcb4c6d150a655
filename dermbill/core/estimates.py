"""The patient's cost estimate for a visit's planned procedures: what the plan is expected to allow, what the patient
is expected to pay, and the assumptions behind both, in words.

Pure: prices and benefits come in as values (the service reads the fee schedules, the PFS table and the latest
eligibility answer). The steps, in the order a payer adjudicates a professional claim:

1. **Price per line.** The payer's allowed amount (its contracted rate, or for Medicare the fee schedule) capped at
   the practice's charge (payers allow the lesser of the two); without one, the practice's charge itself (then the
   estimate is likely high, and says so).
2. **Multiple-procedure reduction.** Among the lines whose PFS multiple-procedure indicator is ``2`` (standard
   payment rules), the highest-priced is allowed at 100% and every other at 50% (rounded to the cent, halves up).
   Indicator ``0`` (add-on codes, visits) and ``9`` are never reduced.
3. **Copay.** A visit line (E/M) with an office-visit copay costs the patient the copay (once per visit); the rest of
   that line is the plan's: most plans with a visit copay apply neither the deductible nor coinsurance to the visit.
4. **Deductible** left, applied line by line, highest allowed first (the order a claim lists them), then
   **coinsurance** (a percentage of what is left of the line, rounded to the cent per line, halves up: payers
   round each line).
5. **Out-of-pocket maximum left** caps the patient's total; the plan pays the rest.

Worked example (see tests/core/test_estimates.py): 17311 at $600.00 and 11102 at $100.00, both indicator 2, a $200.00
deductible left, 20% coinsurance: 11102 is reduced to $50.00; the deductible takes $200.00 of 17311, coinsurance is
20% of $400.00 = $80.00 on it and $10.00 on 11102: the patient $290.00, the plan $360.00, allowed $650.00.

The patient's share plus the plan's always equals the allowed total, and neither is ever negative.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total

REDUCED_INDICATOR = "2"  # PFS: standard multiple-procedure payment rules (100% / 50%)
MEDICARE_PART_B_COINSURANCE = Decimal(20)  # 42 U.S.C. 1395l(a)(1): Part B pays 80% of the approved amount
FINAL_AMOUNT = ("the final amount depends on what is actually done at the visit and on the pathology results "
                "(a biopsy may lead to a further procedure); this is an estimate, not a guarantee of coverage")


@dataclass(frozen=True, slots=True)
class Benefits:
    """What the patient's plan has left to apply, as of a day: the latest eligibility answer (271), or only what the
    coverage record holds (a copay). ``None`` means not known (never "zero")."""

    copay: Money | None = None  # the office-visit (specialist) copay
    coinsurance_percent: Decimal | None = None  # the patient's share after the deductible, 20 for 20%
    deductible_remaining: Money | None = None
    out_of_pocket_remaining: Money | None = None
    as_of: datetime.date | None = None  # the day of the eligibility answer (271) these come from
    source: str = "the coverage record"

    def __post_init__(self) -> None:
        for name in ("copay", "deductible_remaining", "out_of_pocket_remaining"):
            value = getattr(self, name)
            if value is not None and value.cents < 0:
                raise InvalidInput(f"benefits: {name.replace('_', ' ')} cannot be negative (got {value})")
        if self.coinsurance_percent is not None and not Decimal(0) <= self.coinsurance_percent <= Decimal(100):
            raise InvalidInput(f"benefits: coinsurance must be 0 to 100 percent (got {self.coinsurance_percent})")


@dataclass(frozen=True, slots=True)
class PricedService:
    """A planned procedure with what is known of its price."""

    code: str
    description: str
    charge: Money | None  # the practice's charge (its fee schedule); None when the code has none
    payer_amount: Money | None = None  # the payer's allowed amount, when known
    payer_source: str = ""  # where ``payer_amount`` comes from ("TEST BLUE contract from 2026-01-01")
    multiple_procedure_indicator: str = ""  # the PFS indicator: "0", "2", "9"; "" when the code is not in the PFS
    is_visit: bool = False  # an E/M visit code (the copay applies to it)


@dataclass(frozen=True, slots=True)
class EstimateLine:
    code: str
    description: str
    charge: Money | None
    price: Money  # before the reduction
    price_source: str
    reduction_percent: int  # 100, or 50 when reduced as a further procedure
    allowed: Money
    copay: Money
    deductible: Money
    coinsurance: Money
    capped: Money  # what the out-of-pocket maximum took off the patient's share
    patient: Money
    plan: Money


@dataclass(frozen=True, slots=True)
class Estimate:
    self_pay: bool
    lines: tuple[EstimateLine, ...]
    unpriced: tuple[str, ...]  # planned codes with no price at all: left out, and said so
    rules: tuple[str, ...]  # the pricing rules applied, in words
    assumptions: tuple[str, ...]

    @property
    def charges(self) -> Money:
        return total([line.charge for line in self.lines if line.charge is not None])

    @property
    def allowed(self) -> Money:
        return total([line.allowed for line in self.lines])

    @property
    def patient(self) -> Money:
        return total([line.patient for line in self.lines])

    @property
    def plan(self) -> Money:
        return total([line.plan for line in self.lines])

    def part(self, name: str) -> Money:
        """The total of one part of the patient's share: copay, deductible, coinsurance or capped."""
        return total([getattr(line, name) for line in self.lines])


def percent_of(amount: Money, percent: Decimal) -> Money:
    """``percent`` % of ``amount``, rounded to the cent, halves up (15% of $10.10 is $1.52)."""
    cents = (Decimal(amount.cents) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return Money(int(cents))


def dollars(amount: Money) -> str:
    return f"${amount}"


def estimate_cost(services: Sequence[PricedService], benefits: Benefits | None, *, self_pay: bool,
                  payer_name: str = "", payer_kind: str = "") -> Estimate:
    """The estimate for ``services`` (one unit each, in the order planned): insured (``benefits`` from the latest
    eligibility answer or the coverage record) or self-pay (the practice's charges, all the patient's)."""
    priced = [s for s in services if s.charge is not None or (not self_pay and s.payer_amount is not None)]
    unpriced = tuple(s.code for s in services if s not in priced)
    if self_pay:
        return _self_pay(priced, unpriced)
    benefits = benefits or Benefits()
    prices = [_price(s) for s in priced]
    reduced, rules = _reductions(priced, prices)
    assumptions = _price_assumptions(priced, payer_name)
    coinsurance = benefits.coinsurance_percent
    if coinsurance is None and payer_kind == "medicare":
        coinsurance = MEDICARE_PART_B_COINSURANCE
    copay_left = benefits.copay.cents if benefits.copay is not None else 0
    deductible_left = benefits.deductible_remaining.cents if benefits.deductible_remaining is not None else 0
    cap_left = benefits.out_of_pocket_remaining.cents if benefits.out_of_pocket_remaining is not None else None
    allowed_of = [price if percent == 100 else Money.round_half_up(price.to_decimal() / 2)
                  for (price, _), percent in zip(prices, reduced, strict=True)]
    # Shares are worked out in the order a claim lists the lines, highest allowed first (ties as planned).
    lines: dict[int, EstimateLine] = {}
    for index in sorted(range(len(priced)), key=lambda i: (-allowed_of[i].cents, i)):
        service, (price, source), allowed = priced[index], prices[index], allowed_of[index]
        copay = deductible = coinsurance_part = Money.zero()
        if service.is_visit and benefits.copay is not None:
            copay = Money(min(copay_left, allowed.cents))
            copay_left -= copay.cents
        else:
            deductible = Money(min(deductible_left, allowed.cents))
            deductible_left -= deductible.cents
            if coinsurance is not None:
                coinsurance_part = percent_of(allowed - deductible, coinsurance)
        share = copay + deductible + coinsurance_part
        capped = Money.zero()
        if cap_left is not None:
            capped = Money(max(share.cents - cap_left, 0))
            cap_left -= share.cents - capped.cents
        patient = share - capped
        lines[index] = EstimateLine(service.code, service.description, service.charge, price, source,
                                    reduced[index], allowed, copay, deductible, coinsurance_part, capped, patient,
                                    allowed - patient)
    ordered = [lines[i] for i in range(len(priced))]
    assumptions += _benefit_assumptions(benefits, coinsurance, payer_kind, ordered,
                                        any(s.is_visit for s in priced))
    if unpriced:
        assumptions.append(f"no price is on file for {', '.join(unpriced)}: not included")
    assumptions.append(FINAL_AMOUNT)
    return Estimate(False, tuple(ordered), unpriced, tuple(rules), tuple(assumptions))


def _self_pay(priced: list[PricedService], unpriced: tuple[str, ...]) -> Estimate:
    lines = []
    for service in priced:
        charge = service.charge or Money.zero()
        lines.append(EstimateLine(service.code, service.description, service.charge, charge, "the practice's charge",
                                  100, charge, Money.zero(), Money.zero(), Money.zero(), Money.zero(), charge,
                                  Money.zero()))
    assumptions = ["no insurance is on file for the visit: the patient pays the practice's charges (self-pay)"]
    if unpriced:
        assumptions.append(f"no price is on file for {', '.join(unpriced)}: not included")
    assumptions.append(FINAL_AMOUNT)
    return Estimate(True, tuple(lines), unpriced, (), tuple(assumptions))


def _price(service: PricedService) -> tuple[Money, str]:
    if service.payer_amount is not None:
        if service.charge is not None and service.charge.cents < service.payer_amount.cents:
            return service.charge, "the practice's charge (lower than the payer's allowed amount)"
        return service.payer_amount, service.payer_source or "the payer's allowed amount"
    return service.charge or Money.zero(), "the practice's charge (no allowed amount on file for the payer)"


def _reductions(services: list[PricedService], prices: list[tuple[Money, str]]) -> tuple[list[int], list[str]]:
    """100 or 50 per line: the PFS multiple-procedure rule for indicator 2 (highest price first, ties in order)."""
    percents = [100] * len(services)
    ranked = sorted((i for i, s in enumerate(services) if s.multiple_procedure_indicator == REDUCED_INDICATOR),
                    key=lambda i: (-prices[i][0].cents, i))
    if len(ranked) < 2:
        return percents, []
    for index in ranked[1:]:
        percents[index] = 50
    first = services[ranked[0]].code
    others = ", ".join(services[i].code for i in ranked[1:])
    return percents, [f"multiple-procedure reduction (PFS indicator 2): {first} at 100% as the highest-priced "
                      f"procedure, {others} at 50%"]


def _price_assumptions(services: list[PricedService], payer_name: str) -> list[str]:
    payer = payer_name or "the payer"
    unknown = [s.code for s in services if s.payer_amount is None]
    known = [s for s in services if s.payer_amount is not None]
    said = []
    sources = sorted({s.payer_source for s in known if s.payer_source})
    if known:
        said.append(f"prices are {payer}'s allowed amounts ({'; '.join(sources) or 'on file'})")
    if unknown:
        said.append(f"{payer}'s allowed amount is not on file for {', '.join(unknown)}: the practice's charge is used, "
                    "so the estimate may be higher than what the plan allows")
    return said


def _benefit_assumptions(benefits: Benefits, coinsurance: Decimal | None, payer_kind: str,
                         lines: list[EstimateLine], has_visit: bool) -> list[str]:
    when = f"as of the eligibility answer (271) of {benefits.as_of.isoformat()}" if benefits.as_of else \
        f"from {benefits.source} (no eligibility answer on file)"
    said = []
    if benefits.deductible_remaining is not None:
        said.append(f"assumes the deductible left is {dollars(benefits.deductible_remaining)} {when}; claims "
                    "processed before this visit may lower it")
    else:
        said.append("the deductible left is not known (no eligibility answer on file): assumed already met; if it is "
                    "not, the patient may owe up to the allowed amount of the procedures")
    if benefits.coinsurance_percent is not None:
        said.append(f"assumes coinsurance of {_percent(coinsurance)} of the allowed amount after the deductible {when}")
    elif coinsurance is not None and payer_kind == "medicare":
        said.append(f"assumes Medicare Part B coinsurance of {_percent(coinsurance)} of the approved amount")
    else:
        said.append("coinsurance is not known: assumed none; the plan may charge a percentage of the allowed amount")
    if benefits.copay is not None and has_visit:
        said.append(f"assumes an office-visit copay of {dollars(benefits.copay)} {when}, covering the visit itself")
    elif benefits.copay is not None:
        said.append(f"an office-visit copay of {dollars(benefits.copay)} is on file ({benefits.source}), but no visit "
                    "code is planned: it is not in this estimate (the plan may still ask for it at the visit)")
    if benefits.out_of_pocket_remaining is not None:
        capped = total([line.capped for line in lines])
        words = f"; it lowered the patient's share by {dollars(capped)}" if capped.cents else ""
        said.append(f"the out-of-pocket maximum left ({dollars(benefits.out_of_pocket_remaining)}, {when}) caps "
                    f"what the patient pays{words}")
    else:
        said.append("the out-of-pocket maximum left is not known: not applied")
    return said


def _percent(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).normalize():f}%"
