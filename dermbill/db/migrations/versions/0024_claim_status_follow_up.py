"""Claim follow-up (issue 15): how long a payer is given before a 276 asks about a claim, the inquiries and their
277 answers, and the runs of the scheduled jobs

``payer.status_inquiry_days`` (default 30) is the number of days without an answer (835) after which a claim gets
a 276. ``claim_status_inquiry`` is one 276 question about one claim (its trace number, file, when sent) and the
277's answer (when, the status category, code and entity, their words, the payer's claim number, the amount it
says it paid, the effective date) with what the answer asks of us (route, next action). ``job_run`` is one run of
a scheduled job (job, the slot it ran for, started, finished, outcome, summary): unique by job and slot.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 03:30:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('payer') as batch:
        batch.add_column(sa.Column('status_inquiry_days', sa.Integer(), nullable=False, server_default='30'))
        batch.create_check_constraint('status_inquiry_days_positive', 'status_inquiry_days > 0')
    op.create_table(
        'claim_status_inquiry',
        sa.Column('claim_id', sa.Integer(), nullable=False),
        sa.Column('trace_number', sa.String(length=50), nullable=False),
        sa.Column('connection_name', sa.String(length=60), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('answered_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('category_code', sa.String(length=3), nullable=True),
        sa.Column('status_code', sa.String(length=5), nullable=True),
        sa.Column('entity_code', sa.String(length=3), nullable=True),
        sa.Column('words', sa.Text(), nullable=True),
        sa.Column('payer_claim_number', sa.String(length=50), nullable=True),
        sa.Column('paid_cents', sa.BigInteger(), nullable=True),
        sa.Column('effective_date', sa.Date(), nullable=True),
        sa.Column('route', sa.String(length=20), nullable=True),
        sa.Column('reason', sa.String(length=40), nullable=True),
        sa.Column('next_action', sa.Text(), nullable=True),
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.CheckConstraint("route IN ('person', 'wait', 'remittance_expected') OR route IS NULL",
                           name=op.f('ck_claim_status_inquiry_route')),
        sa.ForeignKeyConstraint(['practice_id', 'claim_id'], ['claim.practice_id', 'claim.id'],
                                name=op.f('fk_claim_status_inquiry_practice_id_claim_id_claim')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'],
                                name=op.f('fk_claim_status_inquiry_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_status_inquiry')),
        sa.UniqueConstraint('practice_id', 'trace_number',
                            name=op.f('uq_claim_status_inquiry_practice_id_trace_number')),
    )
    op.create_index(op.f('ix_claim_status_inquiry_practice_id'), 'claim_status_inquiry', ['practice_id'],
                    unique=False)
    op.create_index('ix_claim_status_inquiry_practice_claim', 'claim_status_inquiry', ['practice_id', 'claim_id'],
                    unique=False)
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=60), nullable=False),
        sa.Column('slot', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('started_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('outcome', sa.String(length=10), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.CheckConstraint("outcome IN ('running', 'succeeded', 'failed')", name=op.f('ck_job_run_outcome')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
        sa.UniqueConstraint('job', 'slot', name=op.f('uq_job_run_job_slot')),
    )
    op.create_index('ix_job_run_job_started', 'job_run', ['job', 'started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_job_run_job_started', table_name='job_run')
    op.drop_table('job_run')
    op.drop_index('ix_claim_status_inquiry_practice_claim', table_name='claim_status_inquiry')
    op.drop_index(op.f('ix_claim_status_inquiry_practice_id'), table_name='claim_status_inquiry')
    op.drop_table('claim_status_inquiry')
    with op.batch_alter_table('payer') as batch:
        batch.drop_constraint('status_inquiry_days_positive', type_='check')
        batch.drop_column('status_inquiry_days')
