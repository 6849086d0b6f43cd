"""Production server settings: `gunicorn -c gunicorn.conf.py app:app`.

Every setting can be overridden with an environment variable (GUNICORN_WORKERS, ...). The
defaults suit a small machine: one process per core plus one, each with a few threads, which
keeps every worker well under 150 MB while the threads cover requests that wait on the database.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Load the app once in the master: workers share its memory pages (copy on write) and start fast.
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESSLOG")  # "-" for stdout; off by default (speed)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Behind reverse proxies: how many of them add X-Forwarded-For/-Proto. The client's address is
# what rate limits and the scanner hash count; without this every visitor has the proxy's.
proxy_hops = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))


def _registry(server):
    """The loaded app and its database extension (None for another app, e.g. the bench floor)."""
    app = server.app.wsgi()  # loaded once in the master (preload_app)
    return app, getattr(app, "extensions", {}).get("sqlalchemy")


def when_ready(server):
    """Trust the reverse proxies' headers (TRUSTED_PROXY_HOPS), and run SQLite in WAL mode under
    several workers: readers never wait for the writer, and a commit appends to the log instead
    of rewriting pages (see extensions.py for fsync)."""
    app, extension = _registry(server)
    if proxy_hops and hasattr(app, "wsgi_app"):  # before the workers are forked
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops)
    if extension is not None:
        with app.app_context():
            if extension.engine.dialect.name == "sqlite":
                with extension.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        from gi_registry.verify import fastpath

        fastpath.warm(app)  # pages every worker (and every recycled one) inherits ready-made
        with app.app_context():
            extension.engine.dispose()
    # What the master loaded (the app, its templates, the pages made above) lives as long as
    # the workers: frozen, the workers' garbage collections never walk it again (a full
    # collection of a worker took ~40 ms of CPU, the tail of the verification pages' latency),
    # and it stays shared between them instead of being copied page by page when they do.
    gc.freeze()


def post_fork(server, worker):
    """Each worker opens its own database connections: none may cross the fork."""
    app, extension = _registry(server)
    if extension is not None:
        with app.app_context():
            extension.engine.dispose(close=False)


def worker_exit(server, worker):
    """Write the scans still queued in this worker (gi_registry/verify/scanlog.py)."""
    app, extension = _registry(server)
    if extension is not None:
        from gi_registry.verify import scanlog

        scanlog.flush_all()
