"""Settings of the emergency plugin: retention and the recipient (delivery attempts are the core's [mail])."""

from pydantic import PositiveInt

from portal import toolkit


class EmergencySettings(toolkit.PluginSettings):
    retention_days: PositiveInt = 30
    """Days after which a request is deleted, whatever its state."""
    recipient: toolkit.EmailSetting = ""
    """Where requests are mailed; empty: office.emergency_email."""
