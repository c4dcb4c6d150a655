"""The claim scrubber: checks a professional claim the way payers will and says what to fix.

Pure: imports the standard library and ``dermbill.core`` only. One module per edit family; the
registry lists every rule with its stable identifier. Tables (code set, NCCI, ICD-10-CM, coverage
policies, payer rules) come in through ``ScrubTables``.
"""
