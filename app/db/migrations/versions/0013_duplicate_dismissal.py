"""Duplicate suggestions: the groups a facilitator dismissed, so they do not come back.

Revision ID: 0013
Revises: 0012
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'duplicate_dismissal',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workshop_id', sa.Integer(), sa.ForeignKey('workshop.id'), nullable=False),
        sa.Column('field_id', sa.Integer(), sa.ForeignKey('field.id'), nullable=False),
        sa.Column('card_ids', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_duplicate_dismissal_workshop_id', 'duplicate_dismissal',
                    ['workshop_id'])


def downgrade() -> None:
    op.drop_index('ix_duplicate_dismissal_workshop_id', 'duplicate_dismissal')
    op.drop_table('duplicate_dismissal')
