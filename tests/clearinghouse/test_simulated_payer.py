"""The simulated payer end to end on real files: repeatable, answers replacements and voids, rejects what it must."""

from __future__ import annotations

import csv
import datetime
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from dermbill.clearinghouse.simulated_payer.adjudication import (
    REMITTANCE_FILING_INDICATORS,
    remittance_filing_indicator,
)
from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile, write_roster
from dermbill.clearinghouse.simulated_payer.service import SimulatedPayer, read_payers, write_payers
from dermbill.core.claim_form import Address, BillingProvider, Payer, Person, ProfessionalClaim, ServiceLine
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.x12.acknowledgment_999 import read_999
from dermbill.x12.claim_837p import Batch837, write_837p
from dermbill.x12.claim_status_277 import read_277
from dermbill.x12.eligibility_271 import read_271
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.inquiries import ClaimStatusInquiry, EligibilityInquiry, write_270, write_276
from dermbill.x12.inquiries_reader import read_270, read_276
from dermbill.x12.remittance_835 import read_835_json
from dermbill.x12.tokenizer import read_file, segments_of
from dermbill.x12.transactions import transaction_sets

DOS = datetime.date(2026, 3, 2)
SENT = datetime.datetime(2026, 3, 5, 18, 0, tzinfo=datetime.UTC)
MEDICARE = PayerProfile("TSTMCR", "TEST MEDICARE", "medicare", 100, 365)
SUPPLEMENT = PayerProfile("TSTBLU", "TEST BLUE", "commercial", 128, 180)
PATIENT = Person("DOE", "JANE", datetime.date(1950, 1, 1), "F", Address("2 TEST ST", "ANYTOWN", "PA", "19099"))
PROFILE = ClearinghouseProfile("DERMBILLTEST", "TEST BILLING", "DESK", "2155550100", "SIMPAYER", "SIMULATED PAYER")
BILLING = BillingProvider("TEST DERMATOLOGY", "1234567893", "990000001", "207N00000X",
                          Address("1 TEST ST", "ANYTOWN", "PA", "19099"))


def folder_with(tmp_path: Path, *, crossover: bool = False, supplement: PayerProfile = SUPPLEMENT) -> Path:
    folder = tmp_path / "payer"
    folder.mkdir()
    write_payers(folder / "payers.csv", [MEDICARE, supplement])
    write_roster(folder / "roster.csv", [
        Member("TSTMCR", "1EG4TE5MK72", "DOE", "JANE", PATIENT.date_of_birth, datetime.date(2015, 1, 1), None,
               Money(0), 20, Money(0), "TSTBLU" if crossover else None, "TBLU1" if crossover else None),
        Member("TSTBLU", "TBLU1", "DOE", "JANE", PATIENT.date_of_birth, datetime.date(2015, 1, 1), None,
               Money(0), 0, Money(0)),
    ])
    return folder


def claim(pcn: str = "C1", *, member: str = "1EG4TE5MK72", payer: str = "TSTMCR", frequency: str = "1",
          payer_claim_number: str | None = None, lines: tuple[ServiceLine, ...] | None = None,
          diagnoses: tuple[str, ...] = ("D48.5", "L57.0"),
          prior_authorization: str | None = None) -> ProfessionalClaim:
    lines = lines or (ServiceLine("11102", (), Money(15000), 1, (1,), DOS, f"{pcn}-1"),
                      ServiceLine("17000", ("XS",), Money(12000), 1, (2,), DOS, f"{pcn}-2"))
    return ProfessionalClaim(pcn, Money(sum(line.charge.cents for line in lines)), "11", frequency, diagnoses, lines,
                             Payer("TEST PAYER", payer), "P", "MB", PATIENT, member, None, "18", PATIENT,
                             "1234567893", Person("DOC", "ANN"), payer_claim_number=payer_claim_number,
                             prior_authorization=prior_authorization)


def send(payer: SimulatedPayer, tmp_path: Path, name: str, *claims: ProfessionalClaim, number: int = 1) -> list[Path]:
    path = tmp_path / name
    path.write_text(write_837p(Batch837(BILLING, claims, f"B{number}"), PROFILE, ControlNumbers(number, number, 1),
                               SENT))
    payer.send([path])
    return payer.fetch(tmp_path / f"inbox{number}")


def answers(files: list[Path], kind: str) -> list[dict[str, object]]:
    readers = {"999": read_999, "277": read_277, "835": read_835_json}
    return [readers[kind](t) for path in files for t in transaction_sets(read_file(path)) if t.type == kind]


def test_the_same_files_and_seed_give_the_same_answers_byte_for_byte(tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        base = tmp_path / run
        base.mkdir()
        payer = SimulatedPayer.open("sim", folder_with(base), seed=4)
        files = send(payer, base, "837P-1.x12", claim("C1"), claim("C2", member="NOBODY"))
        outputs.append({p.name: p.read_bytes() for p in files})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 3


def test_unknown_members_are_rejected_and_known_ones_paid(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path))
    files = send(payer, tmp_path, "837P-1.x12", claim("C1"), claim("C2", member="NOBODY"))
    [ack] = answers(files, "999")
    assert ack["functional_group"]["status"] == "A"
    [ca] = answers(files, "277")
    verdicts = {c["patient_control_number"]: (c["accepted"], c["statuses"][0]["code"]) for c in ca["claims"]}
    assert verdicts == {"C1": (True, "20"), "C2": (False, "33")}
    [era] = answers(files, "835")
    assert [c["patient_control_number"] for c in era["claims"]] == ["C1"] and era["balance"]["balanced"]
    assert [c["status_code"] for c in era["claims"]] == ["1"]


def test_a_name_it_already_received_is_not_taken_again(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path))
    assert send(payer, tmp_path, "837P-1.x12", claim("C1"))
    path = tmp_path / "837P-1.x12"
    assert [d.sent for d in payer.send([path])] == [False]
    assert payer.fetch(tmp_path / "inbox-again") == []


def test_a_replacement_reverses_the_first_decision_and_a_void_takes_it_back(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path))
    [first] = answers(send(payer, tmp_path, "837P-1.x12", claim("C1")), "835")
    number = first["claims"][0]["payer_claim_control_number"]
    paid = first["claims"][0]["paid"]
    replacement = replace(claim("C1", frequency="7", payer_claim_number=number))
    [second] = answers(send(payer, tmp_path, "837P-2.x12", replacement, number=2), "835")
    assert [(c["status_code"], c["paid"]) for c in second["claims"]] == [("22", f"-{paid}"), ("1", paid)]
    new_number = second["claims"][1]["payer_claim_control_number"]
    void = claim("C1", frequency="8", payer_claim_number=new_number)
    [third] = answers(send(payer, tmp_path, "837P-3.x12", void, number=3), "835")
    assert [(c["status_code"], c["paid"]) for c in third["claims"]] == [("22", f"-{paid}")]
    assert third["balance"]["balanced"]


def test_without_the_payer_claim_number_a_replacement_is_rejected(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path))
    files = send(payer, tmp_path, "837P-1.x12", claim("C1", frequency="7"))
    [ca] = answers(files, "277")
    assert ca["claims"][0]["rejected"] and answers(files, "835") == []


def test_a_crossover_forwards_the_claim_and_the_supplement_pays_the_patient_share(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path, crossover=True))
    files = send(payer, tmp_path, "837P-1.x12", claim("C1"))
    eras = {era["payer"]["identifier"]: era for era in answers(files, "835")}
    [primary] = eras["TSTMCR"]["claims"]
    [supplement] = eras["TSTBLU"]["claims"]
    assert primary["status_code"] == "19" and "MA18" in primary["remarks"]
    assert supplement["status_code"] == "2" and supplement["patient_control_number"] == "C1"
    assert Money.parse(supplement["paid"]) == Money.parse(primary["patient_responsibility"])
    assert primary["crossover_payer"]["identifier"] == "TSTBLU"  # NM109 of NM1*TT, where a reader looks for it
    # CLP06 names the plan type an 835 knows: MB for Medicare Part B; the supplement's claim, filed CI, as 15.
    assert (primary["filing_indicator"], supplement["filing_indicator"]) == ("MB", "15")


@pytest.mark.parametrize(("sbr09", "clp06"), [("MB", "MB"), ("MC", "MC"), ("HM", "HM"), ("12", "12"), ("BL", "12"),
                                              ("CI", "15"), ("FI", "OF"), ("11", "ZZ"), ("09", "ZZ")])
def test_an_837_filing_indicator_becomes_one_an_835_may_carry(sbr09: str, clp06: str) -> None:
    assert remittance_filing_indicator(sbr09) == clp06 and clp06 in REMITTANCE_FILING_INDICATORS


def _x12_dates(path: Path) -> list[datetime.date]:
    found = []
    for _, segment in read_file(path):
        if segment.id == "ISA":
            found.append(datetime.datetime.strptime(segment.get(9), "%y%m%d").date())
        found += [datetime.datetime.strptime(part, "%Y%m%d").date() for element in segment.elements[1:]
                  for part in re.findall(r"\b20\d{6}\b", element)]
    return found


def test_the_payer_answers_on_the_day_the_file_was_sent_never_later(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path, crossover=True))
    files = send(payer, tmp_path, "837P-1.x12", claim("C1"))
    assert sorted(p.name.split("-")[0] for p in files) == ["277CA", "835", "835", "999"]
    for path in files:
        dates = _x12_dates(path)
        assert SENT.date() in dates and max(dates) == SENT.date(), (path.name, max(dates))
    for era in answers(files, "835"):
        assert era["payment"]["date"] == era["payment"]["production_date"] == SENT.date().isoformat()


def test_what_the_payer_answers_passes_the_independent_validator(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path, crossover=True))
    files = send(payer, tmp_path, "837P-1.x12", claim("C1"), claim("C2", member="NOBODY"))
    files += send(payer, tmp_path, "837P-2.x12", claim("C3", payer="TSTBLU", member="TBLU1"), number=2)
    assert sorted(p.name.split("-")[0] for p in files) == ["277CA", "277CA", "835", "835", "835", "999", "999"]
    validator = Path(sys.executable).parent / "x12valid"
    result = subprocess.run([str(validator), *map(str, files)], capture_output=True, text=True, timeout=300)
    verdicts = [line for line in result.stderr.splitlines() if line.endswith((": OK", ": Failure"))]
    assert len(verdicts) == len(files) and all(v.endswith(": OK") for v in verdicts), result.stderr[-3000:]


def test_an_unknown_payer_is_rejected_and_a_missing_roster_is_a_clear_error(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path))
    [ca] = answers(send(payer, tmp_path, "837P-1.x12", claim("C1", payer="NOSUCH")), "277")
    assert ca["claims"][0]["statuses"][0]["code"] == "116"
    with pytest.raises(InvalidInput, match="needs .*payers.csv"):
        SimulatedPayer.open("sim", tmp_path / "empty")


def test_a_strict_payer_learns_us_its_quirks_through_the_files(tmp_path: Path) -> None:
    strict = replace(SUPPLEMENT, accepts_x_modifiers=False, authorization_codes=("17311",))
    payer = SimulatedPayer.open("sim", folder_with(tmp_path, supplement=strict))

    def sent(pcn: str, day: int, *lines: tuple[str, tuple[str, ...], int],
             prior_authorization: str | None = None) -> ProfessionalClaim:
        on = DOS + datetime.timedelta(days=day)  # a day each, so no claim is a duplicate of another
        return claim(pcn, member="TBLU1", payer="TSTBLU", diagnoses=("C44.311",), lines=tuple(
            ServiceLine(code, modifiers, Money(charge), 1, (1,), on, f"{pcn}-{n}")
            for n, (code, modifiers, charge) in enumerate(lines, start=1)), prior_authorization=prior_authorization)

    files = send(payer, tmp_path, "837P-1.x12",
                 sent("XS", 0, ("11642", (), 60000), ("11102", ("XS",), 15000)),
                 sent("X59", 1, ("11642", (), 60000), ("11102", ("59",), 15000)),
                 sent("NOPA", 2, ("17311", (), 90000)),
                 sent("PA", 3, ("17311", (), 90000), prior_authorization="PA12345"))
    [era] = answers(files, "835")
    assert era["balance"]["balanced"]
    outcome = {c["patient_control_number"]: [
        ([f"{a['group']}-{a['reason']}" for a in line["adjustments"]] + line["remarks"], Money.parse(line["paid"]))
        for line in c["lines"]] for c in era["claims"]}
    assert outcome["XS"][1] == (["CO-97", "M15"], Money.zero())
    assert all(paid.cents > 0 for _, paid in outcome["X59"])
    assert outcome["NOPA"] == [(["CO-197", "M62"], Money.zero())]
    assert all(paid.cents > 0 for _, paid in outcome["PA"])


def test_payers_read_back_what_we_write_with_their_quirks(tmp_path: Path) -> None:
    strict = replace(SUPPLEMENT, accepts_x_modifiers=False, authorization_codes=("17311", "17312", "96567"))
    path = tmp_path / "payers.csv"
    write_payers(path, [MEDICARE, strict])
    assert read_payers(path) == {"TSTMCR": MEDICARE, "TSTBLU": strict}
    assert "17311 17312 96567" in path.read_text()


def test_a_payers_file_without_the_new_columns_still_loads_with_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "payers.csv"
    path.write_text("payer_id,name,kind,fee_percent,timely_filing_days,days_to_pay,patient_owes_after_secondary\n"
                    "TSTMCR,TEST MEDICARE,medicare,100,365,14,true\n")
    [loaded] = read_payers(path).values()
    assert loaded == MEDICARE and loaded.accepts_x_modifiers and loaded.authorization_codes == ()
    path.write_text("payer_id,name,kind,fee_percent,timely_filing_days,days_to_pay,patient_owes_after_secondary,"
                    "accepts_x_modifiers,authorization_codes\nTSTMCR,TEST MEDICARE,medicare,100,365,14,true,,\n")
    assert read_payers(path) == {"TSTMCR": MEDICARE}


@pytest.mark.parametrize(("flag", "codes", "message"), [
    ("maybe", "", "line 2: accepts_x_modifiers is 'maybe'; expected true or false"),
    ("false", "17311,17312", "line 2: authorization_codes: '17311,17312' is not a procedure code"),
])
def test_a_bad_quirk_in_the_payers_file_names_the_line(tmp_path: Path, flag: str, codes: str, message: str) -> None:
    path = tmp_path / "payers.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([
            ["payer_id", "name", "kind", "fee_percent", "timely_filing_days", "days_to_pay",
             "patient_owes_after_secondary", "accepts_x_modifiers", "authorization_codes"],
            ["TSTBLU", "TEST BLUE", "commercial", "128", "180", "14", "true", flag, codes]])
    with pytest.raises(InvalidInput, match=re.escape(message)):
        read_payers(path)


def test_eligibility_and_claim_status_inquiries_are_answered(tmp_path: Path) -> None:
    payer = SimulatedPayer.open("sim", folder_with(tmp_path))
    [era] = answers(send(payer, tmp_path, "837P-1.x12", claim("C1")), "835")
    on = datetime.date(2026, 3, 20)
    asked = (EligibilityInquiry("ELIG1", Payer("TEST MEDICARE", "TSTMCR"), "TEST DERMATOLOGY", "1234567893",
                                PATIENT, "1EG4TE5MK72", on),
             EligibilityInquiry("ELIG2", Payer("TEST MEDICARE", "TSTMCR"), "TEST DERMATOLOGY", "1234567893",
                                PATIENT, "NOBODY", on))
    status = (ClaimStatusInquiry("ST1", Payer("TEST MEDICARE", "TSTMCR"), "TEST DERMATOLOGY", "1234567893", PATIENT,
                                 "1EG4TE5MK72", "C1", Money(27000), DOS, DOS),
              ClaimStatusInquiry("ST2", Payer("TEST MEDICARE", "TSTMCR"), "TEST DERMATOLOGY", "1234567893", PATIENT,
                                 "1EG4TE5MK72", "C9", Money(27000), DOS, DOS))
    path = tmp_path / "inquiries.x12"
    path.write_text(write_270(asked, PROFILE, ControlNumbers(5, 5, 1), SENT))
    payer.send([path])
    [eligibility_file] = payer.fetch(tmp_path / "inbox-271")
    path = tmp_path / "status.x12"
    path.write_text(write_276(status, PROFILE, ControlNumbers(6, 6, 1), SENT))
    payer.send([path])
    [status_file] = payer.fetch(tmp_path / "inbox-277")

    found, missing = [read_271(t) for t in transaction_sets(read_file(eligibility_file))]
    assert found["subscribers"][0]["benefits"][0]["code"] == "1"  # active coverage
    # Jane Doe is a member under another ID: 72, invalid member ID (75, not found, is for a person it does not know).
    assert missing["subscribers"][0]["errors"][0]["reason"] == "72"
    paid, unknown = [read_277(t)["claims"][0] for t in transaction_sets(read_file(status_file))]
    assert (paid["patient_control_number"], paid["statuses"][0]["category"]) == ("C1", "F1")
    assert Money.parse(paid["statuses"][0]["paid"]) == Money.parse(era["claims"][0]["paid"])
    assert (unknown["statuses"][0]["category"], unknown["statuses"][0]["code"]) == ("A4", "35")


@pytest.mark.parametrize("dependent", [None, Person("DOE", "JIM", datetime.date(2015, 6, 1), "M")])
def test_inquiries_read_back_what_we_write(dependent: Person | None) -> None:
    eligibility = EligibilityInquiry("T1", Payer("TEST PAYER", "TSTBLU"), "TEST DERM", "1234567893",
                                     replace(PATIENT, address=None), "M1", DOS, dependent, ("30", "98"))
    [transaction] = transaction_sets(segments_of(write_270((eligibility,), PROFILE, ControlNumbers(1, 1, 1), SENT)))
    # With a dependent, the guides carry the subscriber's name and ID only (no DMG).
    sent = replace(PATIENT, address=None) if dependent is None else Person("DOE", "JANE")
    assert read_270(transaction) == replace(eligibility, subscriber=sent)
    status = ClaimStatusInquiry("T2", Payer("TEST PAYER", "TSTBLU"), "TEST DERM", "1234567893",
                                replace(PATIENT, address=None), "M1", "C1", Money(27000), DOS, DOS, "ICN1",
                                dependent)
    [transaction] = transaction_sets(segments_of(write_276((status,), PROFILE, ControlNumbers(1, 1, 1), SENT)))
    assert read_276(transaction) == [replace(status, subscriber=sent)]


def test_claims_it_holds_for_review_or_records_get_no_835_and_their_own_277_answers(tmp_path: Path) -> None:
    holding = replace(MEDICARE, review_codes=("17000",), records_codes=("11642",))
    folder = folder_with(tmp_path)
    write_payers(folder / "payers.csv", [holding, SUPPLEMENT])
    assert read_payers(folder / "payers.csv")["TSTMCR"] == holding
    payer = SimulatedPayer.open("sim", folder)
    review = claim("R1", lines=(ServiceLine("17000", (), Money(12000), 1, (1,), DOS, "R1-1"),))
    records = claim("R2", lines=(ServiceLine("11642", (), Money(60000), 1, (1,), DOS + datetime.timedelta(days=1),
                                             "R2-1"),))
    paid = claim("C1", lines=(ServiceLine("11102", (), Money(15000), 1, (1,), DOS + datetime.timedelta(days=2),
                                          "C1-1"),))
    files = send(payer, tmp_path, "837P-1.x12", review, records, paid)
    [ca] = answers(files, "277")
    assert all(c["accepted"] for c in ca["claims"])
    [era] = answers(files, "835")
    assert [c["patient_control_number"] for c in era["claims"]] == ["C1"]
    asked = tuple(ClaimStatusInquiry(f"ST{pcn}", Payer("TEST MEDICARE", "TSTMCR"), "TEST DERMATOLOGY", "1234567893",
                                     PATIENT, "1EG4TE5MK72", pcn, Money(12000), DOS, DOS) for pcn in ("R1", "R2"))
    path = tmp_path / "status.x12"
    path.write_text(write_276(asked, PROFILE, ControlNumbers(6, 6, 1), SENT))
    payer.send([path])
    [status_file] = payer.fetch(tmp_path / "inbox-277")
    found = [read_277(t) for t in transaction_sets(read_file(status_file))]
    assert [(a["trace_number"], a["claims"][0]["statuses"][0]["category"], a["claims"][0]["statuses"][0]["code"])
            for a in found] == [("STR1", "P2", "41"), ("STR2", "R4", "2")]
    assert all(a["claims"][0]["payer_claim_control_number"] for a in found)
