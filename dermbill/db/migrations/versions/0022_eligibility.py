"""The front desk (issue 15): eligibility checks before the visit

``eligibility_check`` keeps each inquiry (270) for a patient's coverage on a visit's date, its trace number and
file, and the answer (271) once applied: the outcome, the benefits kept, the errors and the fix in words, another
payer named as primary. ``eligibility_problem`` is the front desk's work list (open or resolved);
``coverage_benefits`` the latest answer's benefits per coverage; ``coverage_order_proposal`` an answer's "another
payer is primary" as an order change a person accepts or rejects.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 03:10:25.563679
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eligibility_check',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.String(length=80), nullable=False),
    sa.Column('asked_for', sa.Date(), nullable=False),
    sa.Column('trace_number', sa.String(length=50), nullable=False),
    sa.Column('connection_name', sa.String(length=60), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('sent_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('benefits', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('fix', sa.Text(), nullable=True),
    sa.Column('other_payer_name', sa.String(length=60), nullable=True),
    sa.Column('other_payer_identifier', sa.String(length=80), nullable=True),
    sa.Column('requested_by', sa.String(length=100), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("outcome IN ('active', 'inactive', 'not_found', 'invalid_member_id', 'name_mismatch', 'birth_date_mismatch', 'other_payer_primary', 'cannot_process', 'no_answer') OR outcome IS NULL", name=op.f('ck_eligibility_check_outcome')),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], name=op.f('fk_eligibility_check_payer_id_payer')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_eligibility_check_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'coverage_id'], ['coverage.practice_id', 'coverage.id'], name=op.f('fk_eligibility_check_practice_id_coverage_id_coverage')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_eligibility_check_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_eligibility_check_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_check')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_eligibility_check_practice_id_id')),
    sa.UniqueConstraint('trace_number', name=op.f('uq_eligibility_check_trace_number'))
    )
    with op.batch_alter_table('eligibility_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eligibility_check_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_check_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_eligibility_check_practice_coverage', ['practice_id', 'coverage_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_check_practice_id'), ['practice_id'], unique=False)

    op.create_table('coverage_benefits',
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('asked_for', sa.Date(), nullable=False),
    sa.Column('answered_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('plan_name', sa.String(length=60), nullable=True),
    sa.Column('plan_begin', sa.Date(), nullable=True),
    sa.Column('plan_end', sa.Date(), nullable=True),
    sa.Column('deductible_cents', sa.BigInteger(), nullable=True),
    sa.Column('deductible_remaining_cents', sa.BigInteger(), nullable=True),
    sa.Column('out_of_pocket_cents', sa.BigInteger(), nullable=True),
    sa.Column('out_of_pocket_remaining_cents', sa.BigInteger(), nullable=True),
    sa.Column('copay_cents', sa.BigInteger(), nullable=True),
    sa.Column('coinsurance_percent', sa.Integer(), nullable=True),
    sa.Column('in_network', sa.Boolean(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id', 'check_id'], ['eligibility_check.practice_id', 'eligibility_check.id'], name=op.f('fk_coverage_benefits_practice_id_check_id_eligibility_check')),
    sa.ForeignKeyConstraint(['practice_id', 'coverage_id'], ['coverage.practice_id', 'coverage.id'], name=op.f('fk_coverage_benefits_practice_id_coverage_id_coverage')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_coverage_benefits_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_benefits')),
    sa.UniqueConstraint('practice_id', 'coverage_id', name=op.f('uq_coverage_benefits_practice_id_coverage_id')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_coverage_benefits_practice_id_id'))
    )
    with op.batch_alter_table('coverage_benefits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_benefits_practice_id'), ['practice_id'], unique=False)

    op.create_table('coverage_order_proposal',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('other_coverage_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('other_payer_name', sa.String(length=60), nullable=True),
    sa.Column('other_payer_identifier', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'accepted', 'rejected')", name=op.f('ck_coverage_order_proposal_status')),
    sa.ForeignKeyConstraint(['practice_id', 'check_id'], ['eligibility_check.practice_id', 'eligibility_check.id'], name=op.f('fk_coverage_order_proposal_practice_id_check_id_eligibility_check')),
    sa.ForeignKeyConstraint(['practice_id', 'coverage_id'], ['coverage.practice_id', 'coverage.id'], name=op.f('fk_coverage_order_proposal_practice_id_coverage_id_coverage')),
    sa.ForeignKeyConstraint(['practice_id', 'other_coverage_id'], ['coverage.practice_id', 'coverage.id'], name=op.f('fk_coverage_order_proposal_practice_id_other_coverage_id_coverage')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_coverage_order_proposal_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_coverage_order_proposal_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_order_proposal')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_coverage_order_proposal_practice_id_id'))
    )
    with op.batch_alter_table('coverage_order_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_order_proposal_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_order_proposal_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_coverage_order_proposal_practice_status', ['practice_id', 'status'], unique=False)

    op.create_table('eligibility_problem',
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('fix', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('opened_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('active', 'inactive', 'not_found', 'invalid_member_id', 'name_mismatch', 'birth_date_mismatch', 'other_payer_primary', 'cannot_process', 'no_answer')", name=op.f('ck_eligibility_problem_kind')),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_eligibility_problem_status')),
    sa.ForeignKeyConstraint(['practice_id', 'appointment_id'], ['appointment.practice_id', 'appointment.id'], name=op.f('fk_eligibility_problem_practice_id_appointment_id_appointment')),
    sa.ForeignKeyConstraint(['practice_id', 'check_id'], ['eligibility_check.practice_id', 'eligibility_check.id'], name=op.f('fk_eligibility_problem_practice_id_check_id_eligibility_check')),
    sa.ForeignKeyConstraint(['practice_id', 'coverage_id'], ['coverage.practice_id', 'coverage.id'], name=op.f('fk_eligibility_problem_practice_id_coverage_id_coverage')),
    sa.ForeignKeyConstraint(['practice_id', 'patient_id'], ['patient.practice_id', 'patient.id'], name=op.f('fk_eligibility_problem_practice_id_patient_id_patient')),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_eligibility_problem_practice_id_practice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_problem')),
    sa.UniqueConstraint('practice_id', 'id', name=op.f('uq_eligibility_problem_practice_id_id'))
    )
    with op.batch_alter_table('eligibility_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eligibility_problem_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eligibility_problem_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_eligibility_problem_practice_status', ['practice_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('eligibility_problem', schema=None) as batch_op:
        batch_op.drop_index('ix_eligibility_problem_practice_status')
        batch_op.drop_index(batch_op.f('ix_eligibility_problem_practice_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_problem_patient_id'))

    op.drop_table('eligibility_problem')
    with op.batch_alter_table('coverage_order_proposal', schema=None) as batch_op:
        batch_op.drop_index('ix_coverage_order_proposal_practice_status')
        batch_op.drop_index(batch_op.f('ix_coverage_order_proposal_practice_id'))
        batch_op.drop_index(batch_op.f('ix_coverage_order_proposal_patient_id'))

    op.drop_table('coverage_order_proposal')
    with op.batch_alter_table('coverage_benefits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_benefits_practice_id'))

    op.drop_table('coverage_benefits')
    with op.batch_alter_table('eligibility_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eligibility_check_practice_id'))
        batch_op.drop_index('ix_eligibility_check_practice_coverage')
        batch_op.drop_index(batch_op.f('ix_eligibility_check_patient_id'))
        batch_op.drop_index(batch_op.f('ix_eligibility_check_appointment_id'))

    op.drop_table('eligibility_check')
