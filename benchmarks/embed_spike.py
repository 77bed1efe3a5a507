"""Embed spike benchmark: many concurrent clients hitting one cached embed page.

Two runs against one server: closed loop (N clients, each sending its next request
as soon as the last answered: the saturation throughput), then open loop (300
requests/s scheduled, latency from the scheduled time). The client is the small
asyncio HTTP/1.1 loop the click benchmark uses, on keep-alive connections, GETting
the embed as a browser would (gzip accepted, no cookie), for a fixed duration: a
client built on requests took twice the server's CPU per request and could not
send 300 requests/s from one process. Reports requests/s, latency percentiles,
errors and CPU per answer by process. The embed is fetched once first so the
cache is warm.

    .venv/bin/python -m benchmarks.embed_spike --database-url URL [--redis URL] \
        [--clients 20] [--duration 30] [--path /embed/trend]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.parse

import requests

from benchmarks import common


def _request(netloc: str, path: str) -> bytes:
    """A browser-like GET (gzip accepted, no cookie: a reader of a news site)."""
    return (
        f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\n"
        "Accept: text/html\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n"
    ).encode()


async def _fetch(reader, writer, request: bytes) -> bool:
    writer.write(request)
    return await asyncio.wait_for(common.read_answer(reader), 30) == 200


def run(base: str, path: str, clients: int, duration: float) -> dict:
    """Closed loop: each client sends its next request as soon as the last answered."""
    requests.get(base + path, timeout=60).raise_for_status()
    url = urllib.parse.urlsplit(base)
    request = _request(url.netloc, path)
    stats = common.Stats()

    async def client(stop_at: float) -> None:
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        try:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                try:
                    ok = await _fetch(reader, writer, request)
                except (TimeoutError, OSError, ValueError, EOFError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(
                        url.hostname, url.port
                    )
                stats.add(time.perf_counter() - started, ok)
        finally:
            writer.close()

    async def all_clients() -> None:
        stop_at = time.monotonic() + duration
        await asyncio.gather(*(client(stop_at) for _ in range(clients)))

    started = time.monotonic()
    asyncio.run(all_clients())
    result = stats.summary(time.monotonic() - started)
    result.update(path=path, clients=clients, duration_s=duration, mode="closed")
    return result


def run_rate(base: str, path: str, rate: float, duration: float) -> dict:
    """Open loop: requests scheduled at `rate` per second, each on an idle
    keep-alive connection (a new one when all are busy); latency counts from the
    scheduled time, so a server that falls behind is not flattered."""
    requests.get(base + path, timeout=60).raise_for_status()
    url = urllib.parse.urlsplit(base)
    request = _request(url.netloc, path)
    stats = common.Stats()

    samples: list[str] = []

    async def fetch(scheduled: float, idle: list) -> None:
        try:
            try:
                reader, writer = idle.pop()
                ok = await _fetch(reader, writer, request)
            except (IndexError, EOFError, ConnectionResetError):
                # None idle, or the server closed an idle keep-alive connection
                # (gunicorn's keepalive): a browser opens a new one and retries.
                reader, writer = await asyncio.open_connection(url.hostname, url.port)
                ok = await _fetch(reader, writer, request)
            idle.append((reader, writer))
        except (TimeoutError, OSError, ValueError, EOFError) as error:
            ok = False
            if len(samples) < 5:
                samples.append(repr(error))
        stats.add(time.perf_counter() - scheduled, ok)

    async def schedule() -> None:
        idle: list = []
        tasks = []
        started = time.perf_counter()
        for i in range(int(rate * duration)):
            scheduled = started + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(fetch(scheduled, idle)))
        await asyncio.gather(*tasks)
        for _, writer in idle:
            writer.close()

    started = time.perf_counter()
    asyncio.run(schedule())
    result = stats.summary(time.perf_counter() - started)
    result.update(path=path, target_rps=rate, duration_s=duration, mode="open loop")
    result["error_samples"] = samples
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
        workers = server.worker_pids()
        meter = common.CpuMeter(workers)
        closed = run(server.base, path, clients, duration)
        closed["cpu_ms_per_request"] = meter.per_answer(closed["n"])
        meter = common.CpuMeter(workers)
        opened = run_rate(server.base, path, 300, duration)
        opened["cpu_ms_per_request"] = meter.per_answer(opened["n"])
        return {"closed_loop": closed, "open_loop_300": opened}


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
