"""Printable documents (CMS-1500 claim form). Imports ``dermbill.core`` only, plus the PDF library."""
