"""The event-store benchmark (issue 2): ``python -m benchmarks.store``.

It measures the tracker's two stores against two references measured in the same run:
``raw`` (a hand-written writer and reader on a bare table: asyncpg on PostgreSQL, aiosqlite on
SQLite) and ``peer`` (the ``eventsourcing`` library from PyPI, on the same database server), and
writes the figures into docs/performance.md between its own markers.
"""
