"""Reports at a billing company's scale (issue 17): each practice's key-figure parts, kept

``report_parts``: per practice, period and as-of day, the sums and counts its key figures and denial report are
made of (JSON), and the practice's data version they were computed under. A company's figures add its practices'
parts; a practice whose version moved since is summed again, the others are read.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_parts',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_report_parts_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', 'period_start', 'period_end', 'as_of', name=op.f('pk_report_parts'))
    )


def downgrade() -> None:
    op.drop_table('report_parts')
