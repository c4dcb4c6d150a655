"""Hypothesis strategies for professional claims: any claim the 837P writer accepts (writer and reader tests).

Free text (names, addresses) is drawn with lower case, punctuation and X12 delimiters in it, so the
writer's cleaning is exercised; codes the writer sends as they are (CPT, modifiers, states, NPIs) are
drawn from valid values. Secondary and tertiary claims carry their earlier payers' adjudication, balanced
as the 837P guide requires (line: charge - adjustments = paid; claim: charge - adjustments = paid).
"""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

from dermbill.core.claim_form import (
    Address,
    Adjustment,
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Payer,
    Person,
    ProfessionalClaim,
    ServiceLine,
)
from dermbill.core.money import Money, allocate
from dermbill.x12.envelope import clean

codes = st.sampled_from(["11102", "11103", "11642", "17000", "17003", "99213", "12032", "J3301"])
money = st.integers(min_value=0, max_value=10**7).map(Money)
lines = st.lists(st.tuples(codes, money, st.integers(1, 99), st.lists(st.sampled_from(["XS", "25", "59", "T5"]),
                                                                          max_size=2, unique=True)),
                 min_size=1, max_size=12)

DIAGNOSES = ("C44.311", "L57.0", "D22.5", "L82.0", "B07.8", "L70.0", "C43.59", "R21", "Z85.828", "L72.3", "D48.5",
             "L30.9", "C44.41", "L98.8")
MODIFIERS = ("XS", "25", "59", "T5", "RT", "LT", "76")
PATIENT_RELATIONSHIPS = ("01", "19", "20", "21", "39", "40", "53", "G8")
FILING_INDICATORS = ("MB", "MA", "CI", "BL", "HM", "MC", "12", "16")
TAXONOMIES = ("207N00000X", "207ND0101X", "207NS0135X", "363LF0000X")
GROUPS = ("CO", "PR", "OA", "PI")
REASONS = ("45", "1", "2", "3", "96", "253", "A1", "B7")
LATER_PAYERS = {"P": "ST", "S": "T", "T": ""}  # who may still pay after a claim's payer
EARLIER_PAYERS = {"P": "", "S": "P", "T": "PS"}  # who must have adjudicated before it

# Lower case, punctuation and delimiters (*, ~, :, ^) that the writer cleans out of free text.
FREE_TEXT = st.text("ABCMXYZabcmxyz0189 .-'&#,/()*~:^\n", min_size=1, max_size=70).filter(lambda t: clean(t) != "")
IDENTIFIERS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,19}", fullmatch=True)
PAYER_IDS = st.from_regex(r"[A-Z0-9]{3,10}", fullmatch=True)
DATES_OF_SERVICE = st.dates(datetime.date(2015, 1, 1), datetime.date(2030, 12, 31))


def addresses() -> st.SearchStrategy[Address]:
    return st.builds(Address, FREE_TEXT, FREE_TEXT, st.sampled_from(["PA", "NJ", "NY", "DE"]),
                     st.from_regex(r"\d{5}(\d{4})?", fullmatch=True), st.none() | FREE_TEXT)


@st.composite
def people(draw: st.DrawFn) -> Person:
    born = draw(st.none() | st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31)))
    return Person(draw(FREE_TEXT), draw(st.just("") | FREE_TEXT), born,
                  draw(st.none() | st.sampled_from(["F", "M", "U"])), draw(st.none() | addresses()),
                  draw(st.none() | FREE_TEXT))


def payers() -> st.SearchStrategy[Payer]:
    return st.builds(Payer, FREE_TEXT, PAYER_IDS, st.none() | addresses())


def billing_providers() -> st.SearchStrategy[BillingProvider]:
    return st.builds(BillingProvider, FREE_TEXT, st.from_regex(r"\d{10}", fullmatch=True),
                     st.from_regex(r"\d{9}", fullmatch=True), st.sampled_from(TAXONOMIES), addresses(),
                     st.none() | addresses(), st.none() | st.from_regex(r"\d{10}", fullmatch=True))


@st.composite
def adjustments_of(draw: st.DrawFn, amount: Money) -> tuple[Adjustment, ...]:
    """Adjustments adding up to ``amount`` (none when it is zero)."""
    if amount.cents == 0:
        return ()
    weights = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    parts = allocate(amount, weights)
    return tuple(Adjustment(draw(st.sampled_from(GROUPS)), draw(st.sampled_from(REASONS)), part) for part in parts)


@st.composite
def service_lines(draw: st.DrawFn, diagnoses: int) -> ServiceLine:
    pointers = draw(st.lists(st.integers(1, min(diagnoses, 12)), min_size=1, max_size=5, unique=True))
    return ServiceLine(draw(codes), tuple(draw(st.lists(st.sampled_from(MODIFIERS), max_size=5, unique=True))),
                       draw(money), draw(st.integers(1, 99)), tuple(pointers), draw(DATES_OF_SERVICE),
                       draw(IDENTIFIERS))


@st.composite
def professional_claims(draw: st.DrawFn, payer: Payer | None = None, orders: str = "PST") -> ProfessionalClaim:
    """A claim to ``payer`` (or any payer) as one of ``orders`` (P primary, S secondary, T tertiary), with its
    earlier payers' adjudication."""
    diagnoses = tuple(draw(st.lists(st.sampled_from(DIAGNOSES), min_size=1, max_size=14, unique=True)))
    service = draw(st.lists(service_lines(len(diagnoses)), min_size=1, max_size=6))
    order = draw(st.sampled_from(orders))
    subscriber = draw(people())
    relationship = draw(st.just("18") | st.sampled_from(PATIENT_RELATIONSHIPS))
    patient = subscriber if relationship == "18" and draw(st.booleans()) else draw(people())
    frequency = draw(st.sampled_from("178"))
    claim_payer = payer or draw(payers())
    other_ids = draw(st.lists(PAYER_IDS.filter(lambda i: i != claim_payer.payer_id), min_size=3, max_size=3,
                              unique=True))
    total = Money(sum(line.charge.cents for line in service))
    earlier = EARLIER_PAYERS[order]
    later = draw(st.sampled_from(["", *LATER_PAYERS[order]]))
    others: list[OtherPayer] = []
    for index, other_order in enumerate(earlier + later):
        other_payer = Payer(draw(FREE_TEXT), other_ids[index], draw(st.none() | addresses()))
        if other_order in earlier and index == 0 and draw(st.booleans()):
            service, paid, adjustments = draw(_line_adjudicated(service, other_payer.payer_id))
        elif other_order in earlier:
            paid = Money(draw(st.integers(0, total.cents)))
            adjustments = draw(adjustments_of(total - paid))
        else:  # a later payer has not adjudicated: what the writer sends as its payment is not checked
            paid, adjustments = draw(money), draw(st.just(()) | adjustments_of(draw(money)))
        others.append(OtherPayer(other_payer, other_order, draw(people()), draw(IDENTIFIERS),
                                 draw(st.sampled_from(["18", *PATIENT_RELATIONSHIPS])),
                                 draw(st.sampled_from(FILING_INDICATORS)), paid, adjustments))
    rendering = draw(st.none() | st.from_regex(r"\d{10}", fullmatch=True))
    facility_address = draw(st.none() | addresses())
    return ProfessionalClaim(
        draw(IDENTIFIERS), total, draw(st.sampled_from(["11", "22", "24", "19"])), frequency, diagnoses,
        tuple(service), claim_payer, order, draw(st.sampled_from(FILING_INDICATORS)), subscriber, draw(IDENTIFIERS),
        draw(st.none() | IDENTIFIERS), relationship, patient,
        rendering_npi=rendering,
        rendering_name=draw(st.none() | people()) if rendering or draw(st.booleans()) else None,
        rendering_taxonomy=draw(st.none() | st.sampled_from(TAXONOMIES)),
        facility_name=draw(st.none() | FREE_TEXT) if facility_address or draw(st.booleans()) else None,
        facility_address=facility_address,
        payer_claim_number=draw(IDENTIFIERS) if frequency in "78" else draw(st.none() | IDENTIFIERS),
        prior_authorization=draw(st.none() | IDENTIFIERS),
        other_payers=tuple(draw(st.permutations(others))))


@st.composite
def _line_adjudicated(draw: st.DrawFn, service: list[ServiceLine],
                      payer_id: str) -> tuple[list[ServiceLine], Money, tuple[Adjustment, ...]]:
    """Every line adjudicated by ``payer_id``, and that payer's claim-level payment and adjustments."""
    adjudicated = []
    for line in service:
        paid = Money(draw(st.integers(0, line.charge.cents)))
        adjudication = LineAdjudication(payer_id, paid, line.code, line.modifiers, draw(st.integers(0, line.units)),
                                        draw(adjustments_of(line.charge - paid)),
                                        line.date_of_service + datetime.timedelta(days=draw(st.integers(1, 60))))
        adjudicated.append(ServiceLine(line.code, line.modifiers, line.charge, line.units, line.pointers,
                                       line.date_of_service, line.control_number, adjudication))
    line_paid = Money(sum(line.adjudication.paid.cents for line in adjudicated if line.adjudication))
    claim_adjusted = Money(draw(st.integers(0, line_paid.cents)))
    return adjudicated, line_paid - claim_adjusted, draw(adjustments_of(claim_adjusted))
