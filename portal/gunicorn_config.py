"""Gunicorn settings for serving the portal: gunicorn --config python:portal.gunicorn_config 'portal:create_app()'.

Measured on a 2-core machine with all plugins (benchmarks/startup.py):
loading the app once in the master and forking the workers from it, with
the master's objects frozen before each fork, keeps about 30 MiB less
memory per worker (proportional set size) than loading it in every worker
(without the freeze the workers' garbage collection copied most of the
shared pages: 89 against 113 MiB); the first answer comes about as soon.
Synchronous workers serve these short, CPU-bound requests faster than
threads. Every value can be overridden on the command line or with
GUNICORN_CMD_ARGS.
"""

import gc
import multiprocessing
import os

import gunicorn.http.wsgi

# Every answer's Server header names the server; the portal need not tell which one (gunicorn offers no setting).
gunicorn.http.wsgi.SERVER = "portal"

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
preload_app = True
timeout = 30
graceful_timeout = 20
# Client addresses are personal data: no access log unless the municipality configures one.
accesslog = None
# Nothing here is run through gunicorn's control interface, whose socket (under the home folder by default) a
# hardened service (docs/deployment.md: only the instance folder writable) could not create.
control_socket_disable = True


def when_ready(server):
    """Say in the log, before any worker answers, when the database needs `db upgrade` for this version."""
    app = server.app.callable
    database = getattr(app, "extensions", {}).get("portal.db")
    if database is None:
        return
    from portal.migrate import UPGRADE_COMMAND, describe_behind, schema_behind

    try:
        with app.app_context():
            behind = schema_behind()
    except Exception as exc:  # the servers start anyway; /healthz reports the database until it answers
        server.log.warning("the database did not answer the schema check (%s)", exc.__class__.__name__)
        return
    finally:
        database.engine.dispose()
    if behind:
        server.log.warning("the database's tables are older than this version (%s): run `%s`; until then "
                           "/healthz answers 503", describe_behind(behind), UPGRADE_COMMAND)


def pre_fork(server, worker):
    """Keep the loaded app's objects out of the garbage collector's rounds, so the workers share their pages."""
    # A collection in a worker writes to every object it visits, and so copies each page the master shared.
    gc.freeze()


def post_fork(server, worker):
    """Give each worker its own database connections; the master's must not be shared across processes."""
    app = server.app.callable
    database = getattr(app, "extensions", {}).get("portal.db")
    if database is not None:
        database.engine.dispose(close=False)

