"""Setting a billing company's practices up: the practices, the payers, each practice's providers and service
locations, its fees and the payers' contracted rates. Each ``register_*`` creates the record or updates the one
with the same natural key (a practice's code, a payer ID, a provider's NPI, a location's name, a fee schedule's
name and first date with the code and modifier) and says which (``intake.Outcome``); values are checked by
``core.practice_setup`` (InvalidFields by field; nothing of the record saved). Practices, payers, providers and
locations are audited record by record; fees are audited per schedule created (a fee schedule holds thousands of
codes and no protected health information; the import that loads them is audited with its counts).

The caller owns the unit of work: these functions stage and flush, and never commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from sqlalchemy import select

from dermbill.core.errors import InvalidFields, Problem
from dermbill.core.practice_setup import (
    FeeValues,
    LocationValues,
    PayerValues,
    PracticeValues,
    ProviderValues,
    new_fee,
    new_location,
    new_payer,
    new_practice,
    new_provider,
    shown,
)
from dermbill.db.models import (
    FeeScheduleItemRow,
    FeeScheduleRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.services.intake import Outcome, Registered, as_mapping

SCHEDULE_NAME_LENGTH = 100


def _text_values(values: object) -> dict[str, Any]:
    """Typed values back to the text the checks read (a typed value is checked again like text would be)."""
    result: dict[str, Any] = {}
    for name, value in as_mapping(values).items():
        if isinstance(value, bool):
            result[name] = "yes" if value else "no"
        elif isinstance(value, int):
            result[name] = str(value)
        elif hasattr(value, "plain"):
            result[name] = value.plain()
        else:
            result[name] = value
    return result


def _merged(values: object, row: object | None, kind: type[Any]) -> dict[str, Any]:
    """The values to check: those given, and for a record already stored the stored value of each field not given
    (a file without a column keeps what the records say there)."""
    given = _text_values(values)
    if row is None:
        return given
    return {**_text_values({f.name: getattr(row, f.name) for f in fields(kind)}), **given}


def _key(values: object, name: str) -> str:
    return " ".join(str(as_mapping(values).get(name) or "").split())


def _update(row: object, values: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set the row's fields to the values; (before, after) of those that changed."""
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for name, value in as_mapping(values).items():
        if getattr(row, name) != value:
            old[name], new[name] = getattr(row, name), value
            setattr(row, name, value)
    return old, new


def _registered(created: bool, row_id: int, old: dict[str, Any], new: dict[str, Any]) -> Registered:
    if created:
        return Registered(Outcome.CREATED, row_id, {}, new)
    return Registered(Outcome.UPDATED if new else Outcome.UNCHANGED, row_id, old, new)


def register_practice(uow: UnitOfWork, organization_id: int, values: PracticeValues | Mapping[str, Any], *,
                      via: str | None = None) -> Registered:
    """Create the billing company's practice (with the standard chart of accounts) or update the one with the
    same code."""
    row = uow.session.scalars(select(PracticeRow).where(PracticeRow.organization_id == organization_id,
                                                        PracticeRow.code == _key(values, "code"))).first()
    checked = new_practice("the practice", _merged(values, row, PracticeValues))
    if row is None:
        row = uow.add_practice(PracticeRow(organization_id=organization_id, **as_mapping(checked)))
        uow.practice(row.id).open_standard_chart()
        return _registered(True, row.id, {}, shown(checked))
    old, new = _update(row, checked)
    if new:
        uow.flush()
        uow.audit("practice.edited", "practice", row.id, organization_id=organization_id, practice_id=row.id,
                  detail={"practice": row.code, "before": old, "after": new, "via": via})
    return _registered(False, row.id, old, new)


def register_payer(uow: UnitOfWork, organization_id: int, values: PayerValues | Mapping[str, Any], *,
                   via: str | None = None) -> Registered:
    """Create the billing company's payer or update the one with the same payer ID."""
    row = uow.session.scalars(select(PayerRow).where(
        PayerRow.organization_id == organization_id,
        PayerRow.payer_identifier == _key(values, "payer_identifier"))).first()
    checked = new_payer("the payer", _merged(values, row, PayerValues))
    created = row is None
    if row is None:
        row = PayerRow(organization_id=organization_id, **as_mapping(checked))
        uow.add_payers([row])
        old: dict[str, Any] = {}
        new = shown(checked)
    else:
        old, new = _update(row, checked)
        uow.flush()
    if new:
        uow.audit("payer.registered" if created else "payer.edited", "payer", row.id,
                  organization_id=organization_id, detail={"payer": row.payer_identifier, "before": old,
                                                           "after": new, "via": via})
    return _registered(created, row.id, old, new)


def register_provider(repo: PracticeRepository, values: ProviderValues | Mapping[str, Any], *,
                      via: str | None = None) -> Registered:
    """Create the practice's rendering provider or update the one with the same NPI."""
    found = repo.rows(ProviderRow, ProviderRow.npi == _key(values, "npi"))
    row = found[0] if found else None
    checked = new_provider("the provider", _merged(values, row, ProviderValues))
    return _tenant_record(repo, row, ProviderRow, checked, "provider",
                          {"provider": checked.npi}, via)


def register_location(repo: PracticeRepository, values: LocationValues | Mapping[str, Any], *,
                      via: str | None = None) -> Registered:
    """Create the practice's service location or update the one with the same name."""
    found = repo.rows(ServiceLocationRow, ServiceLocationRow.name == _key(values, "name"))
    row = found[0] if found else None
    checked = new_location("the service location", _merged(values, row, LocationValues))
    return _tenant_record(repo, row, ServiceLocationRow, checked, "service_location",
                          {"location": checked.name}, via)


def _tenant_record(repo: PracticeRepository, row: Any, row_type: type[Any], checked: object, entity: str,
                   named: dict[str, Any], via: str | None) -> Registered:
    created = row is None
    if created:
        row = repo.add(row_type(**as_mapping(checked)))
        repo.flush()
        old: dict[str, Any] = {}
        new = shown(checked)
    else:
        old, new = _update(row, checked)
        repo.flush()
    if new:
        repo.audit(f"{entity}.registered" if created else f"{entity}.edited", entity, row.id,
                   {**named, "before": old, "after": new, "via": via})
    return _registered(created, row.id, old, new)


def set_fee(repo: PracticeRepository, schedule: str | None, effective_from: datetime.date | None,
            effective_to: datetime.date | None, values: FeeValues | Mapping[str, Any], *,
            payer: str | None = None, via: str | None = None) -> Registered:
    """Set one code's amount in a fee schedule in effect from ``effective_from`` (to ``effective_to``, or open):
    the practice's own schedule named ``schedule``, or with ``payer`` (a payer ID) that payer's contracted rates.
    The schedule is created when new; its end date follows the last value given."""
    problems = []
    name = " ".join((schedule or "").split())
    payer_row = None
    if payer is not None:
        payer_row = next((p for p in repo.payers() if p.payer_identifier == payer.strip()), None)
        if payer_row is None:
            problems.append(Problem("payer", f"'{payer.strip()[:24]}' is not one of the billing company's payers"))
        else:
            name = f"{payer_row.payer_identifier} contract"[:SCHEDULE_NAME_LENGTH]
    elif not name:
        problems.append(Problem("schedule", "may not be empty (the fee schedule's name)"))
    elif len(name) > SCHEDULE_NAME_LENGTH:
        problems.append(Problem("schedule", f"'{name[:24]}...' is longer than {SCHEDULE_NAME_LENGTH} characters"))
    if effective_from is None:
        problems.append(Problem("effective_from", "may not be empty (the first date of service of the prices)"))
    elif effective_to is not None and effective_to < effective_from:
        problems.append(Problem("effective_to", f"{effective_to} is before the first date ({effective_from})"))
    try:
        fee = new_fee("the fee", _text_values(values))
    except InvalidFields as refused:
        problems += refused.problems
    if problems or effective_from is None:
        raise InvalidFields("the fee was not saved", tuple(problems))
    criteria = [FeeScheduleRow.effective_from == effective_from]
    if payer_row is not None:  # a payer's contract, whatever its name
        criteria.append(FeeScheduleRow.payer_id == payer_row.id)
    else:
        criteria += [FeeScheduleRow.name == name]
    found = repo.rows(FeeScheduleRow, *criteria)
    if found and payer_row is None and found[0].payer_id is not None:
        raise InvalidFields("the fee was not saved", (Problem(
            "schedule", f"'{name[:24]}' from {effective_from} is a payer's contracted rates, not the practice's "
                        "fees: give the practice's schedule another name"),))
    schedule_updated = False
    if found:
        fee_schedule = found[0]
        if fee_schedule.effective_to != effective_to:
            fee_schedule.effective_to = effective_to
            schedule_updated = True
    else:
        fee_schedule = repo.add(FeeScheduleRow(name=name, payer_id=payer_row.id if payer_row else None,
                                               effective_from=effective_from, effective_to=effective_to))
        repo.flush()
        repo.audit("fee_schedule.created", "fee_schedule", fee_schedule.id, {
            "schedule": name, "payer": payer_row.payer_identifier if payer_row else None,
            "effective_from": effective_from.isoformat(), "via": via})
    item = repo.session.scalars(select(FeeScheduleItemRow).where(
        FeeScheduleItemRow.practice_id == repo.practice_id, FeeScheduleItemRow.fee_schedule_id == fee_schedule.id,
        FeeScheduleItemRow.procedure_code == fee.procedure_code, FeeScheduleItemRow.modifier == fee.modifier)).first()
    after = {"amount": fee.amount.plain()}
    if item is None:
        item = repo.add(FeeScheduleItemRow(fee_schedule_id=fee_schedule.id, procedure_code=fee.procedure_code,
                                           modifier=fee.modifier, amount_cents=fee.amount.cents))
        repo.flush()
        return Registered(Outcome.CREATED, item.id, {}, after)
    if item.amount_cents == fee.amount.cents:
        return Registered(Outcome.UPDATED if schedule_updated else Outcome.UNCHANGED, item.id, {}, {})
    before = {"amount": type(fee.amount)(item.amount_cents).plain()}
    item.amount_cents = fee.amount.cents
    return Registered(Outcome.UPDATED, item.id, before, after)
