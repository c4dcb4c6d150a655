"""Commands start fast because the CLI imports heavy libraries only inside the commands that need them.

Speed is never asserted here (issue 19's benchmark measures it). What is checked is the cause: in a fresh
interpreter, importing the command tree, ``dermbill --version``, ``dermbill code FILE`` and ``dermbill scrub
FILE`` load none of the libraries that cost a command its start-up (SQLAlchemy alone adds about 0.3 s), and a
command on a database at the current schema loads neither Alembic (to check the schema) nor the password hashing
(for a ``--as`` not given). A later top-level import of one of them in ``dermbill/cli`` (or in what those commands
use) fails this test, naming it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from migrated_databases import migrated_sqlite_url
from tests_paths import REPO_ROOT

# Loaded by any command that opens a database, serves, prints a PDF or reads FHIR; never by merely starting.
HEAVY = ("sqlalchemy", "alembic", "psycopg", "fastapi", "starlette", "uvicorn", "jinja2", "reportlab", "fhir",
         "hl7", "asyncssh", "argon2", "segno", "simple_icd_10_cm", "asyncio", "dermbill.db.models",
         "dermbill.web", "dermbill.api", "dermbill.pdf", "dermbill.fhir", "dermbill.x12")
# Typer itself brings pydantic in once it parses a command's options, so only the bare import must avoid it.
AT_IMPORT = (*HEAVY, "pydantic", "dermbill.services", "dermbill.db")
# A command that opens a database needs SQLAlchemy (which brings asyncio) and the models, and nothing of these.
WITH_DATABASE = ("alembic", "mako", "argon2", "pyotp", "fastapi", "starlette", "uvicorn", "jinja2", "dermbill.web",
                 "dermbill.api")

# Runs in a fresh interpreter: what each step added to sys.modules.
PROBE = """
import contextlib, io, json, sys
steps = {}
before = set(sys.modules)
from dermbill.cli.main import main
steps["import"] = sorted(set(sys.modules) - before)
for name, argv in (("--version", ["--version"]), ("code", ["code", sys.argv[1]]),
                   ("scrub", ["scrub", sys.argv[2], "--as-of", "2026-11-26"]),
                   ("ledger check", ["--db", sys.argv[3], "ledger", "check"])):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = main(argv)
    assert status in (0, 1) and printed.getvalue(), (name, status)  # scrub: 1 when the claim has an error
    steps[name] = sorted(set(sys.modules) - before)
print(json.dumps(steps))
"""


def _heavy(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({name for name in names for module in modules if module == name or module.startswith(name + ".")})


def test_starting_the_cli_and_coding_or_scrubbing_a_file_import_no_heavy_library(tmp_path: Path) -> None:
    examples = REPO_ROOT / "docs" / "examples"
    database = migrated_sqlite_url(tmp_path / "dermbill.db")
    done = subprocess.run([sys.executable, "-c", PROBE, str(examples / "encounter.json"), str(examples / "claim.json"),
                           database], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)
    for step, names in (("import", AT_IMPORT), ("--version", AT_IMPORT), ("code", HEAVY), ("scrub", HEAVY),
                        ("ledger check", WITH_DATABASE)):
        loaded = _heavy(steps[step], names)
        assert not loaded, f"{step} loads {', '.join(loaded)}: import them inside the command that needs them"
