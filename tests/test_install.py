"""Packaging: `pip install .` into a fresh virtual environment gives a working portal; a scaffolded plugin and
the worked example plugin install beside it from their own folders and are served without any change to the core."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

from portal.config import BUILT_IN_PLUGINS
from tests.support import AppProcess

ROOT = Path(__file__).parent.parent
EXAMPLE_PLUGIN = ROOT / "examples" / "plugins" / "portal-plugin-closures"
pytestmark = [
    pytest.mark.slow,
    # Installing touches no database; the SQLite pass proves it, the PostgreSQL pass saves the minute.
    pytest.mark.database_independent,
]

CHECK_PORTAL = """
import sys, portal
from portal import create_app
from portal.migrate import upgrade_all
assert "site-packages" in portal.__file__, portal.__file__
app = create_app({"instance_path": sys.argv[1], "plugins": sys.argv[2].split(",") if sys.argv[2] else []})
with app.app_context():
    upgrade_all()
client = app.test_client()
for path in sys.argv[3:]:
    response = client.get(path)
    print(path, response.status_code, response.get_data(as_text=True).replace("\\n", " "))
"""


def run(*args, **kwargs) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the portal installed from this checkout (not editable)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    run(sys.executable, "-m", "venv", str(venv))
    pip_install_without_warnings(venv, ROOT)
    return venv


def pip_install_without_warnings(venv: Path, project: Path, extras: str = "", *requirements: str) -> None:
    """Build the project's wheel and fail on any warning of the build; install it with its extras into the venv."""
    # Built by this checkout's pip: a fresh venv's bundled pip may keep the build's output to itself.
    wheels = Path(tempfile.mkdtemp(prefix="wheels-"))
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                            str(wheels), str(project)], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    # The build's warnings (setuptools' package discovery above all) would bury the result for a newcomer.
    warnings = re.findall(r"\b\w+Warning\b.*|^.*would be ignored.*$", built.stdout + built.stderr, re.MULTILINE)
    assert warnings == [], f"{len(warnings)} warnings, the first: {warnings[0]}"
    (wheel,) = wheels.glob("*.whl")
    run(str(venv / "bin" / "pip"), "install", f"{wheel}{extras}", *requirements)
    shutil.rmtree(wheels)


def assert_plugin_tests_pass(venv: Path, tests: Path, cwd: Path) -> None:
    """Run a plugin's own tests in the venv, with the fixtures the installed portal ships; all must pass."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    output = run(str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tests),
                 cwd=str(cwd), env=environment | {"PYTHONDONTWRITEBYTECODE": "1"})
    assert re.search(r"\b\d+ passed\b", output) and "failed" not in output and "skipped" not in output, output


def pages(venv: Path, instance: Path, plugins: str, *paths: str) -> dict[str, str]:
    output = run(str(venv / "bin" / "python"), "-c", CHECK_PORTAL, str(instance), plugins, *paths,
                 cwd=str(instance))
    return {line.split(" ", 2)[0]: line.split(" ", 2)[1] + " " + line.split(" ", 2)[2]
            for line in output.splitlines() if line.startswith("/")}


def test_installed_portal_serves_pages_with_templates_and_catalogs(installed_venv, tmp_path):
    site = next((installed_venv / "lib").glob("python3*/site-packages"))
    assert (site / "portal" / "templates" / "base.html").exists()
    assert list((site / "portal" / "translations").glob("*/LC_MESSAGES/messages.mo"))
    assert (site / "portal" / "static" / "vendor" / "htmx.min.js").exists()
    assert list((site / "portal" / "migrations" / "versions").glob("0001_*.py"))
    result = pages(installed_venv, tmp_path, "", "/en/", "/ar/accessibility")
    assert result["/en/"].startswith("200") and "Skip to content" in result["/en/"]
    assert result["/ar/accessibility"].startswith("200") and 'dir="rtl"' in result["/ar/accessibility"]


def test_scaffolded_plugin_installs_and_serves_in_two_languages(installed_venv, tmp_path):
    flask = str(installed_venv / "bin" / "flask")
    run(flask, "--app", "portal", "new-plugin", "parking", "--directory", str(tmp_path), cwd=str(tmp_path),
        env={"PORTAL_INSTANCE": str(tmp_path / "instance"), "PORTAL_PLUGINS": "", "PATH": "/usr/bin:/bin"})
    project = tmp_path / "portal-plugin-parking"
    assert (project / "portal_plugin_parking" / "migrations" / "versions" / "parking_0001_create_the_entry_table.py"
            ).exists()
    pip_install_without_warnings(installed_venv, project, "", "pytest")
    # The translation report counts against the installed template: it ships with the code.
    assert list(installed_venv.glob("lib/python*/site-packages/portal_plugin_parking/translations/messages.pot"))
    listing = run(flask, "--app", "portal", "plugins", cwd=str(tmp_path),
                  env={"PORTAL_INSTANCE": str(tmp_path / "instance"), "PORTAL_PLUGINS": "parking",
                       "PATH": "/usr/bin:/bin"})
    assert any(line.startswith("parking") and "enabled #1" in line for line in listing.splitlines())
    result = pages(installed_venv, tmp_path, "parking", "/de/parking/", "/en/parking/", "/static/parking/parking.css")
    assert result["/de/parking/"].startswith("200") and 'class="parking-count"' in result["/de/parking/"]
    stylesheet = result["/static/parking/parking.css"]
    assert stylesheet.startswith("200") and ".parking-count" in stylesheet
    assert "Hallo aus dem Plugin." in result["/de/parking/"] and "0 Einträge" in result["/de/parking/"]
    assert "Hello from the plugin." in result["/en/parking/"] and "0 entries" in result["/en/parking/"]
    assert_plugin_tests_pass(installed_venv, project / "tests", tmp_path)


def test_example_plugin_installs_beside_the_built_in_plugins_and_passes_its_own_tests(installed_venv, tmp_path):
    # A copy, so that the build leaves nothing in the checkout.
    example = shutil.copytree(EXAMPLE_PLUGIN, tmp_path / EXAMPLE_PLUGIN.name,
                              ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    pip_install_without_warnings(installed_venv, example, "[test]")
    portal = AppProcess(tmp_path / "instance", {"extra_plugins": "closures"}, workers=1,
                        python=str(installed_venv / "bin" / "python"))
    order = {match[1]: int(match[2]) for match in re.finditer(r"^(\w+) .* enabled #(\d+)", portal.flask("plugins"),
                                                               re.MULTILINE)}
    last = len(BUILT_IN_PLUGINS) + 1
    assert len(order) == last and order["closures"] == last, order
    portal.flask("db", "upgrade")
    with portal:
        for path, heading in (("/de/closures/", "Schließtage"), ("/en/closures/", "Closures"),
                              ("/ar/closures/", "أيام الإغلاق")):
            with urllib.request.urlopen(portal.url + path, timeout=30) as response:
                assert response.status == 200 and f"<h1>{heading}</h1>" in response.read().decode()
    assert_plugin_tests_pass(installed_venv, example / "tests", tmp_path)
