"""Synthetic, obviously fake demo data.

Pure: imports only the standard library and dermbill.core; no I/O, no database.
"""
