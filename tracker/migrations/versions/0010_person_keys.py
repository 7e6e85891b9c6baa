"""Per-person data keys (issue 18: erasing a person by deleting their key).

- ``person_keys``: one row per person the store has named: their pseudonym (the stable id in
  clear), their data key wrapped under the people key (``wrapped_key``), and their identity and
  the names free text is searched for, sealed under their own key (``identity``). Erasing sets
  both to NULL and gives the row the next ``erased_number`` ("Erased person N");
  ``erasure_finished_at`` is set once every later step of the erasure is done (an erasure that
  stopped part-way is finished by the next attempt).
- ``people_keys``: the people key when no ``TRACKER_PEOPLE_KEY`` is configured (development
  only: a copy of the database then opens everything in it).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE person_keys (
            pseudonym TEXT PRIMARY KEY,
            wrapped_key TEXT,
            identity TEXT,
            created_at TEXT NOT NULL,
            erased_number INTEGER UNIQUE,
            erased_at TEXT,
            erasure_finished_at TEXT
        )
        """
    )
    op.execute("CREATE TABLE people_keys (name TEXT PRIMARY KEY, key TEXT NOT NULL)")


def downgrade() -> None:
    op.execute("DROP TABLE people_keys")
    op.execute("DROP TABLE person_keys")
