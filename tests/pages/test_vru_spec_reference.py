"""web.compare_charts.vru_spec (issue 19: the two groups' rows taken apart once
as plain lists) builds the chart, table, title and summary the pandas road it
replaced built (kept here), for every shipped measure with a VRU comparison and
over random pairs of groups: missing rates and intervals, falls and rises,
areas left out or none, significant tests or not."""

from __future__ import annotations

import json
import math
import random

import pandas as pd
import pytest

from components.bar_figures import bar_figure
from components.chart import ChartSpec, chart_card
from components.formatting import number, percent, rate
from data_access.outcomes import vru_groups
from data_access.scope import SYSTEM
from web.compare_charts import PAGE, per_label, vru_spec


def _old_vru_spec(measure: dict, frame: pd.DataFrame, relative: dict) -> ChartSpec:
    """web.compare_charts.vru_spec before issue 19's round 5 (commit fe1bde1)."""
    per = per_label(measure)
    baseline_label = frame["baseline_label"].iloc[0]
    latest_label = frame["latest_label"].iloc[0]
    long = pd.DataFrame(
        [
            {
                "Group": r.group_label,
                "Period": getattr(r, f"{w}_label"),
                "Rate": getattr(r, f"{w}_rate"),
            }
            for r in frame.itertuples()
            for w in ("baseline", "latest")
        ]
    )
    figure = bar_figure(
        long,
        x="Group",
        y="Rate",
        color="Period",
        barmode="group",
        x_title=None,
        y_title=f"Rate {per} population (pooled)",
        value_formatter=lambda v: rate(v, 1),
        height=380,
    )
    vru = frame[frame["group"] == "vru"].iloc[0]
    non = frame[frame["group"] == "non_vru"].iloc[0]
    title = (
        f"{measure['name']}: the rate changed by "
        f"{percent(vru['percent_change'], 0)} in VRU areas and by "
        f"{percent(non['percent_change'], 0)} in non-VRU areas between "
        f"{baseline_label} and {latest_label}."
    ).replace("by -", "by minus ")
    table = pd.DataFrame(
        {
            "Group": frame["group_label"],
            "Areas pooled": frame["n_areas"],
            "Left out (no figure for every year)": frame["areas_left_out"].replace(
                "", "None"
            ),
            f"Baseline {baseline_label}: count": frame["baseline_count"].round(0),
            f"Baseline rate {per}": frame["baseline_rate"].round(1),
            "Baseline 95% CI": [
                f"{rate(a)} to {rate(b)}"
                for a, b in zip(
                    frame["baseline_lower"], frame["baseline_upper"], strict=True
                )
            ],
            f"Latest {latest_label}: count": frame["latest_count"].round(0),
            f"Latest rate {per}": frame["latest_rate"].round(1),
            "Latest 95% CI": [
                f"{rate(a)} to {rate(b)}"
                for a, b in zip(
                    frame["latest_lower"], frame["latest_upper"], strict=True
                )
            ],
            "Rate ratio (latest / baseline)": frame["rate_ratio"].round(3),
            "Rate ratio 95% CI": [
                f"{number(a, 3)} to {number(b, 3)}"
                for a, b in zip(frame["ratio_lower"], frame["ratio_upper"], strict=True)
            ],
            "Change": frame["direction"].str.capitalize(),
        }
    )
    summary = (
        f"Pooled rate {per}: VRU areas {rate(vru['baseline_rate'])} in "
        f"{baseline_label} and {rate(vru['latest_rate'])} in {latest_label}; "
        f"non-VRU areas {rate(non['baseline_rate'])} and "
        f"{rate(non['latest_rate'])}."
    )
    if not math.isnan(relative["ratio"]):
        summary += (
            f" Compared area by area ({relative['method']}, "
            f"{relative['n_vru']} VRU and {relative['n_non_vru']} non-VRU areas), "
            f"the VRU areas' typical rate ratio divided by the non-VRU areas' is "
            f"{number(relative['ratio'], 3)} (95% CI {number(relative['lower'], 3)} "
            f"to {number(relative['upper'], 3)}, p = {number(relative['p_value'], 2)}"
            "): "
            + (
                "the two groups changed by significantly different amounts."
                if relative["significant"]
                else "no significant difference between the groups' changes."
            )
        )
    return ChartSpec(
        chart_id=f"{PAGE}-vru-chart",
        title=title,
        caption=(
            f"{measure['name']}, pooled rate {per} (sum of counts over sum of "
            f"populations) of the 18 areas funded from 2019/20 and of the non-VRU "
            f"areas; Cleveland and Humberside, funded from 2022/23, are in neither "
            f"group. Baseline {baseline_label}, latest {latest_label}. Each "
            "group's change is tested allowing for year-to-year overdispersion "
            "(quasi-Poisson); whether the groups' changes differ is tested with "
            f"the area as the unit ({relative['method']})."
        ),
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(frame["illustrative"].any()),
        csv_filename=f"{measure['code']}-vru-vs-non-vru.csv",
    )


def _same(measure: dict, frame: pd.DataFrame, relative: dict) -> None:
    old = _old_vru_spec(measure, frame, relative)
    new = vru_spec(measure, frame, relative)
    pd.testing.assert_frame_equal(new.table, old.table, check_exact=True)
    for field in ("chart_id", "title", "caption", "summary", "illustrative"):
        assert getattr(new, field) == getattr(old, field), field
    assert new.csv_filename == old.csv_filename
    assert json.dumps(new.figure, default=str, sort_keys=True) == json.dumps(
        old.figure, default=str, sort_keys=True
    )
    assert json.dumps(
        chart_card(new).to_plotly_json(), default=str, sort_keys=True
    ) == json.dumps(chart_card(old).to_plotly_json(), default=str, sort_keys=True)


def test_vru_spec_is_the_old_road_for_every_shipped_measure(loaded_store):
    compared = 0
    for code in ("knife_offences", "hospital_admissions_knife", "homicide_knife"):
        measure, frame, relative = vru_groups.vru_comparison(
            scope=SYSTEM, measure_code=code
        )
        if frame.empty:
            continue
        _same(measure, frame, relative)
        compared += 1
    assert compared >= 2


def _value(rng: random.Random, scale: float) -> float:
    return rng.choice([math.nan, rng.random() * scale, rng.random() * scale, 0.0])


def _random_comparison(rng: random.Random) -> tuple[dict, pd.DataFrame, dict]:
    rows = []
    groups = [("vru", "VRU areas funded from 2019/20"), ("non_vru", "Non-VRU areas")]
    if rng.random() < 0.3:
        groups.reverse()
    for group, label in groups:
        row = {
            "group": group,
            "group_label": label,
            "n_areas": rng.randint(0, 25),
            "areas_left_out": rng.choice(["", "City of London", "A, B"]),
        }
        for window in ("baseline", "latest"):
            row.update(
                {
                    f"{window}_label": rng.choice(
                        ["2016/17 to 2018/19", "2022/23 to 2024/25"]
                    ),
                    f"{window}_count": float(rng.randint(0, 90000))
                    + rng.choice([0, 0.5]),
                    f"{window}_population": float(rng.randint(1, 9_000_000)),
                    f"{window}_rate": _value(rng, 500),
                    f"{window}_lower": _value(rng, 500),
                    f"{window}_upper": _value(rng, 500),
                }
            )
        row.update(
            rate_ratio=_value(rng, 3),
            ratio_lower=_value(rng, 3),
            ratio_upper=_value(rng, 3),
            percent_change=rng.choice([math.nan, rng.uniform(-80, 80), -0.4, 0.0]),
            direction=rng.choice(
                ["increase", "decrease", "no significant change", "not compared"]
            ),
            illustrative=rng.random() < 0.5,
        )
        rows.append(row)
    measure = {
        "code": "m",
        "name": rng.choice(["Knife offences", "Homicide"]),
        "rate_multiplier": rng.choice([100_000, 1_000_000, 1000.0]),
        # a rate's unit, as every measure record has one (a share's "%" has no
        # VRU comparison)
        "unit": rng.choice(["offences", "homicides"]),
        "ci_method": "byar",
    }
    ratio = rng.choice([math.nan, rng.uniform(0.5, 1.5)])
    relative = {
        "ratio": ratio,
        "lower": ratio * 0.9,
        "upper": ratio * 1.1,
        "p_value": rng.random(),
        "df": 30.0,
        "n_vru": 18,
        "n_non_vru": 22,
        "significant": rng.random() < 0.5,
        "method": vru_groups.DID_METHOD,
    }
    return measure, pd.DataFrame(rows), relative


@pytest.mark.parametrize("seed", range(150))
def test_vru_spec_is_the_old_road_over_random_groups(seed):
    _same(*_random_comparison(random.Random(seed)))
