"""The coder's workspace (issue 14): queries to the provider about documentation gaps, and coding reviews

``coding_query`` keeps a gap sent to an encounter's provider (the lesion, the gap kind, the question in words), who
asked and when, and the answer; an encounter with an open query is held. ``coding_review`` keeps a second coder's
decision on each line the engine coded: the engine's line, the reviewed line, accepted or not, why, who, when.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'coding_query',
        sa.Column('encounter_id', sa.Integer(), nullable=False),
        sa.Column('lesion', sa.String(length=20), nullable=True),
        sa.Column('gap', sa.String(length=40), nullable=False),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('asked_by', sa.String(length=100), nullable=False),
        sa.Column('asked_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.String(length=100), nullable=True),
        sa.Column('answered_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'answered')", name=op.f('ck_coding_query_status')),
        sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'],
                                name=op.f('fk_coding_query_practice_id_encounter_id_encounter')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_coding_query_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coding_query')),
        sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_coding_query_practice_id_id')),
    )
    op.create_index(op.f('ix_coding_query_encounter_id'), 'coding_query', ['encounter_id'], unique=False)
    op.create_index(op.f('ix_coding_query_practice_id'), 'coding_query', ['practice_id'], unique=False)
    op.create_index('ix_coding_query_practice_status', 'coding_query', ['practice_id', 'status'], unique=False)
    op.create_table(
        'coding_review',
        sa.Column('encounter_id', sa.Integer(), nullable=False),
        sa.Column('line_number', sa.Integer(), nullable=False),
        sa.Column('family', sa.String(length=30), nullable=False),
        sa.Column('engine_line', sa.JSON(), nullable=False),
        sa.Column('reviewed_line', sa.JSON(), nullable=False),
        sa.Column('accepted', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('reviewer', sa.String(length=100), nullable=False),
        sa.Column('reviewed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['practice_id', 'encounter_id'], ['encounter.practice_id', 'encounter.id'],
                                name=op.f('fk_coding_review_practice_id_encounter_id_encounter')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_coding_review_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coding_review')),
        sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_coding_review_practice_id_id')),
    )
    op.create_index(op.f('ix_coding_review_encounter_id'), 'coding_review', ['encounter_id'], unique=False)
    op.create_index(op.f('ix_coding_review_practice_id'), 'coding_review', ['practice_id'], unique=False)
    op.create_index('ix_coding_review_practice_reviewed', 'coding_review', ['practice_id', 'reviewed_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_coding_review_practice_reviewed', table_name='coding_review')
    op.drop_index(op.f('ix_coding_review_practice_id'), table_name='coding_review')
    op.drop_index(op.f('ix_coding_review_encounter_id'), table_name='coding_review')
    op.drop_table('coding_review')
    op.drop_index('ix_coding_query_practice_status', table_name='coding_query')
    op.drop_index(op.f('ix_coding_query_practice_id'), table_name='coding_query')
    op.drop_index(op.f('ix_coding_query_encounter_id'), table_name='coding_query')
    op.drop_table('coding_query')
