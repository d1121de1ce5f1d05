"""Alembic environment shared by the core and every plugin; each owner has its own history."""

from alembic import context

from portal.db import Base
from portal.migrate import CORE, compared_objects_of, version_table

config = context.config
owner = config.attributes["owner"]
# A plugin's new revision reaches the core's types through the facade, as the plugin's own code does.
facade = ("import portal.db", "portal.db.") if owner == CORE else ("from portal import toolkit", "toolkit.")

context.configure(
    connection=config.attributes["connection"],
    target_metadata=Base.metadata,
    version_table=version_table(owner),
    include_object=compared_objects_of(owner),
    render_as_batch=True,
    compare_type=True,
    user_module_prefix=facade[1],
    template_args={"facade_import": facade[0]},
    on_version_apply=lambda step, **_: config.attributes["applied"].append(step),
)
with context.begin_transaction():
    context.run_migrations()
