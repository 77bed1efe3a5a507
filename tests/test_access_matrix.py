"""Who may read what, through everything the app serves, for every kind of caller.

Routes come from the Flask url_map, callbacks from Dash's callback map and pages
from Dash's page registry: nothing is listed by hand, so a new route, callback or
page is checked the day it lands. Callers: admin, analyst, two viewers and two
workstream leads (one each in Avon and Somerset and in West Midlands), and a
signed-out visitor. Every request goes through the real sign-in, session and
web.access.current_scope.

Each area gets canaries in a copy of the shipped store, figures nobody outside
that area may read: a distinctive value of one of its workstreams' private
measures, that workstream's name, a raw return file (name and bytes) and an
audit-log entry (no page shows the audit log: it must appear nowhere), a
private annotation (data_access.annotations) on the area, and a commentary
on that measure and a board action on it, and a comparator group saved by
the area's viewer (theirs alone: not even an admin sees it). A caller
outside the area must never receive them, through any route, callback or page,
whatever the request asks for; a 500 answer is a failure. The analyst must
receive each canary somewhere (the file through the returns page's download, the
value through its workstream's page), and each viewer their own area's, so the
check can see a leak when there is one.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import shutil

import dash
import pytest
from sqlalchemy import select

from data_access import (
    alerts,
    annotations,
    board,
    commentary,
    comparator_groups,
    db,
    exceptions,
    users,
)
from data_access.models import (
    Area,
    AuditLog,
    Measure,
    MeasureValue,
    Submission,
    Workstream,
    WorkstreamMeasure,
)
from data_access.scope import Scope
from tests.web_helpers import callback_request, post_callback, sign_in
from web.auth import PUBLIC_CALLBACK_OUTPUTS
from web.view_cache import PAGE_ROUTER_OUTPUT

AVON, WEST_MIDLANDS = "E23000036", "E23000014"
AREAS = (AVON, WEST_MIDLANDS)
# Distinctive private figures, one per area (never a value the shipped data holds).
CANARY_VALUES = {AVON: 917263, WEST_MIDLANDS: 928374}
CALLERS = (
    "admin",
    "analyst",
    "avon-viewer",
    "west-midlands-viewer",
    "avon-lead",
    "west-midlands-lead",
    "signed-out",
)


def _may_read(caller: str, area: str, what: str) -> bool:
    """DESIGN.md "Access": admin and analyst read everything; a viewer or lead
    reads their own area's private measures; raw returns are for their workstream's
    lead, admins and analysts; the audit log is read by no page at all; a saved
    comparator group by its owner alone."""
    if what == "audit":
        return False
    own = {AVON: "avon", WEST_MIDLANDS: "west-midlands"}[area]
    if what == "saved group":
        return caller == f"{own}-viewer"  # its owner, and nobody else
    if caller in ("admin", "analyst"):
        return True
    if what == "return file":
        return caller == f"{own}-lead"
    # Commentary and the board's actions are read like the VRU's measures.
    return caller in (f"{own}-viewer", f"{own}-lead")


def _canary_strings(canaries: dict, area: str, what: str) -> list[str]:
    found = canaries[area]
    if what == "measure":
        value = CANARY_VALUES[area]
        return [str(value), f"{value:,}"]
    if what == "return file":
        return [found["filename"], found["content_b64"]]
    if what == "workstream":
        return [found["workstream_name"]]
    if what == "annotation":
        return [found["annotation"]]
    if what in ("commentary", "action", "saved group"):
        return [found[what]]
    return [found["audit"]]


# A workstream's name, an area's private annotations, commentary and the board's
# actions are read under the same rule as its measures.
WHATS = (
    "measure",
    "workstream",
    "return file",
    "audit",
    "annotation",
    "commentary",
    "action",
    "saved group",
)


@pytest.fixture(scope="module")
def matrix_store(_loaded_urls, tmp_path_factory):
    """A copy of the shipped SQLite store with the canaries added."""
    shipped = _loaded_urls("sqlite").removeprefix("sqlite:///")
    copy = tmp_path_factory.mktemp("matrix") / "store.sqlite3"
    shutil.copyfile(shipped, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def matrix(matrix_store):
    from app import app

    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", matrix_store)
    mp.setitem(app.server.config, "PROPAGATE_EXCEPTIONS", False)
    mp.setitem(app.server.config, "TESTING", True)
    db.reset_engine()
    canaries = {area: _add_canaries(area) for area in AREAS}
    passwords = {}
    for caller in CALLERS[:-1]:
        kwargs = {"role": caller.split("-")[-1]}
        if caller.startswith(("avon", "west-midlands")):
            area = AVON if caller.startswith("avon") else WEST_MIDLANDS
            if kwargs["role"] == "viewer":
                kwargs["area_codes"] = (area,)
            else:
                kwargs["workstream_id"] = canaries[area]["workstream_id"]
        record, passwords[caller] = users.create_user(
            username=f"matrix-{caller}", role_title=f"Matrix {caller}", **kwargs
        )
        if caller.endswith("viewer"):
            slug = caller.removesuffix("-viewer")
            name = f"Canary group of {slug}"
            canaries[area]["saved group"] = name
            canaries[area]["group key"] = comparator_groups.save_group(
                scope=record.scope(), name=name, area_codes=list(AREAS)
            )
        if caller.endswith(("viewer", "lead")):
            # Everything in their scope, not only what they own.
            alerts.save_preferences(
                scope=record.scope(), choices={"assigned_only": False}
            )
    # Exceptions and alerts over the canaries (issue 16): the canary figure is a
    # signal on its workstream's measure, so the alert words (inbox, /alerts and
    # its callbacks, the header count) are checked like every other answer.
    exceptions.run_rules(trigger="access matrix")
    clients = {}
    for caller in CALLERS:
        clients[caller] = app.server.test_client()
        if caller != "signed-out":
            response = sign_in(clients[caller], f"matrix-{caller}", passwords[caller])
            assert response.status_code == 302, caller
    yield app, clients, canaries
    mp.undo()
    db.reset_engine()


def _add_canaries(area_code: str) -> dict:
    slug = {AVON: "avon", WEST_MIDLANDS: "west-midlands"}[area_code]
    content = f"canary return of {slug}: 4242,{slug}\n".encode()
    with db.session_scope() as session:
        area = session.scalar(select(Area).where(Area.code == area_code))
        workstream_id, measure_code = session.execute(
            select(Workstream.id, Measure.code)
            .join(WorkstreamMeasure, WorkstreamMeasure.workstream_id == Workstream.id)
            .join(Measure, Measure.id == WorkstreamMeasure.measure_id)
            .where(Workstream.vru_area_id == area.id, ~Measure.is_public)
            .order_by(Workstream.id, Measure.code)
        ).first()
        latest = session.scalars(
            select(MeasureValue)
            .join(Measure, Measure.id == MeasureValue.measure_id)
            .where(
                Measure.code == measure_code,
                MeasureValue.area_id == area.id,
                MeasureValue.is_current,
            )
            .order_by(MeasureValue.period_start.desc())
        ).first()
        latest.value = CANARY_VALUES[area_code]
        quarter = latest.period_start.isoformat()
        workstream_name = f"Canary workstream of {slug}"
        session.get(Workstream, workstream_id).name = workstream_name
        submission = Submission(
            kind="return",
            workstream_id=workstream_id,
            period_start=dt.date(2025, 4, 1),
            filename=f"canary-{slug}-return.csv",
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            status="draft",
        )
        audit = f"canary audit entry of {slug}"
        session.add_all(
            [
                submission,
                AuditLog(actor="system", action="canary", entity=audit),
            ]
        )
        session.flush()
        submission_id = submission.id
    annotation = f"Canary annotation of {slug}"
    annotations.add_annotation(
        scope=Scope(role="admin", actor="system"),
        area_code=area_code,
        event_date=dt.date(2024, 5, 1),
        label=annotation,
        kind="campaign",
    )
    # Commentary and a board action on the private measure (data_access checks
    # the writer's role; the system account writes them).
    commentary.write_commentary(
        scope=Scope(role="admin", actor="system"),
        vru_code=area_code,
        measure_code=measure_code,
        quarter_start=quarter,
        text=f"canary commentary of {slug}",
    )
    board.record_action(
        scope=Scope(role="admin", actor="system"),
        vru_code=area_code,
        measure_code=measure_code,
        quarter_start=quarter,
        kind="action",
        text=f"canary action of {slug}",
        owner_role="VRU Director",
        due_date="2026-01-31",
    )
    return {
        "annotation": annotation,
        "workstream_id": workstream_id,
        "workstream_name": workstream_name,
        "measure_code": measure_code,
        "submission_id": submission_id,
        "filename": f"canary-{slug}-return.csv",
        "content_b64": base64.b64encode(content).decode(),
        "audit": audit,
        "commentary": f"canary commentary of {slug}",
        "action": f"canary action of {slug}",
    }


# ------------------------------------------------------------------ requests

SAMPLE_ARGS = {
    "chart": "trend",
    "name": "embed.js",
    "rest": "x",
    "path": "x/y",
    "filename": "x.js",
    "package_name": "dash",
    "fingerprinted_path": "dash-renderer/build/dash_renderer.min.js",
}


def _route_requests(app, canaries, area):
    """(method, url) for every rule of the url_map, aimed at `area`."""
    found = canaries[area]
    args = {**SAMPLE_ARGS, "code": found["measure_code"]}
    for rule in app.server.url_map.iter_rules():
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{name}>", args.get(name, "x"), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "POST" and rule.endpoint in ("auth.signin", "auth.signout"):
                continue  # signing in and out are tested in tests/test_web.py
            yield method, f"{url}?area={area}&measure={found['measure_code']}"


def _value(dep: dict, area: str, found: dict, path: str):
    ident, prop = dep["id"], dep["property"]
    if prop == "pathname":
        return path
    if prop == "search":
        return f"?area={area}&measure={found['measure_code']}"
    if prop == "n_clicks":
        return 1
    if ident.endswith(("workstream-id", "returns-workstream", "url-workstream")):
        return found["workstream_id"]
    if ident.endswith(("-measure", "measures-selected")):
        return found["measure_code"]
    if ident.endswith(("-area", "area-code")) and prop in ("value", "data"):
        return area
    return None


def _callback_bodies(app, canaries, area):
    """A request body for every server callback of the app, aimed at `area`."""
    found = canaries[area]
    for output, spec in app.callback_map.items():
        if "callback" not in spec:
            continue  # clientside: never reaches the server
        paths = ["/"]
        if output == PAGE_ROUTER_OUTPUT:
            paths = _page_paths(found)
        for path in paths:
            yield output, _body(output, spec, area, found, path)


def _page_paths(found: dict) -> list[str]:
    paths = []
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        paths.append(
            template.replace("<code>", AVON).replace(
                "<workstream_id>", str(found["workstream_id"])
            )
        )
    return paths


def _body(output, spec, area, found, path) -> dict:
    def pack(deps):
        packed = []
        for dep in deps:
            ident = dep["id"]
            if ident.startswith("{"):
                pattern = json.loads(ident)
                if pattern.get("type") == "returns-action":
                    # A click on the "file" button of the area's canary return.
                    button = {
                        "type": "returns-action",
                        "action": "file",
                        "id": found["submission_id"],
                    }
                    packed.append(
                        [{"id": button, "property": dep["property"], "value": 1}]
                    )
                else:
                    packed.append([])
                continue
            packed.append(
                {
                    "id": ident,
                    "property": dep["property"],
                    "value": _value(dep, area, found, path),
                }
            )
        return packed

    inputs = pack(spec.get("inputs", []))
    changed = []
    for item in inputs:
        for one in item if isinstance(item, list) else [item]:
            ident = one["id"]
            if isinstance(ident, dict):
                ident = json.dumps(ident, separators=(",", ":"), sort_keys=True)
            changed.append(f"{ident}.{one['property']}")
    body = callback_request(output, inputs, pack(spec.get("state", [])))
    body["changedPropIds"] = changed
    return body


# --------------------------------------------------------------------- tests


def _check(caller, label, response, canaries, seen) -> None:
    body = response.get_data().decode("utf-8", "replace")
    assert response.status_code != 500 and "Traceback" not in body, (caller, label)
    for area in AREAS:
        for what in WHATS:
            present = [s for s in _canary_strings(canaries, area, what) if s in body]
            if present:
                assert _may_read(caller, area, what), (caller, label, area, what)
                seen.add((caller, area, what))


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_reads_only_what_their_access_allows(matrix, caller):
    app, clients, canaries = matrix
    client = clients[caller]
    seen: set = set()
    requests = 0
    for area in AREAS:
        for method, url in _route_requests(app, canaries, area):
            response = client.open(url, method=method)
            _check(caller, f"{method} {url}", response, canaries, seen)
            requests += 1
        for output, body in _callback_bodies(app, canaries, area):
            response = post_callback(client, body)
            _check(caller, output, response, canaries, seen)
            if caller == "signed-out" and output not in PUBLIC_CALLBACK_OUTPUTS:
                assert response.status_code == 401, output
            requests += 1
    assert requests > 100
    if caller == "analyst":
        # The check can see each figure: the analyst, who may read them all, did.
        expected = {
            (caller, area, what)
            for area in AREAS
            for what in WHATS
            if what not in ("audit", "saved group")
        }
        assert expected <= seen, sorted(expected - seen)
    if caller in ("avon-viewer", "west-midlands-viewer"):
        area = AVON if caller.startswith("avon") else WEST_MIDLANDS
        assert {
            (caller, area, "measure"),
            (caller, area, "workstream"),
            (caller, area, "annotation"),
            (caller, area, "saved group"),
        } <= seen


def test_board_packs_follow_the_vru_access(matrix):
    """A kept board pack downloads only for callers who may read its VRU, and the
    /board-pack page makes a pack only of a VRU in the caller's scope (the pack's
    bytes are compressed, so the canary scan above cannot see inside them)."""
    from data_access.scope import SYSTEM
    from web.board_pack import make_pack

    app, clients, _canaries = matrix
    made = {
        area: make_pack(
            scope=SYSTEM,
            vru_code=area,
            quarter="2025-07",
            fmt="pdf",
            sections=["reach"],
        )
        for area in AREAS
    }
    output = next(key for key in app.callback_map if "board-pack-download.data" in key)
    for caller in CALLERS:
        client = clients[caller]
        for area, (record, content) in made.items():
            response = client.get(f"/board-pack/packs/{record.id}")
            if caller == "signed-out":
                assert response.status_code == 302, (caller, area)
                assert "/signin" in response.headers["Location"]
            elif _may_read(caller, area, "measure"):
                assert response.status_code == 200, (caller, area)
                assert response.get_data() == content
            else:
                assert response.status_code == 403, (caller, area)
                assert response.get_data() != content
            body = callback_request(
                output,
                [{"id": "board-pack-make", "property": "n_clicks", "value": 1}],
                [
                    {"id": "board-pack-area", "property": "value", "value": area},
                    {
                        "id": "board-pack-quarter",
                        "property": "value",
                        "value": "2025-07",
                    },
                    {"id": "board-pack-meeting", "property": "value", "value": None},
                    {
                        "id": "board-pack-sections",
                        "property": "value",
                        "value": ["reach"],
                    },
                    {
                        "id": "board-pack-audience",
                        "property": "value",
                        "value": "internal",
                    },
                    {"id": "board-pack-format", "property": "value", "value": "pptx"},
                ],
            )
            answer = post_callback(client, body)
            if caller == "signed-out":
                assert answer.status_code == 401
                continue
            assert answer.status_code == 200, (caller, area)
            download = answer.get_json()["response"]["board-pack-download"]["data"]
            if _may_read(caller, area, "measure"):
                assert download["filename"].startswith(f"board-pack-{area}-"), caller
            else:
                assert download is None, (caller, area)


def test_a_saved_group_is_used_seen_and_deleted_by_its_owner_alone(matrix):
    """Whoever names the Avon viewer's saved group in a request (as the benchmark,
    as the chosen value the choices keep, or in a Delete button's id), only its
    owner gets its name or its areas' pooled benchmark, and nobody else deletes
    it: every callback checks access on the server, not only the menu."""
    app, clients, canaries = matrix
    key, name = canaries[AVON]["group key"], canaries[AVON]["saved group"]
    content, choices, change = (
        next(o for o in app.callback_map if part in o)
        for part in ("compare-content", "compare-group-list", "compare-group-status")
    )
    button = {"key": key, "type": "compare-group-delete"}
    for caller in CALLERS:
        client = clients[caller]
        show = callback_request(
            content,
            [
                {"id": f"compare-{p}", "property": "value", "value": v}
                for p, v in (
                    ("measure", "knife_offences"),
                    ("period", "2018-04"),
                    ("benchmark", key),
                    ("level", "95"),
                    ("outliers", "exclude"),
                )
            ],
        )
        listing = callback_request(
            choices,
            [{"id": "compare-group-version", "property": "data", "value": 0}],
            [{"id": "compare-benchmark", "property": "value", "value": key}],
        )
        delete = callback_request(
            change,
            [
                {"id": "compare-group-save", "property": "n_clicks", "value": 0},
                [{"id": button, "property": "n_clicks", "value": 1}],
            ],
            [
                {"id": "compare-group-name", "property": "value", "value": None},
                {"id": "compare-group-areas", "property": "value", "value": []},
                {"id": "compare-benchmark", "property": "value", "value": key},
                {"id": "compare-group-version", "property": "data", "value": 0},
            ],
        )
        delete["changedPropIds"] = [
            json.dumps(button, separators=(",", ":")) + ".n_clicks"
        ]
        answers = [post_callback(client, body) for body in (show, listing)]
        owner = caller == "avon-viewer"
        if caller == "signed-out":
            assert all(a.status_code == 401 for a in answers)
            assert post_callback(client, delete).status_code == 401
            continue
        for answer in answers:
            assert answer.status_code == 200, caller
            assert (name in answer.get_data(as_text=True)) == owner, caller
        if not owner:
            refused = post_callback(client, delete).get_data(as_text=True)
            assert "no saved comparator group" in refused, caller
    # Still there for its owner after every other caller tried to delete it.
    owner = next(u for u in users.list_users() if u.username == "matrix-avon-viewer")
    groups = comparator_groups.comparator_groups(
        scope=Scope(role="viewer", user_id=owner.id)
    )
    assert key in set(groups["key"])
