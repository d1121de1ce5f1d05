"""Hook specifications: everything a plugin can add to the portal.

A plugin is a module (or package) named by an entry point in the group
``portal.plugins``. It carries a ``plugin_info`` (:class:`portal.toolkit.PluginInfo`)
and implements any of the hooks below as module-level functions marked with
``@toolkit.hookimpl``. pluggy checks at registration that argument names match.

Start-up hooks (blueprints, models, settings, CLI commands, init_app) stop the
start with the plugin's name when they raise. Render-time hooks (navigation,
tiles, staff menu, slots) are called robustly: a failing implementation is
logged and skipped, and the page still renders.
"""

import pluggy

hookspec = pluggy.HookspecMarker("portal")


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
    """Return click commands or groups to add to ``flask --app portal``."""


@hookspec
def portal_init_app(app):
    """Set up anything else the plugin needs on the application.

    :param app: the Flask application being created; plugins may register
        request hooks or template filters on it. Use sparingly.
    """


@hookspec
def portal_navigation():
    """Return toolkit.NavItem entries for the public main navigation."""


@hookspec
def portal_home_tiles():
    """Return toolkit.Tile entries shown on the home page."""


@hookspec
def portal_staff_menu():
    """Return toolkit.StaffMenuItem entries for the staff area; each names the role it needs."""


@hookspec
def portal_template_slot(slot, context):
    """Return markup to insert into a named slot of a page, or None.

    :param slot: the slot's name. The core offers ``head``, ``banner`` (top of
        every public page), ``home`` (home page main column), ``footer`` and
        ``staff_dashboard``. Plugins may offer slots of their own; each plugin
        documents the slots it calls and the context it passes.
    :param context: a dict of values the page passes to the slot (may be empty).
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
