"""postings' and line adjudications' references checked once per statement, not once per row (PostgreSQL)

Each foreign key of ``posting`` (its journal entry, account, patient, claim, claim line and payer) and of
``line_adjudication`` (its claim, claim line, remittance and payer) ran an internal trigger for every row inserted:
for an 835 of 10,000 claims, 650,000 lookups for its 109,000 postings and 80,000 for its 20,000 line adjudications,
most of the server's time posting it (the postings alone: 7.1 s with the keys' checks, 1.6 s without). They are
replaced by the same rules kept by triggers (``ledger_guards.install_statement_reference_checks``): one
statement-level trigger after each INSERT, COPY or UPDATE of these tables looks each key of the statement's rows up
once, locking the rows referred to FOR KEY SHARE as the keys' checks did, and refuses the statement with the keys'
error and names (SQLSTATE 23503); a row trigger on each table referred to (but ``journal_entry``, never updated nor
deleted) refuses a DELETE, or a change of its key, while a row refers to it. SQLite keeps the foreign keys (its
checks cost little; the models declare them, and the schema comparison leaves these ten out on PostgreSQL).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 22:00:00
"""
from alembic import op

from dermbill.db import ledger_guards

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    ledger_guards.install_statement_reference_checks(op.get_bind())


def downgrade() -> None:
    ledger_guards.remove_statement_reference_checks(op.get_bind())
