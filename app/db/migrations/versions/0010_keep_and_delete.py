"""Workshops are kept until a date and then deleted; archived ones are read-only; the
definition's version tells two editors apart; organizer tokens for scripts; the publisher and
the privacy and accessibility texts (`legal`).

Revision ID: 0010
Revises: 0009
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('retain_until', sa.Date(), nullable=True))
        batch.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('definition_version', sa.Integer(), nullable=False,
                                   server_default='1'))
        batch.add_column(sa.Column('legal', sa.JSON(), nullable=False, server_default='{}'))
    op.create_table(
        'organizer_token',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('label', sa.String(80), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_organizer_token_token_hash', 'organizer_token', ['token_hash'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('ix_organizer_token_token_hash', 'organizer_token')
    op.drop_table('organizer_token')
    with op.batch_alter_table('workshop') as batch:
        batch.drop_column('legal')
        batch.drop_column('definition_version')
        batch.drop_column('archived_at')
        batch.drop_column('retain_until')
