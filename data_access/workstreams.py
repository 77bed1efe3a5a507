"""Workstreams: their measures against targets (RAG), trends, data completeness and
returns due.

Restricted data (DESIGN.md "Access"): admin and analyst read every workstream; a
viewer or a lead reads the workstreams of the VRU areas in their scope (a lead's
scope holds their workstream's VRU area, and their own workstream comes first).
The public reads none. Scope is checked here, outside the memoized inner functions,
which take only primitives and aggregate in SQL.

Workstream measures (codes `ws_...`, not public) are quarterly; their values are
stored against the workstream's VRU area, and their targets against the workstream
for a financial year. A value is judged against the target whose period contains
it, by `statistics.rag_status`, which respects the measure's polarity
(`statistics.RAG_RULE_TEXT` says how, in words).

Disclosure control: for users whose scope needs it (viewers, leads), counts of
measures whose disclosure rule is not "none" go through `data_access.disclosure`
(the one engine); a hidden count is NA with `suppressed` True, and its RAG rating
is hidden with it ("not shown"), because a rating would narrow the hidden count.
Percentages are not counts and are shown.

Completeness and returns: a workstream is expected to return every measure every
quarter from the quarter it began (its first target or first return, whichever is
earlier). When a quarter's return is due and whether it is late is the one rule of
data_access.returns_due; `as_at` defaults to the app's clock
(data_access.clock.today(), VRU_AS_AT), as on /returns. Expected quarters are
those whose due date has passed by `as_at`, so each missing expected return is
late; the next return due is the first quarter whose due date has not.

Public functions and their columns
- workstream_list(*, scope, area_code=None, as_at=None) -> WORKSTREAM_COLUMNS:
  workstream_id, name, vru_code, vru_name, lead_role, purpose, measures, green,
  amber, red, other (no target / no data / no judgement / not shown),
  expected_returns, received_returns, late_returns, completeness (0-1), next_due
  (date), own (the caller's own workstream), illustrative. Own first, then by VRU
  and workstream.
- workstream_detail(*, scope, workstream_id, as_at=None) -> dict: workstream_id,
  name, purpose, lead_role, outcomes, vru_code, vru_name, source_title,
  illustrative, own, reporting_quarter (label), as_at (date), and "measures": the
  measure_status frame.
- measure_status(*, scope, workstream_id, as_at=None) -> STATUS_COLUMNS:
  measure_code, name, unit, polarity, definition, latest_period_start,
  latest_period, latest_value, latest_status, target, rag, rag_label, rag_rule,
  suppressed, expected, received, late, completeness, next_due, illustrative.
- measure_trends(*, scope, workstream_id) -> TREND_COLUMNS: measure_code,
  period_start, period, value, target, rag, suppressed, illustrative; oldest first.
- measure_spc(*, scope, workstream_id) -> {measure_code: verdict}: each quarterly
  measure's SPC variation and assurance (Making Data Count) with SPC_COLUMNS
  points: period, value, centre, lower, upper, rules, point_type.
- completeness(*, scope, workstream_id, as_at=None) -> RETURN_COLUMNS: one row per
  expected quarter and one for the next quarter due: period_start, period,
  due_date, measures_expected, measures_received, status ("Received", "Partly
  received - late", "Late", "Not yet due").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter

import pandas as pd
from sqlalchemy import and_, func, select

from data_access import clock, periods, spc
from data_access.areas import funding_starts
from data_access.cache import memoized
from data_access.db import read_connection, read_frame
from data_access.disclosure import apply_disclosure
from data_access.models import (
    Measure,
    MeasureValue,
    Source,
    Target,
    Workstream,
    WorkstreamMeasure,
)
from data_access.returns_due import due_date, has_passed
from data_access.scope import Scope
from data_access.statistics import RAG_RULE_TEXT, rag_status
from data_access.workstream_queries import (
    STATUS_ROW_COLUMNS,
    WORKSTREAM_ROW_COLUMNS,
    _area_filter,
    _received_quarters,
    _require_workstream,
    _status_rows,
    _target_join,
    _workstream_rows,
    _workstreams,
    with_current_values,
)

FIRST_YEAR = 2019  # VRU funding began in 2019/20

RAG_LABELS = {
    "green": "Green – on target",
    "amber": "Amber – close to target",
    "red": "Red – off target",
    "no target": "No target set",
    "no data": "No data returned",
    "no judgement": "No rating – no better direction",
    "not shown": "Not shown – small number",
}
PERCENT_UNITS = ("%", "percent", "per cent")

WORKSTREAM_COLUMNS = [
    "workstream_id",
    "name",
    "vru_code",
    "vru_name",
    "lead_role",
    "purpose",
    "measures",
    "green",
    "amber",
    "red",
    "other",
    "expected_returns",
    "received_returns",
    "late_returns",
    "completeness",
    "next_due",
    "own",
    "illustrative",
]
STATUS_COLUMNS = [
    "measure_code",
    "name",
    "unit",
    "polarity",
    "definition",
    "latest_period_start",
    "latest_period",
    "latest_value",
    "latest_status",
    "target",
    "rag",
    "rag_label",
    "rag_rule",
    "suppressed",
    "expected",
    "received",
    "late",
    "completeness",
    "next_due",
    "illustrative",
]
TREND_COLUMNS = [
    "measure_code",
    "period_start",
    "period",
    "value",
    "target",
    "rag",
    "suppressed",
    "illustrative",
]
SPC_COLUMNS = [
    "period",
    "value",
    "centre",
    "lower",
    "upper",
    "rules",
    "point_type",
]
RETURN_COLUMNS = [
    "period_start",
    "period",
    "due_date",
    "measures_expected",
    "measures_received",
    "status",
]


# ------------------------------------------------------------------------ periods


def _next_quarter(start: dt.date) -> dt.date:
    return periods.quarter_end(start) + dt.timedelta(days=1)


# Pure functions of two dates, asked for every measure of every workstream (a
# workstream's measures share its start): kept rather than walked again.
@functools.lru_cache(maxsize=4096)
def _expected_quarters(first: dt.date, as_at: dt.date) -> tuple[dt.date, ...]:
    """Quarters from `first` whose due date has passed by `as_at`."""
    out, quarter = [], periods.quarter_start(first)
    while has_passed(quarter, as_at=as_at):
        out.append(quarter)
        quarter = _next_quarter(quarter)
    return tuple(out)


def _last_due_quarter(as_at: dt.date) -> dt.date:
    """The latest quarter whose return is due by `as_at` (the last of any
    workstream's `_expected_quarters`)."""
    quarter = periods.quarter_start(as_at)
    while not has_passed(quarter, as_at=as_at):
        quarter = periods.quarter_start(quarter - dt.timedelta(days=1))
    return quarter


@functools.lru_cache(maxsize=4096)
def _quarter_label(start: dt.date) -> str:
    return periods.quarter_label(start)


@functools.lru_cache(maxsize=4096)
def _next_due_quarter(first: dt.date, as_at: dt.date) -> dt.date:
    quarter = periods.quarter_start(first)
    while has_passed(quarter, as_at=as_at):
        quarter = _next_quarter(quarter)
    return quarter


@memoized
def reporting_quarter() -> dt.date | None:
    """Start of the latest quarter any workstream has returned a measure for."""
    with read_connection() as connection:
        return connection.scalar(_reporting_quarter_statement())


@functools.cache
def _reporting_quarter_statement():
    """Built once: it has no parameters, and building it costs more CPU than
    running it."""
    return (
        select(func.max(MeasureValue.period_start))
        .join(
            WorkstreamMeasure,
            WorkstreamMeasure.measure_id == MeasureValue.measure_id,
        )
        .join(Measure, Measure.id == MeasureValue.measure_id)
        .where(MeasureValue.is_current, Measure.period_type == "quarter")
    )


def quarters_with_every_figure(
    workstream_ids: list[int], period_starts: list[dt.date]
) -> set[tuple[int, dt.date]]:
    """(workstream_id, period_start) pairs, among those asked for, for which the
    store holds a current figure of every one of the workstream's measures: the
    quarter's return counts as received on every page."""
    received = _received_quarters(None, None)
    codes_of: dict[int, set] = {}
    for row in _status_rows(None, None):
        codes_of.setdefault(row[0], set()).add(row[1])
    expected = {ws: len(codes) for ws, codes in codes_of.items()}
    wanted = received[
        received["workstream_id"].isin(workstream_ids)
        & received["period_start"].isin(period_starts)
    ]
    got = wanted.groupby(["workstream_id", "period_start"])["measure_code"].nunique()
    return {
        (int(ws), start)
        for (ws, start), n in got.items()
        if n >= expected.get(ws, 0) > 0
    }


# ------------------------------------------------------------------- assembling


def _hidden(frame: pd.DataFrame, scope: Scope, value_col: str) -> pd.Series:
    """Which rows' counts disclosure control hides for this scope."""
    hidden = pd.Series(False, index=frame.index)
    if not scope.needs_disclosure_control or frame.empty:
        return hidden
    is_percent = frame["unit"].str.strip().str.lower().isin(PERCENT_UNITS)
    for rule, part in frame[~is_percent].groupby("disclosure_rule"):
        if rule == "none":
            continue
        present = part[part[value_col].notna()]
        if present.empty:
            continue
        counts = pd.DataFrame({"count": present[value_col].round().astype("Int64")})
        disclosed = apply_disclosure(counts, rule=rule, count_cols=["count"])
        hidden.loc[present.index] = disclosed.suppressed_mask.to_numpy(dtype=bool)
    return hidden


def _columns_of(rows: list[tuple], names) -> dict[str, list]:
    """Rows of `names` turned into columns (name: list), in one transpose
    (zip) rather than a pass over the rows per column."""
    columns = [list(column) for column in zip(*rows, strict=True)]
    if not columns:
        columns = [[] for _ in names]
    return dict(zip(names, columns, strict=True))


def _start_of(first_value, first_target, vru_start_year) -> dt.date:
    candidates = [d for d in (first_value, first_target) if d]
    if candidates:
        return min(candidates)
    return dt.date(max(int(vru_start_year or FIRST_YEAR), FIRST_YEAR), 4, 1)


def _status_columns(
    scope: Scope,
    codes: tuple[str, ...] | None,
    workstream_id: int | None,
    start_year: dict,
    as_at: dt.date,
) -> dict[str, list]:
    """measure_status's columns (STATUS_COLUMNS plus workstream_id, first), as
    lists, of the measures of the workstreams of _workstreams(codes,
    workstream_id), which the caller has read (`start_year`: each one's
    VRU's vru_start_year, by workstream id), from their status rows read
    here with `due_by=_last_due_quarter(as_at)`, which count the quarters
    returned ("received_due"). Plain loops over the rows' columns: a few hundred
    rows, where iterrows and a due date worked out per quarter per row cost the
    shipped demo's list 150 ms, and a DataFrame column by column another 10."""
    rows = _status_rows(codes, workstream_id, _last_due_quarter(as_at))
    # the rows turned into columns (every row has every column)
    columns = _columns_of(rows, STATUS_ROW_COLUMNS)
    ids = columns["workstream_id"]
    # A workstream began with its earliest measure.
    starts = [
        _start_of(value, target, start_year.get(ws))
        for ws, value, target in zip(
            ids, columns["first_value"], columns["first_target"], strict=True
        )
    ]
    began: dict = {}
    for ws, start in zip(ids, starts, strict=True):
        began[ws] = min(began.get(ws, start), start)
    firsts = [began[ws] for ws in ids]
    expected, received_n, next_due = [], [], []
    due_by_first: dict = {}  # a workstream's measures share their first date
    for first, counted in zip(firsts, columns["received_due"], strict=True):
        # Every quarter counted is at or after the measure's first figure, so
        # within the expected quarters when there are any.
        quarters = _expected_quarters(first, as_at)
        expected.append(len(quarters))
        received_n.append(int(counted) if quarters else 0)
        due = due_by_first.get(first)
        if due is None:
            due = due_by_first[first] = due_date(_next_due_quarter(first, as_at))
        next_due.append(due)
    nan = float("nan")
    values = [nan if v is None else float(v) for v in columns["latest_value"]]
    targets = [nan if t is None else float(t) for t in columns["target"]]
    polarities = columns["polarity"]
    rags = [
        rag_status(value=v, target=t, polarity=p)
        for v, t, p in zip(values, targets, polarities, strict=True)
    ]
    hidden = _hidden_rows(scope, columns["unit"], columns["disclosure_rule"], values)
    for i, is_hidden in enumerate(hidden):
        if is_hidden:
            values[i] = nan
            rags[i] = "not shown"
    return {
        "workstream_id": ids,
        "first": firsts,
        "measure_code": columns["measure_code"],
        "name": columns["name"],
        "unit": columns["unit"],
        "polarity": polarities,
        "definition": columns["definition"],
        "latest_period_start": columns["latest_period_start"],
        "latest_period": [
            _quarter_label(d) if d else None for d in columns["latest_period_start"]
        ],
        "latest_value": values,
        "latest_status": columns["latest_status"],
        "target": targets,
        "rag": rags,
        "rag_label": [RAG_LABELS[r] for r in rags],
        "rag_rule": [RAG_RULE_TEXT[p] for p in polarities],
        "suppressed": hidden,
        "expected": expected,
        "received": received_n,
        "late": [e - r for e, r in zip(expected, received_n, strict=True)],
        "completeness": [
            (r / e) if e else nan for r, e in zip(received_n, expected, strict=True)
        ],
        "next_due": next_due,
        "illustrative": [bool(flag) for flag in columns["illustrative"]],
    }


def _hidden_rows(
    scope: Scope, units: list, rules: list, values: list[float]
) -> list[bool]:
    """Which rows' values disclosure control hides for this scope (`_hidden`
    on the rows' columns; a frame is built only for a scope that needs it)."""
    if not scope.needs_disclosure_control or not values:
        return [False] * len(values)
    frame = pd.DataFrame({"unit": units, "disclosure_rule": rules, "value": values})
    return _hidden(frame, scope, "value").tolist()


def _status_frame(
    scope: Scope,
    codes: tuple[str, ...] | None,
    workstream_id: int | None,
    workstreams: pd.DataFrame,
    as_at: dt.date,
) -> pd.DataFrame:
    """`_status_columns` as a frame: measure_status rows (STATUS_COLUMNS plus
    workstream_id, first)."""
    start_year = dict(
        zip(workstreams.workstream_id, workstreams.vru_start_year, strict=True)
    )
    return pd.DataFrame(
        _status_columns(scope, codes, workstream_id, start_year, as_at),
        columns=["workstream_id", "first", *STATUS_COLUMNS],
    )


def _resolve_as_at(as_at: dt.date | None) -> dt.date:
    return as_at if as_at is not None else clock.today()


# ---------------------------------------------------------------------- public


def workstream_list(
    *, scope: Scope, area_code: str | None = None, as_at: dt.date | None = None
) -> pd.DataFrame:
    """Workstreams the caller may read, with RAG counts and completeness
    (WORKSTREAM_COLUMNS); the caller's own workstream first."""
    columns = workstream_columns(scope=scope, area_code=area_code, as_at=as_at)
    if not columns["workstream_id"]:
        return pd.DataFrame(columns=WORKSTREAM_COLUMNS)
    return pd.DataFrame(columns, columns=WORKSTREAM_COLUMNS)


def workstream_columns(
    *, scope: Scope, area_code: str | None = None, as_at: dt.date | None = None
) -> dict[str, list]:
    """`workstream_list`'s WORKSTREAM_COLUMNS as plain lists (the lists its
    frame is made of), for a page that reads them column by column
    (/workstreams): the same workstreams in the same order."""
    codes = _area_filter(scope, area_code)
    as_at = _resolve_as_at(as_at)
    rows = _workstream_rows(codes, None)
    if not rows:
        return {name: [] for name in WORKSTREAM_COLUMNS}
    read = _columns_of(rows, WORKSTREAM_ROW_COLUMNS)
    # Returns received are counted in the same read (received_due), not listed.
    start_year = dict(zip(read["workstream_id"], read["vru_start_year"], strict=True))
    status = _status_columns(scope, codes, None, start_year, as_at)
    # Each workstream's measures summed in one pass over the status columns.
    measures: Counter = Counter()
    rated: Counter = Counter()
    expected: Counter = Counter()
    received: Counter = Counter()
    late: Counter = Counter()
    next_due: dict = {}
    illustrative_values: set = set()
    for ws, rag, e, r, n, due, flag in zip(
        status["workstream_id"],
        status["rag"],
        status["expected"],
        status["received"],
        status["late"],
        status["next_due"],
        status["illustrative"],
        strict=True,
    ):
        measures[ws] += 1
        rated[(ws, rag)] += 1
        expected[ws] += e
        received[ws] += r
        late[ws] += n
        next_due[ws] = min(next_due.get(ws, due), due)
        if flag:
            illustrative_values.add(ws)
    ids = read["workstream_id"]
    columns: dict[str, list] = {
        name: read[name]
        for name in ("name", "vru_code", "vru_name", "lead_role", "purpose")
    }
    columns["workstream_id"] = ids
    columns["measures"] = [measures[ws] for ws in ids]
    for key in ("green", "amber", "red"):
        columns[key] = [rated[(ws, key)] for ws in ids]
    columns["other"] = [
        n - g - a - r
        for n, g, a, r in zip(
            columns["measures"],
            columns["green"],
            columns["amber"],
            columns["red"],
            strict=True,
        )
    ]
    columns["expected_returns"] = [expected[ws] for ws in ids]
    columns["received_returns"] = [received[ws] for ws in ids]
    columns["late_returns"] = [late[ws] for ws in ids]
    columns["completeness"] = [
        (r / e) if e else float("nan")
        for r, e in zip(
            columns["received_returns"], columns["expected_returns"], strict=True
        )
    ]
    # a workstream without measures has no return due: NaN, as a map would give
    columns["next_due"] = [next_due.get(ws, float("nan")) for ws in ids]
    columns["own"] = [ws == scope.workstream_id for ws in ids]
    columns["illustrative"] = [
        bool(flag) or ws in illustrative_values
        for ws, flag in zip(ids, read["illustrative"], strict=True)
    ]
    # The caller's own workstream first, then by VRU and workstream.
    order = sorted(
        range(len(ids)),
        key=lambda i: (not columns["own"][i], columns["vru_name"][i], ids[i]),
    )
    return {name: [columns[name][i] for i in order] for name in WORKSTREAM_COLUMNS}


def measure_status(
    *, scope: Scope, workstream_id: int, as_at: dt.date | None = None
) -> pd.DataFrame:
    """Each measure's latest value against its target, RAG and completeness."""
    workstream_id = _require_workstream(scope, workstream_id)
    as_at = _resolve_as_at(as_at)
    status = _status_frame(
        scope, None, workstream_id, _workstreams(None, workstream_id), as_at
    )
    return status[STATUS_COLUMNS].reset_index(drop=True)


def workstream_detail(
    *, scope: Scope, workstream_id: int, as_at: dt.date | None = None
) -> dict:
    """One workstream's facts and its measure_status frame (module docstring)."""
    workstream_id = _require_workstream(scope, workstream_id)
    as_at = _resolve_as_at(as_at)
    facts = _workstreams(None, workstream_id).iloc[0].to_dict()
    measures = measure_status(scope=scope, workstream_id=workstream_id, as_at=as_at)
    latest = reporting_quarter()
    return {
        "workstream_id": int(facts["workstream_id"]),
        "name": facts["name"],
        "purpose": facts["purpose"],
        "lead_role": facts["lead_role"],
        "outcomes": facts["outcomes"],
        "vru_code": facts["vru_code"],
        "vru_name": facts["vru_name"],
        "source_title": facts["source_title"],
        "illustrative": bool(facts["illustrative"])
        or bool(measures["illustrative"].any()),
        "own": workstream_id == scope.workstream_id,
        "reporting_quarter": periods.quarter_label(latest) if latest else None,
        "as_at": as_at,
        "measures": measures,
    }


def measure_trends(*, scope: Scope, workstream_id: int) -> pd.DataFrame:
    """Every quarterly value of the workstream's measures with the target then in
    force and its RAG (TREND_COLUMNS), by measure then period."""
    workstream_id = _require_workstream(scope, workstream_id)
    frame = _trends(workstream_id)
    if frame.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    frame = frame.copy()
    frame["rag"] = [
        rag_status(value=v, target=t, polarity=p)
        for v, t, p in zip(frame.value, frame.target, frame.polarity, strict=True)
    ]
    hidden = _hidden(frame, scope, "value")
    frame["suppressed"] = hidden
    frame.loc[hidden, "value"] = float("nan")
    frame.loc[hidden, "rag"] = "not shown"
    frame["period"] = [periods.quarter_label(d) for d in frame.period_start]
    return frame[TREND_COLUMNS].reset_index(drop=True)


def measure_spc(
    *, scope: Scope, workstream_id: int, as_at: dt.date | None = None
) -> dict[str, dict]:
    """Each quarterly measure's SPC verdict, keyed by measure code, by the one
    SPC road (`data_access.spc.series_spc`, as the exception engine judges the
    same series: Making Data Count rules; limits recalculated where VRU funding
    began for the workstream's VRU and where published figures give way to
    illustrative ones; the latest target for assurance), from the same figures
    `measure_trends` shows the caller: a value hidden under disclosure control
    is a gap, so no verdict rests on a figure the caller cannot see. Returns
    hold values only (no numerators or denominators), so series_spc's fallback
    applies: an XmR chart of the values.

    Each value: variation, variation_words, assurance (None without a target or
    polarity), assurance_words, method, and points (SPC_COLUMNS, one per quarter).
    With `as_at` (a board pack's quarter end), only quarters starting by then.
    """
    trends = measure_trends(scope=scope, workstream_id=workstream_id)
    if as_at is not None:
        starts = pd.to_datetime(trends["period_start"])
        trends = trends[starts <= pd.Timestamp(as_at)]
    raw = _trends(int(workstream_id))
    facts = _workstreams(None, int(workstream_id)).iloc[0]
    funding = funding_starts().get(facts["vru_code"])
    verdicts = {}
    for code, part in trends.groupby("measure_code", sort=False):
        rows = raw.loc[part.index]  # measure_trends keeps _trends' row order
        shown = ~part["suppressed"].astype(bool)
        measure = rows.iloc[0]
        targets = part["target"].dropna()
        result = spc.series_spc(
            polarity=measure["polarity"],
            values=part["value"].to_numpy(float),
            numerators=rows["numerator"].where(shown).to_numpy(float),
            denominators=rows["denominator"].where(shown).to_numpy(float),
            ci_method=measure["ci_method"],
            rate_multiplier=measure["rate_multiplier"],
            period_starts=part["period_start"].tolist(),
            illustrative=part["illustrative"].to_numpy(bool),
            funding_start=funding,
            target=float(targets.iloc[-1]) if not targets.empty else None,
        )
        points = result["points"]
        points.insert(0, "period", part["period"].to_list())
        verdicts[code] = {
            "variation": result["variation"],
            "variation_words": spc.VARIATION_WORDS[result["variation"]],
            "assurance": result["assurance"],
            "assurance_words": spc.ASSURANCE_WORDS.get(result["assurance"]),
            "method": result["method"],
            "points": points[SPC_COLUMNS],
        }
    return verdicts


@memoized
def _trends(workstream_id: int) -> pd.DataFrame:
    query = (
        with_current_values(
            select(
                Measure.code,
                Measure.unit,
                Measure.polarity,
                Measure.disclosure_rule,
                MeasureValue.period_start,
                MeasureValue.value,
                Target.value,
                Source.illustrative,
                Measure.ci_method,
                Measure.rate_multiplier,
                MeasureValue.numerator,
                MeasureValue.denominator,
            ).select_from(Workstream)
        )
        .join(Source, Source.id == MeasureValue.source_id)
        .outerjoin(
            Target,
            and_(
                Target.measure_id == Measure.id,
                _target_join(
                    MeasureValue.period_start,
                    MeasureValue.period_end,
                    Workstream.id,
                    Workstream.vru_area_id,
                ),
            ),
        )
        .where(Workstream.id == workstream_id, Measure.period_type == "quarter")
        .order_by(Measure.code, MeasureValue.period_start)
    )
    frame = read_frame(
        query,
        [
            "measure_code",
            "unit",
            "polarity",
            "disclosure_rule",
            "period_start",
            "value",
            "target",
            "illustrative",
            "ci_method",
            "rate_multiplier",
            "numerator",
            "denominator",
        ],
    )
    frame["value"] = frame["value"].astype(float)
    frame["numerator"] = frame["numerator"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    frame["target"] = frame["target"].astype(float)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


def completeness(
    *, scope: Scope, workstream_id: int, as_at: dt.date | None = None
) -> pd.DataFrame:
    """Returns by quarter (RETURN_COLUMNS): expected quarters, then the next due."""
    workstream_id = _require_workstream(scope, workstream_id)
    as_at = _resolve_as_at(as_at)
    received = _received_quarters(None, workstream_id)
    # measure_status's frame, worked out once: its "first" column says when the
    # workstream began.
    status = _status_frame(
        scope, None, workstream_id, _workstreams(None, workstream_id), as_at
    )
    if status.empty or as_at is None:
        return pd.DataFrame(columns=RETURN_COLUMNS)
    first = status["first"].min()
    per_quarter = received.groupby("period_start")["measure_code"].nunique()
    n_measures = len(status)
    records = []
    for quarter in _expected_quarters(first, as_at):
        got = int(per_quarter.get(quarter, 0))
        if got >= n_measures:
            state = "Received"
        elif got:
            state = "Partly received – late"
        else:
            state = "Late"
        records.append((quarter, got, state))
    upcoming = _next_due_quarter(first, as_at)
    got = int(per_quarter.get(upcoming, 0))
    records.append((upcoming, got, "Received" if got >= n_measures else "Not yet due"))
    return pd.DataFrame(
        [
            {
                "period_start": quarter,
                "period": periods.quarter_label(quarter),
                "due_date": due_date(quarter),
                "measures_expected": n_measures,
                "measures_received": got,
                "status": state,
            }
            for quarter, got, state in records
        ],
        columns=RETURN_COLUMNS,
    )
