"""A plugin whose hook lacks the decorator: pluggy alone would leave it out without a word."""

from portal import toolkit

plugin_info = toolkit.PluginInfo(name="fake_undecorated", title="Vergessen", description="Vergessen", version="0.1.0")


def portal_navigation():
    return []
