"""Plenary: theme status and merges, proposals, cross-cutting remarks, importance dots.

Revision ID: 0003
Revises: 0002
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('remark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remark_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('dot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dot_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dot_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dot_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('theme_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['field.id'], ),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('theme_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_proposal_workshop_id'), ['workshop_id'], unique=False)

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='active'))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_theme_merged_into_id_theme', 'theme', ['merged_into_id'], ['id'])

    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('dots_per_participant', sa.Integer(), nullable=False, server_default='5'))
        batch_op.add_column(sa.Column('dots_per_theme', sa.Integer(), nullable=False, server_default='3'))



def downgrade() -> None:
    with op.batch_alter_table('workshop', schema=None) as batch_op:
        batch_op.drop_column('dots_per_theme')
        batch_op.drop_column('dots_per_participant')
        batch_op.drop_column('region_name')

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_constraint('fk_theme_merged_into_id_theme', type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('status')

    with op.batch_alter_table('theme_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_proposal_workshop_id'))

    op.drop_table('theme_proposal')
    with op.batch_alter_table('dot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dot_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_dot_theme_id'))
        batch_op.drop_index(batch_op.f('ix_dot_participant_id'))

    op.drop_table('dot')
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remark_workshop_id'))

    op.drop_table('remark')
