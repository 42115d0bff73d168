"""A partial index of visible cards per field, for the board's counts.

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As `cards.visible()` compiles on each database (SQLite: `IS 1`, PostgreSQL: `IS true`).
VISIBLE = "deleted_at IS NULL AND hidden_at IS NULL AND merged_into_id IS NULL AND approved IS "


def upgrade() -> None:
    op.create_index('ix_card_visible', 'card', ['workshop_id', 'field_id'], unique=False,
                    sqlite_where=sa.text(VISIBLE + '1'),
                    postgresql_where=sa.text(VISIBLE + 'true'))


def downgrade() -> None:
    op.drop_index('ix_card_visible', table_name='card')
