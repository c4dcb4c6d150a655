"""Reports at a billing company's scale (issue 17): what aging groups by, kept on the receivable summary

``receivable_balance`` gains the columns aging groups and filters by, copied from the claim line and claim when the
balance's first posting is written (a claim's lines, provider and payer never change once charged): ``claim_ref``
(the claim, also for a line's balance), ``service_date`` (the line's date of service, else the claim's),
``provider_key`` (the line's rendering provider, else the claim's; 0 for none), ``procedure_code`` and
``claim_payer_key`` (the claim's payer: whose claims left a patient balance). Aging then reads this one table
instead of joining every open balance to its line and claim; on PostgreSQL a partial index of the open balances
that carries these columns lets it read the index alone.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 22:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

_COLUMNS = ("claim_ref", "service_date", "provider_key", "procedure_code", "claim_payer_key")


def upgrade() -> None:
    with op.batch_alter_table('receivable_balance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_ref', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('service_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('provider_key', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('procedure_code', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('claim_payer_key', sa.Integer(), nullable=False, server_default='0'))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            UPDATE receivable_balance b
               SET claim_ref = c.id, service_date = COALESCE(l.service_date_from, c.date_of_service),
                   provider_key = COALESCE(l.rendering_provider_id, c.rendering_provider_id, 0),
                   procedure_code = l.procedure_code, claim_payer_key = COALESCE(c.payer_id, 0)
              FROM claim_line l JOIN claim c ON c.id = l.claim_id
             WHERE b.claim_line_key <> 0 AND l.id = b.claim_line_key""")
        op.execute("""
            UPDATE receivable_balance b
               SET claim_ref = c.id, service_date = c.date_of_service,
                   provider_key = COALESCE(c.rendering_provider_id, 0), claim_payer_key = COALESCE(c.payer_id, 0)
              FROM claim c
             WHERE b.claim_line_key = 0 AND b.claim_key <> 0 AND c.id = b.claim_key""")
        op.execute("""
            CREATE INDEX ix_receivable_balance_aging ON receivable_balance (practice_id, account_id)
            INCLUDE (service_date, payer_key, provider_key, procedure_code, claim_payer_key, patient_key,
                     claim_ref, balance_cents)
            WHERE balance_cents <> 0""")
    else:
        op.execute("""
            UPDATE receivable_balance
               SET claim_ref = (SELECT l.claim_id FROM claim_line l WHERE l.id = receivable_balance.claim_line_key),
                   service_date = (SELECT COALESCE(l.service_date_from, c.date_of_service)
                                     FROM claim_line l JOIN claim c ON c.id = l.claim_id
                                    WHERE l.id = receivable_balance.claim_line_key),
                   provider_key = (SELECT COALESCE(l.rendering_provider_id, c.rendering_provider_id, 0)
                                     FROM claim_line l JOIN claim c ON c.id = l.claim_id
                                    WHERE l.id = receivable_balance.claim_line_key),
                   procedure_code = (SELECT l.procedure_code FROM claim_line l
                                      WHERE l.id = receivable_balance.claim_line_key),
                   claim_payer_key = (SELECT COALESCE(c.payer_id, 0)
                                        FROM claim_line l JOIN claim c ON c.id = l.claim_id
                                       WHERE l.id = receivable_balance.claim_line_key)
             WHERE claim_line_key <> 0""")
        op.execute("""
            UPDATE receivable_balance
               SET claim_ref = claim_key,
                   service_date = (SELECT c.date_of_service FROM claim c WHERE c.id = receivable_balance.claim_key),
                   provider_key = (SELECT COALESCE(c.rendering_provider_id, 0) FROM claim c
                                    WHERE c.id = receivable_balance.claim_key),
                   claim_payer_key = (SELECT COALESCE(c.payer_id, 0) FROM claim c
                                       WHERE c.id = receivable_balance.claim_key)
             WHERE claim_line_key = 0 AND claim_key <> 0""")
        op.execute("CREATE INDEX ix_receivable_balance_aging ON receivable_balance (practice_id, account_id) "
                   "WHERE balance_cents <> 0")


def downgrade() -> None:
    op.execute("DROP INDEX ix_receivable_balance_aging")
    with op.batch_alter_table('receivable_balance', schema=None) as batch_op:
        for column in reversed(_COLUMNS):
            batch_op.drop_column(column)
