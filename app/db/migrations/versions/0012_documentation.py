"""What the REK asks the documentation to evidence: counted attendance, stakeholder groups
(also said on phones), method and agenda, the time zone of the documentation's times, and
photos of flipcharts and pinboards plus cover logos.

Revision ID: 0012
Revises: 0011
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('timezone', sa.String(60), nullable=False,
                                   server_default='Europe/Berlin'))
        batch.add_column(sa.Column('method', sa.String(3000), nullable=False, server_default=''))
        batch.add_column(sa.Column('agenda', sa.JSON(), nullable=False, server_default='[]'))
        batch.add_column(sa.Column('participation', sa.JSON(), nullable=False,
                                   server_default='{}'))
        batch.add_column(sa.Column('attendance', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('participant') as batch:
        batch.add_column(sa.Column('stakeholder_group', sa.String(80), nullable=False,
                                   server_default=''))
    op.create_table(
        'photo',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workshop_id', sa.Integer(), sa.ForeignKey('workshop.id'), nullable=False),
        sa.Column('field_id', sa.Integer(), sa.ForeignKey('field.id'), nullable=True),
        sa.Column('kind', sa.String(10), nullable=False),
        sa.Column('caption', sa.String(300), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('media_type', sa.String(20), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.String(40), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_photo_workshop_id', 'photo', ['workshop_id'])
    op.create_index('ix_photo_field_id', 'photo', ['field_id'])


def downgrade() -> None:
    op.drop_index('ix_photo_field_id', 'photo')
    op.drop_index('ix_photo_workshop_id', 'photo')
    op.drop_table('photo')
    with op.batch_alter_table('participant') as batch:
        batch.drop_column('stakeholder_group')
    with op.batch_alter_table('workshop') as batch:
        for column in ('attendance', 'participation', 'agenda', 'method', 'timezone'):
            batch.drop_column(column)
