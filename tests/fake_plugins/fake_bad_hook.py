"""A plugin whose hook has the wrong argument names."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_bad_hook", title="T", description="T", version="0.1.0")


@hookimpl
def portal_init_app(application):
    return None
