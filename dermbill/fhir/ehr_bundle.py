"""An EHR's FHIR R4 export read into plain values: a Bundle (``collection``, ``transaction`` or ``searchset``) of
Patient, Coverage, Encounter, Procedure and Condition resources.

- Patient: its account number is the identifier of type MR (HL7 v2-0203), else one in dermbill's account system,
  else its first identifier, else its id; name, birth date, gender, home address, phone, e-mail.
- Coverage: the beneficiary (a Patient of the Bundle), the payer (``payor``: an identifier holding the X12 payer
  ID, or its name as ``display``), ``subscriberId`` (the member ID), the group (``class`` of type group),
  ``order``, ``relationship`` and ``period``; a subscriber other than the patient from a contained or bundled
  RelatedPerson.
- Encounter: the visit (its first identifier, else its id, is the visit number that makes a second import of
  the same visit find it), ``period.start`` the date of service, the rendering provider's NPI (a participant's
  identifier, or a Practitioner of the Bundle), the location's name.
- Procedure (``completed``, naming its Encounter): a CPT/HCPCS coding, modifiers and units (extensions
  ``urn:dermbill:fhir:procedure-modifier`` and ``urn:dermbill:fhir:procedure-units``; units default to 1),
  ``bodySite`` text, and the diagnoses it is for (``reasonReference`` to Conditions, or ICD-10-CM ``reasonCode``).
- Condition (naming its Encounter): an ICD-10-CM coding, a diagnosis of the visit.

Every resource of these types is first validated with fhir.resources (R4B models, R4's shape). Every problem
names the resource and field the FHIRPath way (``Patient/p1.birthDate: ...``); resources of other types are listed
as skipped. Nothing here touches a database: ``services/fhir_import.py`` saves what this returns.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dermbill.core.errors import InvalidFields, InvalidInput, Problem
from dermbill.core.money import Money
from dermbill.fhir import systems
from dermbill.fhir.export import X12_RELATIONSHIP
from dermbill.fhir.validation import label, problems_of

BUNDLE_TYPES = ("collection", "transaction", "searchset")
READ = ("Patient", "Coverage", "Encounter", "Procedure", "Condition")
LOOKED_UP = ("Practitioner", "Organization", "RelatedPerson", "Location")  # read for names and identifiers
SKIPPED_STATUSES = {"Encounter": ("cancelled", "entered-in-error"), "Procedure": ("not-done", "entered-in-error",
                                                                                 "preparation", "in-progress"),
                    "Coverage": ("cancelled", "entered-in-error")}


@dataclass(frozen=True, slots=True)
class ImportedPatient:
    where: str  # Patient/p1
    account_number: str
    values: dict[str, Any]  # PatientValues' fields (core.patient_edits), as read
    paths: dict[str, str]  # each field's FHIRPath-like place


@dataclass(frozen=True, slots=True)
class ImportedCoverage:
    where: str
    patient: str  # the Patient's ``where``
    payer: str  # an X12 payer ID, or a payer's name
    values: dict[str, Any]  # CoverageValues' fields but payer
    paths: dict[str, str]
    copay: Money | None = None


@dataclass(frozen=True, slots=True)
class ImportedProcedure:
    where: str
    code: str
    modifiers: tuple[str, ...]
    units: int
    site: str | None
    diagnoses: tuple[str, ...]  # ICD-10-CM


@dataclass(frozen=True, slots=True)
class ImportedVisit:
    where: str  # Encounter/e1
    patient: str
    visit_id: str
    date_of_service: datetime.date
    provider_npi: str | None
    location: str | None
    diagnoses: tuple[str, ...]
    diagnosis_paths: tuple[str, ...]
    procedures: tuple[ImportedProcedure, ...]


@dataclass(frozen=True, slots=True)
class EhrBundle:
    patients: tuple[ImportedPatient, ...]
    coverages: tuple[ImportedCoverage, ...]
    visits: tuple[ImportedVisit, ...]
    skipped: tuple[str, ...] = field(default=())  # "Claim/7: not imported (...)"


class _Index:
    """The Bundle's resources by every name a reference may use: ``Type/id``, the entry's fullUrl."""

    def __init__(self) -> None:
        self.by_name: dict[str, dict[str, Any]] = {}

    def add(self, resource: dict[str, Any], full_url: str | None) -> None:
        if resource.get("id"):
            self.by_name[f"{resource['resourceType']}/{resource['id']}"] = resource
        if full_url:
            self.by_name[full_url] = resource

    def find(self, reference: Any, container: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        if not isinstance(reference, Mapping) or not isinstance(reference.get("reference"), str):
            return None
        text = reference["reference"]
        if text.startswith("#") and container is not None:
            return next((c for c in container.get("contained") or [] if isinstance(c, dict)
                         and c.get("id") == text[1:]), None)
        if text in self.by_name:
            return self.by_name[text]
        parts = text.rstrip("/").split("/")
        return self.by_name.get("/".join(parts[-2:])) if len(parts) >= 2 else None


def read_bundle(data: Any) -> EhrBundle:
    """The Bundle's patients, coverages and visits; InvalidFields naming every problem, at its resource and field,
    when any resource cannot be read (nothing of such a Bundle is to be saved)."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        kind = data.get("resourceType") if isinstance(data, Mapping) else type(data).__name__
        raise InvalidFields("the file was not imported", (Problem("resourceType", f"{kind!r}: give a Bundle "
                                                                  "(resourceType 'Bundle')"),))
    if data.get("type") not in BUNDLE_TYPES:
        problems.append(Problem("Bundle.type", f"{data.get('type')!r}: a Bundle of type "
                                f"{', '.join(BUNDLE_TYPES)} is imported"))
    entries = data.get("entry") or []
    if not isinstance(entries, list):
        raise InvalidFields("the file was not imported", (Problem("Bundle.entry", "must be a list of entries"),))
    shell = {key: value for key, value in data.items() if key != "entry"}
    shell["entry"] = [{k: v for k, v in e.items() if k != "resource"} for e in entries if isinstance(e, Mapping)]
    problems += problems_of(shell, name="Bundle")
    index, read, skipped, invalid = _Index(), [], [], set()
    for number, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, dict):
            problems.append(Problem(f"Bundle.entry[{number}].resource", "an entry without a resource"))
            continue
        kind = resource.get("resourceType")
        if kind in READ or kind in LOOKED_UP:
            found = problems_of(resource)
            if kind in READ and not resource.get("id") and not entry.get("fullUrl"):
                found.append(Problem(f"{label(resource)}.id", "give the resource an id (or its entry a fullUrl) so "
                                     "that others can name it"))
            problems += found
            index.add(resource, entry.get("fullUrl"))
            if found:
                invalid.add(id(resource))  # its problems are reported; what names it is not blamed again
            elif kind in READ:
                read.append(resource)
        elif kind == "OperationOutcome":
            continue
        else:
            skipped.append(f"{label(resource)}: not imported (dermbill imports {', '.join(READ)})")
    reader = _Reader(index, problems, skipped, invalid)
    bundle = reader.read(read)
    if problems:
        raise InvalidFields("nothing was imported", tuple(problems))
    return bundle


class _Reader:
    def __init__(self, index: _Index, problems: list[Problem], skipped: list[str], invalid: set[int]) -> None:
        self.invalid = invalid
        self.index = index
        self.problems = problems
        self.skipped = skipped

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def read(self, resources: list[dict[str, Any]]) -> EhrBundle:
        live = []
        for resource in resources:
            status = resource.get("status")
            if status in SKIPPED_STATUSES.get(resource["resourceType"], ()):
                self.skipped.append(f"{label(resource)}: not imported (status {status})")
            else:
                live.append(resource)
        patients = {id(r): self.patient(r) for r in live if r["resourceType"] == "Patient"}
        coverages = [c for r in live if r["resourceType"] == "Coverage" if (c := self.coverage(r)) is not None]
        conditions = [r for r in live if r["resourceType"] == "Condition"]
        procedures = [r for r in live if r["resourceType"] == "Procedure"]
        visits = [v for r in live if r["resourceType"] == "Encounter"
                  if (v := self.visit(r, conditions, procedures)) is not None]
        encounters = {id(r) for r in live if r["resourceType"] == "Encounter"}
        for resource in conditions + procedures:
            target = self.index.find(resource.get("encounter"))
            if target is not None and id(target) in self.invalid:
                continue
            if target is None or id(target) not in encounters:
                where = f"{label(resource)}.encounter"
                if resource["resourceType"] == "Procedure":
                    self.problem(where, "a procedure is imported with its visit: name an Encounter of the Bundle")
                else:
                    self.skipped.append(f"{label(resource)}: not imported (not a diagnosis of an Encounter of the "
                                        "Bundle)")
        return EhrBundle(tuple(p for p in patients.values() if p is not None), tuple(coverages), tuple(visits),
                         tuple(self.skipped))

    def patient_of(self, resource: dict[str, Any], element: str) -> str | None:
        target = self.index.find(resource.get(element))
        if target is not None and id(target) in self.invalid:
            return None
        if target is None or target.get("resourceType") != "Patient":
            self.problem(f"{label(resource)}.{element}", "name a Patient of the Bundle")
            return None
        return label(target)

    def patient(self, resource: dict[str, Any]) -> ImportedPatient | None:
        where = label(resource)
        identifiers = [i for i in resource.get("identifier") or [] if i.get("value")]
        chosen = next((i for i in identifiers if any(c.get("code") == "MR" for c in
                                                     (i.get("type") or {}).get("coding") or [])), None)
        chosen = chosen or next((i for i in identifiers if str(i.get("system", "")).startswith(
            systems.ACCOUNT_PREFIX)), None) or (identifiers[0] if identifiers else None)
        account = str(chosen["value"]) if chosen else str(resource.get("id") or "")
        account_path = f"{where}.identifier[{identifiers.index(chosen)}].value" if chosen else f"{where}.id"
        if not account or len(account) > 20:
            self.problem(account_path, f"account number {account!r}: give 1 to 20 characters (an MR identifier)")
            return None
        names = resource.get("name") or []
        name_index = next((n for n, name in enumerate(names) if name.get("use") == "official"), 0)
        name = names[name_index] if names else {}
        given = name.get("given") or []
        address_list = resource.get("address") or []
        address_index = next((n for n, a in enumerate(address_list) if a.get("use") == "home"), 0)
        address = address_list[address_index] if address_list else {}
        lines = address.get("line") or []
        telecom = resource.get("telecom") or []
        phone = next((t.get("value") for t in telecom if t.get("system") == "phone"), None)
        email = next((t.get("value") for t in telecom if t.get("system") == "email"), None)
        gender = resource.get("gender")
        values = {
            "last_name": name.get("family") or "", "first_name": given[0] if given else "",
            "middle_name": given[1] if len(given) > 1 else None,
            "date_of_birth": resource.get("birthDate") or "",
            "sex": systems.GENDER_TO_SEX.get(str(gender), "U") if gender else "",
            "address_line1": lines[0] if lines else "", "address_line2": lines[1] if len(lines) > 1 else None,
            "city": address.get("city") or "", "state": address.get("state") or "",
            "zip_code": str(address.get("postalCode") or "").replace("-", ""),
            "phone": phone, "email": email,
        }
        at_name, at_address = f"{where}.name[{name_index}]", f"{where}.address[{address_index}]"
        paths = {"last_name": f"{at_name}.family", "first_name": f"{at_name}.given[0]",
                 "middle_name": f"{at_name}.given[1]", "date_of_birth": f"{where}.birthDate",
                 "sex": f"{where}.gender", "address_line1": f"{at_address}.line[0]",
                 "address_line2": f"{at_address}.line[1]", "city": f"{at_address}.city",
                 "state": f"{at_address}.state", "zip_code": f"{at_address}.postalCode",
                 "phone": f"{where}.telecom", "email": f"{where}.telecom"}
        return ImportedPatient(where, account, values, paths)

    def coverage(self, resource: dict[str, Any]) -> ImportedCoverage | None:
        where = label(resource)
        patient = self.patient_of(resource, "beneficiary")
        payer = self.payer(resource)
        member = resource.get("subscriberId") or next(
            (i.get("value") for i in resource.get("identifier") or [] if i.get("value")), None)
        relationship = self.relationship(resource)
        period = resource.get("period") or {}
        group = next((c.get("value") for c in resource.get("class") or [] if any(
            k.get("code") == "group" for k in (c.get("type") or {}).get("coding") or [])), None)
        order = resource.get("order") or 1
        orders = {number: name for name, number in systems.COVERAGE_ORDER.items()}
        values: dict[str, Any] = {
            "member_id": member or "", "group_number": group, "coverage_order": orders.get(order, str(order)),
            "relationship_code": relationship, "effective_date": str(period.get("start") or "")[:10],
            "termination_date": str(period["end"])[:10] if period.get("end") else None,
            "subscriber_last_name": None, "subscriber_first_name": None, "subscriber_date_of_birth": None,
            "subscriber_sex": None,
        }
        paths = {"member_id": f"{where}.subscriberId", "group_number": f"{where}.class",
                 "coverage_order": f"{where}.order", "relationship_code": f"{where}.relationship",
                 "effective_date": f"{where}.period.start", "termination_date": f"{where}.period.end",
                 "subscriber_last_name": f"{where}.subscriber", "subscriber_first_name": f"{where}.subscriber",
                 "subscriber_date_of_birth": f"{where}.subscriber", "subscriber_sex": f"{where}.subscriber",
                 "payer": f"{where}.payor[0]"}
        if relationship != "18":
            person = self.index.find(resource.get("subscriber"), resource)
            if person is not None and person.get("resourceType") in ("RelatedPerson", "Patient"):
                name = (person.get("name") or [{}])[0]
                given = name.get("given") or []
                values.update(subscriber_last_name=name.get("family"), subscriber_first_name=given[0] if given
                              else None, subscriber_date_of_birth=person.get("birthDate"),
                              subscriber_sex=systems.GENDER_TO_SEX.get(str(person.get("gender")))
                              if person.get("gender") else None)
        if not period.get("start"):
            self.problem(f"{where}.period.start", "the day the coverage starts is needed")
        copay = None
        for number, cost in enumerate(resource.get("costToBeneficiary") or []):
            amount = (cost.get("valueMoney") or {}).get("value")
            if isinstance(amount, Decimal | int) and any(c.get("code") == "copay" for c in
                                                         (cost.get("type") or {}).get("coding") or []):
                try:
                    copay = Money.from_decimal(Decimal(amount))
                except InvalidInput as exc:
                    self.problem(f"{where}.costToBeneficiary[{number}].valueMoney.value", str(exc))
        if patient is None or payer is None:
            return None
        return ImportedCoverage(where, patient, payer, values, paths, copay)

    def payer(self, resource: dict[str, Any]) -> str | None:
        payors = resource.get("payor") or []
        for payor in payors:
            identifier = (payor.get("identifier") or {}).get("value")
            if identifier:
                return str(identifier)
            organization = self.index.find(payor)
            if organization is not None:
                found = next((i.get("value") for i in organization.get("identifier") or [] if i.get("value")), None)
                if found or organization.get("name"):
                    return str(found or organization["name"])
            if payor.get("display"):
                return str(payor["display"])
        self.problem(f"{label(resource)}.payor", "name the payer: an identifier with its payer ID, or its name")
        return None

    @staticmethod
    def relationship(resource: dict[str, Any]) -> str:
        codings = (resource.get("relationship") or {}).get("coding") or []
        x12 = next((c.get("code") for c in codings if c.get("system") == X12_RELATIONSHIP), None)
        if x12:
            return str(x12)
        fhir = next((c.get("code") for c in codings if c.get("system") == systems.SUBSCRIBER_RELATIONSHIP), None)
        return systems.RELATIONSHIP_FROM_FHIR.get(str(fhir), "G8") if fhir else "18"

    def npi(self, reference: Any) -> str | None:
        if not isinstance(reference, Mapping):
            return None
        identifier = reference.get("identifier") or {}
        if identifier.get("system") == systems.NPI and identifier.get("value"):
            return str(identifier["value"])
        target = self.index.find(reference)
        if target is not None:
            return next((str(i["value"]) for i in target.get("identifier") or []
                         if i.get("system") == systems.NPI and i.get("value")), None)
        return None

    def visit(self, encounter: dict[str, Any], conditions: list[dict[str, Any]],
              procedures: list[dict[str, Any]]) -> ImportedVisit | None:
        where = label(encounter)
        patient = self.patient_of(encounter, "subject")
        start = (encounter.get("period") or {}).get("start")
        day = _day(start)
        if day is None:
            self.problem(f"{where}.period.start", "the date of service is needed (a full date)")
        identifiers = [i for i in encounter.get("identifier") or [] if i.get("value")]
        visit_id = str(identifiers[0]["value"]) if identifiers else str(encounter.get("id") or "")
        if len(visit_id) > 80:
            self.problem(f"{where}.identifier[0].value", "a visit number of at most 80 characters")
        provider = next((n for p in encounter.get("participant") or [] if (n := self.npi(p.get("individual")))), None)
        location = None
        for place in encounter.get("location") or []:
            target = self.index.find(place.get("location"))
            location = (target or {}).get("name") or (place.get("location") or {}).get("display")
            if location:
                break
        mine = [c for c in conditions if self.index.find(c.get("encounter")) is encounter]
        ranked = sorted(encounter.get("diagnosis") or [], key=lambda d: d.get("rank") or 99)
        ordered = [c for d in ranked if (c := self.index.find(d.get("condition"))) in mine]
        ordered += [c for c in mine if c not in ordered]
        diagnoses, paths = [], []
        for condition in ordered:
            code = self.icd10(condition.get("code"), f"{label(condition)}.code")
            if code and code not in diagnoses:
                diagnoses.append(code)
                paths.append(f"{label(condition)}.code")
        lines = tuple(p for r in procedures if self.index.find(r.get("encounter")) is encounter
                      if (p := self.procedure(r)) is not None)
        if not lines:
            self.skipped.append(f"{where}: not imported (no completed Procedure names it: no charge)")
            return None
        if patient is None or day is None:
            return None
        provider = provider or next((n for r in procedures if self.index.find(r.get("encounter")) is encounter
                                     for p in r.get("performer") or [] if (n := self.npi(p.get("actor")))), None)
        return ImportedVisit(where, patient, visit_id, day, provider, location, tuple(diagnoses), tuple(paths), lines)

    def icd10(self, concept: Any, where: str) -> str | None:
        codings = (concept or {}).get("coding") or [] if isinstance(concept, Mapping) else []
        code = next((c.get("code") for c in codings if c.get("system") == systems.ICD10CM and c.get("code")), None)
        if code is None:
            self.problem(where, f"no ICD-10-CM coding (system {systems.ICD10CM})")
        return str(code) if code else None

    def procedure(self, resource: dict[str, Any]) -> ImportedProcedure | None:
        where = label(resource)
        codings = (resource.get("code") or {}).get("coding") or []
        code = next((c.get("code") for c in codings if c.get("system") in (systems.CPT, systems.HCPCS)
                     and c.get("code")), None)
        if code is None:
            self.problem(f"{where}.code", f"no CPT or HCPCS coding (system {systems.CPT} or {systems.HCPCS})")
        modifiers, units = [], 1
        for number, extension in enumerate(resource.get("extension") or []):
            if extension.get("url") == systems.PROCEDURE_MODIFIER:
                value = extension.get("valueCode") or extension.get("valueString")
                if not value:
                    self.problem(f"{where}.extension[{number}]", "a modifier extension carries valueCode")
                else:
                    modifiers.append(str(value).upper())
            elif extension.get("url") == systems.PROCEDURE_UNITS:
                value = extension.get("valueInteger", extension.get("valuePositiveInt"))
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    self.problem(f"{where}.extension[{number}].valueInteger", "units are a whole number, 1 or more")
                else:
                    units = value
        diagnoses = []
        for number, reason in enumerate(resource.get("reasonReference") or []):
            condition = self.index.find(reason)
            if condition is None or condition.get("resourceType") != "Condition":
                self.problem(f"{where}.reasonReference[{number}]", "name a Condition of the Bundle")
            elif (found := self.icd10(condition.get("code"), f"{label(condition)}.code")) is not None:
                diagnoses.append(found)
        for number, reason in enumerate(resource.get("reasonCode") or []):
            codings = reason.get("coding") or []
            if any(c.get("system") == systems.ICD10CM for c in codings):
                found = self.icd10(reason, f"{where}.reasonCode[{number}]")
                if found:
                    diagnoses.append(found)
        site = next((s.get("text") or next((c.get("display") for c in s.get("coding") or [] if c.get("display")),
                                           None) for s in resource.get("bodySite") or []), None)
        if code is None:
            return None
        return ImportedProcedure(where, str(code), tuple(modifiers), units, site, tuple(dict.fromkeys(diagnoses)))


def _day(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


__all__ = ["EhrBundle", "ImportedCoverage", "ImportedPatient", "ImportedProcedure", "ImportedVisit",
           "read_bundle"]
