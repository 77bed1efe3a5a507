"""gunicorn settings; every value can be overridden by its environment variable."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8050')}")
# Workers hold no state: sessions are signed cookies, the cache is Redis in
# production and data lives in the store, so any number of workers may serve.
workers = int(
    os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2))
)
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# No preload: each worker opens its own database engine after the fork.
preload_app = False
# gunicorn's control socket sits at one fixed path per user, so a second server on
# the same host would fail to start; we do not use it.
control_socket_disable = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"


def _without_server_header():
    """gunicorn writes `Server: gunicorn` itself, ahead of the app's headers (the
    app's after_request cannot remove it). Naming the server only helps an attacker
    pick exploits, so the header is dropped here, once per worker process."""
    from gunicorn.http import wsgi

    default_headers = wsgi.Response.default_headers

    def without_server(self):
        return [h for h in default_headers(self) if not h.startswith("Server:")]

    wsgi.Response.default_headers = without_server


def post_worker_init(_worker):
    _without_server_header()
