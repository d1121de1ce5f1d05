"""A plugin whose name is the start of another's table prefix (fake_model_a)."""

from portal import toolkit

plugin_info = toolkit.PluginInfo(name="fake_model", title="T", description="T", version="0.1.0")
