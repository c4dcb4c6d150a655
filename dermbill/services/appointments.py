"""Appointments booked at the front desk or brought in with a CSV schedule (the EHR's SIU feed is
``services.hl7_inbox``): the patient by account number, the provider by NPI, the location by name.

An appointment with the scheduling system's ID is found again by it (re-importing updates it); one without by its
patient and start. Every booking and change is audited (the appointment, its status and start; never the patient's
details).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from dermbill.core.appointments import AppointmentValues, checked_appointment
from dermbill.core.errors import InvalidFields, NotFound, Problem
from dermbill.db.engine import Database
from dermbill.db.models import AppointmentRow, PatientRow, ProviderRow, ServiceLocationRow
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.services.intake import Outcome, Registered, find_patient
from dermbill.services.patients import scoped_patient

FIELDS = ("starts_at", "minutes", "visit_type", "planned_codes", "reason", "status", "provider_id", "location_id")


@dataclass(frozen=True, slots=True)
class AppointmentForm:
    """An appointment as the booking form shows it, with the choices of its practice."""

    appointment_id: int | None
    practice: str
    account_number: str
    patient_name: str
    values: dict[str, str]
    providers: tuple[tuple[str, str], ...]  # (NPI, name)
    locations: tuple[str, ...]


def register_appointment(repo: PracticeRepository, account_number: str, values: Mapping[str, Any], *,
                         via: str | None = None, appointment_id: int | None = None) -> Registered:
    """Create or update an appointment of the practice's patient ``account_number`` (see the module's docstring;
    ``appointment_id``: update that one); InvalidFields names every field in error."""
    account = account_number.strip()
    patient = find_patient(repo, account) if account else None
    problems: list[Problem] = []
    if patient is None:
        problems.append(Problem("account_number", f"no patient {account[:20] or '(empty)'} in practice "
                                                   f"{repo.practice.code}: import or register the patient first"))
    provider_id, location_id = _provider_and_location(repo, values, problems)
    checked: AppointmentValues | None = None
    try:
        checked = checked_appointment(values)
    except InvalidFields as refused:
        problems.extend(refused.problems)
    if problems or checked is None or patient is None:
        raise InvalidFields("the appointment was not saved", tuple(problems))
    external = " ".join(str(values.get("appointment_id") or "").split())[:80] or None
    query = select(AppointmentRow).where(AppointmentRow.practice_id == repo.practice_id)
    query = query.where(AppointmentRow.external_id == external) if external else query.where(
        AppointmentRow.patient_id == patient.id, AppointmentRow.starts_at == checked.starts_at)
    row = repo.get(AppointmentRow, appointment_id) if appointment_id is not None else \
        repo.session.scalars(query.order_by(AppointmentRow.id)).first()
    new = _values(checked, provider_id, location_id)
    now = repo.uow.clock()
    if row is None:
        row = repo.add(AppointmentRow(patient_id=patient.id, external_id=external, updated_at=now, **new))
        repo.flush()
        repo.audit("appointment.booked", "appointment", row.id, {"status": row.status,
                                                                 "starts_at": row.starts_at.isoformat(), "via": via})
        return Registered(Outcome.CREATED, row.id, {}, _shown(new))
    before = {name: getattr(row, name) for name in FIELDS}
    changed = {name: value for name, value in new.items() if before[name] != value}
    if not changed:
        return Registered(Outcome.UNCHANGED, row.id, {}, {})
    for name, value in changed.items():
        setattr(row, name, value)
    row.updated_at = now
    old = _shown({name: before[name] for name in changed})
    repo.audit("appointment.changed", "appointment", row.id, {"before": old, "after": _shown(changed), "via": via})
    return Registered(Outcome.UPDATED, row.id, old, _shown(changed))


def _provider_and_location(repo: PracticeRepository, values: Mapping[str, Any],
                           problems: list[Problem]) -> tuple[int | None, int | None]:
    provider_id = location_id = None
    npi = str(values.get("provider_npi") or "").strip()
    if npi:
        provider = repo.session.scalars(select(ProviderRow).where(
            ProviderRow.practice_id == repo.practice_id, ProviderRow.npi == npi)).first()
        if provider is None:
            problems.append(Problem("provider_npi", f"no provider with NPI {npi[:10]} in practice "
                                                    f"{repo.practice.code}: import the provider first"))
        else:
            provider_id = provider.id
    name = " ".join(str(values.get("location") or "").split())
    if name:
        location = next((loc for loc in repo.rows(ServiceLocationRow) if loc.name.casefold() == name.casefold()),
                        None)
        if location is None:
            problems.append(Problem("location", f"no service location named {name[:40]!r} in practice "
                                                f"{repo.practice.code}"))
        else:
            location_id = location.id
    return provider_id, location_id


def _values(checked: AppointmentValues, provider_id: int | None, location_id: int | None) -> dict[str, Any]:
    return {"starts_at": checked.starts_at, "minutes": checked.minutes, "visit_type": checked.visit_type,
            "planned_codes": list(checked.planned_codes), "reason": checked.reason, "status": checked.status,
            "provider_id": provider_id, "location_id": location_id}


def _shown(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values for the audit trail (no reason text: it may say something of the patient's condition)."""
    return {name: value.isoformat() if isinstance(value, datetime.datetime) else value
            for name, value in values.items() if name != "reason"}


def book_appointment(database: Database, practice_ids: Collection[int], patient_ref: str | int,
                     values: Mapping[str, Any], *, actor: str) -> int:
    """Book an appointment for a patient of these practices (the booking form); its id."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, patient = scoped_patient(uow, practice_ids, patient_ref)
        done = register_appointment(repo, patient.account_number, {**values, "appointment_id": None}, via="web")
        uow.commit()
        return done.record_id


def edit_appointment(database: Database, practice_ids: Collection[int], appointment_id: int,
                     values: Mapping[str, Any], *, actor: str) -> Registered:
    """Change an appointment of these practices (time, length, provider, location, visit type, planned codes,
    status)."""
    with UnitOfWork(database, actor=actor) as uow:
        repo, row = _scoped(uow, practice_ids, appointment_id)
        patient = repo.get(PatientRow, row.patient_id)
        done = register_appointment(repo, patient.account_number, values, via="web", appointment_id=row.id)
        uow.commit()
        return done


def appointment_form(database: Database, practice_ids: Collection[int], *, actor: str,
                     appointment_id: int | None = None, patient_ref: str | int | None = None) -> AppointmentForm:
    """The booking form: a new appointment for a patient, or an existing appointment (an audited read)."""
    with UnitOfWork(database, actor=actor) as uow:
        values: dict[str, str] = {"minutes": "15", "status": "booked"}
        if appointment_id is not None:
            repo, row = _scoped(uow, practice_ids, appointment_id)
            patient = repo.get(PatientRow, row.patient_id)
            provider = repo.get(ProviderRow, row.provider_id) if row.provider_id else None
            location = repo.get(ServiceLocationRow, row.location_id) if row.location_id else None
            values = {"start": row.starts_at.strftime("%Y-%m-%d %H:%M"), "minutes": str(row.minutes),
                      "provider_npi": provider.npi if provider else "", "location": location.name if location else "",
                      "visit_type": row.visit_type or "", "planned_codes": " ".join(row.planned_codes or []),
                      "reason": row.reason or "", "status": row.status}
            repo.audit("appointment.read", "appointment", row.id, {"patient": patient.account_number})
        elif patient_ref is not None:
            repo, patient = scoped_patient(uow, practice_ids, patient_ref)
            repo.audit("patient.read", "patient", patient.id, {"patient": patient.account_number,
                                                               "for": "booking"})
        else:
            raise NotFound("no patient named for the appointment")
        providers = tuple((p.npi, f"{p.last_name}, {p.first_name}") for p in repo.rows(ProviderRow))
        locations = tuple(loc.name for loc in repo.rows(ServiceLocationRow))
        form = AppointmentForm(appointment_id, repo.practice.code, patient.account_number,
                               f"{patient.last_name}, {patient.first_name}", values, providers, locations)
        uow.commit()
        return form


def _scoped(uow: UnitOfWork, practice_ids: Collection[int],
            appointment_id: int) -> tuple[PracticeRepository, AppointmentRow]:
    row = uow.session.scalars(select(AppointmentRow).where(
        AppointmentRow.id == appointment_id, AppointmentRow.practice_id.in_(sorted(practice_ids)))).first() \
        if practice_ids and 0 < appointment_id < 2**31 else None
    if row is None:
        raise NotFound(f"no appointment {appointment_id} among your practices' appointments")
    return uow.practice(row.practice_id), row
