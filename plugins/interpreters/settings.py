"""Settings of the interpreters plugin: who the volunteer initiative is and how to reach it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from portal import toolkit


class InterpretersSettings(toolkit.PluginSettings):
    initiative_name: Annotated[str, Field(pattern=r"\S")] = "Sprachhelfer Musterstadt"
    """The initiative's own name; it is not translated."""
    initiative_about: dict[str, str] = {}
    """A few sentences about the initiative, by enabled language code; missing languages fall back."""
    contact_email: toolkit.EmailSetting = ""
    """The initiative's e-mail address; empty: none shown."""
    contact_phone: str = ""
    """The initiative's phone number; empty: none shown."""
    website: Annotated[str, Field(pattern=r"^(https?://[^\s/]+\.\S+)?$")] = ""
    """The initiative's website, shown as a link (https:// or http://); empty: none."""

    @field_validator("initiative_about")
    @classmethod
    def _enabled_languages_only(cls, about: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        unknown = sorted(set(about) - set(info.context["portal"]["languages"])) if info.context else []
        if unknown:
            raise ValueError(f"has texts in languages that are not enabled: {', '.join(unknown)}")
        return about
