"""The SPC chart's verdicts (spc._variation, spc._assurance) read off the
chart's arrays give what they gave when they filtered the chart's frame of
points and read its last row (issue 19: CPU per uncached answer).

The replaced code is copied below ("as it was") and is the reference: both run
over 300 random series (XmR and Laney charts, shifts, gaps, step changes, both
polarities and none, targets above, below and inside the limits).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from data_access import spc

# --------------------------------------------------------------------- as it was


def _old_variation(points: pd.DataFrame, direction: int) -> str:
    shown = points[points["point_type"] != "no figure"]
    if shown.empty or shown["point_type"].iloc[-1] == "not assessed":
        return "not assessed"
    last = shown.iloc[-1]
    if last["point_type"] == "common cause":
        return "common cause"
    high = "high" if last["value"] > last["centre"] else "low"
    if direction == 0:
        return f"special cause {high}"
    kind = (
        "improving" if last["point_type"] == "special cause improving" else "concerning"
    )
    return f"{kind} {high}"


def _old_assurance(
    points: pd.DataFrame, direction: int, target: float | None
) -> str | None:
    if target is None or direction == 0:
        return None
    shown = points[~points["upper"].isna()]
    if shown.empty or points["point_type"].iloc[-1] == "not assessed":
        return None
    last = shown.iloc[-1]
    if target > last["upper"]:
        return "consistently failing" if direction > 0 else "consistently passing"
    if target < last["lower"]:
        return "consistently passing" if direction > 0 else "consistently failing"
    return "hit and miss"


# ------------------------------------------------------------ random series


@pytest.mark.parametrize("seed", range(3))
def test_the_verdicts_are_what_the_frame_of_points_gave(seed):
    """spc_chart's variation and assurance against their frame forms over the
    chart's own points, 100 random series each (300 in all)."""
    rng = np.random.default_rng(seed)
    seen = set()
    for _ in range(100):
        n = int(rng.integers(0, 40))
        kind = str(rng.choice(["xmr", "laney_u", "laney_p"]))
        polarity = str(
            rng.choice(["lower_is_better", "higher_is_better", "no_judgement"])
        )
        # a level that shifts now and then, so that special causes come up
        level = rng.uniform(20, 400) * rng.choice([1.0, 1.6, 0.6], n).cumprod() ** 0.3
        populations = rng.integers(500_000, 1_500_000, n).astype(float)
        counts = rng.poisson(level).astype(float)
        counts[rng.random(n) < 0.1] = math.nan  # gaps
        if kind == "laney_p":
            populations = counts + rng.integers(0, 2000, n)
        steps = (
            sorted(set(rng.integers(1, n, int(rng.integers(0, 3))))) if n > 1 else []
        )
        step_changes = [spc.StepChange(index=int(i), reason="a step") for i in steps]
        centre = float(np.nanmean(counts)) if n and not np.isnan(counts).all() else 1
        target = rng.choice([None, centre, centre * 0.3, centre * 3, centre * 1.05])
        options = {"polarity": polarity, "step_changes": step_changes}
        if kind == "xmr":
            chart = spc.spc_chart(values=counts, target=target, **options)
        else:
            scale = 100.0 if kind == "laney_p" else 100_000.0
            if kind == "laney_p":
                target = None if target is None else 50.0 * rng.uniform(0.5, 1.5)
            chart = spc.spc_chart(
                kind=kind,
                numerators=counts,
                denominators=populations,
                scale=scale,
                target=target,
                **options,
            )
        direction = spc._improvement_sign(polarity)
        points = chart["points"]
        assert isinstance(points, pd.DataFrame)
        assert chart["variation"] == _old_variation(points, direction)
        assert chart["assurance"] == _old_assurance(points, direction, target)
        seen.add(chart["variation"])
        seen.add(chart["assurance"])
    # the series reach the verdicts (else this test proves less than it says)
    assert len(seen) >= 8, seen
