"""Printable documents (CMS-1500 claim form, front-desk forms, appeal letters, patient statements and their print
batch). Imports ``dermbill.core`` only, plus the PDF library."""
