"""The core message catalogs, installed as the package portal.translations."""
