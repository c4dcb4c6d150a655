"""The staff screens: server-rendered pages (Jinja2) with htmx for partial updates, signed in by a session."""
