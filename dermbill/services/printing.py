"""Paper claims: the CMS-1500 (02/12) PDF of stored claims, for payers that take paper."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from dermbill import clock
from dermbill.core.errors import InvalidInput
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.pdf.cms1500 import render
from dermbill.services.claim_lookup import find_claims
from dermbill.services.submission import billing_provider, professional_claim


def print_claims(database: Database, claims: Sequence[int | str], target: Path, *, full_form: bool,
                 actor: str = "cli", signed_on: datetime.date | None = None) -> int:
    """Write the claims (claim numbers or ids) to one PDF (one page a claim, more for over six lines); returns the
    number of claims.

    Box 31 is dated ``signed_on``, by default the day the form is printed.
    """
    documents = []
    with UnitOfWork(database, actor=actor) as uow:
        for row in find_claims(uow, claims):
            repo = uow.practice(row.practice_id)
            documents.append((professional_claim(repo, row), billing_provider(repo.practice)))
            repo.audit("claim.printed", "claim", row.id, {"file": target.name, "full_form": full_form})
        uow.commit()
    data = render(documents, full_form=full_form,
                  signed_on=signed_on or clock.today())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write '{target}': {exc.strerror}") from None
    return len(documents)
