"""Namespacing: what plugins add to shared spaces (stylesheets, template names, audit log) carries their name."""

import ast
import re
from pathlib import Path

import pytest

from portal.config import DEFAULTS
from portal.resources import core_path

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"
CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _classes(stylesheet: Path) -> set[str]:
    text = re.sub(r"/\*.*?\*/", "", stylesheet.read_text(), flags=re.S)
    # Only selectors: drop declaration blocks, where '.5rem' and the like would look like classes.
    selectors = re.sub(r"\{[^{}]*\}", "{}", text)
    return set(CLASS.findall(selectors))


def test_no_two_plugins_style_the_same_class():
    core = _classes(core_path("static") / "portal.css")
    owners: dict[str, str] = {}
    collisions = []
    for stylesheet in sorted(PLUGINS.glob("*/static/*.css")):
        plugin = stylesheet.parts[-3]
        for name in _classes(stylesheet) - core:
            owner = owners.setdefault(name, plugin)
            if owner != plugin:
                collisions.append(f".{name}: {owner} and {plugin}")
    assert not collisions


@pytest.fixture(scope="module")
def every_plugin(make_app):
    return make_app(plugins=DEFAULTS["plugins"])


def test_template_globals_of_plugins_carry_their_name(every_plugin, make_app):
    bare = make_app(plugins=[])
    names = DEFAULTS["plugins"]
    for kind in ("globals", "filters", "tests"):
        added = set(getattr(every_plugin.jinja_env, kind)) - set(getattr(bare.jinja_env, kind))
        assert not [name for name in added if not any(name.startswith(f"{plugin}_") for plugin in names)], kind
    modules = {plugin.module.__name__: plugin.name for plugin in every_plugin.extensions["portal.loaded_plugins"]}
    with every_plugin.test_request_context("/de/"):
        for processor in every_plugin.template_context_processors[None]:
            owner = next((name for module, name in modules.items() if processor.__module__.startswith(module)), None)
            if owner is not None:
                assert all(key.startswith(f"{owner}_") for key in processor()), processor.__qualname__


def test_audit_target_types_carry_the_plugins_name(every_plugin):
    from portal.toolkit import audit

    calls = 0
    for source in PLUGINS.glob("*/**/*.py"):
        plugin = source.relative_to(PLUGINS).parts[0]
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "audit":
                calls += 1
                target_type = node.args[1]
                assert isinstance(target_type, ast.Constant), f"{source}:{node.lineno}: write the target type out"
                assert target_type.value.startswith(f"{plugin}_"), f"{source}:{node.lineno}: {target_type.value}"
    assert calls > 20
    with every_plugin.test_request_context("/de/"), pytest.raises(ValueError, match="must start with"):
        audit("update", "letter", 1)
