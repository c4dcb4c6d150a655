"""refuse TRUNCATE of the ledger and audit tables on PostgreSQL (issue 12, point 15)

Row triggers (migration 0001) refuse UPDATE and DELETE, but they do not fire on TRUNCATE, so
``TRUNCATE audit_event`` emptied the audit trail. A statement-level ``BEFORE TRUNCATE`` trigger on
``audit_event``, ``journal_entry`` and ``posting`` refuses it. SQLite has no TRUNCATE: a no-op there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:30:00
"""
from alembic import op

from dermbill.db import ledger_guards

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ledger_guards.install_truncate_guards(op.get_bind())


def downgrade() -> None:
    ledger_guards.remove_truncate_guards(op.get_bind())
