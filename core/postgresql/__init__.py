"""Django's PostgreSQL backend (ENGINE "core.postgresql", set in servicedesk/settings.py for
a postgres:// DATABASE_URL) with one change, measured by bench/ (docs/PERFORMANCE.md):
timestamps are read by psycopg's compiled loader (`timestamps`), not by the Python subclass
Django registers on every connection. `plans` holds what a statement needs to be planned
for its values each time.
"""
