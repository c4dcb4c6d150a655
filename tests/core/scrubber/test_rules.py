"""A test per scrubber rule: a claim that triggers it, a near miss that does not, and date boundaries."""

from __future__ import annotations

import copy
import dataclasses
import datetime
from pathlib import Path
from typing import Any

import pytest
from scrub_claims import AS_OF, BASE, Scrub, line, rules

from dermbill.core.errors import InvalidInput
from dermbill.core.resubmission import RejectedBefore, fingerprint
from dermbill.core.scrubber.claim import parse_claim
from dermbill.core.scrubber.findings import Fix
from dermbill.core.scrubber.registry import RULE_IDS, scrub_claim
from dermbill.core.scrubber.tables import ScrubTables


def test_the_base_claim_is_clean(scrub: Scrub) -> None:
    result = scrub()
    assert result.findings == () and result.clean
    assert result.to_json() == {"findings": [], "clean": True}


# ncci-ptp ---------------------------------------------------------------------------------------

def test_ncci_pair_without_modifier_needs_xs_on_the_column_two_line(scrub: Scrub) -> None:
    result = scrub(lambda c: c["lines"][1].update(modifiers=[]))
    assert rules(result) == [("ncci-ptp", "error", (1, 2))]
    assert "append modifier XS to line 2" in result.findings[0].fix
    assert not result.clean


def test_ncci_pair_with_an_ncci_modifier_on_either_line_passes(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: c["lines"][1].update(modifiers=["59"]))) == []
    assert rules(scrub(lambda c: (c["lines"][1].update(modifiers=[]), c["lines"][0].update(modifiers=["XS"])))) == []


def test_indicator_0_pair_is_never_paid_together(scrub: Scrub) -> None:
    def change(claim: dict[str, Any]) -> None:
        claim["lines"] = [line("17004", 2), line("17000", 2, modifiers=["XS"])]

    result = scrub(change)
    assert ("ncci-ptp", "error", (1, 2)) in rules(result)
    assert "indicator 0" in result.findings[0].message


def test_a_deleted_edit_applies_up_to_its_deletion_date_only(scrub: Scrub) -> None:
    # 10060/99213 was deleted 2019-12-31 (visits are left to modifier-missing, so use a procedure pair).
    from dermbill.reference.scrub_tables import scrub_tables

    ptp = scrub_tables().coding.ptp
    deleted = next(e for edits in ptp.releases[0].edits.values() for e in edits
                   if e.deleted_after != 99991231 and e.modifier_indicator != "9"
                   and not e.column1.startswith("99") and not e.column2.startswith("99")
                   and ptp.edit_between(e.column1, e.column2, on=datetime.date(2026, 1, 1)) is None)
    day = deleted.deleted_after
    last = datetime.date(day // 10000, day // 100 % 100, day % 100)
    assert ptp.edit_between(deleted.column1, deleted.column2, on=last) is not None
    assert ptp.edit_between(deleted.column1, deleted.column2, on=last + datetime.timedelta(days=1)) is None


# mue --------------------------------------------------------------------------------------------

def test_units_above_the_mue_for_the_day(scrub: Scrub) -> None:
    over = scrub(lambda c: c["lines"].append(line("17003", 2, units=14)))
    assert rules(over) == [("mue", "error", (3,))]
    assert "allows 13" in over.findings[0].message
    assert rules(scrub(lambda c: c["lines"].append(line("17003", 2, units=13)))) == []


def test_date_of_service_mue_adds_the_units_of_every_line(scrub: Scrub) -> None:
    # 11103: MUE 6 (MAI 3), summed over lines.
    def change(claim: dict[str, Any]) -> None:
        claim["lines"] = [line("11102"), line("11103", units=4, modifiers=["XS"]), line("11103", units=3)]

    assert ("mue", "error", (2, 3)) in rules(scrub(change))


# units-invalid ----------------------------------------------------------------------------------

def test_a_once_per_session_code_with_more_units(scrub: Scrub) -> None:
    result = scrub(lambda c: c["lines"][1].update(units=2))
    assert rules(result) == [("units-invalid", "error", (2,))]
    assert rules(scrub(lambda c: c["lines"][0].update(units=2))) == []  # two lesions excised: fine
    assert rules(scrub(lambda c: c["lines"][0].update(units=0))) == [("units-invalid", "error", (1,))]


# add-on-without-primary -------------------------------------------------------------------------

def test_add_on_without_its_primary(scrub: Scrub) -> None:
    result = scrub(lambda c: c["lines"].__setitem__(1, line("17003", 2, units=2)))
    assert rules(result) == [("add-on-without-primary", "error", (2,))]
    assert rules(scrub(lambda c: c["lines"].append(line("17003", 2, units=2)))) == []


# code-invalid-on-dos ----------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "day", "flagged"), [
    ("11100", "2018-12-31", False), ("11100", "2019-01-01", True),
    ("11102", "2018-12-31", True), ("11102", "2019-01-01", False),
    ("99201", "2020-12-31", False), ("99201", "2021-01-01", True),
    ("11304", "2026-03-02", True), ("1160", "2026-03-02", True), ("11750", "2026-03-02", False),
])
def test_codes_must_be_in_force_on_the_date_of_service(scrub: Scrub, code: str, day: str, flagged: bool) -> None:
    def change(claim: dict[str, Any]) -> None:
        claim["date_of_service"], claim["submitted_on"] = day, day
        claim["lines"] = [line(code, 1, modifiers=[])]
        claim["diagnoses"] = ["C44.311"]

    found = [r for r, _, _ in rules(scrub(change, as_of=datetime.date.fromisoformat(day)))]
    assert ("code-invalid-on-dos" in found) == flagged


# icd-invalid ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "message"), [("L57", "is a category with subcodes"),
                                               ("C44.31", "is a category with subcodes"),
                                               ("L29.8", "is a category with subcodes"),
                                               ("Q99.999", "is not an ICD-10-CM code")])
def test_diagnoses_must_be_billable_codes(scrub: Scrub, code: str, message: str) -> None:
    result = scrub(lambda c: c["diagnoses"].__setitem__(0, code))
    assert rules(result) == [("icd-invalid", "error", (1,))]
    assert message in result.findings[0].message


# dx-procedure-mismatch --------------------------------------------------------------------------

def test_malignant_excision_for_a_benign_diagnosis(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: c["diagnoses"].__setitem__(0, "D22.39"))) == [
        ("dx-procedure-mismatch", "error", (1,))]
    assert rules(scrub(lambda c: c["diagnoses"].__setitem__(0, "D04.39"))) == []  # in situ is malignant


def test_benign_excision_for_a_malignant_diagnosis(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: c["lines"][0].update(code="11442"))) == [("dx-procedure-mismatch", "error", (1,))]


def test_premalignant_destruction_needs_actinic_keratosis(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: c["diagnoses"].__setitem__(1, "L82.0"))) == [("dx-procedure-mismatch", "error", (2,))]


def test_site_group_of_code_and_diagnosis_must_agree(scrub: Scrub) -> None:
    result = scrub(lambda c: c["diagnoses"].__setitem__(0, "C44.619"))  # forearm BCC on a face-group code
    assert rules(result) == [("dx-procedure-mismatch", "error", (1,))]
    assert "upper" not in result.findings[0].message or "trunk, arms or legs" in result.findings[0].message
    assert rules(scrub(lambda c: (c["diagnoses"].__setitem__(0, "C44.619"), c["lines"][0].update(code="11602")))) == []


# medical-necessity ------------------------------------------------------------------------------

def _sk_removal(claim: dict[str, Any]) -> None:
    claim["diagnoses"] = ["L82.1"]
    claim["lines"] = [line("17110", 1)]


def test_medicare_cosmetic_removal_is_not_medically_necessary(scrub: Scrub) -> None:
    assert rules(scrub(_sk_removal)) == [("medical-necessity", "error", (1,))]


def test_near_misses_of_medical_necessity(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: (_sk_removal(c), c.update(payer="commercial")))) == []
    assert rules(scrub(lambda c: (_sk_removal(c), c["lines"][0].update(modifiers=["GY"])))) == []
    assert rules(scrub(lambda c: (_sk_removal(c), c["diagnoses"].__setitem__(0, "L82.0")))) == []
    symptomatic = {"date_of_service": "2026-03-02", "payer": "medicare", "patient": {"age": 71, "sex": "F"},
                   "lesions": [{"id": "A", "site": "back_upper", "diagnosis": "seborrheic_keratosis",
                                "symptoms": ["bleeding"], "procedures": [{"type": "destruction",
                                                                          "method": "curettage"}]}]}
    assert rules(scrub(lambda c: (_sk_removal(c), c.update(documentation=symptomatic)))) == []
    symptomatic["lesions"][0]["symptoms"] = []
    assert rules(scrub(lambda c: (_sk_removal(c), c.update(documentation=symptomatic)))) == [
        ("medical-necessity", "error", (1,))]


def test_medicare_screening_visit_and_routine_foot_care(scrub: Scrub) -> None:
    screening = scrub(lambda c: (c.update(diagnoses=["Z12.83"]), c.update(lines=[line("99203", 1)])))
    assert rules(screening) == [("medical-necessity", "error", (1,))]
    paring = scrub(lambda c: (c.update(diagnoses=["L84"]), c.update(lines=[line("11056", 1)])))
    assert rules(paring) == [("medical-necessity", "error", (1,))]
    class_findings = [line("11056", 1, modifiers=["Q8"])]
    assert rules(scrub(lambda c: (c.update(diagnoses=["L84"]), c.update(lines=class_findings)))) == []


# modifier-missing -------------------------------------------------------------------------------

def test_visit_with_a_minor_procedure_needs_25(scrub: Scrub) -> None:
    result = scrub(lambda c: c["lines"].insert(0, line("99213", 2)))
    assert rules(result) == [("modifier-missing", "error", (1,))]
    assert result.findings[0].autofix is None  # separately identifiable? the documentation is not attached
    assert rules(scrub(lambda c: c["lines"].insert(0, line("99213", 2, modifiers=["25"])))) == []


def test_documented_separate_visit_gets_a_certain_fix(scrub: Scrub) -> None:
    documentation = {"visit": {"category": "established", "level": 3, "separately_identifiable": True}}
    result = scrub(lambda c: (c["lines"].insert(0, line("99213", 2)), c.update(documentation=documentation)))
    assert result.findings[0].autofix is not None and result.findings[0].autofix.add_modifier == "25"


def test_nail_avulsion_needs_its_digit_modifier(scrub: Scrub) -> None:
    def change(claim: dict[str, Any], modifiers: list[str]) -> None:
        claim["diagnoses"] = ["L60.0"]
        claim["lines"] = [line("11730", 1, modifiers=modifiers)]

    assert rules(scrub(lambda c: change(c, []))) == [("modifier-missing", "error", (1,))]
    assert rules(scrub(lambda c: change(c, ["T5"]))) == []


# modifier-invalid -------------------------------------------------------------------------------

@pytest.mark.parametrize("modifiers", [["XZ"], ["25"], ["59", "XS"], ["XS", "XS"], ["79", "XS", "58", "76", "24"]])
def test_invalid_modifiers(scrub: Scrub, modifiers: list[str]) -> None:
    result = scrub(lambda c: c["lines"][1].update(modifiers=modifiers))
    assert "modifier-invalid" in [r for r, _, _ in rules(result)]


def test_visit_modifiers_on_visits_are_fine_and_procedure_ones_are_not(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: c["lines"].insert(0, line("99213", 2, modifiers=["25"])))) == []
    assert "modifier-invalid" in [r for r, _, _ in rules(scrub(lambda c: c["lines"].insert(
        0, line("99213", 2, modifiers=["25", "79"]))))]


# global-period ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("days_before", "flagged"), [(0, False), (1, True), (10, True), (11, False)])
def test_ten_day_global_period_boundaries(scrub: Scrub, days_before: int, flagged: bool) -> None:
    prior = (datetime.date(2026, 3, 2) - datetime.timedelta(days=days_before)).isoformat()
    result = scrub(lambda c: c.update(prior_procedures=[{"date_of_service": prior, "code": "11602", "related": False}]))
    assert ("global-period" in [r for r, _, _ in rules(result)]) == flagged


def test_global_period_fixes_follow_whether_the_service_is_related(scrub: Scrub) -> None:
    unrelated = scrub(lambda c: c.update(prior_procedures=[{"date_of_service": "2026-02-25", "code": "11602",
                                                             "related": False}]))
    assert {f.autofix.add_modifier for f in unrelated.findings if f.autofix} == {"79"}
    covered = scrub(lambda c: (c.update(prior_procedures=[{"date_of_service": "2026-02-25", "code": "11602"}]),
                               c["lines"][0].update(modifiers=["79"]), c["lines"][1].update(modifiers=["XS", "79"])))
    assert rules(covered) == []
    visit = scrub(lambda c: (c.update(prior_procedures=[{"date_of_service": "2026-02-25", "code": "11602",
                                                          "related": True}]),
                             c.update(lines=[line("99212", 1)])))
    assert rules(visit) == [("global-period", "error", (1,))]


# duplicate-line ---------------------------------------------------------------------------------

def test_the_same_service_twice(scrub: Scrub) -> None:
    assert rules(scrub(lambda c: c["lines"].append(dict(c["lines"][0])))) == [("duplicate-line", "error", (1, 3))]
    assert rules(scrub(lambda c: c["lines"].append(dict(c["lines"][0], modifiers=["XS"])))) == []
    already = scrub(lambda c: c.update(prior_procedures=[{"date_of_service": "2026-03-02", "code": "11642"}]))
    assert rules(already) == [("duplicate-line", "error", (1,))]


# provider-invalid -------------------------------------------------------------------------------

@pytest.mark.parametrize(("where", "value"), [("billing_provider", {"npi": "1234567890", "taxonomy": "207N00000X"}),
                                              ("billing_provider", {"npi": "1234567893", "taxonomy": "207N0000"}),
                                              ("billing_provider", {"npi": "1234567893"}),
                                              ("rendering_provider", {"npi": "123456789"})])
def test_providers_must_have_valid_npis_and_taxonomy(scrub: Scrub, where: str, value: dict[str, str]) -> None:
    assert rules(scrub(lambda c: c.update({where: value}))) == [("provider-invalid", "error", ())]


# missing-field ----------------------------------------------------------------------------------

@pytest.mark.parametrize("change", [
    lambda c: c.pop("place_of_service"), lambda c: c.update(place_of_service="office"),
    lambda c: c.pop("date_of_service"), lambda c: c.update(diagnoses=[]), lambda c: c.update(lines=[]),
    lambda c: c["lines"][0].update(diagnoses=[3]), lambda c: c["lines"][0].update(diagnoses=[]),
    lambda c: c["lines"][0].pop("charge"), lambda c: c["lines"][0].update(charge="1.005"),
    lambda c: c["lines"][0].update(diagnoses=[1, 2, 1]), lambda c: c.pop("patient"),
    lambda c: c.update(diagnoses=["C44.311", "C44.311"]),
])
def test_missing_or_malformed_fields(scrub: Scrub, change: Any) -> None:
    assert "missing-field" in [r for r, _, _ in rules(scrub(change))]


def test_unknown_keys_are_an_error_not_a_finding() -> None:
    with pytest.raises(InvalidInput, match="lines\\[0\\].cpt: is not a known field"):
        parse_claim(dict(BASE, lines=[{"cpt": "11642"}]))


# timely-filing ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("payer", "sent", "flagged"), [
    ("medicare", "2027-03-02", False), ("medicare", "2027-03-03", True),
    ("commercial", "2026-08-29", False), ("commercial", "2026-08-30", True), ("self_pay", "2030-01-01", False),
])
def test_timely_filing_limits_by_payer(scrub: Scrub, payer: str, sent: str, flagged: bool) -> None:
    result = scrub(lambda c: c.update(payer=payer, submitted_on=sent))
    assert ("timely-filing" in [r for r, _, _ in rules(result)]) == flagged


def test_every_rule_id_has_a_test() -> None:
    text = Path(__file__).read_text()
    assert all(f'"{rule}"' in text for rule in RULE_IDS)


def _with_payer_rule(tables: ScrubTables, **changes: object) -> ScrubTables:
    rules = dict(tables.payer_rules)
    rules["TSTAUTH"] = dataclasses.replace(rules["commercial"], payer="TSTAUTH", **changes)  # type: ignore[arg-type]
    return dataclasses.replace(tables, payer_rules=rules)


@pytest.mark.parametrize(("authorization", "flagged"), [(None, True), ("AUTH123", False)])
def test_a_code_the_payer_authorizes_needs_an_authorization_number(tables: ScrubTables, authorization: str | None,
                                                                   flagged: bool) -> None:
    doc = copy.deepcopy(BASE) | {"payer": "commercial", "prior_authorization": authorization}
    doc["lines"] = [line("17311", charge="900.00"), line("17312", charge="500.00")]
    strict = _with_payer_rule(tables, authorization_codes=frozenset({"17311"}))
    found = [(r, lines) for r, _, lines in rules(scrub_claim(parse_claim(doc), strict, as_of=AS_OF,
                                                             payer_key="TSTAUTH"))
             if r == "authorization-missing"]
    assert found == ([("authorization-missing", (1,))] if flagged else [])
    # The same claim to a payer without the rule is not stopped.
    unruled = rules(scrub_claim(parse_claim(doc), tables, as_of=AS_OF))
    assert "authorization-missing" not in [r for r, _, _ in unruled]


def test_an_authorization_number_must_be_text() -> None:
    claim = parse_claim(copy.deepcopy(BASE) | {"prior_authorization": 12})
    assert ("prior_authorization", "must be the payer's authorization number (1 to 50 characters)") in claim.problems


def test_a_payer_that_wants_59_gets_59_in_place_of_xs_as_a_certain_fix(tables: ScrubTables) -> None:
    strict = _with_payer_rule(tables, distinct_modifier="59")
    doc = copy.deepcopy(BASE) | {"payer": "commercial"}
    result = scrub_claim(parse_claim(doc), strict, as_of=AS_OF, payer_key="TSTAUTH")
    fixes = [f.autofix for f in result.findings if f.rule == "modifier-invalid"]
    assert fixes == [Fix(2, "59", ("XS",))]


# rejected-unchanged -----------------------------------------------------------------------------

REJECTED_AS = fingerprint({"member_id": "WRONG123", "lines": [("11642", "610.00")]})


@pytest.mark.parametrize(("now", "flagged"), [
    (REJECTED_AS, True),  # nothing changed since the rejection
    (fingerprint({"member_id": "ABC123", "lines": [("11642", "610.00")]}), False),  # the member ID was corrected
])
def test_a_rejected_claim_that_did_not_change_is_stopped_with_the_rejections_fix(
        tables: ScrubTables, now: str, flagged: bool) -> None:
    rejection = RejectedBefore("member ID: SUBSCRIBER NOT FOUND", "check the member ID against the insurance card",
                               REJECTED_AS, now)
    result = scrub_claim(parse_claim(copy.deepcopy(BASE)), tables, as_of=AS_OF, rejection=rejection)
    found = [f for f in result.findings if f.rule == "rejected-unchanged"]
    assert [(f.severity.value, f.lines) for f in found] == ([("error", ())] if flagged else [])
    assert result.clean is not flagged
    if flagged:
        assert "member ID: SUBSCRIBER NOT FOUND" in found[0].message
        assert found[0].fix.startswith("check the member ID") and "--resubmit-unchanged" in found[0].fix


def test_a_claim_never_rejected_is_not_held_for_it(scrub: Scrub) -> None:
    assert "rejected-unchanged" not in [r for r, _, _ in rules(scrub())]
