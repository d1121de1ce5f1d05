"""A plugin whose render-time hooks and slot answers raise; pages must still render without it."""

from sqlalchemy import text

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_broken_render", title="Kaputt", description="Kaputt", version="0.1.0")


@hookimpl
def portal_navigation():
    raise RuntimeError("navigation exploded")


@hookimpl
def portal_home_tiles():
    raise RuntimeError("tiles exploded")


def _home():
    raise RuntimeError("slot home exploded")


def _failed_query():
    # A failed statement aborts the whole transaction on PostgreSQL until it is rolled back.
    toolkit.session().execute(text("SELECT * FROM fake_broken_render_missing"))


@hookimpl
def portal_slot_answers():
    return {"home": _home, "fake_model_a.saved": _failed_query}
