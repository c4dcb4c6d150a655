"""Learning from denials: counts by payer, reason, code and provider, and payer rules proposed from patterns.

When one payer keeps denying the same pattern, a rule is proposed that the scrubber can apply before the next
claim goes (a person accepts or rejects it; nothing changes until accepted):
- ``distinct_modifier_59``: the payer bundled lines that carried an X modifier (XS/XE/XP/XU) for a separate
  lesion, and the fix was 59: the scrubber then wants 59 for this payer (and ``--fix`` puts it on);
- ``prior_authorization``: the payer denied a code for missing authorization (CARC 197, 15 or remark M62/N54):
  the scrubber then stops claims with that code that carry no authorization number.
A pattern is proposed when it occurred on at least ``MIN_DENIALS`` different claims.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    DenialItemRow,
    LineAdjudicationRow,
    PayerRow,
    PayerRuleProposalRow,
    PracticeRow,
    ProviderRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork

MIN_DENIALS = 3
AUTHORIZATION_CARCS = frozenset({"197", "15", "198"})
AUTHORIZATION_REMARKS = frozenset({"M62", "N54"})


def payer_tables_with_learned_rules(repo: PracticeRepository, tables: ScrubTables) -> ScrubTables:
    """The scrub tables with the organization's accepted payer rules laid over the shipped ones."""
    accepted = repo.session.scalars(select(PayerRuleProposalRow).where(
        PayerRuleProposalRow.organization_id == repo.practice.organization_id,
        PayerRuleProposalRow.status == "accepted")).all()
    return with_learned_rules(tables, accepted, {p.id: p for p in repo.payers()})


def with_learned_rules(tables: ScrubTables, accepted: list[PayerRuleProposalRow] | Any,
                       payers: dict[int, PayerRow]) -> ScrubTables:
    if not accepted:
        return tables
    rules = dict(tables.payer_rules)
    for proposal in accepted:
        payer = payers.get(proposal.payer_id)
        if payer is None:
            continue
        base = rules.get(payer.payer_identifier) or tables.payer_rule(None, payer.kind)
        base = dataclasses.replace(base, payer=payer.payer_identifier)
        if proposal.rule == "distinct_modifier_59":
            base = dataclasses.replace(base, distinct_modifier="59")
        elif proposal.rule == "prior_authorization":
            base = dataclasses.replace(base, authorization_codes=base.authorization_codes | {proposal.code})
        rules[payer.payer_identifier] = base
    return dataclasses.replace(tables, payer_rules=rules)


@dataclass(slots=True)
class DenialStats:
    claims_adjudicated: int = 0
    claims_denied: int = 0  # claims with at least one denied line (first decision)
    by_payer: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)
    by_code: Counter[str] = field(default_factory=Counter)
    by_provider: Counter[str] = field(default_factory=Counter)
    by_category: Counter[str] = field(default_factory=Counter)
    underpayments: int = 0

    @property
    def denial_rate(self) -> float:
        return self.claims_denied / self.claims_adjudicated if self.claims_adjudicated else 0.0

    def to_json(self) -> dict[str, Any]:
        return {"claims_adjudicated": self.claims_adjudicated, "claims_denied": self.claims_denied,
                "denial_rate": round(self.denial_rate, 4), "underpayments": self.underpayments,
                **{name: dict(getattr(self, name).most_common()) for name in
                   ("by_payer", "by_reason", "by_code", "by_provider", "by_category")}}


def denial_stats(database: Database) -> DenialStats:
    """Counts of denial items (one per claim and reason) by payer, reason, code, provider and category."""
    stats = DenialStats()
    with UnitOfWork(database, actor="denials") as uow:
        session = uow.session
        payers = {row.id: row.name for row in session.scalars(select(PayerRow))}
        providers = {row.id: f"{row.first_name} {row.last_name}" for row in session.scalars(select(ProviderRow))}
        stats.claims_adjudicated = int(session.scalar(select(func.count(func.distinct(LineAdjudicationRow.claim_id)))
                                                      .where(LineAdjudicationRow.status_code != "22")) or 0)
        denied_claims = set()
        for item, claim in session.execute(select(DenialItemRow, ClaimRow).join(
                ClaimRow, (ClaimRow.id == DenialItemRow.claim_id)
                & (ClaimRow.practice_id == DenialItemRow.practice_id))):
            if item.kind == "underpayment":
                stats.underpayments += 1
                continue
            denied_claims.add(claim.id)
            stats.by_payer[payers.get(item.payer_id or 0, "self-pay")] += 1
            stats.by_reason[f"{item.group_code}-{item.carc}"] += 1
            for code in item.codes:
                stats.by_code[code] += 1
            stats.by_provider[providers.get(claim.rendering_provider_id, "?")] += 1
            stats.by_category[item.category] += 1
        stats.claims_denied = len(denied_claims)
    return stats


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    payer: str
    rule: str
    code: str
    denials: int
    evidence: tuple[str, ...]
    description: str
    status: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "payer": self.payer, "rule": self.rule, "code": self.code, "denials": self.denials,
                "evidence": list(self.evidence), "description": self.description, "status": self.status}


def propose_payer_rules(database: Database, *, actor: str = "denials",
                        min_denials: int = MIN_DENIALS) -> list[Proposal]:
    """Find the patterns and store new proposals (a pattern already proposed, accepted or rejected is kept as it
    is, with its count brought up to date); returns every proposal."""
    with UnitOfWork(database, actor=actor) as uow:
        session = uow.session
        patterns: dict[tuple[int, int, str, str], set[str]] = defaultdict(set)
        for item, claim, organization_id in session.execute(
                select(DenialItemRow, ClaimRow, PracticeRow.organization_id)
                .join(ClaimRow, (ClaimRow.id == DenialItemRow.claim_id)
                      & (ClaimRow.practice_id == DenialItemRow.practice_id))
                .join(PracticeRow, PracticeRow.id == DenialItemRow.practice_id)
                .where(DenialItemRow.kind == "denial", DenialItemRow.payer_id.is_not(None))):
            if item.payer_id is None:
                continue
            if any("59" in fix["add"] and set(fix["remove"]) & {"XS", "XE", "XP", "XU"} for fix in item.fixes):
                patterns[(organization_id, item.payer_id, "distinct_modifier_59", "")].add(claim.patient_control_number)
            if item.carc in AUTHORIZATION_CARCS or set(item.rarcs) & AUTHORIZATION_REMARKS:
                for code in item.codes:
                    patterns[(organization_id, item.payer_id, "prior_authorization", code)].add(
                        claim.patient_control_number)
        payers = {row.id: row for row in session.scalars(select(PayerRow))}
        existing = {(p.organization_id, p.payer_id, p.rule, p.code): p
                    for p in session.scalars(select(PayerRuleProposalRow))}
        now = uow.clock()
        for key, claims in sorted(patterns.items()):
            if len(claims) < min_denials:
                continue
            organization_id, payer_id, rule, code = key
            row = existing.get(key)
            if row is None:
                payer = payers[payer_id]
                row = PayerRuleProposalRow(organization_id=organization_id, payer_id=payer_id, rule=rule, code=code,
                                           denials=len(claims), evidence=sorted(claims),
                                           description=_describe(rule, code, payer.name, len(claims)),
                                           status="proposed", created_at=now)
                session.add(row)
                uow.flush()
                uow.audit("payer_rule.proposed", "payer_rule_proposal", row.id, organization_id=organization_id,
                          detail={"payer": payer.payer_identifier, "rule": rule, "code": code})
            else:
                row.denials, row.evidence = len(claims), sorted(claims)
        uow.commit()
    return list_proposals(database)


def _describe(rule: str, code: str, payer: str, count: int) -> str:
    if rule == "distinct_modifier_59":
        return (f"{payer} bundled {count} claims' lines that carried an X modifier for a separate lesion: use 59 "
                "instead of XS/XE/XP/XU for this payer")
    return (f"{payer} denied {code} for missing prior authorization on {count} claims: stop claims with {code} "
            "to this payer until an authorization number is on the claim")


def list_proposals(database: Database) -> list[Proposal]:
    with UnitOfWork(database, actor="denials") as uow:
        payers = {row.id: row.name for row in uow.session.scalars(select(PayerRow))}
        return [Proposal(p.id, payers.get(p.payer_id, "?"), p.rule, p.code, p.denials, tuple(p.evidence),
                         p.description, p.status)
                for p in uow.session.scalars(select(PayerRuleProposalRow).order_by(PayerRuleProposalRow.id))]


def decide_proposal(database: Database, proposal_id: int, *, accept: bool, actor: str,
                    now: datetime.datetime | None = None) -> Proposal:
    """Accept (the scrubber applies the rule from now on) or reject a proposed rule; audited."""
    with UnitOfWork(database, actor=actor) as uow:
        row = uow.session.get(PayerRuleProposalRow, proposal_id)
        if row is None:
            raise NotFound(f"proposed rule {proposal_id} not found; `dermbill denials rules` lists them")
        if row.status != "proposed":
            raise InvalidTransition(f"proposed rule {proposal_id} was already {row.status}")
        if not actor.strip():
            raise InvalidInput("a person must accept or reject a rule")
        row.status = "accepted" if accept else "rejected"
        row.decided_by, row.decided_at = actor, now or uow.clock()
        uow.audit(f"payer_rule.{row.status}", "payer_rule_proposal", row.id, organization_id=row.organization_id,
                  detail={"rule": row.rule, "code": row.code})
        uow.commit()
    return next(p for p in list_proposals(database) if p.id == proposal_id)



