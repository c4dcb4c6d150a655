"""Reports: the revenue-cycle figures, their definitions and the tables every screen, export and PDF shows.

Pure: periods, aging buckets, figures (a value with its numerator, denominator, formula and the previous
period's value), tables and the narrative sentences. The services read the ledger and the claim history and
hand the facts in; nothing here reads a database or the clock.
"""
