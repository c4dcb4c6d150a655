"""HIPAA X12 005010 adapter: one streaming tokenizer, readers (835, 999, 277CA, 271, 277) and writers.

Imports ``dermbill.core``; the core never imports X12. Malformed input raises ``X12Error`` (an
``InvalidInput``) naming the segment number, the segment and what is wrong; it never crashes.
"""
