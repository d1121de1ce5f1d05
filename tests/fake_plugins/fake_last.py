"""A plugin whose render-time hook asks to run last."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_last", title="T", description="T", version="0.1.0")


@hookimpl(trylast=True)
def portal_translation_content():
    return [toolkit.ContentStatus("fake_last", "order", "de", 0, 0)]
