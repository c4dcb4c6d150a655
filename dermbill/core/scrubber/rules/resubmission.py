"""A claim sent back unchanged after a rejection: rejected-unchanged (see ``dermbill.core.resubmission``).

The clearinghouse or the payer rejected the claim (999, 277CA) and nothing on it or its coverage has changed
since: it would be rejected again for the same reason, so it is held until it is corrected or a person approves
sending it as it was.
"""

from __future__ import annotations

from dermbill.core.resubmission import UNCHANGED_RULE
from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.findings import ScrubFinding, error


def rejected_unchanged(check: Check) -> list[ScrubFinding]:
    rejection = check.rejection
    if rejection is None or not rejection.unchanged:
        return []
    return [error(UNCHANGED_RULE, (), f"the claim was rejected ({rejection.reason}) and nothing on it or its "
                                      "coverage has changed since; sent again it would be rejected again",
                  f"{rejection.fix}; if the fix was made outside the claim (the clearinghouse setup, the payer's "
                  "records), a person can approve sending it unchanged (scrub --claim with --resubmit-unchanged)")]
