"""Settings of the arrival plugin."""

from pydantic import PositiveInt

from portal import toolkit


class ArrivalSettings(toolkit.PluginSettings):
    verify_days: PositiveInt = 180
    """Days a retired key still verifies passes: at least how far ahead appointments are given."""
    retention_days: PositiveInt = 30
    """Days after an appointment's day before its pass and check-in are deleted."""
