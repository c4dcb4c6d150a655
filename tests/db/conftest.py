from tenant_records import two_practices  # noqa: F401 (the fixture)
