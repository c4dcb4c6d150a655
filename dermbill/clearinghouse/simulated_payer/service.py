"""The simulated payer as a clearinghouse connection: 837P files in, 999, 277CA and 835 files out; 270 and 276
inquiries answered with 271 and 277.

Its folder holds what it knows and remembers:
- ``payers.csv``: the payers it stands in for (payer_id, name, kind, fee_percent, timely_filing_days,
  days_to_pay, patient_owes_after_secondary, accepts_x_modifiers, authorization_codes). The last two are
  optional, so older files still load: accepts_x_modifiers is "true" or "false" (true when the column is absent
  or empty), authorization_codes the codes it pays only with a prior authorization, separated by spaces
  ("17311 17312 96567"; none when absent or empty). Two more optional columns, review_codes and records_codes, name
  the codes it holds at receipt instead of deciding (accepted, no 835): a 276 about such a claim is answered
  pended for review (P2:41) or with a request for documents (R4:2);
- ``roster.csv``: their members (see plans.py);
- ``state.json``: deductibles met, services paid, claims decided, its control numbers;
- ``received/``: every file sent to it (a name it already has is not taken again);
- ``outbox/``: its answers, until fetched.
It answers as soon as a file arrives, and dates its answers then: its clock is the time on the file it answers
(ISA09/ISA10, the sender's clock), so it acknowledges, decides and pays on the day the file was sent and never
dates anything later (a file without a readable date is taken to arrive the day after its last service). Given
the same files in the same order and the same seed, it answers with the same files, byte for byte.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from dermbill.clearinghouse.connection import Delivery
from dermbill.clearinghouse.folder import FolderDrop
from dermbill.clearinghouse.simulated_payer.adjudication import (
    History,
    PayerTables,
    acknowledge,
    adjudicate,
    payer_tables,
    remittance_filing_indicator,
)
from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile, Roster, read_roster
from dermbill.core.claim_form import Adjustment, LineAdjudication, Payer, ProfessionalClaim
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.x12.claim_837p_reader import Received837, read_837p
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.inquiries import EligibilityInquiry
from dermbill.x12.inquiries_reader import read_270, read_276
from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, Remittance, write_835
from dermbill.x12.responses import (
    BatchAcknowledgment,
    BenefitSummary,
    ClaimAcknowledgment,
    ClaimStatusAnswer,
    ClaimStatusResponse,
    EligibilityRejection,
    EligibilityResponse,
    GroupAcknowledgment,
    SegmentError,
    SetAcknowledgment,
    write_271,
    write_277,
    write_277ca,
    write_999,
)
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import TransactionSet, transaction_sets

PAYER_COLUMNS = ("payer_id", "name", "kind", "fee_percent", "timely_filing_days", "days_to_pay",
                 "patient_owes_after_secondary", "accepts_x_modifiers", "authorization_codes", "review_codes",
                 "records_codes")
# What a 276 about a claim it holds is answered (category, status code): see review_codes and records_codes.
HELD_ANSWERS = {"review": ("P2", "41"), "records": ("R4", "2")}
PROCEDURE_CODE = re.compile(r"[0-9A-Z][0-9]{3}[0-9A-Z]")  # CPT or HCPCS level II: 17311, 0419T, J7308
ACKNOWLEDGMENT_DELAY = datetime.timedelta(days=1)  # for a file without a date: the day after its last service


@dataclass
class PayerState:
    history: History = field(default_factory=History)
    interchange: int = 0
    traces: int = 0
    decided: dict[str, dict[str, Any]] = field(default_factory=dict)  # payer claim number -> the PaidClaim as JSON
    held: dict[str, dict[str, str]] = field(default_factory=dict)  # payer claim number -> why it holds the claim


def read_payers(path: Path) -> dict[str, PayerProfile]:
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise InvalidInput(f"cannot read the simulated payers '{path}': {exc.strerror}") from None
    payers = {}
    for number, row in enumerate(rows, start=2):
        try:
            payers[row["payer_id"]] = PayerProfile(
                row["payer_id"], row["name"], row["kind"], int(row["fee_percent"]), int(row["timely_filing_days"]),
                int(row["days_to_pay"]), row["patient_owes_after_secondary"].lower() == "true",
                accepts_x_modifiers=_flag(row.get("accepts_x_modifiers"), "accepts_x_modifiers", default=True),
                authorization_codes=_codes(row.get("authorization_codes"), "authorization_codes"),
                review_codes=_codes(row.get("review_codes"), "review_codes"),
                records_codes=_codes(row.get("records_codes"), "records_codes"))
        except (KeyError, ValueError) as exc:
            raise InvalidInput(f"{path.name} line {number}: {exc}") from None
    return payers


def _flag(text: str | None, column: str, *, default: bool) -> bool:
    """A true/false column; an absent column (a file written before it existed) or an empty cell is the default."""
    if not text or not text.strip():
        return default
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise ValueError(f"{column} is {text!r}; expected true or false")
    return value == "true"


def _codes(text: str | None, column: str) -> tuple[str, ...]:
    """Procedure codes separated by spaces; none when the column is absent or empty."""
    codes = tuple((text or "").upper().split())
    bad = [code for code in codes if not PROCEDURE_CODE.fullmatch(code)]
    if bad:
        raise ValueError(f"{column}: {bad[0]!r} is not a procedure code; expected codes separated by spaces, "
                         f"e.g. '17311 17312 96567'")
    return codes


def write_payers(path: Path, payers: Sequence[PayerProfile]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PAYER_COLUMNS)
        for p in payers:
            writer.writerow([p.payer_id, p.name, p.kind, p.fee_percent, p.timely_filing_days, p.days_to_pay,
                             str(p.patient_owes_after_secondary).lower(), str(p.accepts_x_modifiers).lower(),
                             " ".join(p.authorization_codes), " ".join(p.review_codes), " ".join(p.records_codes)])


def _claim_json(claim: PaidClaim) -> dict[str, Any]:
    data = asdict(claim)
    data["lines"] = [{**asdict(line), "charge": line.charge.cents, "date_of_service": line.date_of_service.isoformat()
                      if line.date_of_service else None,
                      "allowed": line.allowed.cents if line.allowed is not None else None,
                      "adjustments": [[a.group, a.reason, a.amount.cents] for a in line.adjustments]}
                     for line in claim.lines]
    data["received"] = claim.received.isoformat() if claim.received else None
    return data


def _claim_from_json(data: dict[str, Any]) -> PaidClaim:
    lines = tuple(PaidLine(
        line["code"], tuple(line["modifiers"]), Money(line["charge"]), line["units"],
        datetime.date.fromisoformat(line["date_of_service"]) if line["date_of_service"] else None,
        tuple(Adjusted(g, r, Money(c)) for g, r, c in line["adjustments"]), tuple(line["remarks"]),
        line["control_number"], Money(line["allowed"]) if line["allowed"] is not None else None,
        line["submitted_code"], tuple(line["submitted_modifiers"])) for line in data["lines"])
    return PaidClaim(data["patient_control_number"], data["status_code"], data["filing_indicator"],
                     data["payer_claim_number"], data["patient_last"], data["patient_first"], data["member_id"],
                     lines, tuple(data["remarks"]), data["crossover_payer_id"], data["crossover_payer_name"],
                     datetime.date.fromisoformat(data["received"]) if data["received"] else None)


def _held_for(claim: ProfessionalClaim, payer: PayerProfile) -> str | None:
    """Why the payer holds a claim at receipt instead of deciding it ("review", "records"), or None."""
    codes = {line.code for line in claim.lines}
    if codes & set(payer.records_codes):
        return "records"
    if codes & set(payer.review_codes):
        return "review"
    return None


def reversal_of(claim: PaidClaim) -> PaidClaim:
    """CLP02 22: the earlier decision with every amount negated, so it undoes the payment."""
    lines = tuple(replace(line, charge=-line.charge, units=-line.units, remarks=(),
                          adjustments=tuple(Adjusted(a.group, a.reason, -a.amount) for a in line.adjustments),
                          allowed=-line.allowed if line.allowed is not None else None) for line in claim.lines)
    return replace(claim, status_code="22", lines=lines, remarks=(), crossover_payer_id="",
                   filing_indicator=remittance_filing_indicator(claim.filing_indicator))


@dataclass
class SimulatedPayer:
    name: str
    folder: Path
    seed: int
    payers: dict[str, PayerProfile]
    roster: Roster
    refused: list[str] = field(default_factory=list, init=False)  # always empty: its outbox holds plain names

    @cached_property
    def tables(self) -> PayerTables:
        """The fee schedule, edits and policies it adjudicates claims with: loaded when a claim first arrives (a
        file of 270s or 276s never needs them, and loading them is most of a short run's time)."""
        return payer_tables()

    @classmethod
    def open(cls, name: str, folder: Path, *, seed: int = 1) -> SimulatedPayer:
        for required in ("payers.csv", "roster.csv"):
            if not (folder / required).is_file():
                raise InvalidInput(f"the simulated payer {name!r} needs {folder / required} (the demo writes it)")
        return cls(name, folder, seed, read_payers(folder / "payers.csv"), read_roster(folder / "roster.csv"))

    # The connection interface.
    def send(self, files: Sequence[Path]) -> list[Delivery]:
        deliveries = FolderDrop(self.name, self.folder / "received", self.folder / "outbox").send(files)
        for delivery in deliveries:
            if delivery.sent:
                self.answer(self.folder / "received" / delivery.name)
        return deliveries

    def fetch(self, inbox: Path) -> list[Path]:
        return FolderDrop(self.name, self.folder / "received", self.folder / "outbox").fetch(inbox)

    # The payer.
    def answer(self, path: Path) -> list[Path]:
        """Answer one file: 837P claims with a 999, a 277CA and an 835 per payer; 270s with 271s; 276s with 277s."""
        everything = list(transaction_sets(read_file(path)))
        kinds = {t.type for t in everything}
        if not kinds & {"837", "270", "276"}:
            raise InvalidInput(f"{path.name} holds no 837, 270 or 276 transaction for the simulated payer")
        state = self._load()
        files = []
        if "837" in kinds:
            files += self._answer_claims(state, path, [t for t in everything if t.type == "837"])
        inquiries = [t for t in everything if t.type in ("270", "276")]
        if inquiries:
            files += self._answer_inquiries(state, path, inquiries)
        self._save(state)
        return files

    def _answer_inquiries(self, state: PayerState, path: Path, transactions: list[TransactionSet]) -> list[Path]:
        when = self._file_time(path) or datetime.datetime(2000, 1, 1, 6, 0, tzinfo=datetime.UTC)
        profile = ClearinghouseProfile(submitter_id=transactions[0].receiver or "SIMPAYER",
                                       submitter_name="SIMULATED PAYER", submitter_contact="EDI SUPPORT",
                                       submitter_phone="2155550199", receiver_id=transactions[0].sender,
                                       receiver_name="SUBMITTER")
        eligibility = tuple(self._eligibility(state, read_270(t)) for t in transactions if t.type == "270")
        statuses = tuple(self._claim_status(state, t) for t in transactions if t.type == "276")
        files = []
        if eligibility:
            files.append(self._write(f"271-{path.stem}.x12", write_271(eligibility, profile, self._control(state),
                                                                       when)))
        if statuses:
            files.append(self._write(f"277-{path.stem}.x12", write_277(statuses, profile, self._control(state),
                                                                       when)))
        return files

    def _eligibility(self, state: PayerState, inquiry: EligibilityInquiry) -> EligibilityResponse:
        """The 271 for one 270, as a payer checks it: the member ID (AAA 72 when the person is known under another
        ID, 75 when not at all), then the subscriber's name (73) and birth date (71) against its records; then
        coverage on the date (inactive, with the plan dates) and, when active, the benefits: deductible and
        out-of-pocket maximum with what is left of each, the plan's and a specialist visit's copay and coinsurance,
        and another payer that is primary."""
        member = self.roster.find(inquiry.payer.payer_id, inquiry.member_id)
        def respond(benefits: BenefitSummary | None = None,
                    rejection: EligibilityRejection | None = None) -> EligibilityResponse:
            return EligibilityResponse(inquiry.trace_number, inquiry.payer, inquiry.provider_name,
                                       inquiry.provider_npi, inquiry.subscriber, inquiry.member_id, inquiry.on,
                                       benefits, rejection, inquiry.dependent)

        subscriber = inquiry.subscriber
        if member is None:
            known = self.roster.find_person(inquiry.payer.payer_id, subscriber.last_name, subscriber.first_name,
                                            subscriber.date_of_birth)
            return respond(rejection=EligibilityRejection("72" if known else "75"))
        if (subscriber.last_name.strip().upper() != member.last_name.strip().upper()
                or subscriber.first_name.strip().upper() != member.first_name.strip().upper()):
            return respond(rejection=EligibilityRejection("73"))  # invalid/missing subscriber name
        if (subscriber.date_of_birth is not None and member.date_of_birth is not None
                and subscriber.date_of_birth != member.date_of_birth):
            return respond(rejection=EligibilityRejection("71"))  # birth date does not match
        other = Payer(member.other_payer_name or member.other_payer_id, member.other_payer_id) \
            if member.other_payer_id else None
        if not member.covered_on(inquiry.on):
            return respond(BenefitSummary(False, plan_begin=member.effective_date, plan_end=member.termination_date,
                                          other_payer=other))
        met = state.history.deductible_met.get(f"{member.payer_id}|{member.member_id}|{inquiry.on.year}", 0)
        # What the member paid toward the out-of-pocket maximum: the deductible met (the payer's memory keeps no
        # other patient share per year).
        oop = member.out_of_pocket
        return respond(BenefitSummary(
            True, plan_begin=member.effective_date, plan_end=member.termination_date, deductible=member.deductible,
            deductible_remaining=Money(max(member.deductible.cents - met, 0)),
            coinsurance_percent=member.coinsurance_percent, copay=member.copay if member.copay.cents else None,
            in_network=True, out_of_pocket=oop,
            out_of_pocket_remaining=Money(max(oop.cents - met, 0)) if oop is not None else None,
            visit_copay=member.copay if member.copay.cents else None,
            visit_coinsurance_percent=member.coinsurance_percent, other_payer=other))

    def _claim_status(self, state: PayerState, transaction: TransactionSet) -> ClaimStatusResponse:
        inquiries = read_276(transaction)
        answers = []
        for inquiry in inquiries:
            decided = state.decided.get(inquiry.payer_claim_number or "") or next(
                (d for d in state.decided.values() if d["patient_control_number"] == inquiry.patient_control_number
                 and d["member_id"] == inquiry.member_id), None)
            paid = _claim_from_json(decided) if decided else None
            category, code = ("A4", "35") if paid is None else ("F2", "1") if paid.status_code == "4" else ("F1", "65")
            number = paid.payer_claim_number if paid else None
            held = None if paid else next(((n, h) for n, h in sorted(state.held.items())
                                           if h["patient_control_number"] == inquiry.patient_control_number
                                           and h["member_id"] == inquiry.member_id), None)
            if held is not None:
                number, (category, code) = held[0], HELD_ANSWERS[held[1]["why"]]
            answers.append(ClaimStatusAnswer(
                inquiry.patient_control_number, category, code, inquiry.subscriber, inquiry.member_id,
                inquiry.total_charge, inquiry.service_from, inquiry.service_to,
                paid.paid if paid else Money.zero(), number, dependent=inquiry.dependent))
        first = inquiries[0] if inquiries else None
        return ClaimStatusResponse(first.trace_number if first else transaction.control_number,
                                   first.payer if first else Payer("SIMULATED PAYER", "SIMPAYER"),
                                   first.provider_name if first else "", first.provider_npi if first else "",
                                   tuple(answers))

    def _answer_claims(self, state: PayerState, path: Path, transactions: list[TransactionSet]) -> list[Path]:
        received = [read_837p(t) for t in transactions]
        sent = self._file_time(path)
        if sent is None:
            last_service = max(max((line.date_of_service for c in r.claims for line in c.lines),
                                   default=datetime.date.min) for r in received)
            sent = datetime.datetime.combine(last_service + ACKNOWLEDGMENT_DELAY, datetime.time(6, 0),
                                             tzinfo=datetime.UTC)
        now, arrived = sent, sent.date()
        group = transactions[0].group_control_number or "1"
        acknowledgments = []
        batches = []
        decided: dict[str, list[tuple[PaidClaim, Received837]]] = {}
        for transaction, batch in zip(transactions, received, strict=True):
            header_problems = [p for p in batch.problems if p.claim_index is None]
            acknowledgments.append(SetAcknowledgment(
                transaction.control_number, accepted=not header_problems,
                errors=tuple(SegmentError(p.segment_id, p.segment_number, "8") for p in header_problems[:10])))
            if header_problems:
                continue
            batches.append(self._acknowledge(state, batch, arrived, decided))
        profile = self._profile(received[0])
        files = [self._write(f"999-{path.stem}.x12", write_999(
            (GroupAcknowledgment(group, tuple(acknowledgments)),), profile, self._control(state), now))]
        if batches:
            files.append(self._write(f"277CA-{path.stem}.x12",
                                     write_277ca(tuple(batches), profile, self._control(state), now)))
        for payer_id, claims in sorted(decided.items()):
            payer = self.payers[payer_id]
            state.traces += 1
            trace = f"{payer_id}{self.seed:02d}{state.traces:08d}"
            billing = claims[0][1].billing
            remittance = Remittance(payer.name, payer.payer_id, billing.name, billing.npi, trace, arrived,
                                    tuple(c for c, _ in claims))
            files.append(self._write(f"835-{payer_id}-{trace}.x12",
                                     write_835((remittance,), profile, self._control(state), now)))
        return files

    def _acknowledge(self, state: PayerState, batch: Received837, arrived: datetime.date,
                     decided: dict[str, list[tuple[PaidClaim, Received837]]]) -> BatchAcknowledgment:
        verdicts = []
        for index, claim in enumerate(batch.claims):
            payer = self.payers.get(claim.payer.payer_id)
            member = self.roster.find(claim.payer.payer_id, claim.member_id) if payer else None
            problems = [p.message for p in batch.problems_of(index)]
            ack = acknowledge(claim, member, problems)
            if payer is None:
                ack = replace(ack, accepted=False, category="A3", status_code="116", entity="PR",
                              message=f"payer {claim.payer.payer_id} is not one this clearinghouse reaches")
            number = None
            if ack.accepted and payer is not None and member is not None:
                number = self._claim_number(state, arrived)
                why = _held_for(claim, payer)
                if why is not None:  # accepted, and held: no 835 until it would decide (never, in the simulation)
                    state.held[number] = {"patient_control_number": claim.patient_control_number,
                                          "member_id": claim.member_id, "why": why}
                for payer_id, paid in [] if why else self._decide(state, claim, member, payer, arrived, number):
                    decided.setdefault(payer_id, []).append((paid, batch))
            first = min(line.date_of_service for line in claim.lines)
            last = max(line.date_of_service for line in claim.lines)
            verdicts.append(ClaimAcknowledgment(
                claim.patient_control_number, ack.accepted, claim.patient, claim.member_id, claim.total_charge,
                first, last if last != first else None, number, ack.category, ack.status_code, ack.entity,
                ack.message))
        payer = next((self.payers[c.payer.payer_id] for c in batch.claims if c.payer.payer_id in self.payers), None)
        return BatchAcknowledgment(f"{self.seed:02d}{batch.batch_id}"[:30],
                                   Payer(payer.name if payer else "SIMULATED CLEARINGHOUSE",
                                         payer.payer_id if payer else "SIMCH"),
                                   batch.batch_id, arrived, batch.billing.name, batch.billing.npi, tuple(verdicts))

    def _decide(self, state: PayerState, claim: ProfessionalClaim, member: Member, payer: PayerProfile,
                arrived: datetime.date, number: str) -> list[tuple[str, PaidClaim]]:
        """The 835 claim payments (by payer) for one accepted claim: a reversal first when it replaces or voids
        one; the supplemental payer's decision after a crossover."""
        results: list[tuple[str, PaidClaim]] = []
        if claim.frequency_code in ("7", "8"):
            earlier = state.decided.pop(claim.payer_claim_number or "", None)
            if earlier is not None:
                previous = _claim_from_json(earlier)
                results.append((payer.payer_id, reversal_of(previous)))
                for key, owner in list(state.history.paid_services.items()):
                    if owner == previous.payer_claim_number:
                        del state.history.paid_services[key]
            if claim.frequency_code == "8":
                return results
        paid = adjudicate(claim, member, payer, self.tables, state.history, received=arrived, claim_number=number)
        state.decided[number] = _claim_json(paid)
        results.append((payer.payer_id, paid))
        if paid.crossover_payer_id:
            results += self._crossover(state, claim, paid, member, arrived)
        return results

    def _crossover(self, state: PayerState, claim: ProfessionalClaim, paid: PaidClaim, member: Member,
                   arrived: datetime.date) -> list[tuple[str, PaidClaim]]:
        """A primary that forwards its claim (CLP02 19): the supplemental payer decides it with the primary's
        adjudication, as if the practice had sent it the secondary claim."""
        payer = self.payers.get(paid.crossover_payer_id)
        supplement = self.roster.find(paid.crossover_payer_id, member.crossover_member_id or "")
        if payer is None or supplement is None:
            return []
        lines = tuple(replace(line, adjudication=LineAdjudication(
            member.payer_id, result.paid, result.code, result.modifiers, int(result.units),
            tuple(Adjustment(a.group, a.reason, a.amount) for a in result.adjustments), arrived))
            for line, result in zip(claim.lines, paid.lines, strict=True))
        secondary = replace(claim, lines=lines, payer=Payer(payer.name, payer.payer_id), order="S",
                            member_id=supplement.member_id, filing_indicator="CI", payer_claim_number=None)
        number = self._claim_number(state, arrived)
        decision = adjudicate(secondary, supplement, payer, self.tables, state.history, received=arrived,
                              claim_number=number)
        state.decided[number] = _claim_json(decision)
        return [(payer.payer_id, decision)]

    def _claim_number(self, state: PayerState, arrived: datetime.date) -> str:
        state.history.next_claim_number += 1
        return f"{arrived:%y%j}{self.seed:02d}{state.history.next_claim_number:07d}"

    def _profile(self, batch: Received837) -> ClearinghouseProfile:
        """Answers go from the receiver of the 837 back to its submitter."""
        return ClearinghouseProfile(submitter_id=batch.receiver.identifier or "SIMPAYER",
                                    submitter_name=batch.receiver.name or "SIMULATED PAYER",
                                    submitter_contact="EDI SUPPORT", submitter_phone="2155550199",
                                    receiver_id=batch.submitter.identifier, receiver_name=batch.submitter.name)

    def _control(self, state: PayerState) -> ControlNumbers:
        state.interchange += 1
        return ControlNumbers(state.interchange, state.interchange, 1)

    def _write(self, name: str, text: str) -> Path:
        outbox = self.folder / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        target = outbox / name
        partial = outbox / f".{name}.partial"
        partial.write_text(text, encoding="ascii")
        os.replace(partial, target)
        return target

    def _file_time(self, path: Path) -> datetime.datetime | None:
        """When the file was sent (ISA09 and ISA10, UTC), which stands for when it was received; None without."""
        head = path.read_bytes()[:106].decode("ascii", "replace")
        try:
            elements = head.split(head[3])
            return datetime.datetime.strptime(elements[9] + elements[10], "%y%m%d%H%M").replace(tzinfo=datetime.UTC)
        except (IndexError, ValueError):
            return None

    def _load(self) -> PayerState:
        path = self.folder / "state.json"
        if not path.exists():
            return PayerState()
        data = json.loads(path.read_text())
        return PayerState(History(**data["history"]), data["interchange"], data["traces"], data["decided"],
                          data.get("held", {}))

    def _save(self, state: PayerState) -> None:
        path = self.folder / "state.json"
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps({"history": asdict(state.history), "interchange": state.interchange,
                                       "traces": state.traces, "decided": state.decided, "held": state.held},
                                      indent=1, sort_keys=True))
        os.replace(partial, path)
