"""A module that forgot its plugin_info."""
