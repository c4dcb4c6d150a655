from scrub_claims import scrub, tables  # noqa: F401 (fixtures)
