"""A plugin declaring an event under another plugin's name."""

from portal import toolkit

plugin_info = toolkit.PluginInfo(name="fake_misnamed_event", title="T", description="T", version="0.1.0",
                                 events=(toolkit.Event("appointments.changed", ("value",)),))
