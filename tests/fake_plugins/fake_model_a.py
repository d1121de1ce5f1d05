"""A plugin with a model class named like one of another plugin's."""

from flask import render_template_string
from markupsafe import Markup
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_model_a", title="A", description="A", version="0.1.0",
                                 slots=(toolkit.Slot("fake_model_a.saved"),))
bp = toolkit.public_blueprint("fake_model_a", __name__)


class Record(toolkit.Base):
    """A row of plugin A."""

    __tablename__ = "fake_model_a_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


@bp.route("/records", methods=["POST"])
@toolkit.csrf.exempt
def add_record():
    """Store a record, render a page whose slot other plugins answer, and only then commit."""
    toolkit.session().add(Record())
    toolkit.session().flush()
    page = render_template_string("<p>{{ slot('fake_model_a.saved') }}</p>")
    toolkit.session().commit()
    return page


def _saved():
    return Markup("gespeichert")


@hookimpl
def portal_blueprints():
    return [bp]


@hookimpl
def portal_models():
    return [Record]


@hookimpl
def portal_slot_answers():
    return {"fake_model_a.saved": _saved}


@hookimpl
def portal_translation_content():
    return [toolkit.ContentStatus("fake_model_a", "order", "de", 0, 0)]
