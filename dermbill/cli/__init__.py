"""The ``dermbill`` command line: Typer + Rich. Thin: parses, calls one service, renders.

Nothing imports this package. Errors are printed as one line (``error: ...``) with exit status 2.
"""
