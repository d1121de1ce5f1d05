"""Create the glossary (terms and their translations) and the help times.

Revision ID: interpreters_0001
Revises:
Created: 2026-11-23 15:40:00.302570
"""

import sqlalchemy as sa
from alembic import op

from portal import toolkit

revision = "interpreters_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interpreters_glossary_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', toolkit.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters_glossary_term')),
    sa.UniqueConstraint('slug', name=op.f('uq_interpreters_glossary_term_slug'))
    )
    op.create_table('interpreters_help_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('ends_at', sa.Time(), nullable=False),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('other_languages', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', toolkit.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters_help_time'))
    )
    with op.batch_alter_table('interpreters_help_time', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreters_help_time_day'), ['day'], unique=False)

    op.create_table('interpreters_glossary_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['term_id'], ['interpreters_glossary_term.id'],
                            name=op.f('fk_interpreters_glossary_translation_term_id_interpreters_glossary_term'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters_glossary_translation')),
    sa.UniqueConstraint('term_id', 'lang', name=op.f('uq_interpreters_glossary_translation_term_id'))
    )
    with op.batch_alter_table('interpreters_glossary_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpreters_glossary_translation_term_id'), ['term_id'], unique=False)


def downgrade():
    with op.batch_alter_table('interpreters_glossary_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreters_glossary_translation_term_id'))

    op.drop_table('interpreters_glossary_translation')
    with op.batch_alter_table('interpreters_help_time', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpreters_help_time_day'))

    op.drop_table('interpreters_help_time')
    op.drop_table('interpreters_glossary_term')
