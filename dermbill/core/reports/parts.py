"""What the key figures and the denial report are made of: sums and counts that add up across practices.

Every key figure is a sum, a count, or a ratio of two of them over claims, lines and postings that each belong to one
practice, so a billing company's figures are its practices' parts added, then divided. ``FigureParts`` holds those
parts for one filter (its practices, period and as-of day); ``add_parts`` adds them; ``services.report_parts`` keeps
each practice's parts until the practice's data moves, so after a posting only that practice is summed again.

The denial items themselves are part of the parts (one ``DenialFact`` each: the claim, payer, provider, codes and
amounts, no patient), so the denial tables group the company's items exactly as they group one practice's.
Pure: nothing here reads a database or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from dermbill.core.reports.aging import BUCKETS, Kind
from dermbill.core.reports.denials import DenialFact, FamilyReview, Route

FORMAT = 2  # raise when the parts change shape: kept parts of another format are summed again
AGING_FORMAT = 1  # the same for ``AgingParts``


@dataclass(frozen=True, slots=True)
class RevenueSums:
    """The revenue figures' sums (money in cents): flows of the period, A/R as of the day, claim milestones."""

    charges: int = 0
    payments: int = 0
    contractual: int = 0
    ar: int = 0
    window_charges: int = 0  # gross charges of the 90 days ending on the as-of day
    clean: int = 0  # original claims first submitted in the period, answered, never in scrub errors or rejected
    answered: int = 0  # original claims first submitted in the period with an answer
    first_claims: int = 0  # claims first adjudicated in the period
    first_denied_claims: int = 0  # of which denied on that first remittance
    first_denied: int = 0  # their denied dollars on it
    first_charges: int = 0  # the charges of the claims first adjudicated
    lag_days: int = 0  # days from service to first submission, summed
    lag_claims: int = 0
    to_pay_days: int = 0  # days from first submission to first payment, summed
    paid_claims: int = 0


@dataclass(frozen=True, slots=True)
class Collected:
    """Statements of the period at least ``days`` old by the as-of day: how many, their amounts, and the patient
    cash on their claims within ``days`` after the statement (cents)."""

    days: int
    statements: int = 0
    billed: int = 0
    collected: int = 0


@dataclass(frozen=True, slots=True)
class PatientSums:
    statements: int = 0
    billed: int = 0
    windows: tuple[Collected, ...] = ()
    plans: int = 0
    plan_cents: int = 0
    write_offs: Mapping[str, int] = field(default_factory=dict)  # ledger account code -> cents


@dataclass(frozen=True, slots=True)
class CodingSums:
    reviews: tuple[FamilyReview, ...] = ()
    caught_claims: int = 0  # claims the scrubber stopped that went out after the fix
    caught_cents: int = 0


@dataclass(frozen=True, slots=True)
class ArByPayer:
    """Receivables as of the day (insurance by the payer they name; patients' together) and the 90 days' charges
    by the claim's payer, in cents. ``None`` is no payer named. Built by ``ar_by_payer`` from the aging parts and
    the figure parts' charges."""

    insurance: Mapping[int | None, int] = field(default_factory=dict)
    patient: int = 0
    charges: Mapping[int | None, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FigureParts:
    """One filter's parts of the key figures of its period (flows, milestones, denial items, coding, patient
    collections; A/R as of the day as one sum). What is read by payer as of the day (A/R by payer, aging, credits)
    is in the aging parts (``AgingParts``), so the previous period's figures, read beside every period's, never sum
    it; ``charges_by_payer`` is the 90 days' charges by claim payer that days in A/R by payer divides."""

    revenue: RevenueSums = RevenueSums()
    denials: tuple[DenialFact, ...] = ()
    coding: CodingSums = CodingSums()
    patient: PatientSums = PatientSums()
    charges_by_payer: Mapping[int | None, int] = field(default_factory=dict)  # claim payer (None: none) -> cents


def _add_counts(items: Iterable[Any], cls: type[Any]) -> Any:
    """A dataclass of whole numbers: field by field."""
    totals = {f.name: 0 for f in fields(cls)}
    for item in items:
        for name in totals:
            totals[name] += getattr(item, name)
    return cls(**totals)


def _add_maps(maps: Iterable[Mapping[Any, int]]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for one in maps:
        for key, value in one.items():
            out[key] = out.get(key, 0) + value
    return out


def _add_windows(windows: Iterable[Collected]) -> tuple[Collected, ...]:
    out: dict[int, Collected] = {}
    for w in windows:
        was = out.get(w.days, Collected(w.days))
        out[w.days] = Collected(w.days, was.statements + w.statements, was.billed + w.billed,
                                was.collected + w.collected)
    return tuple(out[days] for days in sorted(out))


def _add_reviews(reviews: Iterable[FamilyReview]) -> tuple[FamilyReview, ...]:
    out: dict[str, tuple[int, int]] = {}
    for r in reviews:
        accepted, changed = out.get(r.family, (0, 0))
        out[r.family] = (accepted + r.accepted, changed + r.changed)
    return tuple(FamilyReview(family, *out[family]) for family in sorted(out))


def add_parts(parts: Iterable[FigureParts]) -> FigureParts:
    """The parts of several practices as one (claims and items of different practices never coincide)."""
    every = list(parts)
    patients = [p.patient for p in every]
    return FigureParts(
        revenue=_add_counts((p.revenue for p in every), RevenueSums),
        denials=tuple(fact for p in every for fact in p.denials),
        coding=CodingSums(_add_reviews(r for p in every for r in p.coding.reviews),
                          sum(p.coding.caught_claims for p in every), sum(p.coding.caught_cents for p in every)),
        patient=PatientSums(sum(p.statements for p in patients), sum(p.billed for p in patients),
                            _add_windows(w for p in patients for w in p.windows), sum(p.plans for p in patients),
                            sum(p.plan_cents for p in patients), _add_maps(p.write_offs for p in patients)),
        charges_by_payer=_add_maps(p.charges_by_payer for p in every),
    )


# Kept as JSON (services.report_parts): numbers and names only.

def _payer_map_json(values: Mapping[int | None, int]) -> list[list[int | None]]:
    return [[key, value] for key, value in values.items()]


def _payer_map(rows: Iterable[list[Any]]) -> dict[int | None, int]:
    return {(None if key is None else int(key)): int(value) for key, value in rows}


def parts_to_json(parts: FigureParts) -> dict[str, Any]:
    revenue = parts.revenue
    return {
        "format": FORMAT,
        "revenue": [getattr(revenue, f.name) for f in fields(RevenueSums)],
        "denials": [[x.item_id, x.claim_id, x.kind, x.category, x.carc, x.payer_id, x.provider_id, list(x.codes),
                     x.amount_cents, x.recovered_cents, x.is_open, x.route.value] for x in parts.denials],
        "coding": {"reviews": [[r.family, r.accepted, r.changed] for r in parts.coding.reviews],
                   "caught": [parts.coding.caught_claims, parts.coding.caught_cents]},
        "patient": {"statements": parts.patient.statements, "billed": parts.patient.billed,
                    "windows": [[w.days, w.statements, w.billed, w.collected] for w in parts.patient.windows],
                    "plans": [parts.patient.plans, parts.patient.plan_cents],
                    "write_offs": dict(parts.patient.write_offs)},
        "charges_by_payer": _payer_map_json(parts.charges_by_payer),
    }


def parts_from_json(data: Mapping[str, Any]) -> FigureParts:
    """The parts ``parts_to_json`` wrote; ValueError for another format."""
    if data.get("format") != FORMAT:
        raise ValueError(f"report parts of format {data.get('format')!r}, expected {FORMAT}")
    coding, patient = data["coding"], data["patient"]
    return FigureParts(
        revenue=RevenueSums(*(int(v) for v in data["revenue"])),
        denials=tuple(DenialFact(int(item), int(claim), kind, category, carc, payer, provider, tuple(codes),
                                 int(amount), int(recovered), bool(is_open), Route(route))
                      for item, claim, kind, category, carc, payer, provider, codes, amount, recovered, is_open, route
                      in data["denials"]),
        coding=CodingSums(tuple(FamilyReview(family, int(a), int(c)) for family, a, c in coding["reviews"]),
                          int(coding["caught"][0]), int(coding["caught"][1])),
        patient=PatientSums(int(patient["statements"]), int(patient["billed"]),
                            tuple(Collected(*(int(v) for v in w)) for w in patient["windows"]),
                            int(patient["plans"][0]), int(patient["plans"][1]),
                            {code: int(cents) for code, cents in patient["write_offs"].items()}),
        charges_by_payer=_payer_map(data["charges_by_payer"]),
    )


# A/R aging's parts: the open balances of one practice as of a day on one basis, by kind, dimension and key.

AGING_SLOTS = len(BUCKETS) + 1  # the buckets, then what is not billed yet


@dataclass(frozen=True, slots=True)
class AgingParts:
    """Open balances as of the as-of day, aged on one basis, in cents: for each (dimension, kind, key), the amount in
    each bucket then the amount not billed yet (``AGING_SLOTS`` numbers). The dimension "" is the totals (key "");
    the others are those aging is read by (practice, payer, provider, code), keys as text: an id, a code, "patient"
    for patients' balances in the payer dimension, "" for none. Credit balances apart (key -> cents)."""

    rows: Mapping[tuple[str, Kind, str], tuple[int, ...]] = field(default_factory=dict)
    credits: Mapping[str, int] = field(default_factory=dict)


def add_aging_parts(parts: Iterable[AgingParts]) -> AgingParts:
    """Several practices' aging parts as one: the same (dimension, kind, key) added bucket by bucket."""
    rows: dict[tuple[str, Kind, str], list[int]] = {}
    credits: list[Mapping[str, int]] = []
    for one in parts:
        for key, cents in one.rows.items():
            found = rows.get(key)
            if found is None:
                rows[key] = list(cents)
            else:
                for index, value in enumerate(cents):
                    found[index] += value
        credits.append(one.credits)
    return AgingParts({key: tuple(cents) for key, cents in rows.items()}, _add_maps(credits))


def aging_parts_to_json(parts: AgingParts) -> dict[str, Any]:
    return {"format": AGING_FORMAT,
            "rows": [[dimension, kind.value, key, list(cents)] for (dimension, kind, key), cents in parts.rows.items()],
            "credits": dict(parts.credits)}


def aging_parts_from_json(data: Mapping[str, Any]) -> AgingParts:
    """The parts ``aging_parts_to_json`` wrote; ValueError for another format."""
    if data.get("format") != AGING_FORMAT:
        raise ValueError(f"aging parts of format {data.get('format')!r}, expected {AGING_FORMAT}")
    rows: dict[tuple[str, Kind, str], tuple[int, ...]] = {}
    for dimension, kind, key, cents in data["rows"]:
        if len(cents) != AGING_SLOTS:
            raise ValueError(f"aging parts with {len(cents)} amounts a row, expected {AGING_SLOTS}")
        rows[(str(dimension), Kind(kind), str(key))] = tuple(int(c) for c in cents)
    return AgingParts(rows, {key: int(cents) for key, cents in data["credits"].items()})


def ar_by_payer(aging: AgingParts, charges: Mapping[int | None, int]) -> ArByPayer:
    """The receivables by the payer they name (insurance and denied balances), patients' together, from the aging
    parts' payer rows (the same balances aging shows by payer), beside the 90 days' charges by claim payer."""
    insurance: dict[int | None, int] = {}
    patient = 0
    for (dimension, kind, key), cents in aging.rows.items():
        if dimension != "payer":
            continue
        if kind is Kind.PATIENT:
            patient += sum(cents)
        else:
            payer = int(key) if key.isdigit() else None
            insurance[payer] = insurance.get(payer, 0) + sum(cents)
    return ArByPayer(insurance, patient, dict(charges))
