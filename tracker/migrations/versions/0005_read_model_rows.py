"""The read model per item: a header per programme, a row per item, snapshots for time travel.

Replaces ``programme_views`` (one document per programme, rewritten whole by every batch that
touched the programme). The projector folds the log again from position 0 under its new name,
``read_model``; reads stay consistent meanwhile, because a read folds whatever the projector
has not (docs/projections.md).

- ``read_programmes``: the programme's header (its view without items) and its digest (what
  lists and access checks need), both msgpack; ``snapshot_events`` is how many of its events
  the newest snapshot holds.
- ``read_items``: one row per deliverable, milestone and RAID item; ``ordinal`` is the
  position of its first event (the order reports list items in); ``state`` is what reminders
  select on (a deliverable's state; ``open``/``achieved`` for a milestone; ``open``/``closed``
  for a RAID item).
- ``read_snapshots``: a programme's whole view at a position (msgpack, LZ4-compressed), with the
  latest ``occurred_at`` and ``recorded_at`` it holds (microseconds since 1970 UTC): a snapshot
  can answer an ``as_of`` at or after the first and a ``known_at`` at or after the second.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _tables(binary: str) -> list[str]:
    return [
        f"""
        CREATE TABLE read_programmes (
            key TEXT PRIMARY KEY,
            position BIGINT NOT NULL,
            lifecycle TEXT NOT NULL,
            digest {binary} NOT NULL,
            header {binary} NOT NULL,
            snapshot_events BIGINT NOT NULL DEFAULT 0
        )
        """,
        f"""
        CREATE TABLE read_items (
            item_id TEXT PRIMARY KEY,
            programme_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            ordinal BIGINT NOT NULL,
            state TEXT NOT NULL,
            document {binary} NOT NULL
        )
        """,
        "CREATE INDEX read_items_programme ON read_items (programme_key, ordinal)",
        f"""
        CREATE TABLE read_snapshots (
            programme_key TEXT NOT NULL,
            position BIGINT NOT NULL,
            programme_version BIGINT NOT NULL,
            occurred_until BIGINT NOT NULL,
            recorded_until BIGINT NOT NULL,
            document {binary} NOT NULL,
            PRIMARY KEY (programme_key, position)
        )
        """,
    ]


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for statement in _tables("BYTEA" if postgres else "BLOB"):
        op.execute(statement)
    if postgres:
        # Snapshots arrive compressed: PostgreSQL need not try to compress them again.
        op.execute("ALTER TABLE read_snapshots ALTER COLUMN document SET STORAGE EXTERNAL")
    op.execute("DROP TABLE programme_views")
    op.execute("DELETE FROM projection_checkpoints WHERE name LIKE 'programme_views%'")


def downgrade() -> None:
    op.execute("DROP TABLE read_snapshots")
    op.execute("DROP TABLE read_items")
    op.execute("DROP TABLE read_programmes")
    op.execute(
        "CREATE TABLE programme_views (key TEXT PRIMARY KEY, position BIGINT NOT NULL, "
        "document TEXT NOT NULL)"
    )
    op.execute("DELETE FROM projection_checkpoints WHERE name LIKE 'read_model%'")
