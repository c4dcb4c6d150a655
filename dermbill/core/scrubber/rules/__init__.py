"""The scrubber's rules, one module per edit family (registry.py lists them)."""
