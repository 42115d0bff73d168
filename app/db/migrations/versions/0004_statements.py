"""Guiding sentences: proposals, support, adopted versions, per-field stem and draft.

Revision ID: 0004
Revises: 0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['field.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_field_id'), ['field_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('statement_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['field.id'], ),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('statement_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_proposal_field_id'), ['field_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_proposal_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('statement_support',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], ),
    sa.ForeignKeyConstraint(['proposal_id'], ['statement_proposal.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('proposal_id', 'participant_id')
    )
    with op.batch_alter_table('statement_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_support_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('field', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement_stem', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('statement_open', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('statement_draft', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('field', schema=None) as batch_op:
        batch_op.drop_column('statement_draft')
        batch_op.drop_column('statement_open')
        batch_op.drop_column('statement_stem')

    with op.batch_alter_table('statement_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_support_proposal_id'))

    op.drop_table('statement_support')
    with op.batch_alter_table('statement_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_proposal_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_statement_proposal_field_id'))

    op.drop_table('statement_proposal')
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_statement_field_id'))

    op.drop_table('statement')
