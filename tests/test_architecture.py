"""Architecture rules: plugins use only the facade, the core never imports a plugin, migrations match models."""

import ast
from pathlib import Path

import pytest

from portal.migrate import pending_changes

ROOT = Path(__file__).parent.parent
PLUGIN_FILES = sorted(p for p in (ROOT / "plugins").rglob("*.py") if "migrations" not in p.parts)
CORE_FILES = sorted((ROOT / "portal").rglob("*.py"))


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
    plugin = path.relative_to(ROOT / "plugins").parts[0]
    others = {name for name in imported_modules(path)
              if name.startswith("portal_plugins.") and name.split(".")[1] != plugin}
    assert not others, f"{path.name} imports another plugin: {sorted(others)}"


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_a_plugin(path):
    assert not {n for n in imported_modules(path) if n.startswith("portal_plugins")}


def test_migrations_match_the_models(app):
    with app.app_context():
        assert pending_changes() == {}
