"""Completeness and identity of the claim: missing-field, provider-invalid, timely-filing, authorization-missing.

The 837P needs a date of service, payer, patient, billing provider, place of service, at least one and at
most 12 diagnoses, and lines with a code, units, a charge and 1 to 4 pointers into the diagnoses.
"""

from __future__ import annotations

import re

from dermbill.core.identifiers import npi_problem
from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.claim import ClaimLine
from dermbill.core.scrubber.findings import ScrubFinding, error, warning

TAXONOMY = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
MAX_DIAGNOSES = 12
MAX_POINTERS = 4
MAX_LINES = 50


def missing_fields(check: Check) -> list[ScrubFinding]:
    claim = check.claim
    found = [error("missing-field", (), f"{where}: {what}", "correct the value and scrub again")
             for where, what in claim.problems]
    required = [
        (claim.date_of_service is None and not any(w == "date_of_service" for w, _ in claim.problems),
         "date_of_service is missing", "add the date of service (YYYY-MM-DD)"),
        (claim.payer is None and not any(w == "payer" for w, _ in claim.problems),
         "payer is missing", "add the payer (medicare, medicaid, commercial or self_pay)"),
        (claim.age is None or claim.sex is None, "the patient's age and sex are required",
         "add patient.age and patient.sex (F, M or U)"),
        (claim.billing_npi is None, "billing_provider.npi is missing", "add the billing provider's NPI"),
        (claim.place_of_service is None, "place_of_service is missing", "add the place of service, e.g. 11 (office)"),
        (not claim.diagnoses, "the claim has no diagnosis", "add the ICD-10-CM codes the services treat"),
        (not claim.lines, "the claim has no service line", "add the billed services"),
    ]
    found += [error("missing-field", (), message, fix) for missing, message, fix in required if missing]
    if claim.place_of_service is not None and not re.fullmatch(r"[0-9]{2}", claim.place_of_service):
        found.append(error("missing-field", (), f"place_of_service '{claim.place_of_service}' is not a two-digit "
                           "code", "use the CMS place-of-service code, e.g. 11 (office)"))
    if claim.rendering_npi is None:
        found.append(warning("missing-field", (), "rendering_provider.npi is missing",
                             "add the rendering provider when it differs from the billing provider"))
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        found.append(error("missing-field", (), f"{len(claim.diagnoses)} diagnoses; a claim carries at most "
                           f"{MAX_DIAGNOSES}", "keep the 12 that the lines point to, or split the claim"))
    repeated = sorted({d for d in claim.diagnoses if claim.diagnoses.count(d) > 1})
    if repeated:
        found.append(error("missing-field", (), f"diagnosis {', '.join(repeated)} is listed twice",
                           "list each diagnosis once and point lines to it"))
    if len(claim.lines) > MAX_LINES:
        found.append(error("missing-field", (), f"{len(claim.lines)} lines; an 837P claim has at most {MAX_LINES}",
                           "split the claim"))
    for line in claim.lines:
        found += _line_fields(check, line)
    return found


def _line_fields(check: Check, line: ClaimLine) -> list[ScrubFinding]:
    n = (line.number,)
    found = [error("missing-field", n, f"line {line.number}: {problem}", "correct the value")
             for problem in line.problems]
    if not line.code:
        found.append(error("missing-field", n, f"line {line.number} has no procedure code", "add the CPT/HCPCS code"))
    if line.units is None and not any("units" in p for p in line.problems):
        found.append(error("missing-field", n, f"line {line.number} has no units", "add the units"))
    if line.charge is None and not any("charge" in p for p in line.problems):
        found.append(error("missing-field", n, f"line {line.number} has no charge", "add the charge, e.g. \"125.00\""))
    elif line.charge is not None and line.charge.cents < 0:
        found.append(error("missing-field", n, f"line {line.number}: charge {line.charge} is negative",
                           "charges are zero or more"))
    if not line.pointers and not any("pointer" in p for p in line.problems):
        found.append(error("missing-field", n, f"line {line.number} points to no diagnosis",
                           "point the line to 1-4 of the claim's diagnoses"))
    bad = [p for p in line.pointers if not 1 <= p <= len(check.claim.diagnoses)]
    if bad:
        found.append(error("missing-field", n, f"line {line.number}: diagnosis pointer {', '.join(map(str, bad))} is "
                           f"out of range (the claim has {len(check.claim.diagnoses)} diagnoses)",
                           "point to a listed diagnosis (1-based)"))
    if len(line.pointers) > MAX_POINTERS:
        found.append(error("missing-field", n, f"line {line.number} has {len(line.pointers)} diagnosis pointers; "
                           f"the 837P allows {MAX_POINTERS}", "keep the four most relevant, primary first"))
    if len(set(line.pointers)) != len(line.pointers):
        found.append(error("missing-field", n, f"line {line.number} points to the same diagnosis twice",
                           "list each pointer once"))
    return found


def providers(check: Check) -> list[ScrubFinding]:
    claim = check.claim
    found = []
    for role, npi, taxonomy in (("billing", claim.billing_npi, claim.billing_taxonomy),
                                ("rendering", claim.rendering_npi, claim.rendering_taxonomy)):
        if npi is not None and (problem := npi_problem(npi)) is not None:
            found.append(error("provider-invalid", (), f"{role} provider NPI '{npi}' {problem}",
                               f"correct the {role} provider's NPI (check it in NPPES)"))
        if taxonomy is not None and not TAXONOMY.fullmatch(taxonomy):
            found.append(error("provider-invalid", (), f"{role} provider taxonomy '{taxonomy}' is not a provider "
                               "taxonomy code", "use the ten-character code, e.g. 207N00000X (dermatology)"))
    if claim.billing_npi is not None and claim.billing_taxonomy is None:
        found.append(error("provider-invalid", (), "billing provider taxonomy is missing",
                           "add the billing provider's taxonomy, e.g. 207N00000X (dermatology)"))
    return found


def timely_filing(check: Check) -> list[ScrubFinding]:
    claim = check.claim
    if claim.date_of_service is None:
        return []
    sent = claim.submitted_on or check.as_of
    if sent < claim.date_of_service:
        return [error("missing-field", (), f"submitted_on {sent} is before the date of service "
                      f"{claim.date_of_service}", "a claim is sent on or after the date of service")]
    limit = check.payer.timely_filing_days
    if claim.payer == "self_pay" or limit <= 0:
        return []
    elapsed = (sent - claim.date_of_service).days
    if elapsed > limit:
        return [error("timely-filing", (), f"sent {elapsed} days after the date of service; {claim.payer} allows "
                      f"{limit} days", "the payer will deny it as filed too late: send proof of timely filing if "
                      "an earlier submission exists, otherwise write it off (do not bill the patient)")]
    return []


def prior_authorization(check: Check) -> list[ScrubFinding]:
    """A code the payer wants prior authorization for (a payer rule, often learned from its denials), on a claim
    that carries no authorization number."""
    wanted = check.payer.authorization_codes
    if not wanted or check.claim.prior_authorization:
        return []
    return [error("authorization-missing", (line.number,), f"line {line.number}: this payer wants prior "
                  f"authorization for {line.code} and the claim has no authorization number",
                  "get the authorization (or a retroactive one) and add its number to the claim")
            for line in check.claim.lines if line.code in wanted]
