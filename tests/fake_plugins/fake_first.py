"""A plugin whose render-time hook asks to run first."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_first", title="T", description="T", version="0.1.0")


@hookimpl(tryfirst=True)
def portal_translation_content():
    return [toolkit.ContentStatus("fake_first", "order", "de", 0, 0)]
