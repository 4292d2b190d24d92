"""Export requests, files, findings, reviews and release ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:10:26.260787
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('export_requests',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.Column('datasets', sa.JSON(), nullable=False),
    sa.Column('provenance_complete', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.JSON(), nullable=False),
    sa.Column('pending_ledger', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.Column('released_at', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('export_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_requests_project'), ['project'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_requests_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_requests_user'), ['user'], unique=False)

    op.create_table('export_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'name')
    )
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_files_request_id'), ['request_id'], unique=False)

    op.create_table('export_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('check', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('export_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_findings_request_id'), ['request_id'], unique=False)

    op.create_table('export_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('datasets', sa.JSON(), nullable=False),
    sa.Column('dims', sa.JSON(), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('released_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('export_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_ledger_project'), ['project'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_ledger_request_id'), ['request_id'], unique=False)

    op.create_table('export_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['export_requests.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'reviewer')
    )
    with op.batch_alter_table('export_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_export_reviews_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('export_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_reviews_request_id'))

    op.drop_table('export_reviews')
    with op.batch_alter_table('export_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_ledger_request_id'))
        batch_op.drop_index(batch_op.f('ix_export_ledger_project'))

    op.drop_table('export_ledger')
    with op.batch_alter_table('export_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_findings_request_id'))

    op.drop_table('export_findings')
    with op.batch_alter_table('export_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_files_request_id'))

    op.drop_table('export_files')
    with op.batch_alter_table('export_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_export_requests_user'))
        batch_op.drop_index(batch_op.f('ix_export_requests_state'))
        batch_op.drop_index(batch_op.f('ix_export_requests_project'))

    op.drop_table('export_requests')
