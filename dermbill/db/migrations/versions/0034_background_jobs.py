"""Background jobs (issue 19): ``background_job``, and procrastinate's queue on PostgreSQL

``background_job`` is one long operation run as a job (kind, practice, arguments, status, attempts, progress done
of total, the queue's job id, who asked, when queued, started and finished, its summary and last error). On
PostgreSQL the queue is procrastinate's: its schema (``procrastinate_*`` tables, types and functions, as the
installed procrastinate ships it) is applied here once, when it is not there yet. SQLite has no queue (jobs run in
the process that asks for them). Going down drops ``background_job`` and leaves procrastinate's schema, which
holds no dermbill data and is applied again only when absent.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 12:30:00
"""
from alembic import op
import sqlalchemy as sa
import dermbill.db.base


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'background_job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('practice_id', sa.Integer(), nullable=True),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('queue_job_id', sa.BigInteger(), nullable=True),
        sa.Column('requested_by', sa.String(length=120), nullable=False),
        sa.Column('queued_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', dermbill.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('post_835', 'clearinghouse_sync', 'scrub_batch', 'eligibility_batch', "
                           "'statement_run', 'report_refresh')", name=op.f('ck_background_job_kind')),
        sa.CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed')",
                           name=op.f('ck_background_job_status')),
        sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], name=op.f('fk_background_job_practice_id_practice')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_background_job')),
    )
    op.create_index('ix_background_job_status_queued', 'background_job', ['status', 'queued_at'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        present = bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar()
        if present is None:
            # The schema is procrastinate's own SQL, run as it ships (many statements, no parameters: psycopg sends
            # it as one simple query, so its '%' and '$$' are left alone).
            driver = bind.connection.driver_connection
            assert driver is not None, "a PostgreSQL connection has its psycopg connection"
            driver.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.drop_index('ix_background_job_status_queued', table_name='background_job')
    op.drop_table('background_job')
