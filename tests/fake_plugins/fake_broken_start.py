"""A plugin whose start-up hook raises."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_broken_start", title="Kaputt", description="Kaputt", version="0.1.0")


@hookimpl
def portal_blueprints():
    raise RuntimeError("no blueprints today")
