"""A plugin whose navigation item, tile and staff menu entry name endpoints no view has (a typing error)."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_dead_links", title="Tippfehler", description="Tippfehler",
                                 version="0.1.0")


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title="Verlaufen", endpoint="fake_dead_links.nope")]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title="Kachel ins Leere", text="Text", endpoint="fake_dead_links.indx")]


@hookimpl
def portal_staff_menu():
    return [toolkit.StaffMenuItem(title="Menü ins Leere", endpoint="fake_dead_links_staff.indx", role="editor")]
