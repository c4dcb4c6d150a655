"""Staff training tied to the practice's denials (issue 15)

``training_assignment``: a module assigned to a staff member (``user_id``) of a practice, with the denials that
caused it (``reasons``), who assigned it and when, the day it is due, and once completed when and its score.
``training_attempt``: one scenario of an assignment answered: its place in the module, the seed that generated
it, the trainee's answers and the score.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 03:40:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'training_assignment',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module', sa.String(length=40), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('assigned_by', sa.String(length=100), nullable=False),
        sa.Column('assigned_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('completed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'completed')", name=op.f('ck_training_assignment_status')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'],
                                name=op.f('fk_training_assignment_practice_id_practice')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_training_assignment_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_assignment')),
        sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_training_assignment_practice_id_id')),
    )
    op.create_index(op.f('ix_training_assignment_practice_id'), 'training_assignment', ['practice_id'], unique=False)
    op.create_index(op.f('ix_training_assignment_user_id'), 'training_assignment', ['user_id'], unique=False)
    op.create_index('ix_training_assignment_user_module', 'training_assignment', ['practice_id', 'user_id', 'module'],
                    unique=False)
    op.create_table(
        'training_attempt',
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('scenario', sa.Integer(), nullable=False),
        sa.Column('seed', sa.Integer(), nullable=False),
        sa.Column('answers', sa.JSON(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('completed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['practice_id', 'assignment_id'],
                                ['training_assignment.practice_id', 'training_assignment.id'],
                                name=op.f('fk_training_attempt_practice_id_assignment_id_training_assignment')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_training_attempt_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attempt')),
        sa.UniqueConstraint('assignment_id', 'scenario', name=op.f('uq_training_attempt_assignment_id_scenario')),
    )
    op.create_index(op.f('ix_training_attempt_assignment_id'), 'training_attempt', ['assignment_id'], unique=False)
    op.create_index(op.f('ix_training_attempt_practice_id'), 'training_attempt', ['practice_id'], unique=False)


def downgrade() -> None:
    op.drop_table('training_attempt')
    op.drop_table('training_assignment')
