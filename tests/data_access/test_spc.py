"""SPC engine against NHSRplotthedots' published example, hand-worked rule
boundaries and an independent implementation written here from the R package's
algorithm (vectorised with padding, as the R code is, rather than run-scanning as
data_access.spc is)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data_access import spc
from data_access.spc import StepChange, spc_chart

# NHSRplotthedots vignette "outliers": screen_outliers = TRUE by default gives
# UPL 4.6, mean 1.94, LPL -0.72. By hand: mean 35 / 18 = 1.944; the 17 moving
# ranges are 1,1,1,8,9 and twelve 1s (mean 32/17 = 1.882); 8 and 9 exceed
# 3.267 x 1.882 = 6.15 and are dropped, leaving a mean moving range of 1, so the
# limits are 1.944 +/- 2.66.
VIGNETTE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def _rules(result) -> list[str]:
    return list(result["points"]["rules"])


def test_published_example_limits_with_outlier_screening():
    result = spc_chart(values=VIGNETTE, polarity="higher_is_better")
    points = result["points"]
    assert round(points["centre"].iloc[0], 2) == 1.94
    assert round(points["upper"].iloc[0], 2) == 4.6
    assert round(points["lower"].iloc[0], 2) == -0.72
    # Without screening the 8 and 9 would widen the limits to 1.944 + 2.66 x 1.882.
    assert points["upper"].iloc[0] < 1.944 + 2.66 * 1.882 - 2
    assert points["point_type"].iloc[4] == "special cause improving"
    assert _rules(result)[4] == "outside limits"
    assert set(points["point_type"].drop(index=4)) == {"common cause"}
    # The last point is common cause, so the icon says so.
    assert result["variation"] == "common cause"


def test_polarity_decides_improving_or_concerning():
    lower = spc_chart(values=VIGNETTE, polarity="lower_is_better")
    assert lower["points"]["point_type"].iloc[4] == "special cause concerning"
    neutral = spc_chart(values=VIGNETTE, polarity="no_judgement")
    assert neutral["points"]["point_type"].iloc[4] == "special cause high"


BASE = [12, 10] * 6  # 12 points, mean 11, alternating, ending below the mean


def test_run_of_seven_on_one_side_fires_and_six_does_not():
    # Mean of BASE + seven 11.9s = (132 + 83.3) / 19 = 11.33: all 11.9s above it.
    seven = spc_chart(values=BASE + [11.9] * 7, polarity="higher_is_better")
    assert all("run of 7" in r for r in _rules(seven)[12:])
    assert not any("run of 7" in r for r in _rules(seven)[:12])
    six = spc_chart(values=BASE + [11.9] * 6, polarity="higher_is_better")
    assert not any("run of 7" in r for r in _rules(six))


def test_a_point_on_the_centre_line_breaks_a_run():
    # BASE's mean is 11; 3 + 3 points above it split by one exactly on it
    # (mean of the whole series: (132 + 6 x 11.5 + 11) / 19 = 11.158 - so use a
    # series whose mean is exactly 11: the split point and its mirror balance).
    values = [12, 10] * 6 + [11.5, 11.5, 11.5, 11, 11.5, 11.5, 11.5, 8]
    # sum = 132 + 69 + 11 + 8 = 220 over 20 points: mean 11 exactly.
    result = spc_chart(values=values, polarity="higher_is_better")
    assert result["points"]["centre"].iloc[0] == 11
    assert not any("run of 7" in r for r in _rules(result))


def test_trend_of_seven_rising_fires_six_does_not_and_ties_break_it():
    # BASE ends on 10, so the climb starts with a fall to 9.6 and has 7 points.
    rising7 = BASE + [9.6, 9.8, 10.0, 10.2, 10.4, 10.6, 10.8]
    result = spc_chart(values=rising7, polarity="lower_is_better")
    assert all("trend of 7" in r for r in _rules(result)[12:])
    assert "trend of 7" not in _rules(result)[11]
    rising6 = BASE + [9.6, 9.8, 10.0, 10.2, 10.4, 10.6]
    assert not any(
        "trend of 7" in r
        for r in _rules(spc_chart(values=rising6, polarity="lower_is_better"))
    )
    tied = BASE + [9.6, 9.8, 10.0, 10.0, 10.2, 10.4, 10.6]
    assert not any(
        "trend of 7" in r
        for r in _rules(spc_chart(values=tied, polarity="lower_is_better"))
    )


def test_exactly_on_a_limit_is_not_outside_and_two_of_three_boundaries():
    centre, sigma = np.zeros(3), np.ones(3)
    # Limit 3 sigma (the Laney charts'), two-sigma line at 2.
    on_limit = spc._segment_rules(np.array([3.0, 0.1, -0.1]), centre, sigma, 3.0)
    assert not on_limit["outside limits"].any()
    just_over = spc._segment_rules(np.array([3.000001, 0.1, -0.1]), centre, sigma, 3.0)
    assert just_over["outside limits"][0]
    # Two of three beyond 2 sigma, all three on one side: both near points fire.
    two = spc._segment_rules(np.array([2.5, 0.5, 2.5]), centre, sigma, 3.0)
    assert list(two["2 of 3 near a limit"]) == [True, False, True]
    # Exactly on the two-sigma line is not beyond it.
    on_line = spc._segment_rules(np.array([2.0, 0.5, 2.5]), centre, sigma, 3.0)
    assert not on_line["2 of 3 near a limit"].any()
    # Not all three on one side of the centre line: no signal.
    split = spc._segment_rules(np.array([2.5, -0.5, 2.5]), centre, sigma, 3.0)
    assert not split["2 of 3 near a limit"].any()


def test_minimum_points_eleven_not_assessed_twelve_assessed():
    eleven = spc_chart(values=VIGNETTE[:11], polarity="higher_is_better")
    assert set(eleven["points"]["point_type"]) == {"not assessed"}
    assert eleven["points"]["upper"].isna().all()
    assert eleven["variation"] == "not assessed"
    twelve = spc_chart(values=VIGNETTE[:12], polarity="higher_is_better")
    assert "not assessed" not in set(twelve["points"]["point_type"])


def test_step_change_recalculates_limits_and_is_named():
    before = [10, 12] * 7  # mean 11
    after = [20, 22] * 7  # mean 21
    without = spc_chart(values=before + after, polarity="lower_is_better")
    # One mean of 16 across a level shift: both halves are long runs.
    assert all("run of 7" in r for r in _rules(without))
    step = StepChange(index=14, reason="VRU funding began (2019/20)")
    result = spc_chart(
        values=before + after, polarity="lower_is_better", step_changes=[step]
    )
    assert [s["centre"] for s in result["segments"]] == [11, 21]
    assert result["segments"][1]["reason"] == "VRU funding began (2019/20)"
    assert set(result["points"]["point_type"]) == {"common cause"}
    assert "VRU funding began (2019/20)" in result["method"]
    # Each segment must have enough points of its own.
    short = spc_chart(
        values=before + after[:5],
        polarity="lower_is_better",
        step_changes=[StepChange(index=14, reason="x")],
    )
    assert set(short["points"]["point_type"][14:]) == {"not assessed"}
    assert short["variation"] == "not assessed"


def test_missing_figures_are_skipped_not_zero():
    values = list(VIGNETTE)
    values.insert(8, None)
    result = spc_chart(values=values, polarity="higher_is_better")
    assert result["points"]["point_type"].iloc[8] == "no figure"
    assert round(result["points"]["upper"].iloc[0], 2) == 4.6


@pytest.mark.parametrize(
    ("target", "polarity", "expected"),
    [
        (5.0, "higher_is_better", "consistently failing"),  # above UPL 4.60
        (5.0, "lower_is_better", "consistently passing"),
        (-1.0, "higher_is_better", "consistently passing"),  # below LPL -0.72
        (-1.0, "lower_is_better", "consistently failing"),
        (2.0, "higher_is_better", "hit and miss"),
        (None, "higher_is_better", None),
        (5.0, "no_judgement", None),
    ],
)
def test_assurance_from_target_against_limits(target, polarity, expected):
    result = spc_chart(values=VIGNETTE, polarity=polarity, target=target)
    assert result["assurance"] == expected


@pytest.mark.parametrize(
    ("last", "polarity", "expected"),
    [
        (10, "higher_is_better", "improving high"),
        (10, "lower_is_better", "concerning high"),
        (10, "no_judgement", "special cause high"),
        (-6, "higher_is_better", "concerning low"),
        (-6, "lower_is_better", "improving low"),
    ],
)
def test_variation_icon_from_the_last_point(last, polarity, expected):
    result = spc_chart(values=VIGNETTE + [last], polarity=polarity)
    assert result["variation"] == expected


# --- Laney u' and p'


def _laney_reference(num, den, kind):
    """Laney (2002) limits written out step by step."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    centre = num.sum() / den.sum()
    if kind == "laney_u":
        sigma_i = np.sqrt(centre / den)
    else:
        sigma_i = np.sqrt(centre * (1 - centre) / den)
    z = (num / den - centre) / sigma_i
    moving = [abs(z[i] - z[i - 1]) for i in range(1, len(z))]
    sigma_z = (sum(moving) / len(moving)) / 1.128
    return centre, centre + 3 * sigma_i * sigma_z, centre - 3 * sigma_i * sigma_z


def test_laney_u_prime_limits_match_the_formula_and_widen_for_big_populations():
    rng = np.random.default_rng(7)
    den = rng.integers(900_000, 1_100_000, size=16).astype(float)
    # Rates vary from year to year far more than Poisson allows at this size.
    rates = 60 + rng.normal(0, 15, size=16)
    num = np.round(rates * den / 100_000)
    result = spc_chart(
        numerators=num,
        denominators=den,
        kind="laney_u",
        scale=100_000,
        polarity="lower_is_better",
    )
    centre, upper, lower = _laney_reference(num, den, "laney_u")
    points = result["points"]
    np.testing.assert_allclose(points["centre"], centre * 100_000)
    np.testing.assert_allclose(points["upper"], upper * 100_000)
    np.testing.assert_allclose(points["lower"], lower * 100_000)
    # A plain u chart (sigma_z = 1) would flag most years; Laney's does not.
    plain_upper = centre + 3 * np.sqrt(centre / den)
    plain_lower = centre - 3 * np.sqrt(centre / den)
    rate = num / den
    assert ((rate > plain_upper) | (rate < plain_lower)).sum() >= 6
    assert (points["rules"].str.contains("outside limits")).sum() <= 1


def test_laney_p_prime_limits_match_the_formula():
    num = [45, 52, 38, 61, 49, 55, 40, 47, 58, 50, 44, 53, 90]
    den = [400, 420, 390, 450, 410, 430, 380, 400, 440, 415, 395, 425, 410]
    result = spc_chart(
        numerators=num,
        denominators=den,
        kind="laney_p",
        scale=100,
        polarity="higher_is_better",
    )
    centre, upper, lower = _laney_reference(num, den, "laney_p")
    np.testing.assert_allclose(result["points"]["upper"], upper * 100)
    np.testing.assert_allclose(result["points"]["lower"], lower * 100)
    assert result["points"]["rules"].iloc[-1] == "outside limits"
    assert result["variation"] == "improving high"
    with pytest.raises(ValueError):
        spc_chart(
            numerators=[5, 11],
            denominators=[10, 10],
            kind="laney_p",
            polarity="higher_is_better",
        )


# --- an independent implementation of the XmR rules


def _reference_xmr(y: np.ndarray) -> list[bool]:
    """NHSRplotthedots' ptd_spc_standard + ptd_special_cause_flag, transcribed with
    its padding style, for one segment of 12 or more points."""
    mean = y.mean()
    mr = np.abs(np.diff(y))
    amr = mr.mean()
    kept = mr[mr < 3.267 * amr]
    amr = kept.mean() if kept.size else amr
    upl, lpl = mean + 2.66 * amr, mean - 2.66 * amr
    nupl, nlpl = mean + (2 * 2.66 / 3) * amr, mean - (2 * 2.66 / 3) * amr
    outside = (y > upl) | (y < lpl)
    rtm = np.sign(y - mean)
    close = ~outside & ((y < nlpl) | (y > nupl))
    n = len(y)
    # seven on one side: point i ends a run if it and the 6 before share a sign.
    vp = np.concatenate([np.zeros(6), rtm])
    end_side = [
        vp[i] != 0 and all(vp[i] == vp[i - k] for k in range(1, 7))
        for i in range(6, n + 6)
    ]
    # seven-point trend: point i ends 6 successive rises or falls.
    end_trend = [False] * n
    for i in range(6, n):
        d = np.sign(np.diff(y[i - 6 : i + 1]))
        end_trend[i] = bool(np.all(d == 1) or np.all(d == -1))

    def part_of(ends):
        padded = list(ends) + [False] * 6
        return [any(padded[i : i + 7]) for i in range(n)]

    cp = np.concatenate([[0, 0], close.astype(int), [0, 0]])
    rp = np.concatenate([[0, 0], rtm, [0, 0]])
    in_two_of_three = [
        any(
            cp[i + a : i + a + 3].sum() >= 2 and abs(rp[i + a : i + a + 3].sum()) == 3
            for a in (0, 1, 2)
        )
        for i in range(n)
    ]
    side, trend = part_of(end_side), part_of(end_trend)
    return [
        bool(outside[i] or side[i] or trend[i] or (in_two_of_three[i] and close[i]))
        for i in range(n)
    ]


@pytest.mark.parametrize("seed", range(60))
def test_xmr_flags_agree_with_the_independent_implementation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(12, 40))
    # Small integers make ties, points on the mean and runs common.
    y = rng.integers(0, 6, size=n).astype(float)
    if seed % 3 == 0:
        y[n // 2 :] += rng.integers(1, 4)  # a shift that runs should catch
    if seed % 5 == 0:
        y[-8:] = np.sort(y[-8:]) + np.arange(8) * 0.01  # a climb for the trend rule
    result = spc_chart(values=y, polarity="higher_is_better")
    flagged = [t != "common cause" for t in result["points"]["point_type"]]
    assert flagged == _reference_xmr(y)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        spc_chart(values=[1.0, math.inf] * 6, polarity="higher_is_better")
    with pytest.raises(ValueError):
        spc_chart(values=VIGNETTE, polarity="up")
    with pytest.raises(ValueError):
        spc_chart(values=VIGNETTE, polarity="higher_is_better", kind="c")
    with pytest.raises(ValueError):
        spc_chart(
            values=VIGNETTE,
            polarity="higher_is_better",
            step_changes=[StepChange(index=40, reason="x")],
        )
