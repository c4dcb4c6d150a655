"""The print batch of patient statements: every statement waiting for print (no e-mail address, or an e-mail that
bounced) rendered into batch files for a print-and-mail vendor: one PDF of the statements, each starting on a new
page, and its CSV manifest (``pdf.statements``: sequence, statement code, account, name, mailing address, pages,
amount due).

Batches hold at most ``BATCH_SIZE`` statements each (a vendor's upload, and memory, stay bounded), per practice,
named ``statements-<practice>-<YYYYMMDD>-<n>.pdf`` and ``.csv``. They hold patients' names, addresses and visits:
the files are written readable by their owner only. Each batch's statements are marked printed (with the batch's
name) in the same transaction that follows the files' writing, so a batch is never printed twice; a failure before
the commit leaves them waiting, and the next run writes the batch again under the same name.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dermbill.core.money import Money, total
from dermbill.core.statement_document import StatementDocument
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow, StatementRow
from dermbill.db.repositories import UnitOfWork, utc_now

BATCH_SIZE = 1000


@dataclass(frozen=True, slots=True)
class PrintBatch:
    practice: str
    pdf: Path
    manifest: Path
    statements: int
    amount: Money

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "pdf": str(self.pdf), "manifest": str(self.manifest),
                "statements": self.statements, "amount": self.amount.plain()}


def print_statements(database: Database, out_dir: Path, *, practice_ids: Collection[int] | None = None,
                     practices: Collection[str] | None = None, actor: str = "statements",
                     now: datetime.datetime | None = None, batch_size: int = BATCH_SIZE,
                     progress: Callable[[int, int], None] | None = None) -> list[PrintBatch]:
    """Render every statement waiting for print into batch files under ``out_dir``; mark them printed."""
    from dermbill.pdf.statements import render_print_batch

    moment = now or utc_now()
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with UnitOfWork(database, actor=actor) as uow:
        query = (select(StatementRow.id, StatementRow.practice_id, PracticeRow.code)
                 .join(PracticeRow, PracticeRow.id == StatementRow.practice_id)
                 .where(StatementRow.delivery == "print", StatementRow.delivery_status == "pending")
                 .order_by(PracticeRow.code, StatementRow.id))
        if practice_ids is not None:
            query = query.where(StatementRow.practice_id.in_(set(practice_ids)))
        if practices is not None:
            query = query.where(PracticeRow.code.in_(set(practices)))
        waiting = uow.session.execute(query).all()
    batches: list[PrintBatch] = []
    done = 0
    by_practice: dict[tuple[int, str], list[int]] = {}
    for statement_id, practice_id, code in waiting:
        by_practice.setdefault((practice_id, code), []).append(statement_id)
    for (practice_id, code), ids in by_practice.items():
        for number, start in enumerate(range(0, len(ids), batch_size), start=1):
            chunk = ids[start:start + batch_size]
            name = f"statements-{code}-{moment:%Y%m%d}-{number:03d}"
            with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
                rows = list(uow.session.scalars(select(StatementRow).where(StatementRow.id.in_(chunk))
                                                .order_by(StatementRow.id)))
                documents = [StatementDocument.from_json(row.document) for row in rows]
                pdf, manifest = render_print_batch(documents)
                pdf_path, manifest_path = out_dir / f"{name}.pdf", out_dir / f"{name}.csv"
                _write_private(pdf_path, pdf)
                _write_private(manifest_path, manifest.encode())
                for row in rows:
                    row.delivery_status, row.print_batch, row.delivered_at = "printed", name, moment
                uow.practice(practice_id).audit("statements.printed", "statement", None,
                                                {"batch": name, "statements": len(rows)})
                uow.commit()
            batches.append(PrintBatch(code, pdf_path, manifest_path, len(rows),
                                      total([d.balance_due for d in documents])))
            done += len(chunk)
            if progress:
                progress(done, len(waiting))
    return batches


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only (it holds patients' names and visits)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
