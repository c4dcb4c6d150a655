"""Reading an 837P (005010X222A1) back into the claim model, as the payer we simulate does with our files.

``read_837p`` turns one transaction set into the submitter (1000A), receiver (1000B), billing providers
(2000A/2010AA with PRV*BI taxonomy and REF*EI tax id, pay-to address 2010AB) and one ``ProfessionalClaim``
per CLM: subscriber (2000B SBR, 2010BA), payer (2010BB), patient (2000C/2010CA, or the subscriber when
SBR02 is 18), claim (2300 CLM, REF*F8, REF*G1, HI), rendering provider (2310B), service facility (2310C),
other payers (2320 SBR/CAS/AMT*D, 2330A, 2330B) and service lines (2400 SV1, DTP*472, REF*6R) with the other
payer's line adjudication (2430 SVD, CAS, DTP*573). Loops the claim model has no room for (referring
provider 2310A, 2410 drug, 2420 line providers, 2440 forms) are passed over.

What a payer would reject is collected as ``Problem`` values (segment number, segment id, message), and the
claim is still returned, with empty text, a zero amount or ``date.min`` standing in for what could not be
read. Only input that is not an 837P at all (another transaction type, an 837I or 837D) raises ``X12Error``.
Checks, beyond required elements being present and well formed:

- CLM02 equals the sum of the lines' SV102; diagnosis pointers point at an HI diagnosis;
- a replacement or void (CLM05-3 7 or 8) carries the payer's claim number (REF*F8);
- SBR02 18 (the subscriber is the patient) comes without a 2000C loop, an empty SBR02 with one;
- a claim to a secondary or later payer has the earlier payer in a 2320 loop;
- coordination of benefits balances for every other payer that adjudicated before this one (its SBR01
  earlier in the order P, S, T, A..H): CLM02 - its claim adjustments (2320 CAS) - its line adjustments
  (2430 CAS) = its payment (AMT*D), and on each line SV102 - the 2430 CAS = SVD02.

ICD-10-CM codes lose their dot in HI (``C44.311`` is sent as ``C44311``); the dot is put back after the
third character, where ICD-10-CM always has it. ICD-9 codes (BK/BF) are kept as sent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

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
from dermbill.core.errors import InvalidInput
from dermbill.core.money import MAX_QUANTITY, Money, plain_decimal
from dermbill.x12.tokenizer import Segment, X12Error, read_file
from dermbill.x12.transactions import TransactionSet, require_type, transaction_sets
from dermbill.x12.values import MAX_AMOUNT, composite

__all__ = ["Party", "Problem", "Received837", "read_837p", "read_837p_file"]

GUIDE = "005010X222"
OTHER_837_GUIDES = {"X223": "an 837I (institutional)", "X224": "an 837D (dental)", "X096": "an 837I (institutional)",
                    "X097": "an 837D (dental)"}
# SBR01 in the order payers pay: primary, secondary, tertiary, then payers 4 to 11; U is unknown.
PAYER_ORDER = "PSTABCDEFGH"
RESPONSIBILITY_CODES = frozenset(PAYER_ORDER) | {"U"}
FREQUENCY_CODES = frozenset({"1", "6", "7", "8"})
NEEDS_PAYER_CLAIM_NUMBER = frozenset({"7", "8"})
PATIENT_RELATIONSHIPS = frozenset({"01", "19", "20", "21", "39", "40", "53", "G8"})
ADJUSTMENT_GROUPS = frozenset({"CO", "CR", "OA", "PI", "PR"})
PRINCIPAL_DIAGNOSIS = frozenset({"ABK", "BK"})
OTHER_DIAGNOSIS = frozenset({"ABF", "BF"})
UNIT_BASES = frozenset({"UN", "MJ"})
MAX_POINTER = 12
CAS_TRIPLES = range(2, 19, 3)  # CAS02/05/08/11/14/17: reason, amount, quantity
UNREAD_DATE = datetime.date.min  # stands in for a date that is missing or wrong (and reported)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the payer rejects: where it is (segment number and id) and what is wrong."""

    segment_number: int
    segment_id: str
    message: str
    claim_index: int | None = None  # which of ``Received837.claims``; None for the header and billing provider

    def __str__(self) -> str:
        return f"segment {self.segment_number} ({self.segment_id}): {self.message}"


@dataclass(frozen=True, slots=True)
class Party:
    """The submitter (1000A) or the receiver (1000B)."""

    name: str
    identifier: str
    contact_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Received837:
    """One 837P transaction set as the payer reads it."""

    control_number: str  # ST02
    version: str  # ST03
    batch_id: str  # BHT03
    submitter: Party
    receiver: Party
    billing_providers: tuple[BillingProvider, ...]  # every 2000A in order; our files have one
    claims: tuple[ProfessionalClaim, ...]
    claim_billing: tuple[int, ...]  # for each claim, the index of its billing provider
    problems: tuple[Problem, ...]
    notices: tuple[str, ...] = ()  # envelope oddities (SE01 count, control numbers): not reasons to reject

    @property
    def billing(self) -> BillingProvider:
        """The (first) billing provider."""
        return self.billing_providers[0]

    @property
    def is_clean(self) -> bool:
        return not self.problems

    def problems_of(self, claim_index: int) -> tuple[Problem, ...]:
        """The problems of one claim (those that reject only it)."""
        return tuple(p for p in self.problems if p.claim_index == claim_index)


def read_837p(transaction: TransactionSet) -> Received837:
    """The claims of one 837P transaction set, with every problem the payer would reject them for.

    Raises X12Error when the transaction set is not an 837P.
    """
    require_type(transaction, "837")
    for marker, kind in OTHER_837_GUIDES.items():
        if marker in transaction.version:
            raise X12Error(f"transaction set {transaction.control_number} is {kind} ({transaction.version}), "
                           "not an 837P")
    reader = _Reader(transaction.delimiters.component)
    for segment in transaction.segments:
        reader.feed(segment)
    return reader.finish(transaction)


def read_837p_file(path: Path) -> list[Received837]:
    """Every transaction set of an 837P file, read (one ``Received837`` each)."""
    return [read_837p(transaction) for transaction in transaction_sets(read_file(path))]


# Reading state: mutable drafts, turned into the frozen claim model when their loop closes.


def _text(segment: Segment, index: int) -> str:
    return segment.get(index).strip()


def _name(segment: Segment, index: int) -> str:
    return f"{segment.id}{index:02d}"


@dataclass(slots=True)
class _Entity:
    """An NM1 loop: the name segment with the address (N3/N4) and demographics (DMG) that follow it."""

    nm1: Segment
    n3: Segment | None = None
    address: Address | None = None
    date_of_birth: datetime.date | None = None
    sex: str | None = None

    @property
    def identifier(self) -> str:
        return _text(self.nm1, 9)

    def person(self) -> Person:
        return Person(_text(self.nm1, 3), _text(self.nm1, 4), self.date_of_birth, self.sex, self.address,
                      _text(self.nm1, 5) or None)

    def organisation_name(self) -> str:
        last, first = _text(self.nm1, 3), _text(self.nm1, 4)
        return f"{last}, {first}" if self.nm1.get(2) == "1" and first else last


@dataclass(slots=True)
class _Billing:
    hl: Segment
    taxonomy: str = ""
    provider: _Entity | None = None
    tin: str = ""
    phone: str | None = None
    pay_to: _Entity | None = None


@dataclass(slots=True)
class _Subscriber:
    """A 2000B loop; its problems are reported against every claim under it."""

    hl: Segment
    sbr: Segment | None = None
    person: _Entity | None = None
    payer: _Entity | None = None
    problems: list[Problem] = field(default_factory=list)
    has_claim: bool = False


@dataclass(slots=True)
class _Patient:
    hl: Segment
    pat: Segment | None = None
    person: _Entity | None = None
    problems: list[Problem] = field(default_factory=list)
    has_claim: bool = False


@dataclass(slots=True)
class _Other:
    sbr: Segment
    adjustments: list[Adjustment] = field(default_factory=list)
    amt: Segment | None = None
    paid: Money | None = None
    subscriber: _Entity | None = None
    payer: _Entity | None = None


@dataclass(slots=True)
class _Adjudication:
    svd: Segment
    paid: Money | None = None
    code: str = ""
    modifiers: tuple[str, ...] = ()
    units: int | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    adjudicated_on: datetime.date | None = None


@dataclass(slots=True)
class _Line:
    lx: Segment
    sv1: Segment | None = None
    code: str = ""
    modifiers: tuple[str, ...] = ()
    charge: Money | None = None
    units: int | None = None
    pointers: tuple[int, ...] = ()
    date_of_service: datetime.date | None = None
    has_date: bool = False
    control_number: str = ""
    adjudications: list[_Adjudication] = field(default_factory=list)


@dataclass(slots=True)
class _Claim:
    clm: Segment
    billing: int
    subscriber: _Subscriber | None
    patient: _Patient | None
    total: Money | None = None
    place_of_service: str = ""
    frequency_code: str = ""
    payer_claim_number: str | None = None
    prior_authorization: str | None = None
    diagnoses: list[str] = field(default_factory=list)
    hi: Segment | None = None
    rendering: _Entity | None = None
    rendering_taxonomy: str | None = None
    facility: _Entity | None = None
    others: list[_Other] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    """Feeds the segments of one transaction set through the 837P loops in order."""

    def __init__(self, component: str) -> None:
        self.component = component
        self.loop = "header"
        self.batch_id = ""
        self.submitter: _Entity | None = None
        self.submitter_contact: Segment | None = None
        self.receiver: _Entity | None = None
        self.billings: list[_Billing] = []
        self.subscriber: _Subscriber | None = None
        self.patient: _Patient | None = None
        self.claim: _Claim | None = None
        self.other: _Other | None = None
        self.line: _Line | None = None
        self.adjudication: _Adjudication | None = None
        self.entity: _Entity | None = None  # the NM1 loop that N3, N4 and DMG belong to
        self.problems: list[Problem] = []
        self.claims: list[ProfessionalClaim] = []
        self.claim_billing: list[int] = []
        self.claim_count = 0
        self.handlers = {
            "BHT": self._bht, "NM1": self._nm1, "N3": self._n3, "N4": self._n4, "DMG": self._dmg, "PER": self._per,
            "PRV": self._prv, "REF": self._ref, "HL": self._hl, "SBR": self._sbr, "PAT": self._pat, "CLM": self._clm,
            "HI": self._hi, "CAS": self._cas, "AMT": self._amt, "LX": self._lx, "SV1": self._sv1, "DTP": self._dtp,
            "SVD": self._svd, "LIN": self._sub_loop, "LQ": self._sub_loop, "SE": self._se,
        }

    # Problems go to the innermost open claim or patient/subscriber loop, so they reject only its claims.

    def problem(self, segment: Segment, message: str) -> None:
        found = Problem(segment.number, segment.id, message)
        if self.claim is not None:
            self.claim.problems.append(found)
        elif self.patient is not None:
            self.patient.problems.append(found)
        elif self.subscriber is not None:
            self.subscriber.problems.append(found)
        else:
            self.problems.append(found)

    def feed(self, segment: Segment) -> None:
        handler = self.handlers.get(segment.id)
        if handler is not None:
            handler(segment)

    def finish(self, transaction: TransactionSet) -> Received837:
        self._close_claim()
        self._close_patient()
        self._close_subscriber()
        st = transaction.segments[0]
        if not transaction.version.startswith(GUIDE):
            self.problems.append(Problem(st.number, st.id, f"ST03 '{transaction.version}' is not the 837P guide "
                                                           f"{GUIDE}A1"))
        if self.submitter is None:
            self.problems.append(Problem(st.number, st.id, "the submitter (1000A NM1*41) is missing"))
        if self.receiver is None:
            self.problems.append(Problem(st.number, st.id, "the receiver (1000B NM1*40) is missing"))
        if not self.billings:
            self.problems.append(Problem(st.number, st.id, "the billing provider (2000A HL*20 with NM1*85) is "
                                                           "missing"))
        if not self.claims:
            self.problems.append(Problem(st.number, st.id, "the transaction set has no claims (CLM)"))
        billing = tuple(self._billing(b) for b in self.billings) or (
            BillingProvider("", "", "", "", Address("", "", "", "")),)
        problems = sorted(self.problems, key=lambda p: p.segment_number)
        return Received837(
            transaction.control_number, transaction.version, self.batch_id, self._party(self.submitter, True),
            self._party(self.receiver, False), billing, tuple(self.claims), tuple(self.claim_billing),
            tuple(problems), tuple(transaction.notices))

    # Header and billing provider ------------------------------------------------------------------

    def _bht(self, s: Segment) -> None:
        self.batch_id = _text(s, 3)

    def _party(self, entity: _Entity | None, is_submitter: bool) -> Party:
        if entity is None:
            return Party("", "")
        for index in (3, 9):
            if not _text(entity.nm1, index):
                self.problems.append(Problem(entity.nm1.number, entity.nm1.id, f"{_name(entity.nm1, index)} "
                                             f"{'name' if index == 3 else 'identifier'} is missing"))
        contact = self.submitter_contact if is_submitter else None
        return Party(_text(entity.nm1, 3), entity.identifier, (_text(contact, 2) or None) if contact else None,
                     _phone(contact) if contact else None)

    def _billing(self, draft: _Billing) -> BillingProvider:
        provider = draft.provider
        if provider is None:
            self.problems.append(Problem(draft.hl.number, draft.hl.id, "the billing provider's name and NPI "
                                                                       "(2010AA NM1*85) are missing"))
            return BillingProvider("", "", draft.tin, draft.taxonomy, Address("", "", "", ""), None, draft.phone)
        nm1 = provider.nm1
        if not _text(nm1, 3):
            self.problems.append(Problem(nm1.number, nm1.id, "NM103 billing provider name is missing"))
        if _text(nm1, 8) != "XX" or not provider.identifier:
            self.problems.append(Problem(nm1.number, nm1.id, "NM109 billing provider NPI is missing (NM108 XX, "
                                                             "NM109 the 10-digit NPI)"))
        if provider.address is None:
            self.problems.append(Problem(nm1.number, nm1.id, "the billing provider's address (N3/N4) is missing"))
        if not draft.tin:
            self.problems.append(Problem(nm1.number, nm1.id, "the billing provider's tax id (REF*EI) is missing"))
        pay_to = draft.pay_to.address if draft.pay_to is not None else None
        return BillingProvider(provider.organisation_name(), provider.identifier, draft.tin, draft.taxonomy,
                               provider.address or Address("", "", "", ""), pay_to, draft.phone)

    def _per(self, s: Segment) -> None:
        if self.loop == "1000A":
            self.submitter_contact = s
        elif self.loop == "2010AA" and self.billings and self.billings[-1].phone is None:
            self.billings[-1].phone = _phone(s)

    def _prv(self, s: Segment) -> None:
        if self.loop in ("2000A", "2010AA") and self.billings and _text(s, 1) == "BI":
            self.billings[-1].taxonomy = _text(s, 3)
        elif self.loop == "2310B" and self.claim is not None and _text(s, 1) == "PE":
            self.claim.rendering_taxonomy = _text(s, 3) or None

    # Names and addresses --------------------------------------------------------------------------

    def _nm1(self, s: Segment) -> None:
        entity = _Entity(s)
        self.entity = entity
        code = _text(s, 1)
        if self.claim is None:
            self._header_entity(code, entity)
        elif self.line is not None:
            self.loop = "2420"
        elif self.other is not None:
            if code == "IL":
                self.loop, self.other.subscriber = "2330A", entity
            elif code == "PR":
                self.loop, self.other.payer = "2330B", entity
            else:
                self.loop = "2330X"
        elif code == "82":
            self.loop, self.claim.rendering = "2310B", entity
        elif code == "77":
            self.loop, self.claim.facility = "2310C", entity
        else:
            self.loop = "2310X"

    def _header_entity(self, code: str, entity: _Entity) -> None:
        s = entity.nm1
        billing = self.billings[-1] if self.billings else None
        if code == "41":
            self.loop, self.submitter = "1000A", entity
        elif code == "40":
            self.loop, self.receiver = "1000B", entity
        elif code in ("85", "87"):
            self.loop = "2010AA" if code == "85" else "2010AB"
            if billing is None or self.subscriber is not None:
                self.problem(s, f"NM1*{code} is outside a billing provider loop (HL*20)")
            elif code == "85":
                billing.provider = entity
            else:
                billing.pay_to = entity
        elif code in ("IL", "PR") and self.patient is None and self.subscriber is not None:
            self.loop = "2010BA" if code == "IL" else "2010BB"
            if code == "IL":
                self.subscriber.person = entity
            else:
                self.subscriber.payer = entity
        elif code == "QC" and self.patient is not None:
            self.loop, self.patient.person = "2010CA", entity
        elif code in ("IL", "PR", "QC"):
            self.loop = "other"
            self.problem(s, f"NM1*{code} is outside its loop (IL and PR belong in 2000B, QC in 2000C)")
        else:
            self.loop = "other"

    def _n3(self, s: Segment) -> None:
        if self.entity is not None:
            self.entity.n3 = s

    def _n4(self, s: Segment) -> None:
        entity = self.entity
        if entity is None:
            return
        if entity.n3 is None:
            self.problem(s, "N4 without the N3 street address before it")
            line1, line2 = "", None
        else:
            line1, line2 = _text(entity.n3, 1), _text(entity.n3, 2) or None
        entity.address = Address(line1, _text(s, 1), _text(s, 2), _text(s, 3), line2)

    def _dmg(self, s: Segment) -> None:
        if self.entity is None:
            return
        self.entity.date_of_birth = self._date(s, 1, 2)
        self.entity.sex = _text(s, 3) or None

    def _ref(self, s: Segment) -> None:
        qualifier, value = _text(s, 1), _text(s, 2)
        known = {"2010AA": ("EI", "SY"), "2300": ("F8", "G1"), "2400": ("6R",)}
        if qualifier not in known.get(self.loop, ()):
            return
        if not value:
            self.problem(s, f"REF02 is missing (the value for REF*{qualifier})")
            return
        if self.loop == "2010AA" and self.billings:
            self.billings[-1].tin = value
        elif self.loop == "2300" and self.claim is not None:
            if qualifier == "F8":
                self.claim.payer_claim_number = value
            else:
                self.claim.prior_authorization = value
        elif self.line is not None:
            self.line.control_number = value

    # Hierarchy: billing provider (20), subscriber (22), patient (23) -----------------------------

    def _hl(self, s: Segment) -> None:
        self._close_claim()
        self._close_patient()
        self.entity = None
        level = _text(s, 3)
        if level == "20":
            self._close_subscriber()
            self.loop = "2000A"
            self.billings.append(_Billing(s))
        elif level == "22":
            self._close_subscriber()
            self.loop = "2000B"
            self.subscriber = _Subscriber(s)
            if not self.billings:
                self.problem(s, "a subscriber (HL*22) before any billing provider (HL*20)")
        elif level == "23":
            self.loop = "2000C"
            self.patient = _Patient(s)
            if self.subscriber is None:
                self.problem(s, "a patient (HL*23) outside a subscriber loop (HL*22)")
        else:
            self.loop = "other"
            self.problem(s, f"HL03 '{level}' is not an 837P level (20 billing provider, 22 subscriber, 23 patient)")

    def _sbr(self, s: Segment) -> None:
        self.entity = None
        if self.claim is None:
            if self.subscriber is None or self.patient is not None:
                self.problem(s, "SBR outside a subscriber loop (HL*22)")
            else:
                self.subscriber.sbr = s
            return
        if self.line is not None:
            self.problem(s, "another payer (2320 SBR) after the service lines; it belongs before LX")
            self._close_line()
        self.loop = "2320"
        self.other = _Other(s)
        self.claim.others.append(self.other)

    def _pat(self, s: Segment) -> None:
        if self.patient is not None and self.claim is None and self.patient.pat is None:
            self.patient.pat = s

    def _close_subscriber(self) -> None:
        if self.subscriber is not None and not self.subscriber.has_claim:
            self.problems.extend(self.subscriber.problems)
        self.subscriber = None

    def _close_patient(self) -> None:
        if self.patient is not None and not self.patient.has_claim:
            self.problems.extend(self.patient.problems)
        self.patient = None

    # Claim ---------------------------------------------------------------------------------------

    def _clm(self, s: Segment) -> None:
        self._close_claim()
        self.entity = None
        self.loop = "2300"
        claim = _Claim(s, max(len(self.billings) - 1, 0), self.subscriber, self.patient)
        self.claim = claim
        if self.subscriber is None:
            self.problem(s, "CLM outside a subscriber loop (HL*22)")
        if not _text(s, 1):
            self.problem(s, "CLM01 patient control number is missing")
        claim.total = self._money(s, 2, "total charge")
        parts = self._parts(s.get(5))
        claim.place_of_service = parts[0].strip() if parts else ""
        claim.frequency_code = parts[2].strip() if len(parts) > 2 else ""
        if not claim.place_of_service:
            self.problem(s, "CLM05-1 place of service is missing (examples: 11 office, 22 outpatient hospital)")
        if len(parts) > 1 and parts[1].strip() != "B":
            self.problem(s, f"CLM05-2 '{parts[1].strip()}' must be B (place of service code)")
        if claim.frequency_code not in FREQUENCY_CODES:
            shown = f"'{claim.frequency_code}'" if claim.frequency_code else "missing"
            self.problem(s, f"CLM05-3 frequency code is {shown} (accepted: 1 original, 7 replacement, 8 void, "
                            "6 corrected)")

    def _hi(self, s: Segment) -> None:
        claim = self.claim
        if claim is None or self.line is not None:
            self.problem(s, "HI outside a claim's 2300 loop")
            return
        for index in range(1, len(s.elements)):
            parts = self._parts(s.get(index))
            if not parts:
                continue
            qualifier, code = parts[0].strip(), parts[1].strip() if len(parts) > 1 else ""
            if qualifier not in PRINCIPAL_DIAGNOSIS | OTHER_DIAGNOSIS:
                continue  # another HI (condition codes, anesthesia) or a stray value
            claim.hi = claim.hi or s
            if not code:
                self.problem(s, f"HI{index:02d}-2 diagnosis code is missing")
                continue
            if not claim.diagnoses and qualifier not in PRINCIPAL_DIAGNOSIS:
                self.problem(s, f"HI{index:02d} '{qualifier}': the first diagnosis must be the principal one (ABK)")
            elif claim.diagnoses and qualifier in PRINCIPAL_DIAGNOSIS:
                self.problem(s, f"HI{index:02d} '{qualifier}': only the first diagnosis is principal; others are ABF")
            claim.diagnoses.append(_icd10_with_dot(code) if qualifier.startswith("A") else code)

    def _cas(self, s: Segment) -> None:
        target = self.adjudication.adjustments if self.adjudication is not None else (
            self.other.adjustments if self.other is not None and self.line is None else None)
        if target is None:
            self.problem(s, "CAS outside an other payer (2320) or line adjudication (2430) loop")
            return
        group = _text(s, 1)
        if group not in ADJUSTMENT_GROUPS:
            self.problem(s, f"CAS01 '{group}' is not an adjustment group (CO, PR, OA, PI, CR)")
        for start in CAS_TRIPLES:
            reason, amount_text = _text(s, start), _text(s, start + 1)
            if not reason and not amount_text:
                continue
            if not reason:
                self.problem(s, f"{_name(s, start)} adjustment reason code is missing")
                continue
            amount = self._money(s, start + 1, "adjustment amount")
            if amount is not None:
                target.append(Adjustment(group, reason, amount))

    def _amt(self, s: Segment) -> None:
        if self.other is not None and self.line is None and _text(s, 1) == "D":
            self.other.amt = s
            self.other.paid = self._money(s, 2, "paid amount")

    # Service lines -------------------------------------------------------------------------------

    def _lx(self, s: Segment) -> None:
        self.entity = self.other = None
        self._close_line()
        self.loop = "2400"
        if self.claim is None:
            self.problem(s, "LX outside a claim (CLM)")
            return
        self.line = _Line(s)
        self.claim.lines.append(self.line)

    def _sv1(self, s: Segment) -> None:
        line = self.line
        if line is None or self.loop != "2400" or line.sv1 is not None:
            self.problem(s, "SV1 without its own LX service line number")
            return
        line.sv1 = s
        parts = self._parts(s.get(1))
        qualifier = parts[0].strip() if parts else ""
        line.code = parts[1].strip() if len(parts) > 1 else ""
        line.modifiers = tuple(p.strip() for p in parts[2:6] if p.strip())
        if qualifier != "HC":
            self.problem(s, f"SV101-1 '{qualifier}' must be HC (a CPT or HCPCS code)")
        if not line.code:
            self.problem(s, "SV101-2 procedure code is missing")
        line.charge = self._money(s, 2, "line charge")
        if _text(s, 3) not in UNIT_BASES:
            self.problem(s, f"SV103 '{_text(s, 3)}' must be UN (units) or MJ (minutes)")
        line.units = self._quantity(s, 4, "units", minimum=1)
        line.pointers = self._pointers(s)

    def _pointers(self, s: Segment) -> tuple[int, ...]:
        raw = s.get(7).strip()
        # Pointers are digits, so any separator in them is the component separator, whatever ISA16 says.
        separator = next((c for c in (self.component, ":", ">", "^") if c in raw), self.component)
        parts = [p.strip() for p in raw.split(separator)] if raw else []
        if not any(parts):
            self.problem(s, "SV107 diagnosis pointer is missing (1 to 12, the position of a diagnosis in HI)")
            return ()
        pointers = []
        for part in parts[:4]:
            if part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_POINTER:
                pointers.append(int(part))
            elif part:
                self.problem(s, f"SV107 pointer '{part}' is not a number from 1 to 12")
        return tuple(pointers)

    def _dtp(self, s: Segment) -> None:
        qualifier = _text(s, 1)
        if self.adjudication is not None and qualifier == "573":
            self.adjudication.adjudicated_on = self._date(s, 2, 3)
        elif self.line is not None and self.loop == "2400" and qualifier == "472":
            self.line.has_date = True
            self.line.date_of_service = self._date(s, 2, 3)

    def _svd(self, s: Segment) -> None:
        self.entity = None
        if self.line is None:
            self.problem(s, "SVD outside a service line (LX)")
            return
        self.loop = "2430"
        self.adjudication = _Adjudication(s)
        self.line.adjudications.append(self.adjudication)
        if not _text(s, 1):
            self.problem(s, "SVD01 other payer id is missing")
        self.adjudication.paid = self._money(s, 2, "paid amount")
        parts = self._parts(s.get(3))
        self.adjudication.code = parts[1].strip() if len(parts) > 1 else ""
        self.adjudication.modifiers = tuple(p.strip() for p in parts[2:6] if p.strip())
        if not self.adjudication.code:
            self.problem(s, "SVD03-2 procedure code is missing")
        self.adjudication.units = self._quantity(s, 5, "paid units", minimum=0)

    def _sub_loop(self, s: Segment) -> None:
        """LIN (2410 drug) and LQ (2440 form): loops the claim model does not keep."""
        self.entity = self.adjudication = None
        self.loop = "2410" if s.id == "LIN" else "2440"

    def _se(self, s: Segment) -> None:
        self._close_claim()

    def _close_line(self) -> None:
        self.line = self.adjudication = None

    # Building the claim --------------------------------------------------------------------------

    def _close_claim(self) -> None:
        claim = self.claim
        self._close_line()
        self.other = self.entity = None
        if claim is None:
            return
        self.claim = None
        index = self.claim_count
        self.claim_count += 1
        problems = claim.problems  # the build adds to these
        inherited: list[Problem] = []
        for context in (claim.subscriber, claim.patient):
            if context is not None:
                context.has_claim = True
                inherited += context.problems
        built = _ClaimBuilder(claim, problems).build()
        self.claims.append(built)
        self.claim_billing.append(claim.billing)
        for found in sorted(inherited + problems, key=lambda p: p.segment_number):
            self.problems.append(Problem(found.segment_number, found.segment_id, found.message, index))

    # Element values ------------------------------------------------------------------------------

    def _parts(self, value: str) -> list[str]:
        return composite(value, self.component) if value.strip() else []

    def _money(self, s: Segment, index: int, what: str) -> Money | None:
        raw = _text(s, index)
        if not raw:
            self.problem(s, f"{_name(s, index)} {what} is missing")
            return None
        try:
            plain_decimal(raw, _name(s, index), limit=MAX_AMOUNT, kind="an amount")
        except InvalidInput as exc:
            self.problem(s, str(exc))
            return None
        try:
            return Money.parse(raw)
        except InvalidInput:
            self.problem(s, f"{_name(s, index)} '{raw}' has fractions of a cent")
            return None

    def _quantity(self, s: Segment, index: int, what: str, *, minimum: int) -> int | None:
        raw = _text(s, index)
        if not raw:
            self.problem(s, f"{_name(s, index)} {what} is missing")
            return None
        try:
            value = plain_decimal(raw, _name(s, index), limit=Decimal(MAX_QUANTITY), kind=f"a number of {what}")
        except InvalidInput as exc:
            self.problem(s, str(exc))
            return None
        if value != value.to_integral_value() or value < minimum:
            self.problem(s, f"{_name(s, index)} '{raw}' is not a whole number of {what} (at least {minimum})")
            return None
        return int(value)

    def _date(self, s: Segment, format_index: int, value_index: int) -> datetime.date | None:
        form, raw = _text(s, format_index), _text(s, value_index)
        if form not in ("D8", "RD8"):
            self.problem(s, f"{_name(s, format_index)} '{form}' must be D8 (a date) or RD8 (a range)")
            return None
        day = _ccyymmdd(raw.split("-")[0] if form == "RD8" else raw)
        if day is None:
            self.problem(s, f"{_name(s, value_index)} '{raw}' is not a date (CCYYMMDD"
                            f"{'-CCYYMMDD' if form == 'RD8' else ''})")
        return day


class _ClaimBuilder:
    """Turns a claim draft into a ``ProfessionalClaim``, adding what is missing or inconsistent to ``problems``."""

    def __init__(self, draft: _Claim, problems: list[Problem]) -> None:
        self.draft = draft
        self.problems = problems

    def problem(self, segment: Segment, message: str) -> None:
        self.problems.append(Problem(segment.number, segment.id, message))

    def build(self) -> ProfessionalClaim:
        d = self.draft
        subscriber, member_id, payer, order, filing, group = self._subscriber()
        relationship, patient = self._patient(subscriber)
        lines = tuple(self._line(line, number) for number, line in enumerate(d.lines, start=1))
        self._check_claim(lines)
        rendering = d.rendering
        if rendering is not None and (_text(rendering.nm1, 8) != "XX" or not rendering.identifier):
            self.problem(rendering.nm1, "NM109 rendering provider NPI is missing (NM108 XX, NM109 the NPI)")
        facility = d.facility
        if facility is not None:
            if not _text(facility.nm1, 3):
                self.problem(facility.nm1, "NM103 service facility name is missing")
            if facility.address is None:
                self.problem(facility.nm1, "the service facility's address (N3/N4) is missing")
        others = tuple(self._other(other, order) for other in d.others)
        self._check_adjudications(order)
        return ProfessionalClaim(
            _text(d.clm, 1), d.total or Money(0), d.place_of_service, d.frequency_code, tuple(d.diagnoses), lines,
            payer, order, filing, subscriber, member_id, group, relationship, patient,
            rendering_npi=(rendering.identifier or None) if rendering is not None else None,
            rendering_name=rendering.person() if rendering is not None else None,
            rendering_taxonomy=d.rendering_taxonomy if rendering is not None else None,
            facility_name=(_text(facility.nm1, 3) or None) if facility is not None else None,
            facility_address=facility.address if facility is not None else None,
            payer_claim_number=d.payer_claim_number, prior_authorization=d.prior_authorization,
            other_payers=others)

    def _subscriber(self) -> tuple[Person, str, Payer, str, str, str | None]:
        context, clm = self.draft.subscriber, self.draft.clm
        if context is None:
            return Person("", ""), "", Payer("", ""), "", "", None
        sbr = context.sbr
        order = filing = ""
        group = None
        if sbr is None:
            self.problem(context.hl, "the subscriber loop has no SBR (payer responsibility, filing indicator)")
        else:
            order, filing, group = self._sbr(sbr)
            if _text(sbr, 2) not in ("", "18"):
                self.problem(sbr, f"SBR02 '{_text(sbr, 2)}' must be 18 (the subscriber is the patient) or empty")
        person = context.person
        if person is None:
            self.problem(clm, "the subscriber (2010BA NM1*IL) is missing")
            subscriber, member_id = Person("", ""), ""
        else:
            subscriber, member_id = person.person(), person.identifier
            if not _text(person.nm1, 3):
                self.problem(person.nm1, "NM103 subscriber last name is missing")
            if _text(person.nm1, 8) != "MI" or not member_id:
                self.problem(person.nm1, "NM109 member id is missing (NM108 MI, NM109 the subscriber's member id)")
        return subscriber, member_id, self._payer(context.payer, clm, "2010BB"), order, filing, group

    def _sbr(self, sbr: Segment) -> tuple[str, str, str | None]:
        order, filing = _text(sbr, 1), _text(sbr, 9)
        if order not in RESPONSIBILITY_CODES:
            shown = f"'{order}'" if order else "missing"
            self.problem(sbr, f"SBR01 payer responsibility is {shown} (P primary, S secondary, T tertiary)")
        if not filing:
            self.problem(sbr, "SBR09 claim filing indicator is missing (examples: MB Medicare Part B, CI "
                              "commercial, BL Blue Cross)")
        return order, filing, _text(sbr, 3) or None

    def _payer(self, entity: _Entity | None, where: Segment, loop: str) -> Payer:
        if entity is None:
            self.problem(where, f"the payer ({loop} NM1*PR) is missing")
            return Payer("", "")
        if not _text(entity.nm1, 3):
            self.problem(entity.nm1, "NM103 payer name is missing")
        if not entity.identifier:
            self.problem(entity.nm1, "NM109 payer id is missing (NM108 PI, NM109 the payer id)")
        return Payer(_text(entity.nm1, 3), entity.identifier, entity.address)

    def _patient(self, subscriber: Person) -> tuple[str, Person]:
        context, sbr = self.draft.patient, self.draft.subscriber.sbr if self.draft.subscriber else None
        is_self = sbr is not None and _text(sbr, 2) == "18"
        if context is None:
            if sbr is not None and not is_self:
                self.problem(sbr, "SBR02 is empty (the patient is not the subscriber) but no patient loop (2000C "
                                  "HL*23) follows")
            return "18" if is_self else "", subscriber
        if is_self and sbr is not None:
            self.problem(sbr, "SBR02 18 says the subscriber is the patient, but a patient loop (2000C HL*23) "
                              "follows")
        relationship = ""
        if context.pat is None:
            self.problem(context.hl, "the patient loop has no PAT (relationship to the subscriber)")
        else:
            relationship = _text(context.pat, 1)
            if relationship not in PATIENT_RELATIONSHIPS:
                self.problem(context.pat, f"PAT01 '{relationship}' is not a patient relationship (01 spouse, 19 "
                                          "child, 20 employee, G8 other)")
        if context.person is None:
            self.problem(context.hl, "the patient's name (2010CA NM1*QC) is missing")
            return relationship, Person("", "")
        if not _text(context.person.nm1, 3):
            self.problem(context.person.nm1, "NM103 patient last name is missing")
        return relationship, context.person.person()

    def _line(self, draft: _Line, number: int) -> ServiceLine:
        if draft.sv1 is None:
            self.problem(draft.lx, f"service line {number} has no SV1")
        elif not draft.has_date:
            self.problem(draft.sv1, f"service line {number} has no date of service (DTP*472)")
        for pointer in draft.pointers if self.draft.diagnoses else ():  # no HI at all is reported once, not here
            if draft.sv1 is not None and pointer > len(self.draft.diagnoses):
                self.problem(draft.sv1, f"SV107 pointer {pointer} points past the {len(self.draft.diagnoses)} "
                                        "diagnoses in HI")
        adjudication = None
        if draft.adjudications:
            first = draft.adjudications[0]
            if first.adjudicated_on is None:
                self.problem(first.svd, f"service line {number}: the line adjudication has no date (DTP*573)")
            adjudication = LineAdjudication(_text(first.svd, 1), first.paid or Money(0), first.code,
                                            first.modifiers, first.units or 0, tuple(first.adjustments),
                                            first.adjudicated_on or UNREAD_DATE)
        return ServiceLine(draft.code, draft.modifiers, draft.charge or Money(0), draft.units or 0, draft.pointers,
                           draft.date_of_service or UNREAD_DATE, draft.control_number, adjudication)

    def _check_claim(self, lines: tuple[ServiceLine, ...]) -> None:
        d = self.draft
        if d.frequency_code in NEEDS_PAYER_CLAIM_NUMBER and not d.payer_claim_number:
            self.problem(d.clm, f"a {'replacement' if d.frequency_code == '7' else 'void'} (CLM05-3 "
                                f"{d.frequency_code}) needs the payer's claim number (REF*F8)")
        if not d.diagnoses:
            self.problem(d.hi or d.clm, "no diagnosis: HI with the principal diagnosis (ABK) is required")
        if not lines:
            self.problem(d.clm, "the claim has no service lines (LX/SV1)")
        charges = [line.charge for line in d.lines]
        if d.total is not None and lines and all(c is not None for c in charges):
            line_sum = Money(sum(line.charge.cents for line in lines))
            if line_sum != d.total:
                self.problem(d.clm, f"CLM02 total {d.total.plain()} does not equal the sum of the lines "
                                    f"{line_sum.plain()}")

    def _other(self, draft: _Other, order: str) -> OtherPayer:
        sbr = draft.sbr
        other_order, filing, _ = self._sbr(sbr)
        relationship = _text(sbr, 2)
        if not relationship:
            self.problem(sbr, "SBR02 the other subscriber's relationship to the patient is missing (18 self, 01 "
                              "spouse, 19 child, G8 other)")
        if _has_paid_before(other_order, order) and draft.paid is None and draft.amt is None:
            self.problem(sbr, f"the other payer's paid amount (AMT*D) is missing; payer {other_order} adjudicated "
                              f"before this claim's payer {order}")
        if draft.subscriber is None:
            self.problem(sbr, "the other payer's subscriber (2330A NM1*IL) is missing")
            subscriber, member_id = Person("", ""), ""
        else:
            subscriber, member_id = draft.subscriber.person(), draft.subscriber.identifier
            if not member_id:
                self.problem(draft.subscriber.nm1, "NM109 member id is missing (the other payer's subscriber)")
        payer = self._payer(draft.payer, sbr, "2330B")
        return OtherPayer(payer, other_order, subscriber, member_id, relationship, filing, draft.paid or Money(0),
                          tuple(draft.adjustments))

    def _check_adjudications(self, order: str) -> None:
        d = self.draft
        if order in PAYER_ORDER[1:] and not any(_has_paid_before(o.sbr.get(1).strip(), order) for o in d.others):
            self.problem(d.clm, f"the claim is for payer {order} (SBR01) but names no earlier payer (2320 SBR) with "
                                "its adjudication")
        by_payer = {o.payer.identifier: o for o in d.others if o.payer is not None and o.payer.identifier}
        for number, line in enumerate(d.lines, start=1):
            for adjudication in line.adjudications:
                payer_id = _text(adjudication.svd, 1)
                if payer_id and payer_id not in by_payer:
                    self.problem(adjudication.svd, f"SVD01 '{payer_id}' is not one of the other payers (2330B "
                                                   f"NM109: {', '.join(sorted(by_payer)) or 'none'})")
                adjusted = _sum(adjudication.adjustments)
                if line.charge is not None and adjudication.paid is not None and \
                        line.charge - adjusted != adjudication.paid:
                    self.problem(adjudication.svd, f"service line {number}: SV102 {line.charge.plain()} less the "
                                 f"adjustments {adjusted.plain()} does not equal SVD02 {adjudication.paid.plain()}")
        for other in d.others:
            self._check_balance(other, order)

    def _check_balance(self, other: _Other, order: str) -> None:
        """COB balancing for a payer that paid before: CLM02 - its claim and line adjustments = AMT*D."""
        total, paid = self.draft.total, other.paid
        if total is None or paid is None or not _has_paid_before(_text(other.sbr, 1), order):
            return
        payer_id = other.payer.identifier if other.payer is not None else ""
        line_adjustments = [a for line in self.draft.lines for adjudication in line.adjudications
                            if _text(adjudication.svd, 1) == payer_id for a in adjudication.adjustments]
        adjusted = _sum(other.adjustments) + _sum(line_adjustments)
        if total - adjusted != paid:
            where = other.amt or other.sbr
            self.problem(where, f"payer {payer_id or _text(other.sbr, 1)}: CLM02 {total.plain()} less its "
                                f"adjustments {adjusted.plain()} does not equal its paid amount AMT*D {paid.plain()}")


def _has_paid_before(other_order: str, order: str) -> bool:
    """Whether the payer with SBR01 ``other_order`` comes before the claim's payer (so it has adjudicated)."""
    if other_order not in PAYER_ORDER or order not in PAYER_ORDER:
        return False
    return PAYER_ORDER.index(other_order) < PAYER_ORDER.index(order)


def _sum(adjustments: list[Adjustment]) -> Money:
    return Money(sum(a.amount.cents for a in adjustments))


def _phone(per: Segment) -> str | None:
    for index in (3, 5, 7):
        if _text(per, index) == "TE":
            return _text(per, index + 1) or None
    return None


def _icd10_with_dot(code: str) -> str:
    """HI sends ICD-10-CM codes without the dot; it always follows the third character."""
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 and "." not in code else code


def _ccyymmdd(raw: str) -> datetime.date | None:
    if len(raw) != 8 or not (raw.isascii() and raw.isdigit()):
        return None
    try:
        return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        return None
