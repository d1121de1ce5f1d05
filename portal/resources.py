"""Locate the core's own files, in a checkout and in an installed wheel alike."""

from importlib.util import find_spec
from pathlib import Path


def core_path(name: str) -> Path:
    """Return the folder of the core's templates, translations, static files or migrations."""
    if name in {"templates", "translations"}:
        # Root-level folders, installed as the sub-packages portal.templates / portal.translations.
        spec = find_spec(f"portal.{name}")
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).parent / name
