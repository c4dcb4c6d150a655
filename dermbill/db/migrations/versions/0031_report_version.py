"""Reports at a billing company's scale (issue 17): each practice's data version

``report_version``: one row per practice, its ``version`` raised by one, last in the transaction, by every commit
that wrote the practice's rows (``UnitOfWork.commit``). A report read after the versions of its practices is
still right while they have not moved, so the dashboard can be kept between reads instead of computed again.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_version',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_report_version_practice_id_practice')),
    sa.PrimaryKeyConstraint('practice_id', name=op.f('pk_report_version'))
    )


def downgrade() -> None:
    op.drop_table('report_version')
