"""A plugin with a page in Leichte Sprache, used by the core's tests of the easy pages' contract."""

from portal import toolkit
from portal.toolkit import _l, hookimpl

plugin_info = toolkit.PluginInfo(name="fake_easy", title=_l("Testmodul"), description=_l("Testmodul"),
                                 version="0.1.0",
                                 easy_pages=(toolkit.EasyPage(endpoint="fake_easy.easy", text="gut", order=5),))
bp = toolkit.public_blueprint("fake_easy", __name__)


@bp.route("/leicht")
def easy():
    return toolkit.easy_text("fake_easy", "gut")["title"]


@hookimpl
def portal_blueprints():
    return [bp]
