"""Keeping up with CMS releases (issue 20): the reference releases loaded

``reference_release``: each CMS release loaded by ``dermbill reference update`` (NCCI PTP and MUE, PFS relative
values, HCPCS, ICD-10-CM), by kind, period and revision, with its content in canonical text and that content's
hash. A period loaded again with other content is a new revision; nothing is replaced.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 12:00:00
"""
from alembic import op
import sqlalchemy as sa

import dermbill.db.base


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reference_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('starts', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source_files', sa.JSON(), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('loaded_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('loaded_by', sa.String(length=120), nullable=False),
    sa.CheckConstraint("kind IN ('ptp', 'mue', 'rvu', 'hcpcs', 'icd10cm')",
                       name=op.f('ck_reference_release_kind')),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_reference_release_revision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_release')),
    sa.UniqueConstraint('kind', 'period', 'revision', name=op.f('uq_reference_release_kind_period_revision'))
    )
    with op.batch_alter_table('reference_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reference_release_starts'), ['starts'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reference_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reference_release_starts'))
    op.drop_table('reference_release')
