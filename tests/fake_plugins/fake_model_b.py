"""A plugin with a model class named like one of another plugin's."""

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_model_b", title="B", description="B", version="0.1.0")


class Record(toolkit.Base):
    """A row of plugin B."""

    __tablename__ = "fake_model_b_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@hookimpl
def portal_models():
    return [Record]
