"""The check-in checklist's rules: a referral for an HMO patient's Mohs, prior authorization from a payer rule, an ABN
for a Medicare patient's cosmetic removal and not for a covered service, a stale eligibility answer, the copay."""

from __future__ import annotations

import dataclasses
import datetime

from dermbill.core.check_in import (
    AuthorizationKind,
    AuthorizationOnFile,
    CheckInFacts,
    Item,
    Mark,
    State,
    Verification,
    checklist,
    summary,
)
from dermbill.core.dates import DateRange
from dermbill.core.money import Money
from dermbill.reference.abn_reasons import shipped_abn_reasons
from dermbill.reference.scrub_tables import load_policies

DAY = datetime.date(2026, 3, 2)
AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
BASE = CheckInFacts(day=DAY, planned_codes=(), visit_type=None, payer_name="TEST BLUE", payer_kind="commercial",
                    filing_indicator="BL", authorization_codes=frozenset(), on_file=(), verification=None,
                    stale_days=30, abn_reasons=shipped_abn_reasons(), copay_due=None, copay_collected=Money(0),
                    marks={})
HMO = dataclasses.replace(BASE, payer_name="TEST COMMUNITY HMO", filing_indicator="HM",
                          authorization_codes=frozenset({"17311"}), planned_codes=("17311", "17312"))
MEDICARE = dataclasses.replace(BASE, payer_name="TEST MEDICARE", payer_kind="medicare", filing_indicator="MB")


def item(facts: CheckInFacts, which: Item) -> tuple[State, str]:
    found = next(i for i in checklist(facts) if i.item is which)
    return found.state, found.detail


def test_an_hmo_patient_booked_for_mohs_needs_a_referral_and_the_authorization() -> None:
    state, detail = item(HMO, Item.AUTHORIZATION)
    assert state is State.ATTENTION
    assert "TEST COMMUNITY HMO (an HMO) wants a referral from the primary care physician" in detail
    assert "wants prior authorization for 17311 (its payer rule); without it the claim is denied (CO-197): none on " \
           "file" in detail
    assert "17312" not in detail  # the add-on stage is not in the payer's list


def test_the_referral_and_authorization_on_file_satisfy_it_only_while_valid() -> None:
    on_file = (AuthorizationOnFile(AuthorizationKind.REFERRAL, "R-100", frozenset(), DateRange(DAY, None)),
               AuthorizationOnFile(AuthorizationKind.PRIOR_AUTHORIZATION, "PA-7", frozenset({"17311"}),
                                   DateRange(datetime.date(2026, 2, 1), datetime.date(2026, 3, 31))))
    state, detail = item(dataclasses.replace(HMO, on_file=on_file), Item.AUTHORIZATION)
    assert state is State.DONE
    assert detail == "referral R-100 on file; prior authorization PA-7 on file, valid to 2026-03-31"
    expired = dataclasses.replace(HMO, on_file=on_file, day=datetime.date(2026, 4, 1))
    assert item(expired, Item.AUTHORIZATION)[0] is State.ATTENTION
    wrong_code = (on_file[0], dataclasses.replace(on_file[1], codes=frozenset({"17313"})))
    assert item(dataclasses.replace(HMO, on_file=wrong_code), Item.AUTHORIZATION)[0] is State.ATTENTION


def test_no_authorization_is_needed_for_a_ppo_without_payer_rules() -> None:
    assert item(dataclasses.replace(BASE, planned_codes=("17311",)), Item.AUTHORIZATION)[0] is State.NOT_NEEDED


def test_a_medicare_patient_booked_for_a_cosmetic_removal_needs_an_abn() -> None:
    state, detail = item(dataclasses.replace(MEDICARE, planned_codes=("99213", "11200", "17110")), Item.ABN)
    assert state is State.ATTENTION
    assert detail.startswith("Medicare may not pay for 11200, 17110 (cosmetic or not medically necessary)")
    signed = dataclasses.replace(MEDICARE, planned_codes=("11200",),
                                 marks={Item.ABN: Mark("front@era.test", AT, "signed, option 1")})
    assert item(signed, Item.ABN) == (State.DONE, "signed, option 1")


def test_no_abn_for_a_covered_service_or_a_patient_who_is_not_on_medicare() -> None:
    assert item(dataclasses.replace(MEDICARE, planned_codes=("17000", "11102", "17311")), Item.ABN)[0] \
        is State.NOT_NEEDED
    assert item(dataclasses.replace(BASE, planned_codes=("11200",)), Item.ABN) == (State.NOT_NEEDED,
                                                                                  "not a Medicare patient")
    # A visit code is a risk only on a screening visit.
    assert item(dataclasses.replace(MEDICARE, planned_codes=("99213",)), Item.ABN)[0] is State.NOT_NEEDED
    screening = dataclasses.replace(MEDICARE, planned_codes=("99213",), visit_type="Skin cancer screening")
    assert item(screening, Item.ABN)[0] is State.ATTENTION


def test_a_stale_eligibility_answer_is_flagged() -> None:
    fresh = dataclasses.replace(BASE, verification=Verification(DAY - datetime.timedelta(days=30), active=True))
    assert item(fresh, Item.COVERAGE) == (State.DONE, "active: eligibility answer (271) of 2026-01-31, 30 days "
                                                      "before the visit")
    stale = dataclasses.replace(BASE, verification=Verification(DAY - datetime.timedelta(days=31), active=True))
    state, detail = item(stale, Item.COVERAGE)
    assert state is State.ATTENTION and "older than the practice's limit of 30 days" in detail
    stricter = dataclasses.replace(fresh, stale_days=7)
    assert item(stricter, Item.COVERAGE)[0] is State.ATTENTION
    ended = dataclasses.replace(BASE, verification=Verification(DAY, active=False))
    assert "says the coverage is not active" in item(ended, Item.COVERAGE)[1]


def test_coverage_verified_by_hand_counts_and_goes_stale_too() -> None:
    assert item(BASE, Item.COVERAGE)[0] is State.TO_DO
    by_phone = dataclasses.replace(BASE, marks={Item.COVERAGE: Mark("a@b", AT, "verified by phone")})
    assert item(by_phone, Item.COVERAGE) == (State.DONE, "verified by phone")
    old = dataclasses.replace(BASE, marks={Item.COVERAGE: Mark("a@b", AT - datetime.timedelta(days=40))})
    assert item(old, Item.COVERAGE)[0] is State.ATTENTION
    self_pay = dataclasses.replace(BASE, payer_name=None, payer_kind=None)
    assert item(self_pay, Item.COVERAGE)[0] is State.NOT_NEEDED


def test_the_copay_is_to_do_until_collected() -> None:
    due = dataclasses.replace(BASE, copay_due=Money(4000))
    assert item(due, Item.COPAY) == (State.TO_DO, "collect $40.00 (copay $40.00)")
    part = dataclasses.replace(due, copay_collected=Money(1500))
    assert item(part, Item.COPAY) == (State.TO_DO, "collect $25.00 (copay $40.00, $15.00 collected)")
    assert item(dataclasses.replace(due, copay_collected=Money(4000)), Item.COPAY)[0] is State.DONE
    assert item(BASE, Item.COPAY)[0] is State.NOT_NEEDED


def test_the_summary_names_what_is_left() -> None:
    marks = {Item.IDENTITY: Mark("a", AT), Item.DEMOGRAPHICS: Mark("a", AT), Item.COVERAGE: Mark("a", AT)}
    assert summary(checklist(dataclasses.replace(BASE, marks=marks))) == "Ready for the visit"
    assert summary(checklist(BASE)).startswith("Still to do: Identity and insurance card checked")


def test_the_abn_table_covers_every_code_the_scrubbers_medicare_policies_may_deny() -> None:
    abn = {code for reason in shipped_abn_reasons() for code in reason.codes}
    policies = load_policies()
    at_risk = {code for p in policies if p.payer == "medicare" and p.kind != "actinic_keratosis" for code in p.codes}
    assert abn == at_risk
    known = {p.policy_id for p in policies}
    assert all(reason.policy in known for reason in shipped_abn_reasons())
