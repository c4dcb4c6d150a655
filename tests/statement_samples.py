"""A statement document to render and read back, for the statement PDF, print batch, e-mail and page tests."""

from __future__ import annotations

import dataclasses
import datetime

from dermbill.core.money import Money, total
from dermbill.core.statement_document import StatementDocument, StatementLine, StatementPayment, StatementVisit


def line(description: str, charged: str, paid: str, adjusted: str, patient_paid: str, owe: str) -> StatementLine:
    return StatementLine(description, Money.parse(charged), Money.parse(paid), Money.parse(adjusted),
                         Money.parse(patient_paid), Money.parse(owe))


def sample_document(*, code: str = "K7M2Q9TX4P", account: str = "A1001", step: str = "statement",
                    message: str = "This statement shows what is left for you to pay after your insurance.",
                    credit: str = "0.00") -> StatementDocument:
    visits = (
        StatementVisit(datetime.date(2026, 3, 2), "Dr. Ana Rivera", "Blue Meadow Health Plan", (
            line("Office visit, established patient (99213)", "120.00", "62.10", "38.40", "0.00", "19.50"),
            line("Skin biopsy, first lesion (11102)", "150.00", "80.00", "40.00", "10.00", "20.00"),
        )),
        StatementVisit(datetime.date(2026, 4, 14), "Dr. Ana Rivera", None, (
            line("Destruction of a benign lesion (17110)", "95.00", "0.00", "0.00", "25.00", "70.00"),
        )),
    )
    owed = sum((v.you_owe for v in visits), Money(0)) - Money.parse(credit)
    return StatementDocument(
        practice_name="Riverside Dermatology", practice_address=("12 Elm Street", "Springfield, IL 62701"),
        remit_to_name="Riverside Dermatology Billing", remit_to_address=("PO Box 4410", "Springfield, IL 62708"),
        billing_phone="(217) 555-0142", pay_url="https://pay.riverside-derm.example/statement",
        statement_date=datetime.date(2026, 5, 1), due_on=datetime.date(2026, 5, 22), account_number=account,
        statement_code=code, guarantor_name="Jordan Avery", guarantor_address=("8 Oak Lane", "Springfield, IL 62704"),
        step=step, message=message, visits=visits,
        payments=(StatementPayment(datetime.date(2026, 4, 14), "Card payment, terminal reference T-88213: thank you",
                                   Money.parse("25.00")),),
        credit=Money.parse(credit),
        aging=(("0-30", Money.parse("70.00")), ("31-60", Money.parse("39.50")), ("61-90", Money(0)),
               ("91-120", Money(0)), ("120+", Money(0))),
        balance_due=owed)


def long_document() -> StatementDocument:
    """30 visits, one, two or three services each (one visit has 45: it runs over a page), insured and self-pay,
    over two years."""
    descriptions = ("Office visit, established patient (99213)", "Skin biopsy, first lesion (11102)",
                    "Destruction of a benign lesion (17110)")
    visits = []
    for number in range(30):
        lines = tuple(line(descriptions[(number + k) % 3], f"{100 + number}.00", "40.00", "30.00", "5.00",
                           f"{25 + number}.00") for k in range(45 if number == 15 else 1 + number % 3))
        visits.append(StatementVisit(datetime.date(2024, 6, 3) + datetime.timedelta(days=23 * number),
                                     f"Dr. Test {number}", None if number % 4 == 0 else "Blue Meadow Health Plan",
                                     lines))
    owed = total([visit.you_owe for visit in visits])
    aging = (("0-30", Money(12345)), ("31-60", Money(20000)), ("61-90", Money(30000)), ("91-120", Money(5000)),
             ("120+", owed - Money(12345 + 20000 + 30000 + 5000)))
    return dataclasses.replace(sample_document(code="LONG30VIS1", account="A2002"), visits=tuple(visits),
                               aging=aging, balance_due=owed)
