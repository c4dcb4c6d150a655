"""posting: index a claim's and a line's postings with the practice (SQLite chose the practice index instead)

Without table statistics SQLite read a claim's postings through ix_posting_practice_id, that is every posting of
the practice: 835 posting went from 15 ms to 0.5 s a file as the ledger grew (make fuzz, issue 12). Indexes on
(claim_id, practice_id) and (claim_line_id, practice_id) replace the single-column ones and serve both.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 06:50:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posting_claim_id'))
        batch_op.drop_index(batch_op.f('ix_posting_claim_line_id'))
        batch_op.create_index('ix_posting_claim_practice', ['claim_id', 'practice_id'], unique=False)
        batch_op.create_index('ix_posting_claim_line_practice', ['claim_line_id', 'practice_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('posting', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_claim_line_practice')
        batch_op.drop_index('ix_posting_claim_practice')
        batch_op.create_index(batch_op.f('ix_posting_claim_line_id'), ['claim_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posting_claim_id'), ['claim_id'], unique=False)
