"""The staff web application (issue 13): FastAPI, server-rendered pages (Jinja2), a REST API under /api/v1.

This is its frame: the app factory, security headers on every answer, the login page, the API's OpenAPI
document, and errors that never show a traceback. Accounts, sessions and the screens build on it.
"""
