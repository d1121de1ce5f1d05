"""A plugin handling an event that nobody declares."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_stray_event", title="T", description="T", version="0.1.0")


@hookimpl
def portal_event_handlers():
    return {"nobody.vanished": lambda payload: None}
