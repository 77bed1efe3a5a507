"""The funnel plot's points, placed in bands from plain lists (issue 19), are the
ones the pandas road it replaced placed, over many random sets of areas: the
same areas in each band, in the same order, at the same x and y, with the same
labels and hover texts (missing, suppressed and far-out values included)."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
import pytest

from components.axis_clip import OVERFLOW_MARK
from components.benchmark_figures import (
    FUNNEL_BANDS,
    FUNNEL_LIMIT_COLUMNS,
    _funnel_band,
    funnel_figure,
)
from components.figure_layout import _default_formatter, _numeric
from components.formatting import rate


def _pandas_road(df, *, x, y, label, limits_df, y_top, fmt=None):
    """funnel_figure's band points as it worked them out before issue 19
    (commit d6190a9): {band: (x, y, texts, hovertexts)}."""
    limits = limits_df.sort_values(x)
    lxs = limits[x].astype(float).to_numpy()
    data = df.copy()
    data["_x"] = _numeric(data[x])
    data["_y"] = _numeric(data[y])
    data = data[data["_x"].notna() & data["_y"].notna()]
    fmt = fmt or _default_formatter(data["_y"])

    def at(column, xs):
        return np.interp(xs.astype(float), lxs, limits[column].astype(float))

    bounds = {c: at(c, data["_x"]) for c in FUNNEL_LIMIT_COLUMNS}
    data["_band"] = [
        _funnel_band(v, lo95, hi95, lo998, hi998)
        for v, lo95, hi95, lo998, hi998 in zip(
            data["_y"],
            bounds["lower_95"],
            bounds["upper_95"],
            bounds["lower_998"],
            bounds["upper_998"],
            strict=True,
        )
    ]
    out = {}
    for key, (name, _symbol, _colour) in FUNNEL_BANDS.items():
        part = data[data["_band"] == key]
        if part.empty:
            continue
        past = [y_top is not None and v > y_top for v in part["_y"]]
        texts = [
            f"{lab} {OVERFLOW_MARK} {fmt(v)}"
            if over
            else (str(lab) if key.endswith("998") else "")
            for lab, v, over in zip(part[label], part["_y"], past, strict=True)
        ]
        labelled = key.endswith("998") or any(past)
        out[name] = (
            part["_x"].to_numpy(dtype=float).tolist(),
            [y_top if over else v for v, over in zip(part["_y"], past, strict=True)],
            texts if labelled else None,
            [
                f"{lab}: {fmt(v)}<br>{name}"
                for lab, v in zip(part[label], part["_y"], strict=True)
            ],
        )
    return out


def _from_figure(figure) -> dict:
    out = {}
    for trace in figure["data"]:
        if trace.get("meta", {}).get("role") != "band":
            continue
        xs = trace["x"]
        if isinstance(xs, dict):  # a typed array, as plotly sends it
            import base64

            xs = np.frombuffer(base64.b64decode(xs["bdata"]), dtype=xs["dtype"])
        out[trace["name"]] = (
            [float(v) for v in xs],
            list(trace["y"]),
            trace.get("text"),
            list(trace["hovertext"]),
        )
    return out


def _random_case(rng: random.Random):
    n = rng.randint(0, 30)

    def value(low, high):
        roll = rng.random()
        if roll < 0.06:
            return None
        if roll < 0.1:
            return math.nan
        if roll < 0.13:
            return "*"  # a suppressed figure
        if roll < 0.2:
            return rng.randint(int(low), int(high))
        return rng.uniform(low, high)

    frame = pd.DataFrame(
        {
            "name": [f"Area {i}" for i in range(n)],
            "population": pd.Series([value(500, 2e6) for _ in range(n)], dtype=object),
            "rate": pd.Series([value(0, 120) for _ in range(n)], dtype=object),
        }
    )
    grid = np.geomspace(400, 3e6, rng.randint(2, 60))
    bench = rng.uniform(5, 60)
    spread = rng.uniform(0.2, 3)
    limits = pd.DataFrame(
        {
            "population": grid,
            "lower_95": bench - spread * 300 / np.sqrt(grid),
            "upper_95": bench + spread * 300 / np.sqrt(grid),
            "lower_998": bench - spread * 500 / np.sqrt(grid),
            "upper_998": bench + spread * 500 / np.sqrt(grid),
        }
    ).sample(frac=1, random_state=rng.randint(0, 10**6))  # unsorted, as it may come
    y_top = rng.choice([None, rng.uniform(10, 100)])
    fmt = rng.choice([None, lambda v: rate(v, 1)])
    return frame, limits, bench, y_top, fmt


@pytest.mark.parametrize("seed", range(300))
def test_funnel_points_are_the_pandas_ones(seed):
    frame, limits, bench, y_top, fmt = _random_case(random.Random(seed))
    figure = funnel_figure(
        frame,
        x="population",
        y="rate",
        label="name",
        limits_df=limits,
        benchmark=bench,
        value_formatter=fmt,
        y_top=y_top,
    )
    expected = _pandas_road(
        frame,
        x="population",
        y="rate",
        label="name",
        limits_df=limits,
        y_top=y_top,
        fmt=fmt,
    )
    assert _from_figure(figure) == expected
