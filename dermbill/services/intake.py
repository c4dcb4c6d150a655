"""Patients and their insurance arriving from outside: a CSV file, an EHR's HL7 ADT^A04/A08, a FHIR Bundle.

``register_patient`` and ``register_coverage`` create the record, or update it when it is already there (a patient
by the practice's account number; a coverage by the patient, payer and member ID), and say which they did. Every
value passes the same checks as a person's edit (``core.patient_edits``): a refusal is InvalidFields, each problem
naming its field, and nothing of that record is saved. A creation is audited with the values registered, an update
with the fields before and after (the same ``patient.edited``/``coverage.edited`` events as an edit on a screen),
and an update that changes what claims carry sends the claims not yet with a payer through the scrubber again.

Values come as the typed ``PatientValues``/``CoverageValues`` (every field: the whole record), or as a mapping of
field name to text or date, in which a field left out keeps what is stored (and is empty on a new record).
The caller owns the unit of work: these functions stage and flush, and never commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import Any

from sqlalchemy import select

from dermbill.core.errors import InvalidFields, Problem
from dermbill.core.patient_edits import (
    CoverageValues,
    PatientValues,
    account_number_problem,
    changed,
    edited_coverage,
    edited_patient,
    new_coverage,
    new_patient,
)
from dermbill.db.models import ClaimRow, CoverageRow, PatientRow, PayerRow
from dermbill.db.repositories import PracticeRepository
from dermbill.services.patients import RESCRUBBED, RescrubbedClaim, coverage_values, patient_values, rescrub_claims


class Outcome(Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Registered:
    """What registering a record did: created, updated (the fields that changed, before and after) or nothing."""

    outcome: Outcome
    record_id: int
    before: dict[str, Any]
    after: dict[str, Any]
    rescrubbed: tuple[RescrubbedClaim, ...] = ()


def as_mapping(values: object) -> dict[str, Any]:
    """The fields of a values dataclass, or a copy of a mapping of them."""
    if is_dataclass(values) and not isinstance(values, type):
        return {f.name: getattr(values, f.name) for f in fields(values)}
    if isinstance(values, Mapping):
        return dict(values)
    raise TypeError(f"values must be a dataclass or a mapping, not {type(values).__name__}")


def _shown(values: object) -> dict[str, Any]:
    """The fields given a value, JSON-ready (dates as YYYY-MM-DD), for the audit trail."""
    return {name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in as_mapping(values).items() if value is not None}


def _account(account_number: str, what: str) -> str:
    problem = account_number_problem(account_number)
    if problem is not None:
        raise InvalidFields(f"{what} was not registered", (problem,))
    return account_number.strip()


def find_patient(repo: PracticeRepository, account_number: str) -> PatientRow | None:
    """The practice's patient with this account number, if any."""
    return repo.session.scalars(select(PatientRow).where(
        PatientRow.practice_id == repo.practice_id, PatientRow.account_number == account_number.strip())).first()


def register_patient(repo: PracticeRepository, account_number: str, values: PatientValues | Mapping[str, Any], *,
                     as_of: datetime.date, via: str | None = None) -> Registered:
    """Create the practice's patient ``account_number``, or update their demographics. ``via`` says where the values
    came from ("csv", "hl7 ADT^A08" ...) for the audit trail."""
    account = _account(account_number, "the patient")
    who = f"patient {account}"
    given = as_mapping(values)
    patient = find_patient(repo, account)
    if patient is None:
        created = new_patient(who, given, as_of=as_of)
        patient = repo.add(PatientRow(account_number=account, created_at=repo.uow.clock(), **as_mapping(created)))
        repo.flush()
        after = _shown(created)
        repo.audit("patient.registered", "patient", patient.id, {"patient": account, "after": after, "via": via})
        return Registered(Outcome.CREATED, patient.id, {}, after)
    if not given:
        return Registered(Outcome.UNCHANGED, patient.id, {}, {})
    before = patient_values(patient)
    edited = edited_patient(who, before, given, as_of=as_of)
    old, new = changed(before, edited)
    if not new:
        return Registered(Outcome.UNCHANGED, patient.id, {}, {})
    for name in new:
        setattr(patient, name, getattr(edited, name))
    repo.audit("patient.edited", "patient", patient.id, {"patient": account, "before": old, "after": new,
                                                         "via": via})
    claims = repo.rows(ClaimRow, ClaimRow.patient_id == patient.id, ClaimRow.status.in_(RESCRUBBED))
    rescrubbed = rescrub_claims(repo, claims, f"the patient's {', '.join(n.replace('_', ' ') for n in new)} "
                                f"changed ({via or 'registered again'})", as_of)
    return Registered(Outcome.UPDATED, patient.id, old, new, tuple(rescrubbed))


def _member(text: object) -> str:
    return str(text or "").replace("-", "").replace(" ", "").upper()


def find_coverage(repo: PracticeRepository, patient: PatientRow, payer: PayerRow | None, member_id: object
                  ) -> CoverageRow | None:
    """The patient's coverage with this payer and member ID (hyphens, spaces and case aside), if any."""
    member = _member(member_id)
    return next((c for c in repo.rows(CoverageRow, CoverageRow.patient_id == patient.id)
                 if payer is not None and c.payer_id == payer.id and _member(c.member_id) == member), None)


def register_coverage(repo: PracticeRepository, account_number: str, values: CoverageValues | Mapping[str, Any], *,
                      as_of: datetime.date, via: str | None = None) -> Registered:
    """Create a coverage of the practice's patient ``account_number``, or update the one with the same payer and
    member ID (hyphens and case aside). An empty relationship means the patient is the subscriber (18)."""
    account = _account(account_number, "the coverage")
    patient = find_patient(repo, account)
    if patient is None:
        raise InvalidFields(f"the coverage of patient {account} was not registered", (Problem(
            "account_number", f"no patient {account} in practice {repo.practice.code}: register the patient first"),))
    given = as_mapping(values)
    if "relationship_code" in given and not (given["relationship_code"] or "").strip():
        given["relationship_code"] = "18"
    payers = {p.payer_identifier: p for p in repo.payers()}
    medicare = {key for key, p in payers.items() if p.kind == "medicare"}
    payer = payers.get(str(given.get("payer") or "").strip())
    member = _member(given.get("member_id"))
    existing = find_coverage(repo, patient, payer, member)
    who = f"the coverage of patient {account}"
    if existing is None:
        created = new_coverage(who, given, payers=payers.keys(), medicare_payers=medicare, as_of=as_of)
        row = as_mapping(created)
        row["payer_id"] = payers[row.pop("payer")].id
        coverage = repo.add(CoverageRow(patient_id=patient.id, **row))
        repo.flush()
        after = _shown(created)
        repo.audit("coverage.registered", "coverage", coverage.id, {"patient": account, "after": after, "via": via})
        return Registered(Outcome.CREATED, coverage.id, {}, after)
    by_id = {p.id: p for p in payers.values()}
    before = coverage_values(existing, by_id)
    after_values = edited_coverage(who, before, given, payers=payers.keys(), medicare_payers=medicare, as_of=as_of)
    old, new = changed(before, after_values)
    if not new:
        return Registered(Outcome.UNCHANGED, existing.id, {}, {})
    for name in new:  # the payer is the same (it is how the coverage was found)
        setattr(existing, name, getattr(after_values, name))
    repo.audit("coverage.edited", "coverage", existing.id, {"patient": account, "coverage": before.coverage_order,
                                                            "before": old, "after": new, "via": via})
    claims = repo.rows(ClaimRow, ClaimRow.coverage_id == existing.id, ClaimRow.status.in_(RESCRUBBED))
    rescrubbed = rescrub_claims(repo, claims, f"the {before.coverage_order} coverage's "
                                f"{', '.join(n.replace('_', ' ') for n in new)} changed ({via or 'registered again'})",
                                as_of)
    return Registered(Outcome.UPDATED, existing.id, old, new, tuple(rescrubbed))
