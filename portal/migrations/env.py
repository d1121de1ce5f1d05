"""Alembic environment shared by the core and every plugin; each owner has its own history."""

import click
from alembic import context
from alembic.autogenerate import renderers
from alembic.operations import ops

from portal.db import Base
from portal.migrate import CORE, compared_objects_of, version_table

config = context.config
owner = config.attributes["owner"]
# A plugin's new revision reaches the core's types through the facade, as the plugin's own code does.
facade = ("import portal.db", "portal.db.") if owner == CORE else ("from portal import toolkit", "toolkit.")


class NotNullWithoutServerDefault(ops.MigrateOperation):
    """A note in a new revision, above a column it adds NOT NULL with nothing the database could fill rows with."""

    def __init__(self, table: str, column):
        self.table, self.column = table, column

    def warning(self) -> str:
        default = self.column.default
        hint = f" (the model's default is {default.arg!r})" if default is not None and default.is_scalar else ""
        return (f"{self.table}.{self.column.name} is added NOT NULL without a server default, which fails on a "
                f"table that has rows: give it server_default=…{hint}, or add it nullable, fill it in a data step "
                "and then make it NOT NULL")


@renderers.dispatch_for(NotNullWithoutServerDefault)
def _render_note(_autogen_context, note: NotNullWithoutServerDefault) -> list[str]:
    return [f"# {line}" for line in click.wrap_text(note.warning(), width=100).splitlines()]


def note_not_null_columns(_context, _revision, directives) -> None:
    """Put a note above each added NOT NULL column without a server default, and warn the developer of it."""
    for script in directives:
        for table_ops in script.upgrade_ops.ops:
            if not isinstance(table_ops, ops.ModifyTableOps):
                continue
            noted = []
            for operation in table_ops.ops:
                # A new table has no rows; an added column with no value for them needs a default or a data step.
                # (Computed and identity columns have their server default.)
                if isinstance(operation, ops.AddColumnOp) and not operation.column.nullable \
                        and operation.column.server_default is None:
                    note = NotNullWithoutServerDefault(table_ops.table_name, operation.column)
                    click.echo(f"warning: {note.warning()} (a note in the new revision says so too)", err=True)
                    noted.append(note)
                noted.append(operation)
            table_ops.ops = noted


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
    process_revision_directives=note_not_null_columns,
)
with context.begin_transaction():
    context.run_migrations()
