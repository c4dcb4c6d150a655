"""The coding engine: documented lesions and services in, CPT/HCPCS lines, modifiers and ICD-10-CM out.

Pure: standard library and ``dermbill.core`` only. Every fact that varies by code set or date of
service (site groups, size bins, code dates, NCCI pairs, ICD-10-CM codes) comes in through the
tables of ``tables.py``, which ``dermbill.reference`` loads from versioned data files.
"""
