"""Versioned reference tables (CMS fee schedule RVUs; later code sets, NCCI, MUE) and their loaders.

Imports ``dermbill.core`` only. Each table under ``tables/`` has a README naming its source and
effective dates; loaders validate every row (a bad row fails the load, naming file and line).
"""
