"""Gunicorn settings for serving the portal: gunicorn --config python:portal.gunicorn_config 'portal:create_app()'.

Measured on a 2-core machine with all plugins (benchmarks/startup.py):
loading the app once in the master and forking the workers from it keeps
about 12 MiB less memory per worker (proportional set size) than loading it
in every worker; the first answer comes about as soon (sooner on a busy
machine, where the workers would build the app at the same time).
Synchronous workers serve these short, CPU-bound requests faster than
threads. Every value can be overridden on the command line or with
GUNICORN_CMD_ARGS.
"""

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


def post_fork(server, worker):
    """Give each worker its own database connections; the master's must not be shared across processes."""
    app = server.app.callable
    database = getattr(app, "extensions", {}).get("portal.db")
    if database is not None:
        database.engine.dispose(close=False)
