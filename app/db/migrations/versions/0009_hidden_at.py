"""Hidden is stored one way: a time `hidden_at` (cards had it; themes, remarks and survey answers
had a status word or a flag).

Revision ID: 0009
Revises: 0008
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HIDDEN_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    for table in ('theme', 'remark', 'answer'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('hidden_at', _HIDDEN_AT, nullable=True))
    # When they were hidden is not known: the upgrade's time stands for it.
    op.execute("UPDATE theme SET hidden_at = CURRENT_TIMESTAMP WHERE status = 'hidden'")
    op.execute(sa.text("UPDATE remark SET hidden_at = CURRENT_TIMESTAMP WHERE hidden = :yes")
               .bindparams(yes=True))
    op.execute(sa.text("UPDATE answer SET hidden_at = CURRENT_TIMESTAMP WHERE hidden = :yes")
               .bindparams(yes=True))
    with op.batch_alter_table('theme') as batch:
        batch.drop_column('status')  # merged: merged_into_id says it, as for cards
    for table in ('remark', 'answer'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('hidden')


def downgrade() -> None:
    with op.batch_alter_table('theme') as batch:
        batch.add_column(sa.Column('status', sa.String(10), nullable=False,
                                   server_default='active'))
    for table in ('remark', 'answer'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('hidden', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.execute("UPDATE theme SET status = 'merged' WHERE merged_into_id IS NOT NULL")
    op.execute("UPDATE theme SET status = 'hidden' WHERE hidden_at IS NOT NULL "
               "AND merged_into_id IS NULL")
    op.execute(sa.text("UPDATE remark SET hidden = :yes WHERE hidden_at IS NOT NULL")
               .bindparams(yes=True))
    op.execute(sa.text("UPDATE answer SET hidden = :yes WHERE hidden_at IS NOT NULL")
               .bindparams(yes=True))
    for table in ('theme', 'remark', 'answer'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('hidden_at')
