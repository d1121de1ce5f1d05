"""A plugin that wraps a start-up hook, which the core refuses."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_startup_wrapper", title="T", description="T", version="0.1.0")


@hookimpl(wrapper=True)
def portal_blueprints():
    return (yield)
