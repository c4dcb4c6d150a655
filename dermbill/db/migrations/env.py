"""Alembic environment: runs on the connection dermbill passes in (see dermbill.db.migrate)."""

from alembic import context

from dermbill.db import models  # noqa: F401  (registers every table on the metadata)
from dermbill.db.base import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    user_module_prefix="dermbill.db.base.",
)
with context.begin_transaction():
    context.run_migrations()
