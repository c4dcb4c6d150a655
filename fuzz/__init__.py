"""Longer fuzzing than the test suite's: ``make fuzz`` (or ``python -m fuzz --target all --seconds 60``).

- ``seeds``: the X12 files the mutations start from, found in the repository (the golden files) and written by
  dermbill itself (the 835 writer; the demo's 835s for ``era``); none found is an error, never a silent fallback.
- ``mutate``: byte-level damage, and the mistakes a payer makes in an 835 that still parses.
- ``targets``: what is fed: the parser, ``x12 validate``, the 837P reader, ``era post`` into a scratch database.
- ``invariants``: what must hold in that database after any sequence of posts.
- ``runner``: the loop, the tallies and the crashes (fuzz/crashes/, git-ignored).
"""
