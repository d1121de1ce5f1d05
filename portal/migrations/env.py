"""Alembic environment shared by the core and every plugin; each owner has its own history."""

from alembic import context

from portal.db import Base

config = context.config
owner = config.attributes["owner"]
prefix = f"{owner}_"


def include_object(obj, name, type_, _reflected, _compare_to):
    """Compare only the owner's tables, so one plugin's migration never touches another's."""
    table_name = name if type_ == "table" else obj.table.name
    return table_name.startswith(prefix) and not table_name.endswith("_alembic_version")


context.configure(
    connection=config.attributes["connection"],
    target_metadata=Base.metadata,
    version_table=f"{owner}_alembic_version",
    include_object=include_object,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
