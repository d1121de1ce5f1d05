"""A plugin whose table is outside its namespace."""

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_bad_table", title="T", description="T", version="0.1.0")


class Stray(toolkit.Base):
    """A table named without the plugin's prefix."""

    __tablename__ = "stray_table"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@hookimpl
def portal_models():
    return [Stray]
