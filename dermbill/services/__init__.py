"""Use cases: each opens a unit of work, calls the core, commits. Imports core, db, reference, synthetic.

Interfaces (cli, later api and web) call these and render the results; nothing here prints.
"""
