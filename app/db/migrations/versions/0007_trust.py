"""Server-side organizer sessions, undo that respects later changes, workshops open online.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'organizer_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_organizer_session_token_hash', 'organizer_session', ['token_hash'],
                    unique=True)
    with op.batch_alter_table('moderation_action') as batch:
        batch.add_column(sa.Column('after', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('open_online', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('workshop') as batch:
        batch.drop_column('open_online')
    with op.batch_alter_table('moderation_action') as batch:
        batch.drop_column('after')
    op.drop_index('ix_organizer_session_token_hash', table_name='organizer_session')
    op.drop_table('organizer_session')
