"""A plugin whose command takes the name of one of the core's."""

import click

from portal import toolkit
from portal.toolkit import hookimpl

plugin_info = toolkit.PluginInfo(name="fake_command", title="C", description="C", version="0.1.0")


@hookimpl
def portal_cli_commands():
    return [click.Group("db")]
