"""Moderation, rounds, timer, per-field posting, facilitator links, organizer password.

Revision ID: 0002
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('organizer_password',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('created', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_action_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('facilitator_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['field.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('facilitator_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_facilitator_link_workshop_id'), ['workshop_id'], unique=False)

    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('pinned', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('approved', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('weight', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key('fk_card_merged_into_id_card', 'card', ['merged_into_id'], ['id'])

    with op.batch_alter_table('field', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posting_open', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premoderation', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='working'))
        batch_op.add_column(sa.Column('rounds', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('current_round', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('timer_total_s', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('timer_ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('timer_remaining_s', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_column('timer_remaining_s')
        batch_op.drop_column('timer_ends_at')
        batch_op.drop_column('timer_total_s')
        batch_op.drop_column('current_round')
        batch_op.drop_column('rounds')
        batch_op.drop_column('phase')
        batch_op.drop_column('premoderation')

    with op.batch_alter_table('field', schema=None) as batch_op:
        batch_op.drop_column('posting_open')

    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_constraint('fk_card_merged_into_id_card', type_='foreignkey')
        batch_op.drop_column('hidden_at')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('weight')
        batch_op.drop_column('approved')
        batch_op.drop_column('pinned')
        batch_op.drop_column('position')
        batch_op.drop_column('round')

    with op.batch_alter_table('facilitator_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_facilitator_link_workshop_id'))

    op.drop_table('facilitator_link')
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_action_workshop_id'))

    op.drop_table('moderation_action')
    op.drop_table('organizer_password')
