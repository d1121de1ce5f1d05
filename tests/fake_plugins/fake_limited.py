"""A plugin that limits its whole public blueprint rather than each route."""

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_limited", title="L", description="L", version="0.1.0")
bp = toolkit.public_blueprint("fake_limited", __name__)
toolkit.limiter.limit("2 per minute")(bp)


@bp.route("/")
def index():
    return "two visits a minute"


@hookimpl
def portal_blueprints():
    return [bp]
