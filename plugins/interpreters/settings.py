"""Settings of the interpreters plugin: who the volunteer initiative is, how to reach it, when it helps by phone."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from portal import toolkit


class InterpretersSettings(toolkit.PluginSettings):
    initiative_name: Annotated[str, Field(pattern=r"\S"), toolkit.DEMO] = "Sprachhelfer Musterstadt"
    """The initiative's own name; it is not translated."""
    initiative_about: dict[str, str] = {}
    """A few sentences about the initiative, by enabled language code; missing languages fall back."""
    contact_email: toolkit.EmailSetting = ""
    """The initiative's e-mail address; empty: none shown."""
    contact_phone: str = ""
    """The initiative's phone number; empty: none shown."""
    website: Annotated[str, Field(pattern=r"^(https?://[^\s/]+\.\S+)?$")] = ""
    """The initiative's website, shown as a link (https:// or http://); empty: none."""
    phone_help_from: time = time(7, 0)
    """The earliest start of language help by phone, which need not keep to the office's opening hours, like "07:00"."""
    phone_help_until: time = time(20, 0)
    """The latest end of language help by phone, like "20:00": no help time reaches into the night."""

    @field_validator("initiative_about")
    @classmethod
    def _enabled_languages_only(cls, about: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        unknown = sorted(set(about) - set(info.context["portal"]["languages"])) if info.context else []
        if unknown:
            raise ValueError(f"has texts in languages that are not enabled: {', '.join(unknown)}")
        return about

    @field_validator("phone_help_until")
    @classmethod
    def _after_phone_help_starts(cls, until: time, info: ValidationInfo) -> time:
        if "phone_help_from" in info.data and until <= info.data["phone_help_from"]:
            raise ValueError(f"must be later than phone_help_from ({info.data['phone_help_from']:%H:%M})")
        return until
