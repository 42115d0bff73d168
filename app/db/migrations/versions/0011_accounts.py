"""Organizer accounts: several organizers on one server, each with the workshops they created
or were given; the one password so far becomes the account "admin".

Revision ID: 0011
Revises: 0010
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'organizer',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(80), nullable=False),
        sa.Column('password_hash', sa.String(200), nullable=False),
        sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_organizer_name', 'organizer', ['name'], unique=True)
    op.execute(sa.text("INSERT INTO organizer (name, password_hash, is_admin, updated_at) "
                       "SELECT 'admin', password_hash, :yes, updated_at FROM organizer_password")
               .bindparams(yes=True))
    op.drop_table('organizer_password')
    op.execute("DELETE FROM organizer_session")  # signed in as nobody in particular
    with op.batch_alter_table('organizer_session') as batch:
        batch.add_column(sa.Column('organizer_id', sa.Integer(), nullable=False))
        batch.create_foreign_key('fk_organizer_session_organizer', 'organizer',
                                 ['organizer_id'], ['id'])
        batch.create_index('ix_organizer_session_organizer_id', ['organizer_id'])
    op.execute("DELETE FROM organizer_token")  # none was issued before this release
    with op.batch_alter_table('organizer_token') as batch:
        batch.add_column(sa.Column('organizer_id', sa.Integer(), nullable=False))
        batch.create_foreign_key('fk_organizer_token_organizer', 'organizer',
                                 ['organizer_id'], ['id'])
        batch.create_index('ix_organizer_token_organizer_id', ['organizer_id'])
    with op.batch_alter_table('workshop') as batch:
        batch.add_column(sa.Column('organizer_ids', sa.JSON(), nullable=False,
                                   server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('workshop') as batch:
        batch.drop_column('organizer_ids')
    for table in ('organizer_token', 'organizer_session'):
        op.execute(f"DELETE FROM {table}")
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_organizer_id')
            batch.drop_constraint(f'fk_{table}_organizer', type_='foreignkey')
            batch.drop_column('organizer_id')
    op.create_table(
        'organizer_password',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('password_hash', sa.String(200), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.execute("INSERT INTO organizer_password (password_hash, updated_at) "
               "SELECT password_hash, updated_at FROM organizer ORDER BY id LIMIT 1")
    op.drop_index('ix_organizer_name', 'organizer')
    op.drop_table('organizer')
