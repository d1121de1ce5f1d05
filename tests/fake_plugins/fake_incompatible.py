"""A plugin written for a future core."""

from portal import toolkit

plugin_info = toolkit.PluginInfo(name="fake_incompatible", title="Neu", description="Neu", version="3.0.0",
                                 requires_core=">=2.0")
