"""Embed spike benchmark: many concurrent clients hitting one cached embed page.

Two runs against one server: closed loop (N clients, each sending its next request
as soon as the last answered: the saturation throughput), then open loop (300
requests/s scheduled, latency from the scheduled time). Each client thread keeps
a requests.Session (keep-alive) and GETs the embed as a browser would (gzip
accepted) for a fixed duration. Reports requests/s, latency
percentiles and errors. The embed is fetched once first so the cache is warm.

    .venv/bin/python -m benchmarks.embed_spike --database-url URL [--redis URL] \
        [--clients 20] [--duration 30] [--path /embed/trend]
"""

from __future__ import annotations

import argparse
import json
import threading
import time

import requests

from benchmarks import common


def run(base: str, path: str, clients: int, duration: float) -> dict:
    warm = requests.get(base + path, timeout=60)
    warm.raise_for_status()
    stats = common.Stats()
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        session = requests.Session()
        session.headers["Accept-Encoding"] = "gzip, br"
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                ok = session.get(base + path, timeout=30).status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                stats.add(elapsed, ok)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
    result = stats.summary(time.monotonic() - started)
    result.update(path=path, clients=clients, duration_s=duration, mode="closed")
    return result


def run_rate(base: str, path: str, rate: float, duration: float) -> dict:
    """Open loop: requests scheduled at `rate` per second; latency counts from the
    scheduled time, so a server that falls behind is not flattered."""
    from concurrent.futures import ThreadPoolExecutor

    requests.get(base + path, timeout=60).raise_for_status()
    stats = common.Stats()
    lock = threading.Lock()
    local = threading.local()

    def fetch(scheduled: float) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Accept-Encoding"] = "gzip, br"
        try:
            ok = local.session.get(base + path, timeout=30).status_code == 200
        except requests.RequestException:
            ok = False
        elapsed = time.perf_counter() - scheduled
        with lock:
            stats.add(elapsed, ok)

    total = int(rate * duration)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i in range(total):
            scheduled = started + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fetch, scheduled)
    result = stats.summary(time.perf_counter() - started)
    result.update(path=path, target_rps=rate, duration_s=duration, mode="open loop")
    return result


def benchmark(
    database_url: str,
    instance_dir: str,
    redis_url: str | None,
    clients: int,
    duration: float,
    path: str = "/embed/trend",
) -> dict:
    env = common.base_env(database_url, instance_dir, redis_url)
    with common.gunicorn(env) as server:
        return {
            "closed_loop": run(server.base, path, clients, duration),
            "open_loop_300": run_rate(server.base, path, 300, duration),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance-dir", default="/tmp/vru_bench_instance")
    parser.add_argument("--redis")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--path", default="/embed/trend")
    args = parser.parse_args()
    result = benchmark(
        args.database_url,
        args.instance_dir,
        args.redis,
        args.clients,
        args.duration,
        args.path,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
