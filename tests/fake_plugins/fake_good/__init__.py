"""A well-behaved plugin used by the core's tests."""

from flask import render_template
from markupsafe import Markup

from portal import toolkit
from portal.toolkit import _l, hookimpl

plugin_info = toolkit.PluginInfo(name="fake_good", title=_l("Testmodul"), description=_l("Testmodul"),
                                 version="0.1.0", slots=(toolkit.Slot("fake_good.page", context=("text",)),))
bp = toolkit.public_blueprint("fake_good", __name__)
staff_bp = toolkit.staff_blueprint("fake_good", __name__, role="editor")


@bp.route("/")
def index():
    return render_template("fake_good/index.html")


@staff_bp.route("/")
def staff_index():
    return "secret staff page of fake_good"


@hookimpl
def portal_blueprints():
    return [bp, staff_bp]


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("Testmodul"), endpoint="fake_good.index")]


@hookimpl
def portal_home_tiles():
    return [toolkit.Tile(title="Kachel des Testmoduls", text="Text der Kachel", endpoint="fake_good.index")]


def _home():
    return Markup("<p>Slot des Testmoduls</p>")


def _page(text):
    return f"<b>{text}</b>"  # plain text, not Markup: the core must escape it


@hookimpl
def portal_slot_answers():
    return {"home": _home, "fake_good.page": _page}


class FakeSettings(toolkit.PluginSettings):
    colour: str = "green"
    """A colour."""
    size: int = 3
    """A size."""


@hookimpl
def portal_settings_model():
    return FakeSettings


@hookimpl
def portal_translation_content():
    return [toolkit.ContentStatus("fake_good", "order", "de", 0, 0)]
