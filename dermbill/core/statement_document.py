"""What a patient statement says, as values: the practice and where to pay, the guarantor, each visit's lines with
what was charged, what insurance paid and adjusted, what the patient paid and still owes, the payments received,
the unapplied credit, the aging and the message of the cadence step.

The statement run builds one from the ledger (every amount is the ledger's), keeps it as JSON with the statement
(``to_json``/``from_json``: the same statement can be shown again exactly, years later), and the PDF, the print
batch and the patient's statement page all read it. Nothing here knows of the database or of PDFs.

The figures must agree: each line's charge equals insurance paid + adjusted + patient paid + what is owed, and the
balance due is what is owed on the lines less the unapplied credit. A document that does not add up is refused
(``InvalidInput``): a statement never shows a sum that does not follow from its own lines.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One service of a visit, in words (a code never appears without its words)."""

    description: str  # e.g. "Skin biopsy, first lesion (11102)"
    charged: Money
    insurance_paid: Money
    adjusted: Money  # what insurance's contract or the practice took off: not owed by anyone
    patient_paid: Money
    you_owe: Money

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise InvalidInput("a statement line needs a description in words")
        accounted = self.insurance_paid + self.adjusted + self.patient_paid + self.you_owe
        if accounted != self.charged:
            raise InvalidInput(f"statement line '{self.description}': charged {self.charged} but insurance paid, "
                               f"adjusted, patient paid and owed add up to {accounted}")


@dataclass(frozen=True, slots=True)
class StatementVisit:
    date_of_service: datetime.date
    provider: str  # "Dr. Ana Rivera"
    insurer: str | None  # the payer billed for the visit; None: self-pay
    lines: tuple[StatementLine, ...]

    @property
    def charged(self) -> Money:
        return total([line.charged for line in self.lines])

    @property
    def insurance_paid(self) -> Money:
        return total([line.insurance_paid for line in self.lines])

    @property
    def adjusted(self) -> Money:
        return total([line.adjusted for line in self.lines])

    @property
    def patient_paid(self) -> Money:
        return total([line.patient_paid for line in self.lines])

    @property
    def you_owe(self) -> Money:
        return total([line.you_owe for line in self.lines])


@dataclass(frozen=True, slots=True)
class StatementPayment:
    """A payment the guarantor made since the last statement (or in the period shown)."""

    paid_on: datetime.date
    description: str  # "Card payment, terminal reference T-1234: thank you"
    amount: Money


@dataclass(frozen=True, slots=True)
class StatementDocument:
    practice_name: str
    practice_address: tuple[str, ...]
    remit_to_name: str  # where checks go (the practice, or its billing company's lockbox)
    remit_to_address: tuple[str, ...]
    billing_phone: str  # whom to call about the bill
    pay_url: str | None  # where to pay online, if the practice takes payments online
    statement_date: datetime.date
    due_on: datetime.date
    account_number: str
    statement_code: str  # the patient types it, with their date of birth, on the statement page
    guarantor_name: str
    guarantor_address: tuple[str, ...]
    step: str  # the cadence step (core.statements.Step value): statement, reminder, past_due, final_notice
    message: str  # what the step says, in the practice's words
    visits: tuple[StatementVisit, ...]
    payments: tuple[StatementPayment, ...]
    credit: Money  # paid ahead and not yet applied to a visit: taken off the balance
    aging: tuple[tuple[str, Money], ...]  # ("0-30", amount) ... ("120+", amount)
    balance_due: Money

    def __post_init__(self) -> None:
        owed = total([visit.you_owe for visit in self.visits]) - self.credit
        if owed != self.balance_due:
            raise InvalidInput(f"statement {self.statement_code}: the visits' balances less the credit are {owed}, "
                               f"not the balance due {self.balance_due}")
        if self.due_on < self.statement_date:
            raise InvalidInput(f"statement {self.statement_code}: due on {self.due_on} before its date "
                               f"{self.statement_date}")

    def to_json(self) -> dict[str, Any]:
        """The document as JSON values (amounts as "12.34" strings, dates ISO): what the statement row keeps."""
        return {
            "practice_name": self.practice_name, "practice_address": list(self.practice_address),
            "remit_to_name": self.remit_to_name, "remit_to_address": list(self.remit_to_address),
            "billing_phone": self.billing_phone, "pay_url": self.pay_url,
            "statement_date": self.statement_date.isoformat(), "due_on": self.due_on.isoformat(),
            "account_number": self.account_number, "statement_code": self.statement_code,
            "guarantor_name": self.guarantor_name, "guarantor_address": list(self.guarantor_address),
            "step": self.step, "message": self.message,
            "visits": [{"date_of_service": v.date_of_service.isoformat(), "provider": v.provider,
                        "insurer": v.insurer,
                        "lines": [{"description": line.description, "charged": line.charged.plain(),
                                   "insurance_paid": line.insurance_paid.plain(), "adjusted": line.adjusted.plain(),
                                   "patient_paid": line.patient_paid.plain(), "you_owe": line.you_owe.plain()}
                                  for line in v.lines]}
                       for v in self.visits],
            "payments": [{"paid_on": p.paid_on.isoformat(), "description": p.description, "amount": p.amount.plain()}
                         for p in self.payments],
            "credit": self.credit.plain(),
            "aging": [[bucket, amount.plain()] for bucket, amount in self.aging],
            "balance_due": self.balance_due.plain(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatementDocument:
        """The document kept by ``to_json``, checked again as it is read."""
        try:
            return cls(
                practice_name=data["practice_name"], practice_address=tuple(data["practice_address"]),
                remit_to_name=data["remit_to_name"], remit_to_address=tuple(data["remit_to_address"]),
                billing_phone=data["billing_phone"], pay_url=data.get("pay_url"),
                statement_date=datetime.date.fromisoformat(data["statement_date"]),
                due_on=datetime.date.fromisoformat(data["due_on"]),
                account_number=data["account_number"], statement_code=data["statement_code"],
                guarantor_name=data["guarantor_name"], guarantor_address=tuple(data["guarantor_address"]),
                step=data["step"], message=data["message"],
                visits=tuple(StatementVisit(
                    datetime.date.fromisoformat(v["date_of_service"]), v["provider"], v.get("insurer"),
                    tuple(StatementLine(line["description"], Money.parse(line["charged"]),
                                        Money.parse(line["insurance_paid"]), Money.parse(line["adjusted"]),
                                        Money.parse(line["patient_paid"]), Money.parse(line["you_owe"]))
                          for line in v["lines"]))
                    for v in data["visits"]),
                payments=tuple(StatementPayment(datetime.date.fromisoformat(p["paid_on"]), p["description"],
                                                Money.parse(p["amount"])) for p in data["payments"]),
                credit=Money.parse(data["credit"]),
                aging=tuple((bucket, Money.parse(amount)) for bucket, amount in data["aging"]),
                balance_due=Money.parse(data["balance_due"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(f"a kept statement cannot be read: {error!r}") from error
