"""commentary_for reads the commentary first, by the VRU's code (issue 19): a
VRU with none costs one statement, and what it gives is what the code it
replaced gave (copied below, "as it was", as the reference), on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from sqlalchemy import event, insert, select

from data_access import commentary, db
from data_access.areas import area_id_of
from data_access.board_models import Commentary
from data_access.db import read_connection
from data_access.models import Measure
from data_access.returns.spec import parse_quarter
from tests.data_access import board_store as bs

# --------------------------------------------------------------------- as it was


def _old_commentary_for(
    *,
    scope,
    vru_code,
    quarter_start=None,
    measure_codes=None,
    signed_off_only=False,
) -> pd.DataFrame:
    """commentary_for before issue 19: the area's id and its measures read
    first, then the commentary of those measures."""
    area = commentary.require_vru(scope, vru_code)
    quarter = None if quarter_start is None else parse_quarter(quarter_start)
    with read_connection() as session:
        area_id = area_id_of(session, area.code)
        measures = commentary.measures_frame(session, area_id)
        if measure_codes is not None:
            measures = measures[measures["measure_code"].isin(list(measure_codes))]
        query = select(
            Commentary.measure_id,
            Commentary.quarter_start,
            Commentary.version,
            Commentary.text,
            Commentary.author_id,
            Commentary.author_role,
            Commentary.written_at,
            Commentary.status,
            Commentary.signed_off_by_role,
            Commentary.signed_off_at,
        ).where(
            Commentary.vru_area_id == area_id,
            Commentary.measure_id.in_([int(i) for i in measures["measure_id"]]),
        )
        if quarter is not None:
            query = query.where(Commentary.quarter_start == quarter)
        if signed_off_only:
            query = query.where(Commentary.status == "signed_off")
        rows = session.execute(query).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "measure_id",
            "quarter_start",
            "version",
            "text",
            "author_id",
            "author_role",
            "written_at",
            "status",
            "signed_off_by_role",
            "signed_off_at",
        ],
    )
    if frame.empty:
        return pd.DataFrame(columns=commentary.COMMENTARY_COLUMNS)
    frame = frame.sort_values(["quarter_start", "version"])
    latest = frame.groupby("measure_id").tail(1) if quarter is None else frame
    latest = latest.groupby(["measure_id", "quarter_start"]).tail(1)
    order = {m: i for i, m in enumerate(measures["measure_id"])}
    latest = latest.merge(
        measures[["measure_id", "measure_code", "name", "kind"]], on="measure_id"
    ).rename(columns={"name": "measure_name"})
    latest["order"] = latest["measure_id"].map(order)
    latest = latest.sort_values(["order", "quarter_start"]).reset_index(drop=True)
    latest["quarter"] = [
        commentary.periods.quarter_label(d) for d in latest["quarter_start"]
    ]
    revised = commentary._revisions_after(area_id, latest)
    latest["revised_after"] = [
        revised.get((c, q))
        for c, q in zip(latest["measure_code"], latest["quarter_start"], strict=True)
    ]
    latest["revised_note"] = [
        commentary.revised_sentence(d) if d else "" for d in latest["revised_after"]
    ]
    latest["yours"] = [
        scope.user_id is not None and a == scope.user_id for a in latest["author_id"]
    ]
    latest["can_sign_off"] = [
        s == "draft" and commentary.may_sign_off(scope, a) is None
        for s, a in zip(latest["status"], latest["author_id"], strict=True)
    ]
    latest["revised_after"] = latest["revised_after"].astype(object)
    return latest[commentary.COMMENTARY_COLUMNS]


# ------------------------------------------------------------------------ tests


@pytest.fixture
def cycle(store):
    return bs.build()


def _statements(call) -> list[str]:
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.get_engine()
    event.listen(engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def _write_commentary(s) -> None:
    """Versions on a success measure and a workstream measure, in two quarters,
    by two authors, one signed off; one for the other VRU; and one on a
    measure that is neither the VRU's success measures nor its workstreams'
    (written straight to the store: the write path refuses it)."""
    knife = dict(vru_code=bs.AVON, measure_code=bs.KNIFE)
    referrals = dict(vru_code=bs.AVON, measure_code=bs.REFERRALS)
    write = commentary.write_commentary
    write(scope=s["analyst"], quarter_start="2025/26 Q1", text="k1", **knife)
    write(
        scope=s["admin"], quarter_start="2025/26 Q1", text="k2", seen_version=1, **knife
    )
    write(scope=s["analyst"], quarter_start="2024/25 Q4", text="k-old", **knife)
    commentary.sign_off(
        scope=s["admin2"], quarter_start="2025/26 Q1", version=2, **knife
    )
    write(
        scope=s["analyst"],
        quarter_start="2025/26 Q1",
        text="k3 draft",
        seen_version=2,
        **knife,
    )
    write(scope=s["avon-lead"], quarter_start="2025-07", text="r1", **referrals)
    write(
        scope=s["analyst"],
        vru_code=bs.GMP,
        measure_code=bs.GMP_MEASURE,
        quarter_start="2025-07",
        text="gmp",
    )
    with db.session_scope() as session:
        avon = area_id_of(session, bs.AVON)
        gmp_measure = session.scalar(
            select(Measure.id).where(Measure.code == bs.GMP_MEASURE)
        )
        session.execute(
            insert(Commentary).values(
                vru_area_id=avon,
                measure_id=gmp_measure,
                quarter_start=dt.date(2025, 7, 1),
                version=1,
                text="not Avon's measure",
                author_role="x",
                written_at=dt.datetime(2025, 8, 1, 9, 0),
                status="draft",
            )
        )


def test_commentary_read_first_is_what_reading_the_measures_first_gave(cycle):
    s = cycle["scopes"]
    _write_commentary(s)
    quarters = [None, "2025/26 Q1", "2025-07", "2023/24 Q1"]
    codes = [
        None,
        [bs.KNIFE],
        [bs.REFERRALS, bs.KNIFE],
        [bs.GMP_MEASURE],
        [],
        ["no_such_measure"],
    ]
    shown = 0
    for name, quarter, measure_codes, signed in itertools.product(
        ("admin", "analyst", "avon-viewer", "avon-lead"), quarters, codes, (False, True)
    ):
        options = dict(
            scope=s[name],
            vru_code=bs.AVON,
            quarter_start=quarter,
            measure_codes=measure_codes,
            signed_off_only=signed,
        )
        new = commentary.commentary_for(**options)
        old = _old_commentary_for(**options)
        pd.testing.assert_frame_equal(new, old)
        assert "not Avon's measure" not in set(new["text"])
        shown += len(new)
    assert shown  # rows were compared, not only empty frames


def test_a_vru_with_no_commentary_costs_one_statement(cycle):
    from app import app

    s = cycle["scopes"]
    with app.server.test_request_context():  # as a page asks: areas memoized
        commentary.require_vru(s["admin"], bs.AVON)  # the area, read apart
        statements = _statements(
            lambda: commentary.commentary_for(scope=s["admin"], vru_code=bs.AVON)
        )
    assert len(statements) == 1, statements
    frame = commentary.commentary_for(scope=s["admin"], vru_code=bs.AVON)
    assert list(frame.columns) == commentary.COMMENTARY_COLUMNS and frame.empty
