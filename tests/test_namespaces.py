"""Namespacing: what plugins add to shared spaces (stylesheets, template names, audit log) carries their name."""

import ast
import re
from pathlib import Path

import pytest

from portal.resources import core_path
from portal.scaffold import write_plugin
from tests.support import ALL_PLUGINS

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
EXAMPLES = PLUGINS.parent / "examples" / "plugins"
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _classes(stylesheet: Path) -> set[str]:
    text = re.sub(r"/\*.*?\*/", "", stylesheet.read_text(), flags=re.S)
    # Only selectors: drop declaration blocks, where '.5rem' and the like would look like classes.
    selectors = re.sub(r"\{[^{}]*\}", "{}", text)
    return set(CLASS.findall(selectors))


def _core_classes() -> set[str]:
    return _classes(core_path("static") / "portal.css")


def _plugins() -> list[tuple[str, Path]]:
    """Return (name, package folder) of each built-in plugin and of the worked example."""
    built_in = [(folder.name, folder) for folder in sorted(PLUGINS.iterdir()) if (folder / "__init__.py").exists()]
    examples = [(folder.name.removeprefix("portal_plugin_"), folder)
                for folder in sorted(EXAMPLES.glob("*/portal_plugin_*"))]
    assert examples
    return built_in + examples


def _files(package: Path, pattern: str) -> list[Path]:
    return [path for path in sorted(package.glob(pattern)) if "tests" not in path.relative_to(package).parts]


CLASS_ATTRIBUTE = re.compile(r"""\b(?:class|class_|svgclass)\s*=\s*(["'])(.*?)\1""", re.S)
JINJA = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.S)
STRING = re.compile(r"""(["'])(.*?)\1""")
SCRIPT_CLASS = re.compile(r"""classList\.\w+\(\s*(["'])(.*?)\1|querySelector(?:All)?\(\s*(["'])(.*?)\3""")


def _class_uses(text: str):
    """Yield (class, complete) for each class a template or module writes; incomplete ones end in an expression."""
    for match in CLASS_ATTRIBUTE.finditer(text):
        parts = JINJA.split(match.group(2))
        for index, part in enumerate(parts):
            if index % 2:
                # Strings in a {% tag %} are conditions; those printed by {{ ... }} are class names.
                for literal in STRING.finditer(part if part.startswith("{{") else ""):
                    yield from ((name, True) for name in literal.group(2).split())
                continue
            names = part.split()
            followed_by_expression = index + 1 < len(parts) and parts[index + 1].startswith("{{")
            for position, name in enumerate(names):
                last = position == len(names) - 1 and not part[-1:].isspace()
                yield name, not (last and followed_by_expression)


def _script_class_uses(text: str):
    for match in SCRIPT_CLASS.finditer(text):
        if match.group(2) is not None:
            yield from match.group(2).split()
        else:
            yield from CLASS.findall(match.group(4))


def _styled_strangers(name: str, package: Path) -> list[tuple[str, str]]:
    """Return (file, class) for each class the plugin's stylesheets style without carrying its name."""
    return [(path.name, styled) for path in _files(package, "static/*.css")
            for styled in sorted(_classes(path)) if not styled.startswith(f"{name}-")]


def _unknown_classes(name: str, package: Path, core: set[str]) -> tuple[int, list[str]]:
    """Count the classes the plugin writes; list those neither its own nor the core's."""
    uses = [(path, used, complete) for path in [*_files(package, "templates/**/*.html"), *_files(package, "**/*.py")]
            for used, complete in _class_uses(path.read_text())]
    uses += [(path, used, True) for path in _files(package, "static/*.js")
             for used in _script_class_uses(path.read_text())]
    unknown = [f"{path.relative_to(package)}: {used}" for path, used, complete in uses
               if not used.startswith(f"{name}-")
               and not (used in core if complete else any(known.startswith(used) for known in core))]
    return len(uses), unknown


def test_plugin_stylesheets_style_only_classes_carrying_the_plugins_name():
    core = _core_classes()
    # With its name on every class it styles, no plugin can style another plugin's class either.
    strangers = [(name, *entry) for name, package in _plugins() for entry in _styled_strangers(name, package)]
    assert not [entry for entry in strangers if entry[2] in core], "plugin stylesheets restyle core classes"
    assert not strangers


def test_plugins_write_only_their_own_classes_and_the_cores():
    core = _core_classes()
    counted = {name: _unknown_classes(name, package, core) for name, package in _plugins()}
    assert sum(uses for uses, _ in counted.values()) > 200
    assert not {name: unknown for name, (_, unknown) in counted.items() if unknown}


def test_a_scaffolded_plugin_follows_the_same_rule(tmp_path):
    package = write_plugin("parking", tmp_path) / "portal_plugin_parking"
    assert _classes(package / "static" / "parking.css")
    assert not _styled_strangers("parking", package)
    uses, unknown = _unknown_classes("parking", package, _core_classes())
    assert uses and not unknown


def test_two_scaffolded_plugins_name_their_models_and_ship_catalogs_the_report_reads(tmp_path):
    from babel.messages.pofile import read_po

    models = {name: (write_plugin(name, tmp_path) / f"portal_plugin_{name}" / "models.py").read_text()
              for name in ("parking", "bike_rental")}
    assert "class ParkingEntry(" in models["parking"] and "class BikeRentalEntry(" in models["bike_rental"]
    translations = tmp_path / "portal-plugin-parking" / "portal_plugin_parking" / "translations"
    with open(translations / "messages.pot", "rb") as template:
        assert "Hallo aus dem Plugin." in read_po(template)
    with open(translations / "en" / "LC_MESSAGES" / "messages.po", "rb") as english:
        # A catalog marked fuzzy is skipped by pybabel compile.
        assert not read_po(english).fuzzy
    # Shipped with the package, so the report finds it installed (tests/test_install.py builds and installs it).
    assert '"*.pot"' in (tmp_path / "portal-plugin-parking" / "pyproject.toml").read_text()


def test_a_scaffolded_plugin_is_packaged_extracted_and_migrated_as_the_bundled_ones(tmp_path):
    import subprocess
    import sys
    import tomllib

    from portal.catalogs import read_catalog

    project = write_plugin("parking", tmp_path)
    package = project / "portal_plugin_parking"
    # Its tests' extra as the example's, whose tests use the same fixtures and page helpers.
    extras = {folder: tomllib.loads((folder / "pyproject.toml").read_text())["project"]["optional-dependencies"]
              for folder in (project, EXAMPLES / "portal-plugin-closures")}
    assert extras[project]["test"] == extras[EXAMPLES / "portal-plugin-closures"]["test"]
    # The babel.cfg of docs/plugins.md: the portal's, extracting in the package folder what the template holds.
    assert (package / "babel.cfg").read_text() == (PLUGINS.parent / "babel.cfg").read_text()
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "--no-location", "--ignore-dirs=.* ._ tests",
                    "-o", str(tmp_path / "extracted.pot"), "."], check=True, cwd=package)
    templates = [tmp_path / "extracted.pot", package / "translations" / "messages.pot"]
    extracted, shipped = ({m.id for m in read_catalog(template) if m.id} for template in templates)
    assert extracted == shipped
    # Its first revision's file is named as `db revision` names one (tests/test_migrate.py) and as the bundled
    # plugins' are: the revision's id, then the words of its message.
    revisions = [path for path in package.glob("migrations/versions/*.py") if path.name != "__init__.py"]
    assert [path.name for path in revisions] == ["parking_0001_create_the_entry_table.py"]
    source = revisions[0].read_text()
    assert source.startswith('"""Create the entry table.') and 'revision = "parking_0001"' in source


@pytest.fixture(scope="module")
def every_plugin(make_app):
    return make_app(plugins=ALL_PLUGINS)


def test_template_globals_of_plugins_carry_their_name(every_plugin, make_app):
    bare = make_app(plugins=[])
    names = ALL_PLUGINS
    for kind in ("globals", "filters", "tests"):
        added = set(getattr(every_plugin.jinja_env, kind)) - set(getattr(bare.jinja_env, kind))
        assert not [name for name in added if not any(name.startswith(f"{plugin}_") for plugin in names)], kind
    modules = {plugin.module.__name__: plugin.name for plugin in every_plugin.extensions["portal.loaded_plugins"]}
    with every_plugin.test_request_context("/de/"):
        for processor in every_plugin.template_context_processors[None]:
            owner = next((name for module, name in modules.items() if processor.__module__.startswith(module)), None)
            if owner is not None:
                assert all(key.startswith(f"{owner}_") for key in processor()), processor.__qualname__


def test_audit_target_types_carry_the_plugins_name_and_are_declared_with_their_actions(every_plugin):
    from portal.toolkit import audit

    targets = every_plugin.extensions["portal.audit_targets"]
    calls = 0
    for source in PLUGINS.glob("*/**/*.py"):
        plugin = source.relative_to(PLUGINS).parts[0]
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "audit":
                calls += 1
                action, target_type = node.args[:2]
                where = f"{source}:{node.lineno}"
                assert isinstance(target_type, ast.Constant), f"{where}: write the target type out"
                assert target_type.value.startswith(f"{plugin}_"), f"{where}: {target_type.value}"
                assert target_type.value in targets, f"{where}: declare {target_type.value} in audit_targets"
                # An action chosen at run time is checked when it is recorded, under test.
                if isinstance(action, ast.Constant):
                    assert action.value in targets[target_type.value].actions, f"{where}: no words for {action.value}"
    assert calls > 20
    with every_plugin.test_request_context("/de/"), pytest.raises(ValueError, match="must start with"):
        audit("update", "letter", 1)
