"""Staff accounts (issue 13): users with roles and practices, API tokens, recovery codes, the sign-in log

A user belongs to one billing company, holds one or more roles (user_role) and is granted some of its practices
(user_practice). Passwords are argon2id hashes; personal access tokens and recovery codes are stored as SHA-256.
login_attempt logs every sign-in attempt by the e-mail given, and the lockout is counted from it. A billing company
requires a second factor (TOTP) of staff who see PHI unless it turns it off (organization.require_totp).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 07:10:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

ROLES = "role IN ('front_desk', 'coder', 'biller', 'denial_specialist', 'manager', 'auditor', 'administrator')"
OUTCOMES = "outcome IN ('succeeded', 'wrong', 'locked', 'disabled', 'totp_required')"


def upgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_totp', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'user_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('password_must_change', sa.Boolean(), nullable=False),
        sa.Column('password_changed_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('disabled', sa.Boolean(), nullable=False),
        sa.Column('totp_secret', sa.String(length=64), nullable=True),
        sa.Column('totp_enabled', sa.Boolean(), nullable=False),
        sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
        sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('email = lower(email)', name=op.f('ck_user_account_email_lower_case')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_user_account_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
        sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_account_organization_id'), ['organization_id'], unique=False)
    op.create_table(
        'user_role',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=24), nullable=False),
        sa.CheckConstraint(ROLES, name=op.f('ck_user_role_role')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_role_user_id_user_account')),
        sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role')),
    )
    op.create_table(
        'user_practice',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'],
                                name=op.f('fk_user_practice_practice_id_practice')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_user_practice_user_id_user_account')),
        sa.PrimaryKeyConstraint('user_id', 'practice_id', name=op.f('pk_user_practice')),
    )
    with op.batch_alter_table('user_practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_practice_practice_id'), ['practice_id'], unique=False)
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_api_token_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)
    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_recovery_code_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code')),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('attempted_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(OUTCOMES, name=op.f('ck_login_attempt_outcome')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_login_attempt_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt')),
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_email_at', ['email', 'attempted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_attempt_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    for table in ('login_attempt', 'recovery_code', 'api_token', 'user_practice', 'user_role', 'user_account'):
        op.drop_table(table)
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('require_totp')
