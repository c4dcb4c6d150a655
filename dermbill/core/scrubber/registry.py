"""Every scrubber rule, with its stable identifier, and the function that runs them all.

Rule identifiers (claim.md): ncci-ptp, mue, global-period, modifier-missing, modifier-invalid,
add-on-without-primary, code-invalid-on-dos, icd-invalid, dx-procedure-mismatch, medical-necessity,
units-invalid, duplicate-line, provider-invalid, missing-field, timely-filing, authorization-missing (payer rules),
rejected-unchanged (a rejected claim sent again as it was).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from dermbill.core.resubmission import RejectedBefore
from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.claim import Claim
from dermbill.core.scrubber.findings import ScrubFinding, ScrubResult
from dermbill.core.scrubber.rules import codes, diagnoses, fields, modifiers, ncci, resubmission
from dermbill.core.scrubber.tables import ScrubTables

Rule = Callable[[Check], list[ScrubFinding]]

RULES: tuple[tuple[tuple[str, ...], Rule], ...] = (
    (("missing-field",), fields.missing_fields),
    (("provider-invalid",), fields.providers),
    (("timely-filing", "missing-field"), fields.timely_filing),
    (("code-invalid-on-dos",), codes.codes_in_force),
    (("add-on-without-primary",), codes.add_ons),
    (("units-invalid",), codes.units),
    (("duplicate-line",), codes.duplicates),
    (("ncci-ptp",), ncci.ptp_pairs),
    (("mue",), ncci.medically_unlikely),
    (("modifier-missing",), modifiers.missing_modifiers),
    (("modifier-invalid",), modifiers.invalid_modifiers),
    (("global-period",), modifiers.global_periods),
    (("icd-invalid",), diagnoses.icd_codes),
    (("dx-procedure-mismatch",), diagnoses.procedure_diagnoses),
    (("medical-necessity",), diagnoses.coverage),
    (("authorization-missing",), fields.prior_authorization),
    (("rejected-unchanged",), resubmission.rejected_unchanged),
)
RULE_IDS: tuple[str, ...] = tuple(dict.fromkeys(rule for ids, _ in RULES for rule in ids))


def scrub_claim(
    claim: Claim, tables: ScrubTables, *, as_of: datetime.date, payer_key: str | None = None,
    rejection: RejectedBefore | None = None,
) -> ScrubResult:
    """Run every rule; errors first, then warnings, each in rule order. ``rejection``: the claim's last rejection by
    the clearinghouse or payer, for a claim being fixed to go out again."""
    check = Check(claim, tables, as_of, payer_key, rejection)
    findings = [finding for _, rule in RULES for finding in rule(check)]
    findings.sort(key=lambda f: f.severity.value != "error")
    return ScrubResult(tuple(findings))
