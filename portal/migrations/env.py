"""Alembic environment shared by the core and every plugin; each owner has its own history."""

from alembic import context

from portal.db import Base
from portal.migrate import compared_objects_of, version_table

config = context.config
owner = config.attributes["owner"]

context.configure(
    connection=config.attributes["connection"],
    target_metadata=Base.metadata,
    version_table=version_table(owner),
    include_object=compared_objects_of(owner),
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
