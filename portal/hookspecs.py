"""Hook specifications and the core's slots: everything a plugin can add to the portal.

A plugin is a module (or package) named by an entry point in the group
``portal.plugins``. It carries a ``plugin_info`` (:class:`portal.toolkit.PluginInfo`)
and implements any of the hooks below as module-level functions marked with
``@toolkit.hookimpl``. pluggy checks at registration that argument names match.

Order: the core registers the plugins so that pluggy calls them in the
configured order (pluggy calls the last registered first, so they are registered
in reverse). ``@hookimpl(tryfirst=True)`` runs before the others,
``trylast=True`` after them, each group in configured order.

Start-up hooks (blueprints, models, settings, slot answers, CLI commands,
init_app, demo data, purge) stop the start or the command with the plugin's name
when they raise. They take no wrappers: the core needs each plugin's own answer,
so ``wrapper=True`` or ``hookwrapper=True`` on them is refused at start.

Render-time hooks (:data:`RENDER_HOOKS`) are called robustly: a failing
implementation is logged and skipped, its database work is undone (a SAVEPOINT
when the request's session holds work of its own, so that work is kept), and the
page still renders. They take wrappers (``@hookimpl(wrapper=True)``); a wrapper
that raises leaves out the hook's whole answer.

Slots are declared: the core's in :data:`CORE_SLOTS`, a plugin's in its
``PluginInfo(slots=...)``. A plugin answers slots through
:func:`portal_slot_answers`, a mapping checked at start; answers run in the
configured plugin order, robustly, and output that is not Markup is escaped.

Events are declared too: a plugin names the events it publishes in its
``PluginInfo(events=...)`` (:class:`Event`, named ``<plugin-name>.<event>``) and
publishes them with ``toolkit.publish(name, **payload)``; other plugins answer
through :func:`portal_event_handlers`. Handlers run at once, in configured
order, inside the publisher's database transaction, and their failures
propagate (see docs/plugins.md, "Events").
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("portal")


@dataclass(frozen=True)
class Slot:
    """A named place in a page that plugins answer with markup; its context keys are what the page passes."""

    name: str
    context: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Event:
    """A fact a plugin publishes to the others; its payload keys are what every publication carries."""

    name: str
    payload_keys: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class AuditTarget:
    """What a plugin's audit entries of one target type are about, in words the audit log shows in any language.

    ``name`` is the target type passed to ``toolkit.audit`` (``<plugin-name>_<thing>``). ``actions`` maps each
    action recorded for it to what the log says happened (``_l("Hygieneregel geändert")``). ``fields`` maps each key
    of the entries' snapshots to its label; nested keys join with dots and leave out language codes (the key of
    ``{"text": {"ar": ...}}`` is ``text``, and the log adds the language's name). ``values`` maps a key to a function
    returning a stored value in words (a status's label), empty values included; one that raises KeyError or
    ValueError for a value it does not know leaves that value as stored ("–" when empty).
    """

    name: str
    actions: Mapping[str, Any]
    fields: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)


#: The slots the core's templates offer. A plugin's own slots are declared in its
#: ``PluginInfo(slots=...)`` and named ``<plugin-name>.<slot>``.
CORE_SLOTS = (
    Slot("head", description="inside <head> of every page: stylesheets, feed links"),
    Slot("banner", description="top of every public page, above the main content"),
    Slot("home", description="main column of the home page"),
    Slot("footer", description="list of links in the footer of every page: answer <li> items"),
    Slot("staff_dashboard", description="the staff area's start page"),
)

#: Hooks called while a page renders; every other hook is a start-up hook.
RENDER_HOOKS = frozenset({"portal_navigation", "portal_home_tiles", "portal_staff_menu",
                          "portal_translation_content"})


@hookspec
def portal_blueprints():
    """Return the plugin's blueprints, made with toolkit.public_blueprint / toolkit.staff_blueprint.

    Public blueprints are mounted at ``/<lang>/<plugin-name>/``, staff blueprints
    at ``/<lang>/staff/<plugin-name>/`` behind login and the role they declare.
    """


@hookspec
def portal_models():
    """Return the plugin's model classes; their table names must start with '<plugin-name>_'."""


@hookspec
def portal_settings_model():
    """Return the class declaring the plugin's settings, a subclass of toolkit.PluginSettings.

    Each setting is a field with its type, its default and a docstring that
    describes it. A municipality sets them in the instance file under
    ``[plugin_settings.<plugin-name>]`` or in ``PORTAL_PLUGIN_SETTINGS__<NAME>__<KEY>``
    variables (read as the declared type); unknown keys and wrong values stop
    the start with the full key named. Validators may read the core's checked
    settings from ``info.context["portal"]``. Plugins read their settings with
    ``toolkit.plugin_settings(name)``, a dict.
    """


@hookspec
def portal_cli_commands():
    """Return click commands or groups to add to ``flask --app portal``.

    A command named like one of the core's or another plugin's stops the start;
    name a group after the plugin.
    """


@hookspec
def portal_init_app(app):
    """Set up anything else the plugin needs on the application.

    :param app: the Flask application being created; plugins may register
        request hooks or template filters on it. Use sparingly. Request hooks
        run after the core's request pipeline (body limit, NUL check, CSRF,
        rate limits); answer hooks before its rate and security headers and
        compression (``REQUEST_PIPELINE`` in ``portal/app.py``).
    """


@hookspec
def portal_navigation():
    """Return toolkit.NavItem entries for the public main navigation.

    The entries may depend on the settings and the content only, never on the visitor or the request: the
    navigation is kept per page kind, language and content version (``kept_fragment`` in ``templates/base.html``).
    """


@hookspec
def portal_home_tiles():
    """Return toolkit.Tile entries shown on the home page."""


@hookspec
def portal_staff_menu():
    """Return toolkit.StaffMenuItem entries for the staff area; each names the role it needs."""


@hookspec
def portal_slot_answers():
    """Return the slots the plugin answers: a dict of slot name to a function returning markup or None.

    Called once at start. A slot is one of :data:`CORE_SLOTS` or one a plugin
    declares in its ``PluginInfo(slots=...)``, named ``<plugin-name>.<slot>``;
    answering any other slot stops the start (a slot of an installed plugin that
    is not enabled is simply never called). Each function takes as keyword
    arguments some of the slot's context keys (a key the page does not pass is
    None). Return ``markupsafe.Markup``: any other value is escaped as text.
    Functions run while the page renders: one that raises is logged and left
    out, and its database work is undone without touching the request's.
    """


@hookspec
def portal_event_handlers():
    """Return the events the plugin answers: a dict of event name to a function taking the payload dict.

    Called once at start. An event is one an enabled plugin declares in its
    ``PluginInfo(events=...)``, named ``<plugin-name>.<event>``; handling any
    other stops the start (an event of an installed plugin that is not enabled
    is simply never published). ``toolkit.publish`` calls the handlers at once,
    in configured order, in the publisher's database session and transaction:
    a handler writes with ``toolkit.session()`` and never commits, and one that
    raises makes the publication raise, so the publisher's change is rolled
    back with it rather than left half-handled. In-process only: handlers of
    another process (a waiting room's live view) are not reached.
    """


@hookspec
def portal_demo_data(session):
    """Add demonstration content for ``flask --app portal demo``.

    :param session: the database session; the core commits after all plugins ran.
    """


@hookspec
def portal_purge_expired(session, now):
    """Delete personal data past its retention period; return how many records went.

    :param session: the database session; the core commits after all plugins ran.
    :param now: the current time as an aware UTC datetime.
    """


@hookspec
def portal_translation_content():
    """Return a list of toolkit.ContentStatus: shipped or staff-written content per language.

    Used by the translation completeness report.
    """
