"""Staff training from the rules dermbill itself applies: modules, generated scenarios, grading, progress.

Pure: the standard library and ``dermbill.core`` only (no database, no clock, no files). A front-desk scenario is
checked with the same rules the software runs on a real registration (the coverage edit rules of
``core.patient_edits``, the scrubber's payer-authorization and coverage-policy rules); a coder scenario is graded
against what the coding engine (``core.coding``) makes of the same documentation. ``dermbill.services.training``
gathers the tables, the denials and the staff, and stores assignments and attempts.
"""
