"""Storage adapter: SQLAlchemy 2 rows, the engine, Alembic migrations, tenant-scoped repositories.

Imports ``dermbill.core``; nothing in ``core`` imports this package. Services open a unit of work
here and commit; third-party (SQLAlchemy, driver) exceptions are translated into ``DermbillError``s.
"""
