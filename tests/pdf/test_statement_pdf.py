"""The statement PDF read back with pdfplumber: every amount printed equals the document's (so the ledger's), the
stub carries the account and the amount due, a long statement paginates with its stub on page 1, the same document
gives the same bytes, and the print batch's manifest agrees with its PDF."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass, field

import pdfplumber
import pytest
from statement_samples import long_document, sample_document

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total
from dermbill.core.statement_document import StatementDocument, StatementVisit
from dermbill.pdf.statements import CUT_LINE, MANIFEST_COLUMNS, render_print_batch, render_statement

_AMOUNT = r"-?\$[\d,]+\.\d\d"
_FIVE_AMOUNTS = re.compile(rf"(?P<words>.+?) (?P<amounts>(?:{_AMOUNT} ){{4}}{_AMOUNT})")
_PAYMENT = re.compile(rf"(?P<day>\d\d/\d\d/\d{{4}}) (?P<words>.+) (?P<amount>{_AMOUNT})")
_AGING_HEAD = "Current (0-30 days) 31-60 days 61-90 days 91-120 days Over 120 days"


def _money(text: str) -> Money:
    return -Money.parse(text[2:]) if text.startswith("-") else Money.parse(text[1:])


@dataclass
class ReadVisit:
    heading: str
    lines: list[tuple[str, tuple[Money, ...]]] = field(default_factory=list)
    totals: tuple[Money, ...] | None = None


@dataclass
class ReadStatement:
    """What a patient reads on the statement, taken from the PDF's text."""

    amount_due: Money
    stub: str
    top: str  # page 1 above the cut line
    visits: list[ReadVisit]
    all_visits: tuple[Money, ...] | None  # the "Total for all visits" row
    payments: list[tuple[str, Money]]
    aging: tuple[Money, ...]
    page_texts: list[str]


def _read(content: bytes) -> ReadStatement:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
        first = pdf.pages[0]
        stub = first.crop((0, first.height - CUT_LINE, first.width, first.height)).extract_text() or ""
        top = first.crop((0, 0, first.width, first.height - CUT_LINE)).extract_text() or ""
    due = re.search(rf"AMOUNT DUE ({_AMOUNT})", texts[0])
    assert due is not None
    visits: list[ReadVisit] = []
    payments: list[tuple[str, Money]] = []
    aging: tuple[Money, ...] = ()
    all_visits: tuple[Money, ...] | None = None
    rows = [row for text in texts for row in text.splitlines()]
    for index, row in enumerate(rows):
        if row.startswith("Visit on "):
            if not visits or visits[-1].totals is not None or visits[-1].heading != row:  # else: a visit goes on
                visits.append(ReadVisit(row))
        elif (five := _FIVE_AMOUNTS.fullmatch(row)) is not None:
            amounts = tuple(_money(text) for text in five.group("amounts").split())
            if five.group("words") == "Total for this visit":
                visits[-1].totals = amounts
            elif five.group("words") == "Total for all visits":
                all_visits = amounts
            else:
                visits[-1].lines.append((five.group("words"), amounts))
        elif (paid := _PAYMENT.fullmatch(row)) is not None:
            payments.append((paid.group("day"), _money(paid.group("amount"))))
        elif row == _AGING_HEAD:
            aging = tuple(_money(text) for text in rows[index + 1].split())
    return ReadStatement(_money(due.group(1)), stub, top, visits, all_visits, payments, aging, texts)


def _figures(visit: StatementVisit) -> tuple[Money, ...]:
    return visit.charged, visit.insurance_paid, visit.adjusted, visit.patient_paid, visit.you_owe


def _assert_reads_back(document: StatementDocument, read: ReadStatement) -> None:
    assert read.amount_due == document.balance_due
    assert [visit.heading.split(" with ")[0] for visit in read.visits] == [
        f"Visit on {v.date_of_service:%B} {v.date_of_service.day}, {v.date_of_service.year}" for v in document.visits]
    for expected, got in zip(document.visits, read.visits, strict=True):
        assert got.totals == _figures(expected)
        assert got.lines == [(item.description, (item.charged, item.insurance_paid, item.adjusted,
                                                 item.patient_paid, item.you_owe)) for item in expected.lines]
    assert read.payments == [(f"{p.paid_on:%m/%d/%Y}", p.amount) for p in document.payments]
    assert read.aging == tuple(amount for _, amount in document.aging)
    sums = tuple(total(list(column)) for column in zip(*(_figures(v) for v in document.visits), strict=True))
    assert read.all_visits == (sums if len(document.visits) > 1 else None)
    # The account at a glance on page 1: the visits' sums, down to the amount due.
    charged, insurance_paid, adjusted, patient_paid, _ = sums
    assert f"Charges for the visits below ${charged}" in read.top
    assert f"Paid by your insurance -${insurance_paid}" in read.top
    assert f"Insurance adjustments (not owed by you) -${adjusted}" in read.top
    assert f"You paid on these visits -${patient_paid}" in read.top
    assert f"Amount due ${document.balance_due}" in read.top


def test_every_amount_on_the_statement_reads_back_equal_to_the_document() -> None:
    document = sample_document()
    read = _read(render_statement(document))
    _assert_reads_back(document, read)
    assert read.amount_due == Money.parse("109.50")
    assert [visit.totals[-1] for visit in read.visits if visit.totals] == [Money.parse("39.50"), Money.parse("70.00")]


def test_the_stub_on_page_one_carries_the_account_the_amount_due_and_no_place_for_a_card_number() -> None:
    read = _read(render_statement(sample_document()))
    assert "Please detach and return this part with your payment" in read.stub
    assert "Account number A1001" in read.stub and "Amount due $109.50" in read.stub
    assert "Amount enclosed $" in read.stub and "PO Box 4410" in read.stub and "Jordan Avery" in read.stub
    assert "do not write a card number" in " ".join(read.stub.split())
    assert all("Please detach" not in text for text in read.page_texts[1:])
    words = " ".join(read.page_texts)
    assert "CARC" not in words and "contractual" not in words.lower()


def test_the_same_document_renders_to_the_same_bytes() -> None:
    assert render_statement(sample_document()) == render_statement(sample_document())


def test_thirty_visits_run_onto_further_pages_and_every_total_still_reads_back() -> None:
    document = long_document()
    read = _read(render_statement(document))
    pages = len(read.page_texts)
    assert pages >= 3
    _assert_reads_back(document, read)
    assert f"Page 1 of {pages}: continued on the next page" in read.page_texts[0]
    assert all(f"Page {n} of {pages}" in text for n, text in enumerate(read.page_texts[1:], start=2))
    assert all("Account A2002, statement of May 1, 2026" in text for text in read.page_texts[1:])


def test_a_credit_larger_than_what_is_owed_shows_nothing_due() -> None:
    document = sample_document(credit="200.00")
    read = _read(render_statement(document))
    assert read.amount_due == Money(0)
    assert "Amount due $0.00" in read.stub
    closing = "Credit on your account (paid ahead) -$200.00\nCredit left in your favor $90.50\nAmount due $0.00"
    assert closing in read.top
    assert "Your account has a credit of $90.50: nothing is due." in read.page_texts[0]


def test_the_print_batch_manifest_matches_the_pages_and_amounts_of_its_pdf() -> None:
    odd_address = dataclasses.replace(sample_document(code="ODDADDR001", account="A3003"),
                                      guarantor_address=("Flat 2", "9 Birch Road", "Somewhere abroad"))
    documents = [sample_document(), long_document(), odd_address]
    content, manifest = render_print_batch(documents)
    assert (content, manifest) == render_print_batch(documents)
    rows = list(csv.DictReader(io.StringIO(manifest)))
    assert tuple(rows[0]) == MANIFEST_COLUMNS
    assert [row["statement_code"] for row in rows] == ["K7M2Q9TX4P", "LONG30VIS1", "ODDADDR001"]
    assert (rows[0]["address_line_1"], rows[0]["city"], rows[0]["state"], rows[0]["zip"]) == (
        "8 Oak Lane", "Springfield", "IL", "62704")
    assert ([rows[2][f"address_line_{n}"] for n in (1, 2, 3)], rows[2]["city"]) == (
        ["Flat 2", "9 Birch Road", "Somewhere abroad"], "")
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    start = 1
    for row, document in zip(rows, documents, strict=True):
        first, count = int(row["page_start"]), int(row["page_count"])
        assert first == start
        assert Money.parse(row["amount_due"]) == document.balance_due
        assert f"Account number {document.account_number}" in texts[first - 1]
        assert f"AMOUNT DUE ${document.balance_due}" in texts[first - 1]
        assert sum("Please detach and return" in text for text in texts[first - 1:first - 1 + count]) == 1
        if count > 1:
            assert f"Page {count} of {count}" in texts[first + count - 2]
        start += count
    assert start - 1 == len(texts)
    assert int(rows[1]["page_count"]) == len(_read(render_statement(documents[1])).page_texts)


def test_an_empty_batch_and_a_hand_off_step_are_refused() -> None:
    with pytest.raises(InvalidInput, match="at least one statement"):
        render_print_batch([])
    with pytest.raises(InvalidInput, match="collection agency"):
        render_statement(sample_document(step="agency"))
    with pytest.raises(InvalidInput, match="not a step"):
        render_statement(sample_document(step="lawsuit"))


def test_a_name_outside_the_fonts_prints_without_its_accents_and_the_manifest_keeps_it_whole() -> None:
    document = dataclasses.replace(sample_document(), guarantor_name="Nguyễn Văn Đức")
    read = _read(render_statement(document))
    assert "Nguyen Van Duc" in read.top and "Nguyen Van Duc" in read.stub
    _, manifest = render_print_batch([document])
    assert next(csv.DictReader(io.StringIO(manifest)))["guarantor_name"] == "Nguyễn Văn Đức"
