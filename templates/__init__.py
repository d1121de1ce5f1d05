"""The core templates, installed as the package portal.templates."""
