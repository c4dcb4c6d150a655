"""Reports at a billing company's scale (issue 17): each practice's A/R aging parts, kept

``report_aging_parts``: per practice, as-of day and aging basis (date of service or first billed), the open balances
by kind, bucket and dimension (practice, payer, provider, code) and the credit balances (JSON), and the practice's
data version they were computed under. A company's aging adds its practices' parts; a practice whose version moved
since is summed again, the others are read.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_aging_parts',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'],
                            name=op.f('fk_report_aging_parts_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'as_of', 'basis', name=op.f('pk_report_aging_parts'))
    )


def downgrade() -> None:
    op.drop_table('report_aging_parts')
