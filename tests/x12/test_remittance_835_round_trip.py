"""One typed remittance model: what the 835 writer writes, the 835 reader reads back unchanged."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from dermbill.core.money import Money
from dermbill.core.remittance import Adjustment, ClaimPayment, ProviderAdjustment, Remittance, ServiceLinePayment
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.remittance_835 import read_835
from dermbill.x12.remittance_835_writer import write_835
from dermbill.x12.tokenizer import segments_of
from dermbill.x12.transactions import transaction_sets

PROFILE = ClearinghouseProfile(submitter_id="TESTPAYER", submitter_name="TEST PAYER", submitter_contact="EDI",
                               submitter_phone="2155550100", receiver_id="TESTPRACTICE", receiver_name="PRACTICE")
NOW = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)

words = st.from_regex(r"[A-Z][A-Z0-9]{0,11}", fullmatch=True)
days = st.dates(datetime.date(2020, 1, 1), datetime.date(2030, 12, 31))
amounts = st.integers(-5_000_000, 5_000_000).filter(bool).map(Money)
codes = st.sampled_from(("11102", "11104", "17000", "17003", "17110", "99213", "11305", "J3301"))
modifiers = st.lists(st.sampled_from(("25", "59", "XS", "LT", "RT", "76")), max_size=4).map(tuple)


@st.composite
def adjustments(draw: st.DrawFn) -> tuple[Adjustment, ...]:
    """CAS triples as the writer lays them out: grouped by group code, at most six per group."""
    groups = draw(st.lists(st.sampled_from(("CO", "PR", "OA", "PI")), max_size=3, unique=True))
    found: list[Adjustment] = []
    for group in groups:
        found += draw(st.lists(st.builds(Adjustment, st.just(group), st.sampled_from(("1", "2", "45", "97", "253",
                                                                                      "A1", "P24")),
                                         amounts, st.none() | st.integers(1, 9).map(Decimal)),
                               min_size=1, max_size=6))
    return tuple(found)


@st.composite
def lines(draw: st.DrawFn) -> ServiceLinePayment:
    code = draw(codes)
    changed = draw(st.none() | codes.filter(lambda c: c != code))
    return ServiceLinePayment(
        code, draw(modifiers), draw(amounts), draw(st.integers(1, 40)), draw(st.none() | days), draw(adjustments()),
        remarks=draw(st.lists(st.sampled_from(("M15", "N130", "MA130", "N211")), max_size=3).map(tuple)),
        control_number=draw(st.just("") | words), allowed=draw(st.none() | amounts), submitted_code=changed,
        submitted_modifiers=draw(modifiers) if changed else ())


names = st.lists(words, min_size=1, max_size=3).map(" ".join)


@st.composite
def claims(draw: st.DrawFn) -> ClaimPayment:
    """A claim payment, with claim-level adjustments (CAS after CLP) and, on some, the payer it was forwarded to
    (NM1*TT: name and identifier; none given reads back as the default name)."""
    crossover = draw(st.none() | st.tuples(words, names))
    payer_id, payer_name = crossover or ("", "SUPPLEMENTAL PAYER")
    return ClaimPayment(
        draw(words), draw(st.sampled_from(("1", "2", "4", "19", "22"))), draw(st.sampled_from(("MB", "MC"))),
        draw(words), draw(words), draw(words), draw(words), tuple(draw(st.lists(lines(), max_size=3))),
        remarks=tuple(draw(st.lists(st.sampled_from(("MA18", "MA01", "N4")), max_size=5))),
        crossover_payer_id=payer_id, crossover_payer_name=payer_name, received=draw(st.none() | days),
        adjustments=draw(adjustments()))


@st.composite
def remittances(draw: st.DrawFn) -> Remittance:
    plb = tuple(draw(st.lists(st.builds(ProviderAdjustment, st.sampled_from(("WO", "72", "L6", "FB")), words,
                                        amounts), max_size=6)))
    return Remittance(draw(words), draw(words), draw(words), "1234567893", draw(words), draw(days),
                      tuple(draw(st.lists(claims(), max_size=4))), plb, draw(days) if plb else None,
                      trace_originator=draw(st.from_regex(r"1[0-9]{9}", fullmatch=True)),
                      trace_reference=draw(st.just("") | words))


@settings(max_examples=150, deadline=None)
@given(remittances())
def test_reading_a_written_835_gives_the_remittance_back(remittance: Remittance) -> None:
    text = write_835((remittance,), PROFILE, ControlNumbers(1, 1, 1), NOW)
    [transaction] = transaction_sets(segments_of(text))

    assert read_835(transaction) == remittance


def test_an_835_that_does_not_balance_keeps_the_amounts_it_states_and_says_what_is_wrong() -> None:
    line = ServiceLinePayment("11102", (), Money(15000), 1, datetime.date(2026, 3, 2),
                              (Adjustment("CO", "45", Money(6000)),))
    remittance = Remittance("TEST PAYER", "TSTMCR", "PRACTICE", "1234567893", "EFT1", datetime.date(2026, 4, 1),
                            (ClaimPayment("C1", "1", "MB", "ICN1", "DOE", "JANE", "M1", (line,)),))
    text = write_835((remittance,), PROFILE, ControlNumbers(1, 1, 1), NOW).replace("BPR*I*90*", "BPR*I*91*")
    [transaction] = transaction_sets(segments_of(text))

    read = read_835(transaction)
    assert read.total == Money(9100) and read.stated_total == Money(9100)
    assert not read.balanced and "BPR02 91 does not equal the claims paid 90" in read.problems[0]
    assert read.claims == remittance.claims
