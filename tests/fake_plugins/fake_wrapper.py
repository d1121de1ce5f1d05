"""A plugin that wraps a render-time hook: it sees every other plugin's answer and adds a summary."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_wrapper", title="T", description="T", version="0.1.0")


@hookimpl(wrapper=True)
def portal_translation_content():
    answers = yield
    plugins = [status.plugin for statuses in answers for status in statuses]
    return [*answers, [toolkit.ContentStatus("fake_wrapper", "saw " + " ".join(plugins), "de", 0, 0)]]
