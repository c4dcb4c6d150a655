"""STUB (fd-statement-mail): stands in for the statement PDF that another branch writes; replace it on merge."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from dermbill.core.statement_document import StatementDocument


def render_statement(document: StatementDocument) -> bytes:
    """A one-page placeholder: the practice, the statement date, the due date and the balance due."""
    out = io.BytesIO()
    page = Canvas(out)
    for row, text in enumerate((document.practice_name, f"Statement of {document.statement_date.isoformat()}",
                                f"Due {document.due_on.isoformat()}", f"Balance due {document.balance_due}")):
        page.drawString(72, 760 - 18 * row, text)
    page.save()
    return out.getvalue()
