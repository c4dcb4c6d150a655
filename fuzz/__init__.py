"""Longer fuzzing than the test suite's: ``make fuzz`` (or ``python -m fuzz --seconds 120``)."""
