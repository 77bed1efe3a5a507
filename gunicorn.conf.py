"""gunicorn settings; every value can be overridden by its environment variable."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8050')}")
# Workers hold no state: sessions are signed cookies, the cache is Redis in
# production and data lives in the store, so any number of workers may serve.
#
# One worker per core, two threads each (gunicorn's threaded worker, which keeps
# connections alive). A callback is Python holding the GIL, so threads of one
# worker take turns rather than run side by side, and every answer in a worker
# takes as long as all those it shares the worker with. With 4 workers x 4
# threads on 2 cores, 16 callbacks took turns on 2 cores and whole-page
# callbacks came back several times their CPU time. 20 clients, cache off, 30 s
# (benchmarks/RESULTS.md, issue 19 round 5): p95 372 ms with 4 x 4 against
# 228-284 ms with 2 x 1 and 265 ms with 2 x 2 (shipped demo); 378 against 286 ms
# with 2 x 1 at 10 million rows. The second thread keeps a long request (a
# board pack, an upload) from holding up every answer of its worker. Under
# sustained load it costs: 20 clients without pause on 2 cores answered 0-35%
# (median 16%) more clicks with one thread (benchmarks/RESULTS.md round 10);
# GUNICORN_THREADS=1 for such a host.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new
# connections over them. On one shared socket the worker that happens to accept
# first keeps a keep-alive client for good: 20 keep-alive clients were seen split
# unevenly over 2 workers, so one worker's answers queued while the other idled.
# The kernel lets only processes of the same user share the port, but two servers
# started by that user on one address would share its traffic rather than the
# second failing to start: stop the old server before starting a new one.
reuse_port = True
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
