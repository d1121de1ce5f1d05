"""A plugin whose render-time hooks raise; pages must still render without it."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_broken_render", title="Kaputt", description="Kaputt", version="0.1.0")


@hookimpl
def portal_navigation():
    raise RuntimeError("navigation exploded")


@hookimpl
def portal_home_tiles():
    raise RuntimeError("tiles exploded")


@hookimpl
def portal_template_slot(slot, context):
    raise RuntimeError(f"slot {slot} exploded")
