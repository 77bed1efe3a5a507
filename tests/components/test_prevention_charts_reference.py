"""The /prevention overview charts built from plain columns (issue 19) answer
exactly as the pandas-per-figure versions they replaced
(prevention_charts_reference): the whole card as the browser receives it, over
many random tier summaries, reach series and breakdowns, ties, zeros, missing
plans, quarters still running and marked events included."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest
from dash._utils import to_json

from components import prevention_charts as new
from components.chart import chart_card
from data_access import periods
from data_access.activity.activity_filters import TIER_LABELS
from data_access.areas import AreaInfo
from data_access.models import TIERS
from tests.components import prevention_charts_reference as old

CASES = 150


def _answer(spec) -> str:
    return to_json(chart_card(spec))


def _columns(frame: pd.DataFrame) -> dict[str, list]:
    """A frame as area_view hands the charts its summary and reach: columns
    of plain lists."""
    return {name: frame[name].tolist() for name in frame.columns}


def _same(old_spec, new_spec) -> None:
    pd.testing.assert_frame_equal(old_spec.table, new_spec.table, check_exact=True)
    assert _answer(old_spec) == _answer(new_spec)


def _summary(rng: random.Random) -> pd.DataFrame:
    """A tier_summary frame: small values so that ties and zeros are common."""
    spend = [rng.choice([0.0, 0.0, 1250.5, 99.99, 40000.0, 0.005]) for _ in TIERS]
    total = sum(spend)
    plan = rng.random() < 0.5
    planned = [
        rng.choice([0.0, 1000.0, 2333.33]) if plan else float("nan") for _ in TIERS
    ]
    total_plan = sum(planned) if plan else 0.0
    return pd.DataFrame(
        {
            "tier": list(TIERS),
            "tier_label": [TIER_LABELS[t] for t in TIERS],
            "interventions": [rng.randint(0, 3) for _ in TIERS],
            **{
                name: [rng.choice([0, 0, 5, 12, 12]) for _ in TIERS]
                for name in (
                    "young_people_supported",
                    "young_people_under25",
                    "referrals",
                    "sessions",
                    "completions",
                    "staff_trained",
                )
            },
            "spend": spend,
            "spend_share": [s / total if total else float("nan") for s in spend],
            "planned": planned,
            "planned_share": [
                p / total_plan if total_plan else float("nan") for p in planned
            ],
            "illustrative": [rng.random() < 0.3 for _ in TIERS],
        }
    )


def _reach(rng: random.Random) -> pd.DataFrame:
    """area_view's reach: quarters x the tiers present, some still running."""
    first = dt.date(2023, 4, 1)
    starts = [
        dt.date(first.year + (first.month - 1 + 3 * q) // 12, (3 * q + 3) % 12 + 1, 1)
        for q in range(rng.randint(0, 6))
    ]
    running_from = rng.randint(0, len(starts))
    rows = []
    for index, start in enumerate(starts):
        for tier in TIERS:
            if rng.random() < 0.8:
                rows.append(
                    {
                        "period_start": start,
                        "period": periods.quarter_label(start),
                        "tier": tier,
                        "tier_label": TIER_LABELS[tier],
                        "value": rng.choice([0, 7, 7, 30]),
                        "illustrative": rng.random() < 0.2,
                        "period_end": periods.quarter_end(start),
                        "complete": index < running_from,
                    }
                )
    columns = [
        "period_start",
        "period",
        "tier",
        "tier_label",
        "value",
        "illustrative",
        "period_end",
        "complete",
    ]
    return pd.DataFrame(rows, columns=columns)


def _events(rng: random.Random, reach: pd.DataFrame):
    if reach.empty or rng.random() < 0.5:
        return None if rng.random() < 0.5 else pd.DataFrame()
    day = rng.choice(reach["period_start"].tolist()) + dt.timedelta(days=10)
    return pd.DataFrame(
        [
            {
                "id": 1,
                "event_date": day,
                "kind": "other",
                "kind_label": "Other event",
                "label": "Knife amnesty",
                "area_code": "E23000036",
                "area_name": "Avon and Somerset",
                "measure_code": None,
                "is_public": True,
                "text": "",
            }
        ]
    )


def _breakdown(rng: random.Random) -> pd.DataFrame:
    """area_breakdown: up to 30 rows (past numpy's 16-row insertion sort) with
    equal spends."""
    rows = [
        {
            "code": f"E0600{n:04d}",
            "name": f"Authority {n}",
            "kind": "lad",
            "interventions": rng.randint(0, 4),
            "young_people_supported": rng.choice([0, 3, 3, 90]),
            "spend": rng.choice([0.0, 500.0, 500.0, 120.125]),
            "illustrative": rng.random() < 0.2,
        }
        for n in range(rng.choice([0, 1, 3, 17, 30]))
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "code",
            "name",
            "kind",
            "interventions",
            "young_people_supported",
            "spend",
            "illustrative",
        ],
    )


AREA = AreaInfo(
    code="E23000036",
    name="Avon and Somerset",
    level="pfa",
    parent_code=None,
    parent_name=None,
    is_vru=True,
    vru_start_year=2019,
)


@pytest.mark.parametrize("seed", range(CASES))
def test_tier_charts_answer_as_the_pandas_versions(seed):
    rng = random.Random(seed)
    summary = _summary(rng)
    illustrative = rng.random() < 0.5
    for name in ("_outputs_chart", "_spend_chart"):
        args = ("Avon and Somerset", "2023/24 to 2024/25", illustrative)
        _same(
            getattr(old, name)(summary, *args),
            getattr(new, name)(_columns(summary), *args),
        )


@pytest.mark.parametrize("seed", range(CASES))
def test_reach_chart_answers_as_the_pandas_version(seed):
    rng = random.Random(seed)
    reach = _reach(rng)
    events = _events(rng, reach)
    age = rng.choice(["all", "under25"])
    args = ("Avon and Somerset", "2023/24", age, events)
    _same(old._reach_chart(reach, *args), new._reach_chart(_columns(reach), *args))


@pytest.mark.parametrize("seed", range(CASES))
def test_breakdown_chart_answers_as_the_pandas_version(seed):
    rng = random.Random(seed)
    breakdown = _breakdown(rng)
    totals = {"spend": float(breakdown["spend"].sum())}
    reconciles = rng.random() < 0.8
    args = (totals, AREA, "2023/24", reconciles)
    _same(
        old._breakdown_chart(breakdown, *args),
        new._breakdown_chart(_columns(breakdown), *args),
    )
