"""/compare ranks a share (the percentage of selected offences involving a knife)
as the public compare embed does: one rule for what can be ranked by force area
(year_values.can_rank), the same figures year by year, its funnel against its
denominator with binomial limits, and its words a percentage, never a rate per
so many people.

The funnel's limits are checked against the normal approximation to the
binomial that the PHE/OHID technical guide to funnel plots gives for a
proportion, p +/- z sqrt(p (1 - p) / n), written here with scipy's normal
quantiles, and against scipy's exact binomial quantiles, which it approximates
(Spiegelhalter 2005, "Funnel plots for comparing institutional performance")."""

from __future__ import annotations

import io
import json
import math
import re
from urllib.parse import unquote

import pandas as pd
import pytest
from scipy import stats

from data_access.outcomes import funnels, year_values
from data_access.scope import SYSTEM

SHARE = "knife_offences_share"


@pytest.fixture
def pages(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare

    monkeypatch.setattr(compare, "current_scope", lambda: SYSTEM)
    app.server.config["TESTING"] = True
    return compare, app.server.test_client()


def _find(node, predicate) -> list:
    """Every component in a Dash tree for which predicate(component) is true."""
    if isinstance(node, list | tuple):
        return [found for child in node for found in _find(child, predicate)]
    if not hasattr(node, "to_plotly_json"):
        return []
    own = [node] if predicate(node) else []
    return own + _find(getattr(node, "children", None), predicate)


def _by_id(content, component_id: str):
    (found,) = _find(content, lambda c: getattr(c, "id", None) == component_id)
    return found


def _csv(content, chart_id: str) -> pd.DataFrame:
    link = _by_id(content, f"{chart_id}-csv")
    text = unquote(link.href.split(",", 1)[1]).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text))


def _text(content) -> str:
    return json.dumps(content, default=lambda o: o.to_plotly_json())


def _embed_csv(client, measure: str, period: str | None = None) -> pd.DataFrame:
    url = f"/embed/compare/data.csv?measure={measure}"
    if period:
        url += f"&period={period}"
    answer = client.get(url)
    assert answer.status_code == 200, (measure, period)
    text = answer.get_data(as_text=True).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text)) if text.strip() else pd.DataFrame()


def test_compare_offers_what_the_compare_embed_ranks(pages):
    """Every public measure the compare embed ranks (its CSV has force areas'
    figures) is in /compare's menu, the share among them; and /compare offers
    nothing more than those, but the measures published for rolling years
    only, which the embed (by financial year) cannot rank. Red if either road
    changes alone: /compare's menu back to rates only, or the embed ranking a
    measure /compare does not offer."""
    from data_access import public

    compare, client = pages
    with client.application.app_context():
        codes = public.public_measures()["code"].tolist()
    on_embed = set()
    for code in codes:
        frame = _embed_csv(client, code)
        value = next((c for c in ("Percentage", "Rate") if c in frame), None)
        if value and pd.to_numeric(frame[value], errors="coerce").notna().any():
            on_embed.add(code)
    on_compare = {o["value"] for o in compare.measure_options("compare-measure", None)}
    assert SHARE in on_embed and SHARE in on_compare
    assert on_embed <= on_compare
    rolling_only = {
        code
        for code in on_compare
        if not any(
            row[1].endswith("-04") for row in year_values.period_rows(measure_code=code)
        )
    }
    assert on_compare - on_embed == rolling_only
    # the one rule, in Python and in SQL, over every public measure
    from data_access.measures import get_measure

    for code in codes:
        ranked = year_values.can_rank(get_measure(code, scope=SYSTEM))
        assert ranked == (code in on_compare), code


@pytest.mark.parametrize("year", ["2017/18", "2018/19"])
def test_share_ranking_agrees_with_the_embed_figure_by_figure(pages, year):
    compare, client = pages
    start = f"{year[:4]}-04"
    content = compare.show_comparison(SHARE, start, "national", "95", "exclude")
    ours = _csv(content, "compare-ranking")
    embed = _embed_csv(client, SHARE, year)
    assert set(embed["Year"]) == {year} and set(ours["Year"]) == {year}
    # City of London is comparable for a share (offences, not residents, are
    # its denominator): ranked on both, with no note
    assert "City of London" in set(ours["Area"])
    assert "City of London is left out" not in _text(content)
    # and /compare says why, beside its "City of London: Left out" choice
    assert compare.SHARE_CITY_NOTE in _text(content)
    theirs = embed.set_index("Force area")
    ours = ours.set_index("Area")
    assert sorted(ours.index) == sorted(theirs.index)
    assert len(ours) == 43
    pairs = {
        "Percentage": "Percentage",
        "Lower 95% CI": "95% CI lower",
        "Upper 95% CI": "95% CI upper",
    }
    for area in ours.index:
        for mine, its in pairs.items():
            # /compare shows one decimal place; the embed's CSV is unrounded
            assert abs(ours.at[area, mine] - theirs.at[area, its]) <= 0.05 + 1e-9, (
                area,
                mine,
            )
        assert (
            ours.at[area, "Compared with benchmark"].lower()
            == theirs.at[area, "Compared with England and Wales"]
        ), area
    # highest first on both
    assert list(ours.index)[0] == theirs["Percentage"].idxmax()


def _normal_limits(p: float, n: float, confidence: float) -> tuple[float, float]:
    """The PHE/OHID guide's limits for a proportion, in per cent."""
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    half = z * math.sqrt(p * (1 - p) / n)
    return 100 * max(0.0, p - half), 100 * min(1.0, p + half)


def test_share_funnel_limits_are_binomial(loaded_store):
    points, limits, overdispersion = funnels.funnel(
        scope=SYSTEM, measure_code=SHARE, period_start="2018-04"
    )
    bench = float(points["benchmark_rate"].iloc[0])
    p = bench / 100
    assert 0.03 < p < 0.1  # a percentage, not a rate per 100,000
    # the smallest and the largest denominators among the areas (City of
    # London's few hundred offences, the Metropolitan Police's 100,000 or so)
    sizes = points["population"].dropna()
    checked = 0
    for n in (float(sizes.min()), float(sizes.max())):
        (row,) = limits[limits["population"] == n].itertuples(index=False)
        for level, lower, upper in (
            (0.95, row.lower_95, row.upper_95),
            (0.998, row.lower_998, row.upper_998),
        ):
            expected = _normal_limits(p, n, level)
            assert lower == pytest.approx(expected[0], rel=1e-9), (n, level)
            assert upper == pytest.approx(expected[1], rel=1e-9), (n, level)
            # the exact binomial's quantiles, as proportions in per cent, lie
            # within a count or two of the normal approximation's limits
            low_q = stats.binom.ppf((1 - level) / 2, n, p) / n * 100
            high_q = stats.binom.ppf(1 - (1 - level) / 2, n, p) / n * 100
            slack = 100 * 2 / n + 0.15 * (100 * math.sqrt(p * (1 - p) / n))
            assert abs(lower - low_q) <= slack, (n, level, lower, low_q)
            assert abs(upper - high_q) <= slack, (n, level, upper, high_q)
            checked += 1
    assert checked == 4
    # each area's position is judged against its own denominator's limits
    for area in points.itertuples(index=False):
        low, high = _normal_limits(p, float(area.population), 0.998)
        if area.rate > high:
            assert area.funnel_position == "above 99.8% limit", area.name
        elif area.rate < low:
            assert area.funnel_position == "below 99.8% limit", area.name
        else:
            assert "99.8" not in area.funnel_position, area.name
    # the between-area spread is in percentage points
    assert 0 < overdispersion["tau"] < 10


def test_share_is_a_percentage_of_offences_on_compare(pages):
    compare, _client = pages
    content = compare.show_comparison(SHARE, "2018-04", "national", "95", "exclude")
    text = _text(content)
    assert "per 100,000" not in text and "per 100" not in text
    assert "highest rate" not in text
    title = _by_id(content, "compare-ranking-title").children
    assert "had the highest percentage" in title
    assert "Bars show percentages with 95% confidence intervals" in text
    assert "percentage of selected offences, police force areas" in text
    ranking = _csv(content, "compare-ranking")
    assert {"Percentage", "Selected offences (denominator)", "Count (numerator)"} <= (
        set(ranking.columns)
    )
    assert "Population" not in ranking.columns
    # the bars and the map write "11.1%"; the ranked table beside the map
    # heads its figure "Percentage"
    bars = _by_id(content, "compare-ranking-graph").figure
    assert any("%" in str(t.get("text")) for t in bars["data"])
    beside = _by_id(content, "compare-map-ranking")
    assert "Percentage" in _text(beside)
    # the map's hover: "Metropolitan Police<br>11.1%<br>95% CI: ...", no space
    # before the per cent sign and no "per" anywhere
    hovers = [
        t.get("hovertext") or t.get("text") or ""
        for t in _by_id(content, "compare-map-graph").figure["data"]
    ]
    shown = [h for h in hovers if isinstance(h, str) and "CI:" in h]
    assert shown and all(re.search(r"<br>\d+\.\d%<br>", h) for h in shown)
    # the funnel: percentages against the denominator, binomial limits named
    funnel = _by_id(content, "compare-funnel-graph").figure
    x_title = funnel["layout"]["xaxis"]["title"]
    y_title = funnel["layout"]["yaxis"]["title"]
    assert "Selected offences" in json.dumps(x_title)
    assert "Population" not in json.dumps(x_title)
    assert "Percentage" in json.dumps(y_title)
    table = _csv(content, "compare-funnel")
    assert {"Selected offences (denominator)", "Percentage"} <= set(table.columns)
    assert "binomial limits for a proportion" in text
    assert "PHE/OHID technical guide to funnel plots; Spiegelhalter 2005" in text
    assert "against the number of selected offences" in text
    # the VRU section says why it does not compare a percentage
    vru = _text(compare.show_vru_comparison(SHARE))
    assert "not made for a percentage" in vru


def test_a_rate_keeps_its_words(pages):
    """The share's words do not leak into a rate's: knife offences are still a
    rate per 100,000 population against population, with the PHE/OHID limits."""
    compare, _client = pages
    content = compare.show_comparison(
        "knife_offences", "2018-04", "national", "95", "exclude"
    )
    text = _text(content)
    assert "had the highest rate" in _by_id(content, "compare-ranking-title").children
    assert compare.SHARE_CITY_NOTE not in text
    assert "rate per 100,000 population, police force areas" in text
    assert "binomial" not in text and "Percentage" not in text
    table = _csv(content, "compare-funnel")
    assert {"Population", "Rate per 100,000"} <= set(table.columns)


# ------------------------------------------------------------------ reads


def test_the_ranked_measure_list_is_one_probed_statement(loaded_store):
    """The menu with shares is read as the rate measures' was (issue 19): one
    statement, each measure probed for a force area's year through
    ix_measure_value_lookup (tests/data_access/test_compare_reads.py), and the
    share's content no more statements than a rate's."""
    import uuid

    from flask import Flask

    from data_access.measures import get_measure
    from tests.data_access import test_compare_reads as reads
    from web.shared_cache import cache

    # one request with the shared cache off, as test_compare_reads reads
    server = Flask(f"compare-shares-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE="NullCache")
    cache.init_app(server)
    statements = reads._statements(
        server, lambda: year_values.ranked_measure_names(scope=SYSTEM)
    )
    assert len(statements) == 1

    def content(code):
        def read():
            from data_access.outcomes import force_areas

            get_measure(code, scope=SYSTEM)
            ranked = force_areas.force_area_rates(
                scope=SYSTEM, measure_code=code, period_start="2018-04"
            )
            funnels.funnel(
                scope=SYSTEM, measure_code=code, period_start="2018-04", rates=ranked
            )

        return read

    share = reads._statements(server, content(SHARE))
    rate = reads._statements(server, content("knife_offences"))
    assert len(share) <= len(rate) == 2
    if loaded_store.startswith("postgresql"):
        plan = reads._plan(lambda: year_values.ranked_measures(scope=SYSTEM))
        assert "SubPlan" in plan, plan
        assert "Seq Scan on measure_value" not in plan, plan
