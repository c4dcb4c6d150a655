"""Running the `dermbill` command as a person does, and what its errors must look like (shared by the CLI tests)."""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import subprocess
import sys
from pathlib import Path

DATABASE_VARIABLE = "DERMBILL_DATABASE_URL"  # a developer's own default database never reaches a test's command


def run(*args: str, cwd: Path | None = None, fresh: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``dermbill ARGS`` and return its exit status, standard output and standard error.

    In this process by default: ``dermbill.cli.main.main``, the function ``python -m dermbill`` calls, with its
    output captured and in a copy of the context (a command's ``--as`` or audit origin never leaks into the next).
    That is the command a person runs less the interpreter's start (a second or two a command, hundreds of commands
    in the suite). ``fresh=True``, or a working directory, runs it in a new interpreter as a shell does."""
    if fresh or cwd is not None:
        env = {k: v for k, v in os.environ.items() if k != DATABASE_VARIABLE}
        return subprocess.run([sys.executable, "-m", "dermbill", *args], capture_output=True, text=True, env=env,
                              cwd=cwd, timeout=120)
    from dermbill.cli.main import main

    stdout, stderr = io.StringIO(), io.StringIO()
    saved = os.environ.pop(DATABASE_VARIABLE, None)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = contextvars.copy_context().run(main, list(args))
    finally:
        if saved is not None:
            os.environ[DATABASE_VARIABLE] = saved
    return subprocess.CompletedProcess(["dermbill", *args], code, stdout.getvalue(), stderr.getvalue())


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0]
