"""Architecture rules: plugins use only the facade, the core never imports a plugin, migrations match models and
go back."""

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from portal.db import Base
from portal.migrate import pending_changes, tables_reusing_ids
from portal.testing import migrate_down_to, migrate_to
from tests.support import ALL_PLUGINS

ROOT = Path(__file__).parent.parent
# First-party plugins, and the worked example plugin that authors copy from.
PLUGIN_FILES = sorted(p for folder in (ROOT / "plugins", ROOT / "examples" / "plugins") for p in folder.rglob("*.py")
                      if "migrations" not in p.parts)
CORE_FILES = sorted((ROOT / "portal").rglob("*.py"))
TEMPLATES = sorted(p for folder in (ROOT / "templates", ROOT / "plugins", ROOT / "examples" / "plugins")
                   for p in folder.rglob("*.html") if "tests" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "portal")
    return names


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_only_the_toolkit_from_the_core(path):
    allowed = {"portal.toolkit", "portal"} | ({"portal.testing"} if "tests" in path.parts else set())
    core_imports = {name for name in imported_modules(path) if name == "portal" or name.startswith("portal.")}
    assert core_imports <= allowed, f"{path.name} imports {sorted(core_imports - allowed)}"
    plugin = path.relative_to(ROOT / "plugins").parts[0] if path.is_relative_to(ROOT / "plugins") else None
    others = {name for name in imported_modules(path)
              if name.startswith("portal_plugins.") and name.split(".")[1] != plugin}
    assert not others, f"{path.name} imports another plugin: {sorted(others)}"


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_a_plugin(path):
    assert not {n for n in imported_modules(path) if n.startswith("portal_plugins")}


@pytest.mark.portal_config({"plugins": ALL_PLUGINS})
def test_migrations_match_the_models(app):
    with app.app_context():
        assert pending_changes() == {}


@pytest.mark.portal_config({"plugins": ALL_PLUGINS})
def test_no_table_hands_out_a_deleted_rows_id_again(app):
    """Check that every table numbering its rows does so without reuse: AUTOINCREMENT on SQLite, a sequence else."""
    numbered = {table.name: table.autoincrement_column.name for table in Base.metadata.sorted_tables
                if table.autoincrement_column is not None}
    assert {"notices_notice", "core_audit_entry", "appointments_appointment"} <= set(numbered)
    assert [name for name in numbered
            if not Base.metadata.tables[name].dialect_options["sqlite"]["autoincrement"]] == []
    with app.extensions["portal.db"].engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            reusing = tables_reusing_ids(connection)
        else:
            reusing = [name for name, column in numbered.items() if connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": name, "column": column}
            ).scalar() is None]
    assert reusing == []


# Their data migrations cannot be undone (e-mails moved to the core's outbox, dates of birth hashed); their
# downgrades say so and stop.
ONE_WAY_PLUGINS = {"emergency", "naturalisation"}


def test_migrations_go_down_to_no_tables_and_up_again(unmigrated_app):
    owners = ["core", *(name for name in ALL_PLUGINS if name not in ONE_WAY_PLUGINS)]
    app = unmigrated_app(plugins=owners[1:])
    engine = app.extensions["portal.db"].engine
    for owner in owners:
        migrate_to(app, owner)
    for owner in reversed(owners):
        migrate_down_to(app, owner)
    assert [name for name in inspect(engine).get_table_names() if not name.endswith("_alembic_version")] == []
    for owner in owners:
        migrate_to(app, owner)
    with app.app_context():
        assert pending_changes() == {}


def _mentions_version(node: ast.AST) -> bool:
    return any(isinstance(part, ast.Attribute) and part.attr == "version" for part in ast.walk(node))


def hand_written_locking(path: Path) -> list[str]:
    """Find optimistic locking written by hand: a query filtered on a version, a compared version, StaleDataError."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        method = node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
        if method in {"where", "filter"} and any(_mentions_version(argument) for argument in node.args) or (
                method == "filter_by" and any(keyword.arg == "version" for keyword in node.keywords)):
            found.append(f"line {node.lineno}: a query filtered on a version")
        elif isinstance(node, ast.Compare) and _mentions_version(node.left) and any(
                _mentions_version(other) for other in node.comparators):
            found.append(f"line {node.lineno}: versions compared before a write")
        elif isinstance(node, ast.Name | ast.alias) and "StaleDataError" in (getattr(node, "id", None),
                                                                               getattr(node, "name", None)):
            found.append(f"line {node.lineno}: StaleDataError handled")
    return found


@pytest.mark.parametrize("path", [p for p in PLUGIN_FILES if "tests" not in p.parts],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_leave_versioned_saves_to_the_toolkit(path):
    assert hand_written_locking(path) == [], "use toolkit.save_if_current (docs/plugins.md, Versioned saves)"


def test_hand_written_locking_is_recognised(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "from sqlalchemy.orm.exc import StaleDataError\n"
        "session.execute(update(Rule).where(Rule.id == 1, Rule.version == expected))\n"
        "if form.version.data != rule.version:\n    pass\n", encoding="utf-8")
    assert sorted(problem.split(":")[0] for problem in hand_written_locking(sample)) == ["line 1", "line 2", "line 3"]


def wtforms_bases(path: Path) -> list[str]:
    """Return the classes in a file that derive from a form base of Flask-WTF or WTForms, not from the toolkit's."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    raw = {alias.asname or alias.name for node in ast.walk(tree)
           if isinstance(node, ast.ImportFrom) and node.module in {"flask_wtf", "wtforms", "wtforms.form"}
           for alias in node.names if alias.name in {"FlaskForm", "Form", "BaseForm"}}
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any(isinstance(base, ast.Name) and base.id in raw for base in node.bases)]


@pytest.mark.parametrize("path", [p for p in PLUGIN_FILES + CORE_FILES + sorted((ROOT / "tests").rglob("*.py"))
                                  if p != ROOT / "portal" / "forms.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_forms_derive_from_the_toolkits_bases(path):
    # Only toolkit.Form and toolkit.SubForm give WTForms' own messages in the portal's words and languages.
    assert wtforms_bases(path) == [], "derive forms from toolkit.Form or toolkit.SubForm (docs/plugins.md)"


# German by nature: Leichte Sprache is German whatever the source language.
GERMAN_BY_NATURE = {"templates/easy/base.html", "plugins/emergency/templates/emergency/easy_sent.html"}
FIXED_LANGUAGE = re.compile(r"""lang=["']de["']|lang_attrs\(\s*["']de["']\s*\)|portal\.default_language""")


def test_what_the_office_wrote_is_marked_with_the_source_language():
    """An office may write in another language than German, and open its site in yet another for visitors."""
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for path in [*TEMPLATES, *(p for p in PLUGIN_FILES if "tests" not in p.parts)]
             if str(path.relative_to(ROOT)) not in GERMAN_BY_NATURE
             for match in FIXED_LANGUAGE.finditer(path.read_text(encoding="utf-8"))]
    assert not found, f"use source_language() (docs/plugins.md): {found}"


SOURCE_VERSION_ONLY = re.compile(r"""\[\s*source_language\(\)\s*\]|\.get\(\s*source_language\(\)\s*\)""")


def test_staff_pages_show_texts_saved_before_the_source_language_changed():
    """A text indexed by the source language shows nothing once the office changed it; as_written() falls back."""
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in TEMPLATES
             for match in SOURCE_VERSION_ONLY.finditer(path.read_text(encoding="utf-8"))]
    assert not found, f"use as_written(versions) (docs/plugins.md): {found}"
