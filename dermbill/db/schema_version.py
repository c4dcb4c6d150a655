"""Is a database's schema the one this package ships? Answered without importing Alembic.

Every command that opens a database checks its schema first. Alembic takes about 0.1 s to import (with Mako and
Pygments) and reads every migration to find the head, on every command; this module answers the everyday case,
a database already at the shipped head, from the ``alembic_version`` table and the migration files' own
``revision``/``down_revision`` lines. Anything else (an older database, no schema, migration files this module
cannot read as one chain) returns None or a mismatch, and ``dermbill.db.migrate`` (Alembic) decides.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, inspect, select

from dermbill.db.engine import Database

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\b[^=\n]*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
# Alembic's own table (its default name, no schema: as dermbill's migrations/env.py configures it).
_ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))


@functools.cache
def shipped_head() -> str | None:
    """The newest migration shipped, from the files' ``revision = '00NN'`` and ``down_revision = ...`` lines; None
    when they are not one chain with one head (Alembic is asked then)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(down.group(1)))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def stored_revision(database: Database) -> str | None:
    """The one revision recorded in the database's ``alembic_version`` table; None when there is no such table, or
    not exactly one row."""
    with database.engine.connect() as connection:
        if not inspect(connection).has_table(_ALEMBIC_VERSION.name):
            return None
        rows = connection.execute(select(_ALEMBIC_VERSION.c.version_num)).scalars().all()
    return rows[0] if len(rows) == 1 else None


def is_at_shipped_head(database: Database) -> bool:
    """True when the database is certainly at the shipped head; False means "ask Alembic", not "it is not"."""
    head = shipped_head()
    return head is not None and stored_revision(database) == head
