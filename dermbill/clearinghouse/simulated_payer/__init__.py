"""A deterministic stand-in for a clearinghouse and its payers: reads our 837P, answers with 999, 277CA and 835."""
