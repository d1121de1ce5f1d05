"""A plugin answering a slot that nobody declares."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_stray_slot", title="T", description="T", version="0.1.0")


def _rules():
    return None


@hookimpl
def portal_slot_answers():
    return {"naturalisation_result": _rules}
