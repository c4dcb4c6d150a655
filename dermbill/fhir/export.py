"""dermbill's claims, adjudications, patients and coverage as FHIR R4 resources, each validated with
fhir.resources (R4B models) before it is returned.

- Patient: the account number as an MR identifier, name, birth date, gender, address, phone and e-mail.
- Coverage: the payer (its X12 payer ID and name), member ID (``subscriberId``), group, order, relationship (FHIR
  and X12 codes), period, copay; a subscriber other than the patient as a contained RelatedPerson.
- Encounter, Condition and Procedure: the visit behind a claim (date, rendering provider by NPI, location), its
  ICD-10-CM diagnoses, and one Procedure per claim line (CPT/HCPCS code, modifiers and units as extensions, the
  documented site as ``bodySite`` text), so that an export can be imported elsewhere (see ``ehr_bundle``).
- Claim: the professional claim as billed: items with code, modifiers, units, charge, diagnosis pointers, place
  of service; the billing provider and the rendering provider by NPI.
- ClaimResponse and ExplanationOfBenefit: one per payer answer (an 835 claim payment): per line the charge
  (``submitted``), allowed (``eligible``), paid (``benefit``), each CAS adjustment (group, CARC, amount) and each
  RARC; the payment's date, amount and trace number.

Codes only, never descriptor text: CPT in http://www.ama-assn.org/go/cpt (AMA descriptors are licensed), ICD-10-CM
in http://hl7.org/fhir/sid/icd-10-cm, NPIs in http://hl7.org/fhir/sid/us-npi, CARC and RARC in X12's code lists.
Money is ``Decimal`` from integer cents (``Money``), written exactly (see ``validation.dumps``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from dermbill.core.money import Money
from dermbill.core.remittance import CLAIM_STATUS_WORDS
from dermbill.fhir import systems
from dermbill.fhir.facts import (
    AdjudicatedLineFacts,
    AdjudicationFacts,
    ClaimFacts,
    CoverageFacts,
    PatientFacts,
    PayerFacts,
    PracticeFacts,
    ProviderFacts,
)
from dermbill.fhir.validation import Resource, validated

BUNDLE_TYPES = ("collection", "searchset")
X12_RELATIONSHIP = "https://x12.org/codes/individual-relationship-codes"
COPAY_TYPE = "http://terminology.hl7.org/CodeSystem/coverage-copay-type"
CARE_TEAM_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
PAYMENT_TYPE = "http://terminology.hl7.org/CodeSystem/ex-paymenttype"


def money(amount: Money) -> dict[str, Any]:
    """A FHIR Money: the exact decimal of the cents, in US dollars."""
    return {"value": amount.to_decimal(), "currency": "USD"}


def procedure_coding(code: str) -> dict[str, str]:
    """A CPT code (five digits, or four and F/T), or a HCPCS Level II code (a letter and four digits): code only."""
    system = systems.HCPCS if code[:1].isalpha() else systems.CPT
    return {"system": system, "code": code}


def modifier_coding(modifier: str) -> dict[str, str]:
    return {"system": systems.CPT if modifier.isdigit() else systems.HCPCS, "code": modifier}


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _npi(provider: ProviderFacts) -> dict[str, Any]:
    return {"identifier": {"system": systems.NPI, "value": provider.npi},
            "display": f"{provider.last_name}, {provider.first_name}"}


def _billing(practice: PracticeFacts) -> dict[str, Any]:
    return {"identifier": {"system": systems.NPI, "value": practice.billing_npi}, "display": practice.legal_name}


def _payer(payer: PayerFacts) -> dict[str, Any]:
    return {"identifier": {"system": systems.PAYER_ID, "value": payer.payer_identifier}, "display": payer.name}


def _name(last: str, first: str, middle: str | None = None) -> dict[str, Any]:
    return {"use": "official", "family": last, "given": [first, *([middle] if middle else [])]}


def _zip(zip_code: str) -> str:
    return f"{zip_code[:5]}-{zip_code[5:]}" if len(zip_code) == 9 else zip_code


def patient_resource(patient: PatientFacts) -> Resource:
    """A Patient: the practice's account number is its MR identifier."""
    resource: Resource = {
        "resourceType": "Patient", "id": str(patient.id),
        "identifier": [{"use": "usual", "type": _concept(systems.IDENTIFIER_TYPE, "MR"),
                        "system": systems.ACCOUNT_PREFIX + patient.practice_code, "value": patient.account_number}],
        "name": [_name(patient.last_name, patient.first_name, patient.middle_name)],
        "gender": systems.SEX_TO_GENDER.get(patient.sex, "unknown"),
        "birthDate": patient.date_of_birth.isoformat(),
        "address": [{"use": "home", "line": [line for line in (patient.address_line1, patient.address_line2) if line],
                     "city": patient.city, "state": patient.state, "postalCode": _zip(patient.zip_code),
                     "country": "US"}],
    }
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "home"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    return validated(resource)


def coverage_resource(coverage: CoverageFacts) -> Resource:
    """A Coverage: the payer, member ID, group, order, relationship and period (and the subscriber when another
    person, as a contained RelatedPerson)."""
    relationship = {"coding": [
        {"system": systems.SUBSCRIBER_RELATIONSHIP,
         "code": systems.RELATIONSHIP_TO_FHIR.get(coverage.relationship_code, "other")},
        {"system": X12_RELATIONSHIP, "code": coverage.relationship_code}]}
    period = {"start": coverage.effective_date.isoformat()}
    if coverage.termination_date is not None:
        period["end"] = coverage.termination_date.isoformat()
    resource: Resource = {
        "resourceType": "Coverage", "id": str(coverage.id),
        "identifier": [{"type": _concept(systems.IDENTIFIER_TYPE, "MB"),
                        "system": f"{systems.PAYER_ID}:{coverage.payer.payer_identifier}",
                        "value": coverage.member_id}],
        "status": "active", "subscriberId": coverage.member_id,
        "beneficiary": {"reference": f"Patient/{coverage.patient_id}"},
        "relationship": relationship, "period": period, "payor": [_payer(coverage.payer)],
        "order": systems.COVERAGE_ORDER[coverage.coverage_order],
    }
    if coverage.group_number:
        resource["class"] = [{"type": _concept(systems.COVERAGE_CLASS, "group"), "value": coverage.group_number}]
    if coverage.copay is not None:
        resource["costToBeneficiary"] = [{"type": _concept(COPAY_TYPE, "copay"), "valueMoney": money(coverage.copay)}]
    if coverage.relationship_code == "18":
        resource["subscriber"] = {"reference": f"Patient/{coverage.patient_id}"}
    elif coverage.subscriber_last_name:
        person: Resource = {"resourceType": "RelatedPerson", "id": "subscriber",
                            "patient": {"reference": f"Patient/{coverage.patient_id}"},
                            "name": [_name(coverage.subscriber_last_name, coverage.subscriber_first_name or "")]}
        if coverage.subscriber_date_of_birth is not None:
            person["birthDate"] = coverage.subscriber_date_of_birth.isoformat()
        if coverage.subscriber_sex:
            person["gender"] = systems.SEX_TO_GENDER.get(coverage.subscriber_sex, "unknown")
        resource["contained"] = [person]
        resource["subscriber"] = {"reference": "#subscriber"}
    return validated(resource)


def visit_identifier(claim: ClaimFacts) -> str:
    """The visit's identifier: the EHR's visit number when it came from one, else the practice code and our id."""
    assert claim.encounter is not None
    return claim.encounter.external_id or f"{claim.practice.code}-V{claim.encounter.id}"


def clinical_resources(claim: ClaimFacts) -> list[Resource]:
    """The claim's visit as an Encounter, its diagnoses as Conditions and its lines as Procedures."""
    encounter = claim.encounter
    if encounter is None:
        return []
    patient = {"reference": f"Patient/{claim.patient.id}"}
    visit = {"reference": f"Encounter/{encounter.id}"}
    resources: list[Resource] = [validated({
        "resourceType": "Encounter", "id": str(encounter.id),
        "identifier": [{"system": f"urn:dermbill:visit:{claim.practice.code}", "value": visit_identifier(claim)}],
        "status": "finished", "class": {"system": systems.ENCOUNTER_CLASS, "code": "AMB"},
        "subject": patient, "participant": [{"individual": _npi(claim.provider)}],
        "period": {"start": encounter.date_of_service.isoformat(), "end": encounter.date_of_service.isoformat()},
        "location": [{"location": {"display": encounter.location_name}}],
        "serviceProvider": _billing(claim.practice),
    })]
    conditions = [f"{encounter.id}-dx{number}" for number in range(1, len(claim.diagnoses) + 1)]
    for condition, code in zip(conditions, claim.diagnoses, strict=True):
        resources.append(validated({
            "resourceType": "Condition", "id": condition,
            "clinicalStatus": _concept(systems.CONDITION_CLINICAL, "active"),
            "category": [_concept(systems.CONDITION_CATEGORY, "encounter-diagnosis")],
            "code": _concept(systems.ICD10CM, code), "subject": patient, "encounter": visit,
        }))
    for line in claim.lines:
        extensions: list[dict[str, Any]] = [{"url": systems.PROCEDURE_MODIFIER, "valueCode": m} for m in line.modifiers]
        extensions.append({"url": systems.PROCEDURE_UNITS, "valueInteger": line.units})
        procedure: Resource = {
            "resourceType": "Procedure", "id": f"{encounter.id}-{line.line_number}", "extension": extensions,
            "status": "completed", "code": {"coding": [procedure_coding(line.procedure_code)]},
            "subject": patient, "encounter": visit, "performedDateTime": line.service_date_from.isoformat(),
            "performer": [{"actor": _npi(claim.provider)}],
            "reasonReference": [{"reference": f"Condition/{conditions[p - 1]}"} for p in line.diagnosis_pointers
                                if 0 < p <= len(conditions)],
        }
        if line.site:
            procedure["bodySite"] = [{"text": line.site}]
        if not procedure["reasonReference"]:
            del procedure["reasonReference"]
        resources.append(validated(procedure))
    return resources


def _period(claim: ClaimFacts) -> dict[str, str]:
    start = min((line.service_date_from for line in claim.lines), default=claim.date_of_service)
    end = max((line.service_date_to or line.service_date_from for line in claim.lines), default=start)
    return {"start": start.isoformat(), "end": end.isoformat()}


def _insurance(claim: ClaimFacts, *, with_sequence: bool = True) -> list[dict[str, Any]]:
    coverage = ({"reference": f"Coverage/{claim.coverage.id}"} if claim.coverage is not None
                else {"display": "self-pay: no coverage in force on the date of service"})
    insurance: dict[str, Any] = {"focal": True, "coverage": coverage}
    if with_sequence:
        insurance = {"sequence": 1, **insurance}
    if claim.prior_authorization:
        insurance["preAuthRef"] = [claim.prior_authorization]
    return [insurance]


def _diagnoses(claim: ClaimFacts) -> list[dict[str, Any]]:
    return [{"sequence": number, "diagnosisCodeableConcept": _concept(systems.ICD10CM, code)}
            for number, code in enumerate(claim.diagnoses, start=1)]


def _care_team(claim: ClaimFacts) -> list[dict[str, Any]]:
    return [{"sequence": 1, "provider": _npi(claim.provider), "role": _concept(CARE_TEAM_ROLE, "primary")}]


def _served(day_from: datetime.date, day_to: datetime.date | None) -> dict[str, Any]:
    if day_to is None or day_to == day_from:
        return {"servicedDate": day_from.isoformat()}
    return {"servicedPeriod": {"start": day_from.isoformat(), "end": day_to.isoformat()}}


def claim_resource(claim: ClaimFacts) -> Resource:
    """The professional claim as billed (837P), with its lines as items."""
    items = []
    for line in claim.lines:
        item: dict[str, Any] = {
            "sequence": line.line_number, "careTeamSequence": [1],
            "productOrService": {"coding": [procedure_coding(line.procedure_code)]},
            **_served(line.service_date_from, line.service_date_to),
            "locationCodeableConcept": _concept(systems.PLACE_OF_SERVICE, claim.place_of_service),
            "quantity": {"value": Decimal(line.units)}, "net": money(line.charge),
        }
        pointers = [p for p in line.diagnosis_pointers if 0 < p <= len(claim.diagnoses)]
        if pointers:
            item["diagnosisSequence"] = pointers
        if line.modifiers:
            item["modifier"] = [{"coding": [modifier_coding(m)]} for m in line.modifiers]
        if claim.encounter is not None:
            item["encounter"] = [{"reference": f"Encounter/{claim.encounter.id}"}]
        items.append(item)
    resource: Resource = {
        "resourceType": "Claim", "id": str(claim.id),
        "identifier": [{"system": systems.CLAIM_NUMBER_PREFIX + claim.practice.code, "value": claim.claim_number}],
        "status": "cancelled" if claim.frequency_code == "8" else "active",
        "type": _concept(systems.CLAIM_TYPE, "professional"), "use": "claim",
        "patient": {"reference": f"Patient/{claim.patient.id}"}, "billablePeriod": _period(claim),
        "created": claim.created.isoformat(), "provider": _billing(claim.practice),
        "priority": _concept(systems.PROCESS_PRIORITY, "normal"),
        "careTeam": _care_team(claim), "insurance": _insurance(claim), "total": money(claim.total_charge),
    }
    if claim.coverage is not None:
        resource["insurer"] = _payer(claim.coverage.payer)
    if claim.diagnoses:
        resource["diagnosis"] = _diagnoses(claim)
    if items:
        resource["item"] = items
    return validated(resource)


def merged_lines(lines: Iterable[AdjudicatedLineFacts]) -> list[AdjudicatedLineFacts]:
    """One answer per line: the rows of one line in one payment (a reversal and its repost) added together."""
    merged: dict[object, AdjudicatedLineFacts] = {}
    for index, line in enumerate(lines):
        key: object = line.line_number if line.line_number is not None else ("added", index)
        before = merged.get(key)
        if before is None:
            merged[key] = line
            continue
        allowed = (None if before.allowed is None and line.allowed is None
                   else (before.allowed or Money(0)) + (line.allowed or Money(0)))
        merged[key] = replace(line, charge=before.charge + line.charge, allowed=allowed,
                              paid=before.paid + line.paid, adjustments=before.adjustments + line.adjustments,
                              remarks=tuple(dict.fromkeys(before.remarks + line.remarks)))
    return list(merged.values())


def adjudication(line: AdjudicatedLineFacts) -> list[dict[str, Any]]:
    """A line's adjudication: charge, allowed, paid, then each CAS adjustment (group and CARC) and each RARC."""
    found: list[dict[str, Any]] = [{"category": _concept(systems.ADJUDICATION, "submitted"),
                                    "amount": money(line.charge)}]
    if line.allowed is not None:
        found.append({"category": _concept(systems.ADJUDICATION, "eligible"), "amount": money(line.allowed)})
    found.append({"category": _concept(systems.ADJUDICATION, "benefit"), "amount": money(line.paid)})
    for adjustment in line.adjustments:
        found.append({"category": _concept(systems.CAS_GROUP, adjustment.group),
                      "reason": _concept(systems.CARC, adjustment.carc), "amount": money(adjustment.amount)})
    for remark in line.remarks:
        found.append({"category": {"text": "remark"}, "reason": _concept(systems.RARC, remark)})
    return found


def _totals(answer: AdjudicationFacts) -> list[dict[str, Any]]:
    return [{"category": _concept(systems.ADJUDICATION, "submitted"), "amount": money(answer.charge)},
            {"category": _concept(systems.ADJUDICATION, "eligible"), "amount": money(answer.allowed)},
            {"category": _concept(systems.ADJUDICATION, "benefit"), "amount": money(answer.paid)}]


def _payment(answer: AdjudicationFacts) -> dict[str, Any]:
    payment: dict[str, Any] = {"type": _concept(PAYMENT_TYPE, "complete"), "amount": money(answer.paid),
                               "identifier": {"system": systems.TRACE_NUMBER, "value": answer.trace_number}}
    if answer.payment_date is not None:
        payment["date"] = answer.payment_date.isoformat()
    return payment


def _disposition(answer: AdjudicationFacts) -> str:
    words = CLAIM_STATUS_WORDS.get(answer.status_code, "")
    return f"835 CLP02 {answer.status_code}{f': {words}' if words else ''}"


def _answer_identifier(answer: AdjudicationFacts) -> list[dict[str, str]]:
    return ([{"system": systems.PAYER_CLAIM_NUMBER, "value": answer.payer_claim_number}]
            if answer.payer_claim_number else [])


def claim_response_resource(answer: AdjudicationFacts) -> Resource:
    """A payer's answer on a claim as a ClaimResponse: adjudication per line (CARC, RARC) and the payment."""
    claim = answer.claim
    lines = merged_lines(answer.lines)
    resource: Resource = {
        "resourceType": "ClaimResponse", "id": answer.id, "status": "active",
        "type": _concept(systems.CLAIM_TYPE, "professional"), "use": "claim",
        "patient": {"reference": f"Patient/{claim.patient.id}"}, "created": answer.received_at.isoformat(),
        "insurer": _payer(answer.payer), "requestor": _billing(claim.practice),
        "request": {"reference": f"Claim/{claim.id}"}, "outcome": "complete", "disposition": _disposition(answer),
        "total": _totals(answer), "payment": _payment(answer), "insurance": _insurance(claim),
    }
    if answer.payer_claim_number:
        resource["identifier"] = _answer_identifier(answer)
    items = [{"itemSequence": line.line_number, "adjudication": adjudication(line)}
             for line in lines if line.line_number is not None]
    added = [{"productOrService": {"coding": [procedure_coding(line.procedure_code)]},
              **({"modifier": [{"coding": [modifier_coding(m)]} for m in line.modifiers]} if line.modifiers else {}),
              "quantity": {"value": Decimal(line.units)}, "net": money(line.charge),
              "adjudication": adjudication(line)} for line in lines if line.line_number is None]
    if items:
        resource["item"] = items
    if added:
        resource["addItem"] = added
    return validated(resource)


def eob_resource(answer: AdjudicationFacts) -> Resource:
    """The claim and the payer's answer together as an ExplanationOfBenefit (what a patient or auditor reads)."""
    claim = answer.claim
    billed = {line.line_number: line for line in claim.lines}
    items = []
    for number, line in enumerate(merged_lines(answer.lines), start=1):
        ours = billed.get(line.line_number) if line.line_number is not None else None
        item: dict[str, Any] = {
            "sequence": line.line_number if ours is not None else len(claim.lines) + number,
            "productOrService": {"coding": [procedure_coding(line.procedure_code)]},
            **(_served(ours.service_date_from, ours.service_date_to) if ours is not None
               else {"servicedDate": claim.date_of_service.isoformat()}),
            "locationCodeableConcept": _concept(systems.PLACE_OF_SERVICE, claim.place_of_service),
            "quantity": {"value": Decimal(line.units)}, "net": money(line.charge),
            "adjudication": adjudication(line),
        }
        if line.modifiers:
            item["modifier"] = [{"coding": [modifier_coding(m)]} for m in line.modifiers]
        if ours is not None:
            item["careTeamSequence"] = [1]
            pointers = [p for p in ours.diagnosis_pointers if 0 < p <= len(claim.diagnoses)]
            if pointers:
                item["diagnosisSequence"] = pointers
        items.append(item)
    resource: Resource = {
        "resourceType": "ExplanationOfBenefit", "id": answer.id, "status": "active",
        "type": _concept(systems.CLAIM_TYPE, "professional"), "use": "claim",
        "patient": {"reference": f"Patient/{claim.patient.id}"}, "billablePeriod": _period(claim),
        "created": answer.received_at.isoformat(), "insurer": _payer(answer.payer),
        "provider": _billing(claim.practice),
        "claim": {"reference": f"Claim/{claim.id}"}, "claimResponse": {"reference": f"ClaimResponse/{answer.id}"},
        "outcome": "complete", "disposition": _disposition(answer), "careTeam": _care_team(claim),
        "insurance": _insurance(claim, with_sequence=False), "total": _totals(answer), "payment": _payment(answer),
    }
    if answer.payer_claim_number:
        resource["identifier"] = _answer_identifier(answer)
    if claim.diagnoses:
        resource["diagnosis"] = _diagnoses(claim)
    if items:
        resource["item"] = items
    return validated(resource)


def claim_resources(claim: ClaimFacts, answers: Sequence[AdjudicationFacts]) -> list[Resource]:
    """Everything about one claim: its patient and coverage, the visit (when the claim speaks for it), the
    claim, and a ClaimResponse and an ExplanationOfBenefit per payer answer."""
    resources = [patient_resource(claim.patient)]
    if claim.coverage is not None:
        resources.append(coverage_resource(claim.coverage))
    if claim.clinical:
        resources += clinical_resources(claim)
    resources.append(claim_resource(claim))
    for answer in answers:
        resources += [claim_response_resource(answer), eob_resource(answer)]
    return resources


def bundle(resources: Iterable[Resource], *, kind: str, base: str, timestamp: datetime.datetime,
           total: int | None = None) -> Resource:
    """A Bundle (collection, or searchset with ``total``) of the resources, each once (by type and id), each
    entry's fullUrl under ``base`` (the server's FHIR base, ``https://host/fhir/R4``)."""
    if kind not in BUNDLE_TYPES:
        raise ValueError(f"bundle type {kind!r}")
    seen: set[tuple[str, str]] = set()
    entries = []
    for resource in resources:
        key = (resource["resourceType"], resource["id"])
        if key in seen:
            continue
        seen.add(key)
        entry: dict[str, Any] = {"fullUrl": f"{base.rstrip('/')}/{key[0]}/{key[1]}"}
        if kind == "searchset":
            entry["search"] = {"mode": "match"}
        entries.append((entry, resource))
    shell: Resource = {"resourceType": "Bundle", "type": kind, "timestamp": timestamp.isoformat(),
                       "entry": [entry for entry, _ in entries]}
    if kind == "searchset":
        shell["total"] = len(entries) if total is None else total
    validated(shell)  # the resources were validated one by one as they were built
    shell["entry"] = [{**entry, "resource": resource} for entry, resource in entries]
    if not shell["entry"]:
        del shell["entry"]
    return shell
