"""A plugin handling another plugin's event; it fails when the payload's value is 'fail'."""

from fake_publisher import received

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_listener", title="T", description="T", version="0.1.0")


def _note(payload):
    if payload["value"] == "fail":
        raise RuntimeError("the listener cannot take this")
    received.append(("fake_listener", payload))


@hookimpl
def portal_event_handlers():
    return {"fake_publisher.noted": _note}
