"""One road for the force areas a ranking leaves out (City of London: rates per
resident not comparable): /compare, the public compare embed and /violence's
"Areas within England and Wales" chart rank the same force areas for the same
measure and year, and leave out the same ones with the same note.

Catches a place that leaves City of London in (as /violence did, whose bar at
about 690 per 100,000 squashed every other one) or out where the others do not,
or words the note its own way."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pandas as pd
import pytest

from data_access.areas import NATIONAL_CODE, list_areas
from data_access.comparator_groups import NOT_COMPARABLE
from data_access.scope import SYSTEM

CITY = "E23000034"


@pytest.fixture
def pages(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import compare, violence

    monkeypatch.setattr(compare, "current_scope", lambda: SYSTEM)
    monkeypatch.setattr(violence, "current_scope", lambda: SYSTEM)
    app.server.config["TESTING"] = True
    return compare, violence, app.server.test_client()


def _find(node, predicate) -> list:
    """Every component in a Dash tree for which predicate(component) is true."""
    if isinstance(node, list | tuple):
        return [found for child in node for found in _find(child, predicate)]
    if not hasattr(node, "to_plotly_json"):
        return []
    own = [node] if predicate(node) else []
    return own + _find(getattr(node, "children", None), predicate)


def _csv(content, chart_id: str) -> pd.DataFrame:
    (link,) = _find(content, lambda c: getattr(c, "id", None) == f"{chart_id}-csv")
    text = unquote(link.href.split(",", 1)[1]).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text))


def _text(content) -> str:
    import json

    return json.dumps(content, default=lambda o: o.to_plotly_json())


@pytest.mark.parametrize("measure", ["knife_offences", "homicide_knife"])
def test_every_ranking_leaves_out_the_same_force_areas(pages, measure):
    compare, violence, client = pages
    code_of = {
        name: code
        for name, code in list_areas(level="pfa")[["name", "code"]].itertuples(
            index=False
        )
    }
    # /violence's ranking of the force areas: the year it shows (the latest)
    content = violence.show_trend(measure, NATIONAL_CODE, "year", "all", "", "")
    drawn = _csv(content, "violence-children")
    year = drawn["Period"].iloc[0]
    on_violence = {code_of[name] for name in drawn["Area"]}
    # /compare for the same year, City of London left out (its default)
    start = f"{year[:4]}-04"
    ranking = compare.show_comparison(measure, start, "national", "95", "exclude")
    on_compare = set(_csv(ranking, "compare-ranking")["Code"])
    # the public compare embed for the same year
    embed = client.get(f"/embed/compare/data.csv?measure={measure}&period={year}")
    assert embed.status_code == 200
    frame = pd.read_csv(io.StringIO(embed.get_data(as_text=True).lstrip("\ufeff")))
    assert set(frame["Year"]) == {year}
    on_embed = {code_of[name] for name in frame["Force area"]}

    assert on_violence == on_compare == on_embed
    assert CITY not in on_violence and len(on_violence) == len(code_of) - 1
    # the same note, in NOT_COMPARABLE's words, on each
    note = NOT_COMPARABLE[CITY] + "."
    assert note in _text(content) and note in _text(ranking)
    page = client.get(f"/embed/compare?measure={measure}&period={year}")
    assert note.replace("'", "&#39;") in page.get_data(as_text=True)


def test_a_share_of_offences_ranks_city_of_london_everywhere(pages):
    """A share of offences involving a knife has offences, not residents, as its
    denominator: City of London's (9.1%, 95% CI 7.1% to 11.6% in 2018/19) is
    comparable and squashes nothing, so /violence and the public embed both rank
    it, with no note. Catches the reason in the note applied where it is false."""
    _compare, violence, client = pages
    content = violence.show_trend(
        "knife_offences_share", NATIONAL_CODE, "year", "all", "", ""
    )
    drawn = _csv(content, "violence-children")
    year = drawn["Period"].iloc[0]
    embed = client.get(
        f"/embed/compare/data.csv?measure=knife_offences_share&period={year}"
    )
    frame = pd.read_csv(io.StringIO(embed.get_data(as_text=True).lstrip("\ufeff")))
    assert set(drawn["Area"]) == set(frame["Force area"])
    assert "City of London" in set(drawn["Area"])
    page = client.get(f"/embed/compare?measure=knife_offences_share&period={year}")
    assert "City of London is left out" not in page.get_data(as_text=True)
    assert "City of London is left out" not in _text(content)


def _chart_title(content, chart_id: str) -> str:
    (heading,) = _find(content, lambda c: getattr(c, "id", None) == f"{chart_id}-title")
    return heading.children


def test_a_share_is_a_percentage_where_it_is_ranked(pages):
    """A share of offences ranked by force area is titled and captioned as a
    percentage: the public embed's title says who had "the highest
    percentage" (never "the highest rate" of a share), /violence's ranking says
    "Bars show percentages" and its summary names the share's percentage, and
    /compare, which ranks a share too (year_values.can_rank, the embed's rule;
    tests/pages/test_compare_shares.py), says both; a rate per resident is
    still "the highest rate" on /compare."""
    compare, violence, client = pages
    content = violence.show_trend(
        "knife_offences_share", NATIONAL_CODE, "year", "all", "", ""
    )
    year = _csv(content, "violence-children")["Period"].iloc[0]
    page = client.get(
        f"/embed/compare?measure=knife_offences_share&period={year}"
    ).get_data(as_text=True)
    assert "had the highest percentage of the force areas" in page
    assert "highest rate" not in page
    assert "Bars show percentages with 95% confidence intervals" in _text(content)
    assert f"percentage, {year}: of " in _text(content)
    share = compare.show_comparison(
        "knife_offences_share", f"{year[:4]}-04", "national", "95", "exclude"
    )
    assert "had the highest percentage" in _chart_title(share, "compare-ranking")
    assert "highest rate" not in _text(share)
    assert "Bars show percentages" in _text(share)
    rates = compare.show_comparison(
        "knife_offences", f"{year[:4]}-04", "national", "95", "exclude"
    )
    assert "had the highest rate" in _chart_title(rates, "compare-ranking")
    assert "Bars show rates" in _text(rates)
