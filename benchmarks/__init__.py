"""dermbill benchmarks: `make bench` (or `python -m benchmarks`) runs them all and prints a table.

Each case runs in a fresh subprocess so that peak memory (max RSS) belongs to that case alone.
"""
