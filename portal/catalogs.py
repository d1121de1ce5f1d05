"""Message catalogs of the core and the plugins: where they are and how complete they are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import current_app, render_template
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .blueprints import PortalBlueprint
from .i18n import INTERFACE_LANGUAGE, catalog_text, enabled_languages, source_language
from .plugins import call_robustly
from .resources import core_path
from .staff.auth import guard_blueprint


@dataclass(frozen=True)
class Completeness:
    """How many of an owner's messages one language translates."""

    owner: str
    kind: str
    lang: str
    translated: int
    total: int
    label: object = ""

    @property
    def share(self) -> float:
        return 1.0 if self.total == 0 else self.translated / self.total

    @property
    def percent(self) -> float:
        return round(100 * self.share, 1)


def owner_title(owner: str) -> str:
    """Return who owns a catalog or content as staff read it: the portal itself, or a plugin's title."""
    if owner == "core":
        return _("Portal")
    plugin = next((p for p in current_app.extensions["portal.loaded_plugins"] if p.name == owner), None)
    return str(plugin.info.title) if plugin else owner


def catalog_folders() -> dict[str, Path]:
    """Return the translations folder of the core and of each enabled plugin."""
    plugins = current_app.extensions["portal.loaded_plugins"]
    return {"core": core_path("translations")} | {p.name: p.translations for p in plugins}


def read_catalog(path: Path) -> Catalog:
    """Read a .po or .pot file."""
    with open(path, "rb") as handle:
        return read_po(handle)


def is_translated(message) -> bool:
    """Tell whether a catalog entry has every form translated and is not fuzzy."""
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(strings)


def _plurals_left_german(compiled: Catalog, po: Path) -> set[tuple]:
    """Return the plural entries of a compiled catalog with a form the translator left empty.

    pybabel compile writes an empty plural form as the German text, which visitors then read; the compiled
    catalog cannot tell that from a translation that reads the same, so the catalog it was compiled from tells,
    read only when some form reads as the German.
    """
    suspects = {catalog_text(m.id): tuple(m.string) for m in compiled if m.pluralizable
                and any(form == m.id[min(index, 1)] for index, form in enumerate(m.string))}
    if not suspects:
        return set()
    written = {catalog_text(m.id): tuple(m.string) for m in read_catalog(po)} if po.exists() else {}
    return {key for key, forms in suspects.items() if written.get(key) != forms}


def interface_completeness() -> list[Completeness]:
    """Count translated interface messages per owner and language, in the compiled catalogs visitors are served."""
    rows = []
    languages = [lang for lang in enabled_languages() if lang != INTERFACE_LANGUAGE]
    for owner, folder in catalog_folders().items():
        template = folder / "messages.pot"
        if not template.exists():
            continue
        ids = {catalog_text(m.id) for m in read_catalog(template) if m.id}
        for lang in languages:
            # The .mo file, not the .po: a translation not compiled yet reaches no visitor.
            compiled = folder / lang / "LC_MESSAGES" / "messages.mo"
            done = 0
            if compiled.exists():
                with open(compiled, "rb") as handle:
                    catalog = read_mo(handle)
                left_german = _plurals_left_german(catalog, compiled.with_suffix(".po"))
                done = sum(1 for m in catalog if catalog_text(m.id) in ids and is_translated(m)
                           and catalog_text(m.id) not in left_german)
            rows.append(Completeness(owner, "interface", lang, done, len(ids), _l("Oberfläche")))
    return rows


def uncompiled() -> list[Path]:
    """Return the catalogs (.po) of enabled owners that have no compiled .mo beside them."""
    return sorted(po for folder in catalog_folders().values()
                  for po in folder.glob("*/LC_MESSAGES/messages.po") if not po.with_suffix(".mo").exists())


def content_completeness() -> list[Completeness]:
    """Collect what plugins report about their content per language."""
    rows = []
    for statuses in call_robustly(current_app.extensions["portal.plugins"], "portal_translation_content"):
        rows.extend(Completeness(s.plugin, s.kind, s.lang, s.translated, s.total, s.label) for s in statuses)
    return rows


@click.group("translations")
def translations_cli():
    """Report on translations."""


@translations_cli.command("report")
@click.option("--fail-under", type=float, default=None, help="Exit 1 when interface text is below this percent.")
@with_appcontext
def report_command(fail_under: float | None):
    """Print translation completeness per language and plugin, for interface text and content."""
    interface = interface_completeness()
    for row in interface + content_completeness():
        click.echo(f"{row.owner:<15} {row.kind:<22} {row.lang:<3} {row.translated:>5}/{row.total:<5} {row.percent:>6}%")
    for po in uncompiled():
        click.echo(f"not compiled, so counted as untranslated: {po} (pybabel compile -d {po.parents[2]})", err=True)
    if fail_under is not None and any(row.percent < fail_under for row in interface):
        raise SystemExit(1)


bp = PortalBlueprint("translations", __name__, kind="staff", url_prefix="/<lang:lang>/staff/translations")
guard_blueprint(bp, "editor")


@bp.route("/")
def report():
    interface = interface_completeness()
    return render_template("staff/translations.html", interface=interface, content=content_completeness(),
                           content_in_interface_language=source_language() == INTERFACE_LANGUAGE,
                           owner_title=owner_title)


def init_app(app) -> None:
    """Register the completeness report page and command."""
    app.register_blueprint(bp)
    app.cli.add_command(translations_cli)
