"""The board overview's figures for one area: every success measure's headline,
money (the one forecast, data_access.money), reach by tier and what changed since
the last quarter, in one call (`overview_summary`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from data_access import periods, spc, trend_spc
from data_access.activity import reach_rule
from data_access.areas import AreaInfo, funding_start_of, get_area
from data_access.errors import AccessDenied
from data_access.measures import get_measure, success_measure_records
from data_access.money import outturn, spending
from data_access.number_format import money_text
from data_access.outcomes.area_trends import (
    _area_series,
    funding_start,
    series_breaks,
)
from data_access.outcomes.headlines import _headline, _region_headline, _with_value
from data_access.scope import Scope

# ---------------------------------------------------------------- overview


def _reach_by_quarter(scope: Scope, area_code: str) -> pd.DataFrame:
    """reach_rule.reach_over_time (young people supported, all ages, by quarter and
    tier) with the value as a float `young_people`."""
    frame = reach_rule.reach_over_time(scope=scope, area_code=area_code)
    # the counts (whole numbers, never missing: reach_rule.reach_rows) as a
    # float array: astype(float) made a Series only to be assigned
    young = frame["value"].to_numpy(dtype=float)
    return frame.assign(young_people=young)


def reach_by_tier(*, scope: Scope, area_code: str) -> dict[str, Any]:
    """Young people supported by tier in the latest financial year with outputs.

    Keys: financial_year, quarters (how many reported), tiers (DataFrame: tier,
    young_people, in primary / secondary / tertiary order), total, illustrative.
    The reach itself is reach_rule.reach_over_time (the one reach rule)."""
    return _reach_totals(_reach_by_quarter(scope, area_code))


TIERS = ("primary", "secondary", "tertiary")


def _reach_totals(frame: pd.DataFrame) -> dict[str, Any]:
    """reach_by_tier from the area's reach by quarter (`_reach_by_quarter`).

    Over the frame's columns as plain lists (a few dozen rows): a groupby and
    a reindex for three sums cost more than the rest of the overview's reach
    (issue 19). Reach is counted people (whole numbers), so any order of
    adding gives the same sums; a missing figure adds nothing, as pandas sums."""
    if frame.empty:
        return {
            "financial_year": None,
            "quarters": 0,
            "tiers": pd.DataFrame(columns=["tier", "young_people"]),
            "total": 0.0,
            "illustrative": False,
        }
    fy_of = [periods.financial_year_of(start) for start in frame["period_start"]]
    latest = max(fy_of)
    rows = [
        (start, tier, people, illustrative)
        for fy, start, tier, people, illustrative in zip(
            fy_of,
            frame["period_start"].tolist(),
            frame["tier"].tolist(),
            frame["young_people"].tolist(),
            frame["illustrative"].tolist(),
            strict=True,
        )
        if fy == latest
    ]
    by_tier = dict.fromkeys(TIERS, 0.0)
    for _, tier, people, _ in rows:
        if tier in by_tier and not math.isnan(people):
            by_tier[tier] += people
    tiers = pd.DataFrame(
        {"tier": list(by_tier), "young_people": list(by_tier.values())}
    )
    return {
        "financial_year": int(latest),
        "quarters": len({start for start, *_ in rows}),
        "tiers": tiers,
        "total": float(sum(by_tier.values())),
        "illustrative": any(bool(row[3]) for row in rows),
    }


def _pct_change(old: float, new: float) -> str:
    if not old:
        return ""
    change = (new - old) / old * 100
    if round(abs(change)) == 0:
        return " (little change)"
    return f" ({'up' if change > 0 else 'down'} {abs(change):.0f}%)"


def _variation_words(variation: str) -> str:
    """A variation (data_access.spc.VARIATIONS) as a sentence to follow a
    two-quarter comparison, so a change is never presented without saying
    whether it is signal or noise."""
    words = spc.VARIATION_WORDS[variation]
    return f" Against normal variation (SPC): {words[0].lower()}{words[1:]}."


def _quarter_change(lead: str, words, quarters: list, variation: str) -> str:  # noqa: ANN001
    """The overview's sentence on a quarterly figure (spend, young people
    supported): the latest complete quarter against the one before, the change in
    per cent, whether it is signal or noise (`variation`), and "(illustrative
    data)" if either figure is. `quarters`: [(first day, figure, illustrative)] of
    the two quarters, earlier first; `words` writes a figure."""
    (p_start, prev, p_illustrative), (l_start, last, l_illustrative) = quarters
    text = (
        f"{lead} {words(last)} in {periods.quarter_label(l_start)}, against "
        f"{words(prev)} in {periods.quarter_label(p_start)}"
        + _pct_change(prev, last)
        + "."
        + _variation_words(variation)
    )
    return text + (" (illustrative data)" if l_illustrative or p_illustrative else "")


def _knife_variation(knife_measure: dict, area: AreaInfo, knife: pd.DataFrame) -> str:
    """The latest quarter of the knife offences series judged as the /violence
    SPC view judges it (`trend_spc`, the one SPC road: the rate on a Laney u'
    chart, limits recalculated where VRU funding began, at marked breaks and
    where published figures give way to illustrative ones)."""
    view = {
        "measure": knife_measure,
        "series": knife.assign(role="area", suppressed=False),
        "funding_start": funding_start(area_code=area.code, length="quarter"),
        "breaks": series_breaks(
            measure_code=knife_measure["code"], area_code=area.code, series=knife
        ),
    }
    return trend_spc.trend_variation(view)


def changes_since_last_quarter(*, scope: Scope, area_code: str) -> list[str]:
    """Plain sentences on what changed between the latest two quarters: knife
    offences, spend and young people supported (the last two only within scope).
    Each sentence ends "(illustrative data)" when its figures are illustrative."""
    knife = get_measure("knife_offences", scope=scope)
    return _changes(scope, knife, get_area(area_code))


def _changes(
    scope: Scope,
    knife_measure: dict,
    area: AreaInfo,
    reach: pd.DataFrame | None = None,
) -> list[str]:
    """changes_since_last_quarter with the knife offences measure and the area
    already looked up, and the area's reach by quarter (`_reach_by_quarter`)
    when the caller has read it."""
    sentences: list[str] = []
    knife = _area_series(scope, knife_measure, area, "quarter", "all")
    with_value = _with_value(knife)
    if len(with_value) < len(knife):  # (a filter keeping every row costs a frame)
        knife = knife.iloc[with_value]
    if len(knife) >= 2:
        # The two latest quarters' figures by column (a row of a mixed frame is
        # a Series made per access); the same numpy values the rows held.
        (prev, last), (prev_period, last_period) = (
            knife["value"].to_numpy()[-2:],
            knife["period"].to_numpy()[-2:],
        )
        verb = "rose" if last > prev else "fell" if last < prev else "stayed"
        short = knife_measure["short_name"]
        text = (
            f"{short} {verb} from {prev:,.0f} in {prev_period} "
            f"to {last:,.0f} in {last_period}"
            if verb != "stayed"
            else f"{short} stayed at {last:,.0f} in {last_period}"
        )
        text += _pct_change(prev, last) + "."
        text += _variation_words(_knife_variation(knife_measure, area, knife))
        if knife["illustrative"].to_numpy()[-2:].any():
            text += " (illustrative data)"
        sentences.append(text)
    if area.level != "pfa":  # spend and reach are recorded against force areas
        return sentences
    try:
        spend = spending.quarter_spend(scope=scope, area_code=area.code)
        reach = _reach_by_quarter(scope, area.code) if reach is None else reach
    except AccessDenied:
        return sentences
    # A quarter still running is a part quarter: not compared (periods.is_complete).
    spend_quarters = _complete_quarters(spend)
    if len(spend_quarters) >= 2:
        sentences.append(
            _quarter_change(
                "Spend was",
                money_text,
                spend_quarters[-2:],
                _spend_variation(area, spend_quarters),
            )
        )
    # As for spend: a quarter still running is a part quarter, not compared.
    reach_quarters = [
        quarter
        for quarter in _reach_quarter_totals(reach)
        if periods.is_complete(periods.quarter_end(quarter[0]))
    ]
    if len(reach_quarters) >= 2:
        sentences.append(
            _quarter_change(
                "Young people supported:",
                lambda n: f"{n:,.0f}",
                reach_quarters[-2:],
                _reach_variation(area, reach_quarters),
            )
        )
    return sentences


def _reach_quarter_totals(reach: pd.DataFrame) -> list[tuple]:
    """[(first day, young people supported, illustrative)] of each quarter of
    the area's reach by quarter (`_reach_by_quarter`: by quarter and tier),
    oldest first: the tiers summed (a missing figure adding nothing, as pandas
    sums), illustrative if any tier's figure is. Plain lists: a few dozen rows,
    where a groupby cost more than the sentences (issue 19)."""
    people: dict = {}
    illustrative: dict = {}
    for start, count, flag in zip(
        reach["period_start"].tolist(),
        reach["young_people"].tolist(),
        reach["illustrative"].tolist(),
        strict=True,
    ):
        people[start] = people.get(start, 0.0) + (0.0 if math.isnan(count) else count)
        illustrative[start] = illustrative.get(start, False) or bool(flag)
    return [(start, people[start], illustrative[start]) for start in sorted(people)]


def _reach_variation(area: AreaInfo, quarters: list[tuple]) -> str:
    """The latest quarter's reach judged by the one SPC road (`spc.series_spc`):
    an XmR chart of the quarterly totals (no denominators), reach being activity,
    neither better nor worse in itself; limits recalculated where VRU funding
    began and where published figures give way to illustrative ones.
    `quarters`: `_reach_quarter_totals`' complete quarters."""
    return _quarter_variation(area, quarters)


def _quarter_variation(area: AreaInfo, quarters: list[tuple]) -> str:
    """The variation of the latest of [(first day, figure, illustrative)]
    quarters, oldest first, on an XmR chart (`spc.series_spc`) with no
    judgement of better or worse."""
    starts, figures, illustrative = zip(*quarters, strict=True)
    return spc.series_spc(
        polarity="no_judgement",
        values=np.array(figures, dtype=float),
        period_starts=list(starts),
        illustrative=np.array(illustrative, dtype=bool),
        funding_start=funding_start_of(area),
        variation_only=True,
    )["variation"]


def _complete_quarters(spend: pd.DataFrame) -> list[tuple]:
    """[(first day, amount, illustrative)] of quarter_spend's quarters that are
    over by the app's clock (periods.is_complete, the one rule), oldest first."""
    out = []
    for year, quarter, amount, illustrative in zip(
        spend["financial_year"].tolist(),
        spend["quarter"].tolist(),
        spend["amount"].tolist(),
        spend["illustrative"].tolist(),
        strict=True,
    ):
        start, end = periods.quarter_bounds(int(year), int(quarter))
        if periods.is_complete(end):
            out.append((start, amount, illustrative))
    return out


def _spend_variation(area: AreaInfo, quarters: list[tuple]) -> str:
    """The latest complete quarter's spend judged by the one SPC road
    (`spc.series_spc`, as `_reach_variation`): an XmR chart of the area's
    quarterly spend (complete quarters only, `_complete_quarters`), spend being
    neither better nor worse in itself; limits recalculated where VRU funding
    began and where published figures give way to illustrative ones."""
    return _quarter_variation(area, quarters)


AGES = ("all", "under25")


def overview_summary(*, scope: Scope, area_code: str) -> dict[str, Any]:
    """Everything the board overview shows for one area.

    Keys: area (AreaInfo), measures (list of {"all": headline, "under25": headline
    or None, "region": the region's headline or None} per success measure,
    headline as `measure_headline`, region as `region_headline`), money
    (outturn.money_forecast dict, or None when outside the scope or not a force area),
    money_denied (bool), reach (reach_by_tier dict or None), changes (list of
    sentences). NotFound for an unknown area."""
    area = get_area(area_code)
    # The success measures are read once, then passed down (each read is a
    # query when the cache is off).
    found = success_measure_records()

    def measure(code: str) -> dict:
        if code not in found:
            found[code] = get_measure(code, scope=scope)
        return found[code]

    rows = []
    for code in list(found):
        row = {age: _headline(scope, measure(code), area, age) for age in AGES}
        # Where the area has no published figure (or only older ones), its
        # English region's latest published one, named as the coarser geography.
        row["region"] = _region_headline(scope, measure(code), area, row["all"], "all")
        rows.append(row)
    money_part, reach, denied = None, None, False
    by_quarter = None  # the reach by quarter: its totals here, its change below
    if area.level == "pfa":
        try:
            money_part = outturn.money_forecast(scope=scope, area_code=area.code)
            by_quarter = _reach_by_quarter(scope, area.code)
            reach = _reach_totals(by_quarter)
        except AccessDenied:
            denied = True
    return {
        "area": area,
        "measures": rows,
        "money": money_part,
        "money_denied": denied,
        "reach": reach,
        "changes": _changes(scope, measure("knife_offences"), area, by_quarter),
    }
