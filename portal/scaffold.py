"""Write a new plugin project that a municipality can install with pip and enable in its config."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from string import Template

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from .plugins import check_name, check_name_free, installed_entry_points

FILES = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=69", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "portal-plugin-$dashed"
version = "0.1.0"
description = "$title: a plugin for the migration office portal"
requires-python = ">=3.11"
dependencies = ["migration-office-portal>=1.0"]

[project.optional-dependencies]
# portal.testing reads pages with lxml (audit_log, parse, form_values).
test = ["pytest>=8.0", "lxml>=5.0"]

[project.entry-points."portal.plugins"]
$name = "$package"

[tool.setuptools.packages.find]
# Namespace packages included: the templates, static and translations folders are found with the code, so their
# files ship.
include = ["$package*"]

[tool.setuptools.package-data]
"*" = ["*.html", "*.css", "*.js", "*.svg", "*.po", "*.mo", "*.pot"]
""",
    "README.md": """\
# $title

A plugin for the migration office portal. Install it beside the portal with
`pip install .`, enable it beside the built-in plugins with
`extra_plugins = ["$name"]` in the instance file `portal.toml`, and run
`flask --app portal db upgrade`.

Its public page is served at `/<lang>/$name/`; its settings go under
`[plugin_settings.$name]`. Run its tests with `pytest` after
`pip install -e '.[test]'`. Extract its messages in the folder `$package` with
its `babel.cfg` (`pybabel extract -F babel.cfg …`, as the portal's
docs/plugins.md describes under "Translations").
""",
    "$package/babel.cfg": """\
[python: **.py]
[jinja2: **.html]
""",
    "$package/__init__.py": '''\
"""$title: a plugin for the migration office portal."""

from portal import toolkit
from portal.toolkit import _l, hookimpl

plugin_info = toolkit.PluginInfo(
    name="$name",
    title=_l("$title"),
    description=_l("$title"),
    version="0.1.0",
    requires_core=">=1.0,<2",
)


class Settings(toolkit.PluginSettings):
    show_count: bool = True
    """Whether the page says how many entries there are."""


@hookimpl
def portal_settings_model():
    return Settings


@hookimpl
def portal_blueprints():
    from .views import bp

    return [bp]


@hookimpl
def portal_models():
    from .models import $model

    return [$model]


@hookimpl
def portal_navigation():
    return [toolkit.NavItem(title=_l("$title"), endpoint="$name.index", order=500)]
''',
    "$package/models.py": '''\
"""Tables of the $name plugin; every name starts with "${name}_"."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal import toolkit


class $model(toolkit.Base):
    """One line of text shown on the plugin's page."""

    __tablename__ = "${name}_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
''',
    "$package/views.py": '''\
"""Pages of the $name plugin."""

from flask import render_template
from sqlalchemy import func, select

from portal import toolkit

from .models import $model

bp = toolkit.public_blueprint("$name", __name__)


@bp.route("/")
def index():
    count = None
    if toolkit.plugin_settings("$name")["show_count"]:
        count = toolkit.session().scalar(select(func.count()).select_from($model))
    return render_template("$name/index.html", count=count)
''',
    "$package/templates/$name/index.html": """\
{% extends "base.html" %}
{% block title %}{{ _('$title') }}{% endblock %}
{% block head %}<link rel="stylesheet" href="{{ asset_url('$name', '$name.css') }}">{% endblock %}
{% block content %}
<h1>{{ _('$title') }}</h1>
<p>{{ _('Hallo aus dem Plugin.') }}</p>
{% if count is not none %}
<p class="$name-count">{{ ngettext('%(num)d Eintrag', '%(num)d Einträge', count) }}</p>
{% endif %}
{% endblock %}
""",
    "$package/static/$name.css": """\
/* Every class this plugin styles starts with its name; the core's classes are used as they are. */
.$name-count { font-weight: 700; }
""",
    "$package/migrations/__init__.py": "",
    "$package/migrations/versions/__init__.py": "",
    # Named as `db revision` names a revision's file: its id, then the words of its message.
    "$package/migrations/versions/${name}_0001_create_the_entry_table.py": '''\
"""Create the entry table.

Revision ID: ${name}_0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "${name}_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "${name}_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_${name}_entry")),
        sqlite_autoincrement=True,
    )


def downgrade():
    op.drop_table("${name}_entry")
''',
    "tests/conftest.py": '''\
import pytest


@pytest.fixture(scope="session")
def portal_config():
    """Run the portal with this plugin alone."""
    return {"plugins": ["$name"], "languages": ["de", "en"]}
''',
    "tests/test_$name.py": '''\
import pytest

from portal.testing import assert_migrations_match_models


def test_the_migrations_make_the_tables_of_the_models(app):
    assert_migrations_match_models(app)


def test_page_is_served_in_german_and_english(client):
    assert "Hallo aus dem Plugin." in client.get("/de/$name/").get_data(as_text=True)
    assert "Hello from the plugin." in client.get("/en/$name/").get_data(as_text=True)
    assert "0 entries" in client.get("/en/$name/").get_data(as_text=True)


@pytest.mark.portal_config({"plugin_settings": {"$name": {"show_count": False}}})
def test_the_count_can_be_turned_off(client):
    assert "Einträge" not in client.get("/de/$name/").get_data(as_text=True)
''',
}

ENGLISH = {"Hallo aus dem Plugin.": "Hello from the plugin.",
           ("%(num)d Eintrag", "%(num)d Einträge"): ("%(num)d entry", "%(num)d entries")}


def write_plugin(name: str, directory: Path) -> Path:
    """Create the project folder portal-plugin-<name> in `directory`; return its path."""
    check_name(name)
    check_name_free(name, installed_entry_points())
    # Model classes share one registry across plugins: the plugin's name in the class's keeps it its own.
    values = {"name": name, "dashed": name.replace("_", "-"), "package": f"portal_plugin_{name}",
              "title": name.replace("_", " ").title(), "model": name.title().replace("_", "") + "Entry"}
    target = directory / f"portal-plugin-{values['dashed']}"
    if target.exists():
        raise ValueError(f"{target} exists already")
    for relative, text in FILES.items():
        path = target / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(text).substitute(values), encoding="utf-8")
    _write_catalogs(target / values["package"] / "translations", values["title"])
    return target


def _write_catalogs(folder: Path, title: str) -> None:
    """Write the messages' template, which the translation report reads, and the English catalog, compiled."""
    # Not fuzzy: pybabel compile skips a catalog marked fuzzy, so later edits would never reach the .mo file.
    template, english = Catalog(fuzzy=False), Catalog(locale="en", fuzzy=False)
    english.add(title, title)
    template.add(title)
    for source, translation in ENGLISH.items():
        english.add(source, translation)
        template.add(source)
    (folder / "en" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "messages.pot", "wb") as pot_file:
        write_po(pot_file, template)
    with open(folder / "en" / "LC_MESSAGES" / "messages.po", "wb") as po_file:
        write_po(po_file, english)
    buffer = BytesIO()
    write_mo(buffer, english)
    (folder / "en" / "LC_MESSAGES" / "messages.mo").write_bytes(buffer.getvalue())
