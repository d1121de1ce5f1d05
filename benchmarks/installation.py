"""A portal installation to measure: instance folder, database, seeded appointments, gunicorn processes."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal.config import DEFAULTS
from tests.support import AppProcess

from . import seed

POSTGRES_URL = os.environ.get("PORTAL_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
SECRET_KEY = "benchmark-secret-key"
BULK_CHUNK = 20_000


def available_plugins() -> list[str]:
    """Return the first-party plugins, in their default order, that are installed and complete."""
    names = []
    for name in DEFAULTS["plugins"]:
        try:
            module = importlib.import_module(f"portal_plugins.{name}")
        except ImportError:
            continue
        if hasattr(module, "plugin_info"):
            names.append(name)
    return names


def postgres_reachable() -> bool:
    """Tell whether the benchmark's PostgreSQL server answers, creating its database when missing."""
    url = make_url(POSTGRES_URL)
    try:
        engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": url.database})
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{url.database}"'))
        engine.dispose()
    except Exception:  # any failure to reach or create means no PostgreSQL figures
        return False
    return True


class Installation:
    """One portal with all available plugins on SQLite or PostgreSQL, in a folder of its own."""

    def __init__(self, root: Path, backend: str, plugins: list[str], settings: dict | None = None,
                 python: str = sys.executable):
        self.root = root / backend
        self.python = python  # the interpreter of the installation whose code serves and prepares it
        self.backend = backend
        self.database_url = (f"sqlite:///{self.root / 'portal.sqlite3'}" if backend == "sqlite" else POSTGRES_URL)
        self.plugins = plugins
        self.settings = {"database_url": self.database_url, "secret_key": SECRET_KEY, "plugins": self.plugins,
                         **(settings or {})}
        self.appointments = 0

    def process(self, workers: int = 2, instance: Path | None = None) -> AppProcess:
        """Return a gunicorn process (not started) serving this installation."""
        return AppProcess(instance or self.root, self.settings, workers=workers, python=self.python)

    def reset(self) -> None:
        """Start from an empty database."""
        if self.backend == "sqlite":
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            engine = create_engine(self.database_url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        self.root.mkdir(parents=True, exist_ok=True)
        self.appointments = 0

    def prepare(self, appointments: int) -> dict:
        """Migrate, load the demo content and import `appointments` through the plugin's own command."""
        self.reset()
        cli = self.process()
        cli.flask("db", "upgrade")
        cli.flask("demo")
        export = seed.write_csv(self.root / "export.csv", appointments)
        started = time.perf_counter()
        cli.flask("appointments", "import", str(export))
        seconds = time.perf_counter() - started
        export.unlink()
        self.appointments = appointments
        self.analyze()
        return {"appointments": appointments, "import_command_seconds": round(seconds, 1)}

    def add_in_bulk(self, total: int) -> dict:
        """Grow the stored appointments to `total` with multi-row INSERTs (much faster than a CSV import).

        The rows are the ones seed.rows() describes, with the date of birth
        stored as the plugin's own keyed hash, so every one can be looked up.
        The new rows that seed.sample() picks for the lookups are then announced
        as the importer announces every row it writes (``appointments.changed``),
        so their pages show what an imported appointment's do: an arrival pass.
        """
        from portal_plugins.appointments.importer import PARSERS, _record
        from portal_plugins.appointments.models import Appointment
        from portal_plugins.appointments.publishing import publish_changed_references

        from portal import create_app
        from portal.db import utcnow

        app = create_app({"instance_path": str(self.root), **self.settings})
        started = time.perf_counter()
        with app.app_context():
            session = app.extensions["portal.db"].session
            now = utcnow()
            batch = []
            for cells in seed.rows(total - self.appointments, first=self.appointments):
                parsed = {name: PARSERS[name](value) for name, value in zip(seed.HEADER, cells, strict=True)}
                record = _record(parsed)
                batch.append({**record, "version": 1, "created_at": now, "updated_at": now,
                              "status_changed_at": now})
                if len(batch) == BULK_CHUNK:
                    session.execute(Appointment.__table__.insert(), batch)
                    batch.clear()
            if batch:
                session.execute(Appointment.__table__.insert(), batch)
            # References are zero-padded running numbers, so they sort as their numbers do.
            first_new = seed.reference(self.appointments)
            publish_changed_references(reference for reference, _born in seed.sample(total) if reference >= first_new)
            session.commit()
        app.extensions["portal.db"].engine.dispose()
        seconds = time.perf_counter() - started
        self.appointments = total
        self.analyze()
        return {"appointments": total, "bulk_insert_seconds": round(seconds, 1)}

    def analyze(self) -> None:
        """Refresh the planner's statistics, as autovacuum or a nightly job would after a large import."""
        engine = create_engine(self.database_url)
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        engine.dispose()
