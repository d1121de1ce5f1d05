"""A plugin that declares one event and handles it itself, recording what it received."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_publisher", title="T", description="T", version="0.1.0",
                                 events=(toolkit.Event("fake_publisher.noted", ("value",), "a value was noted"),))
received = []


@hookimpl
def portal_event_handlers():
    return {"fake_publisher.noted": lambda payload: received.append(("fake_publisher", payload))}
