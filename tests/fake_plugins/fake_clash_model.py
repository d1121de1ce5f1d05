"""A plugin whose model class takes the name of a built-in plugin's (notices' Notice); imported by a subprocess only."""

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_clash_model", title="C", description="C", version="0.1.0")


class Notice(toolkit.Base):
    """A row named like the notices plugin's model."""

    __tablename__ = "fake_clash_model_notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@hookimpl
def portal_models():
    return [Notice]
