"""Django's PostgreSQL backend (ENGINE "core.postgresql", set in servicedesk/settings.py for
a postgres:// DATABASE_URL) with two changes, each measured by bench/ (docs/PERFORMANCE.md).

- Timestamps are read by psycopg's compiled loader (`timestamps`), not by the Python
  subclass Django registers on every connection.
- Bulk inserts are written as VALUES rows, not Django 5.2's UNNEST of one array per
  column (`compiler`): psycopg builds those arrays in Python, value by value, and a sweep's
  800 notifications and events took 150 ms that way against 90 ms as VALUES.
"""
