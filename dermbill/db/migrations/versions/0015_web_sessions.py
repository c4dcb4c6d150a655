"""Web sessions (issue 13): a signed-in browser, kept in the database so that every worker process sees it

The cookie holds a random token; the row holds its SHA-256, the user, the CSRF token of the session's forms,
when it started, when it was last used (the idle timeout counts from there), when it ends at the latest
(absolute lifetime) and when it was revoked (sign-out, password change, user disabled).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 08:30:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('created_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_web_session_user_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_web_session_token_hash')),
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('web_session')
