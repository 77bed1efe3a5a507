"""Clicks benchmark: replay the callback requests each page makes on first load.

For every page it asks the running app for `/_dash-dependencies`, renders the page
through Dash's page-container callback (`_pages_content`) exactly as the browser
does, reads every component's default props from the returned layout, and builds
the body of each non-clientside callback that fires on load (no
prevent_initial_call, no pattern-matching ids) whose inputs all live on that page.
N clients (each its own signed-in session and keep-alive connection, driven by a
small asyncio HTTP/1.1 loop so the load generator takes little CPU) loop over the pages
for a fixed duration, each "page view" posting its callbacks in order; latency is
recorded per callback request, grouped by page and by callback.

After the run the RSS, PSS and USS of every gunicorn worker are read from /proc
(target 5: RSS).

    .venv/bin/python -m benchmarks.clicks --database-url URL [--redis URL] \
        [--clients 20] [--duration 120]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.parse

import requests

from benchmarks import common

PAGES = ("/", "/violence", "/compare", "/prevention", "/funding", "/workstreams")


def _id_key(component_id) -> str:
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _walk(node, props: dict) -> None:
    if isinstance(node, list):
        for child in node:
            _walk(child, props)
        return
    if not isinstance(node, dict):
        return
    if "props" in node and "type" in node:
        p = node["props"]
        if "id" in p:
            props[_id_key(p["id"])] = p
        node = p
    for value in node.values():
        if isinstance(value, dict | list):
            _walk(value, props)


def _outputs(output: str) -> list[dict]:
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    result = []
    for part in parts:
        cid, prop = part.rsplit(".", 1)
        result.append({"id": cid, "property": prop.split("@")[0]})
    return result


def _body(dep: dict, props: dict) -> dict:
    def values(items):
        return [
            {
                "id": i["id"],
                "property": i["property"],
                "value": props.get(i["id"], {}).get(i["property"]),
            }
            for i in items
        ]

    outs = _outputs(dep["output"])
    return {
        "output": dep["output"],
        "outputs": outs[0] if len(outs) == 1 else outs,
        "inputs": values(dep["inputs"]),
        "state": values(dep.get("state", [])),
        "changedPropIds": [],
    }


def _written(dep: dict) -> set[tuple[str, str]]:
    return {(o["id"], o["property"]) for o in _outputs(dep["output"])}


def _in_browser_order(deps: list[dict]) -> list[dict]:
    """The initial callbacks in the order the browser sends them: one that reads a
    prop another of them writes comes after that one."""
    pending = list(deps)
    ordered: list[dict] = []
    while pending:
        written = set().union(*(_written(d) for d in pending))
        ready = [
            d
            for d in pending
            if not any(
                (i["id"], i["property"]) in written - _written(d) for i in d["inputs"]
            )
        ] or pending[:1]
        ordered += ready
        pending = [d for d in pending if d not in ready]
    return ordered


def plan(base: str, session: requests.Session) -> dict[str, list[tuple[str, dict]]]:
    """{page: [(callback label, request body), ...]} in the order a browser sends,
    each body with the values the callbacks before it wrote."""
    deps = session.get(base + "/_dash-dependencies", timeout=30).json()
    shell = {}
    _walk(session.get(base + "/_dash-layout", timeout=30).json(), shell)
    content = next(d for d in deps if "_pages_content.children" in d["output"])
    result: dict[str, list[tuple[str, dict]]] = {}
    for path in PAGES:
        props = dict(shell)
        props["_pages_location"] = {"pathname": path, "search": "", "hash": ""}
        first = _body(content, props)
        answer = session.post(base + "/_dash-update-component", json=first, timeout=120)
        answer.raise_for_status()
        page_props: dict = {}
        _walk(answer.json(), page_props)
        props.update(page_props)
        requests_for_page = [("page layout", first)]
        fired: set[tuple[str, str]] = set()
        initial = []
        for dep in deps:
            if dep is content or dep.get("clientside_function"):
                continue
            if dep.get("prevent_initial_call"):
                continue
            ids = [i["id"] for i in dep["inputs"]]
            if any(i.startswith("{") for i in ids):
                continue
            if not all(i in page_props for i in ids):
                continue
            initial.append(dep)
        # As the browser does: a callback whose input another initial callback
        # writes waits for it and is sent once, with the value it wrote (e.g.
        # /compare's content is asked for with the year the year list chose).
        for dep in _in_browser_order(initial):
            body = _body(dep, props)
            written = _written(dep)
            body["changedPropIds"] = [
                f"{i['id']}.{i['property']}"
                for i in dep["inputs"]
                if (i["id"], i["property"]) in fired
            ]
            answer = session.post(
                base + "/_dash-update-component", json=body, timeout=120
            )
            answer.raise_for_status()
            if answer.status_code == 200:
                for cid, values in answer.json().get("response", {}).items():
                    props.setdefault(cid, {}).update(values)
                fired.update(written)
            requests_for_page.append((dep["output"][:70], body))
        result[path] = requests_for_page
    return result


def _request_bytes(host: str, cookie: str, body: dict) -> bytes:
    """One callback POST as a browser sends it, encoded once before the run."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        "POST /_dash-update-component HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Content-Type: application/json\r\n"
        "Accept: application/json\r\n"
        "Accept-Encoding: gzip, deflate, br\r\n"
        # The user agent that signed in (requests'): Flask-Login ties the session
        # to it, and a different one would make every answer re-send the cookie.
        f"User-Agent: {requests.utils.default_user_agent()}\r\n"
        f"Cookie: {cookie}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


def run(base: str, clients: int, duration: float) -> dict:
    """N clients loop over the pages for `duration` seconds, each on its own
    keep-alive connection and session. The client is a small asyncio HTTP/1.1
    loop rather than requests: on a 2-core machine shared with the server, a
    heavier client would take CPU from the server and inflate the latencies."""
    setup = common.signed_in_session(base)
    pages = plan(base, setup)
    parsed = urllib.parse.urlsplit(base)
    plans = []
    for _ in range(clients):
        session = common.signed_in_session(base)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        plans.append(
            {
                page: [
                    (label, _request_bytes(parsed.netloc, cookie, body))
                    for label, body in reqs
                ]
                for page, reqs in pages.items()
            }
        )
    by_page = {p: common.Stats() for p in pages}
    # What a user waits for: a page view is done when its last callback has
    # answered (the client sends them in browser order, one after another).
    page_views = {p: common.Stats() for p in pages}
    by_callback: dict[tuple[str, str], common.Stats] = {
        (p, label): common.Stats() for p, reqs in pages.items() for label, _ in reqs
    }
    error_samples: list[str] = []
    order = list(pages)

    async def client(index: int, stop_at: float) -> None:
        reader, writer = await asyncio.open_connection(parsed.hostname, parsed.port)
        turn = index
        try:
            while time.monotonic() < stop_at:
                page = order[turn % len(order)]
                turn += 1
                view_started = time.perf_counter()
                view_ok = True
                for label, request in plans[index][page]:
                    if time.monotonic() >= stop_at:
                        return
                    started = time.perf_counter()
                    ok = False
                    try:
                        writer.write(request)
                        status = await asyncio.wait_for(common.read_answer(reader), 60)
                        ok = status in (200, 204)
                        if not ok and len(error_samples) < 5:
                            error_samples.append(f"{page} {label}: HTTP {status}")
                    except (
                        TimeoutError,
                        OSError,
                        ValueError,
                        # the server closed the connection (e.g. a sync worker,
                        # which does not keep connections alive): an error, and
                        # a new connection, rather than the run ending
                        asyncio.IncompleteReadError,
                    ) as error:
                        if len(error_samples) < 5:
                            error_samples.append(f"{page} {label}: {error!r}")
                        writer.close()
                        reader, writer = await asyncio.open_connection(
                            parsed.hostname, parsed.port
                        )
                    elapsed = time.perf_counter() - started
                    by_page[page].add(elapsed, ok)
                    by_callback[(page, label)].add(elapsed, ok)
                    view_ok = view_ok and ok
                page_views[page].add(time.perf_counter() - view_started, view_ok)
        finally:
            writer.close()

    async def all_clients() -> None:
        stop_at = time.monotonic() + duration
        await asyncio.gather(*(client(i, stop_at) for i in range(clients)))

    started = time.monotonic()
    asyncio.run(all_clients())
    elapsed = time.monotonic() - started
    total = common.Stats()
    for stats in by_page.values():
        total.latencies += stats.latencies
        total.errors += stats.errors
    return {
        "clients": clients,
        "client": "asyncio HTTP/1.1 keep-alive, one connection per client",
        "duration_s": round(elapsed, 1),
        "callbacks_per_page": {p: len(r) for p, r in pages.items()},
        "pages": {p: s.summary(elapsed) for p, s in by_page.items()},
        "callbacks": {
            f"{p} | {label}": s.summary(elapsed)
            for (p, label), s in by_callback.items()
        },
        "total": total.summary(elapsed),
        "page_views": {p: s.summary(elapsed) for p, s in page_views.items()},
        "error_samples": error_samples,
    }


def benchmark(
    database_url: str,
    instance_dir: str,
    redis_url: str | None,
    clients: int,
    duration: float,
    warmup: float = 0,
    cache_type: str = "",
) -> dict:
    env = common.base_env(database_url, instance_dir, redis_url, cache_type)
    common.ensure_user(env)
    with common.gunicorn(env) as server:
        if warmup:
            run(server.base, clients, warmup)
        meter = common.CpuMeter(server.worker_pids())
        result = run(server.base, clients, duration)
        result["cpu_ms_per_request"] = meter.per_answer(result["total"]["n"])
        memory = [common.memory_mb(pid) for pid in server.worker_pids()]
        result["worker_rss_mb"] = [m["rss"] for m in memory]
        result["worker_pss_mb"] = [m["pss"] for m in memory]
        result["worker_uss_mb"] = [m["uss"] for m in memory]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--instance-dir", default="/tmp/vru_bench_instance")
    parser.add_argument("--redis")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--warmup", type=float, default=0)
    args = parser.parse_args()
    result = benchmark(
        args.database_url,
        args.instance_dir,
        args.redis,
        args.clients,
        args.duration,
        args.warmup,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
