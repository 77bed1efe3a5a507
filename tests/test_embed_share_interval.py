"""A share's 95% interval, one drawing: the public trend embed draws and
tabulates a percentage's Wilson score interval (Newcombe 1998) wherever the
disclosed public series carries one, as the signed-in /violence page draws the
same series; a percentage stored without its counts has no interval, and is
still drawn as a line, with no band and no empty interval columns.

Catches: the embed drawing a share without its interval (it passed the limits
only for a measure with a rate multiplier, so knife_offences_share had none on
the embed and a band on /violence), limits that differ from /violence's,
limits formatted as rates rather than percentages, empty CI columns for a
share with no counts, and an interval worked out from unrounded or hidden
counts (which would give a rounded or hidden count back more precisely than
the disclosure rule allows)."""

from __future__ import annotations

import csv
import io
import math
import re
from html import unescape
from urllib.parse import parse_qsl, unquote

import pandas as pd
import pytest

from data_access import periods
from data_access.db import session_scope
from data_access.models import Measure, MeasureValue
from data_access.scope import PUBLIC
from tests.data_access.test_proportions_public import (  # noqa: F401 - fixture
    LABELS,
    SHARE,
    public_store,
)
from tests.data_access.three_forces import (
    AVON,
    SURREY,
    add_three_forces,
    measure_fields,
)

SHARE_MEASURE = "knife_offences_share"


def _client():
    from app import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def _embed_csv(client, query: str) -> pd.DataFrame:
    text = client.get(f"/embed/trend/data.csv?{query}").get_data(as_text=True)
    return pd.read_csv(io.StringIO(text.lstrip("\ufeff")), dtype=str)


def _embed_table(client, query: str) -> tuple[list[str], list[list[str]]]:
    return _table(client, f"/embed/trend?{query}")


def _table(client, url: str) -> tuple[list[str], list[list[str]]]:
    """An embed page's table: its column headings and each body row's cells."""
    html = client.get(url).get_data(as_text=True)
    table = html.split('<table id="embed-table">')[1].split("</table>")[0]
    heads = [
        unescape(h) for h in re.findall(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", table)
    ]
    body = table.split("<tbody>", 1)[1]
    rows = [
        [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        )
    ]
    return heads, rows


def _embed_figure(query: str) -> dict:
    from app import app
    from web.embed_charts import CHARTS

    with app.server.test_request_context(f"/embed/trend?{query}"):
        return CHARTS["trend"].build(dict(parse_qsl(query))).figure


def _bands(figure: dict) -> list[dict]:
    return [t for t in figure["data"] if (t.get("meta") or {}).get("role") == "ci"]


def _violence_csv(monkeypatch, query: dict) -> pd.DataFrame:
    """/violence's trend chart CSV for the public scope: the same disclosed
    series the embed reads."""
    from app import app  # noqa: F401 - registers the pages
    from pages import violence

    monkeypatch.setattr(violence, "current_scope", lambda: PUBLIC)
    content = violence.show_trend(
        query["measure"], query["area"], "year", "all", "", ""
    )

    def find(node):
        if isinstance(node, list | tuple):
            return next((f for c in node if (f := find(c)) is not None), None)
        if not hasattr(node, "to_plotly_json"):
            return None
        if getattr(node, "id", None) == "violence-trend-csv":
            return node
        return find(getattr(node, "children", None))

    link = find(content)
    assert link is not None, "no trend CSV on /violence"
    text = unquote(link.href.split(",", 1)[1]).lstrip("\ufeff")
    return pd.read_csv(io.StringIO(text))


def test_a_shares_interval_is_drawn_as_on_violence(loaded_store, monkeypatch):
    client = _client()
    query = f"measure={SHARE_MEASURE}&area={AVON}"
    embed = _embed_csv(client, query)
    assert list(embed.columns)[:5] == [
        "Area",
        "Period",
        "Percentage",
        "95% CI lower",
        "95% CI upper",
    ]
    assert "Rate" not in embed.columns  # a share's value is its own rate
    page = _violence_csv(monkeypatch, {"measure": SHARE_MEASURE, "area": AVON})
    page = page.rename(columns={"Lower 95% CI": "lower", "Upper 95% CI": "upper"})
    joined = embed.merge(page, on=["Area", "Period"], how="outer", indicator=True)
    assert (joined["_merge"] == "both").all(), joined[["Area", "Period", "_merge"]]
    assert len(joined) >= 2
    # /violence rounds to two decimals; the embed's CSV keeps the figure whole
    for ours, theirs in (
        ("Percentage_x", "Percentage_y"),
        ("95% CI lower", "lower"),
        ("95% CI upper", "upper"),
    ):
        assert joined[ours].astype(float).tolist() == pytest.approx(
            joined[theirs].astype(float).tolist(), abs=0.006
        ), ours
    # drawn as a band round each line, the series' own limits
    figure = _embed_figure(query)
    bands = _bands(figure)
    assert bands, "no interval band on the embed"
    drawn = sorted(y for t in bands for y in t["y"])
    limits = sorted(embed[["95% CI lower", "95% CI upper"]].astype(float).stack())
    assert drawn == pytest.approx(limits)
    # tabulated as percentages, not as rates
    heads, rows = _embed_table(client, query)
    lower, upper = heads.index("95% CI lower"), heads.index("95% CI upper")
    for row in rows:
        assert row[lower].endswith("%") and row[upper].endswith("%"), row
        assert float(row[lower][:-1]) <= float(row[heads.index("Percentage")][:-1])


def _wilson_percent(successes: float, total: float, z: float = 1.959964) -> tuple:
    """Wilson score limits (Newcombe 1998, method 3) in per cent, written out."""
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = (
        z
        * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
        / (1 + z * z / total)
    )
    return 100 * (centre - half), 100 * (centre + half)


def test_a_disclosed_shares_interval_is_of_the_published_counts(public_store):  # noqa: F811
    """The "hes" rule: Surrey's 0 of 6 is hidden, and so is its interval ("*");
    its 11 of 94 is published as 10 of 95, and its interval is 10 of 95's, never
    11 of 94's (which with the published denominator would give 11 back).
    Avon's 9 of 80 is published as 10 of 80: the same."""
    client = _client()
    rows = _embed_csv(client, f"measure={SHARE}&area={SURREY}").set_index(
        ["Area", "Period"]
    )
    q1 = rows.loc[("Surrey", LABELS[0])]
    assert q1[["Percentage", "95% CI lower", "95% CI upper"]].tolist() == ["*"] * 3
    q4 = rows.loc[("Surrey", LABELS[3])]
    shown = (float(q4["95% CI lower"]), float(q4["95% CI upper"]))
    assert shown == pytest.approx(_wilson_percent(10, 95), abs=1e-4)
    assert shown != pytest.approx(_wilson_percent(11, 94), abs=1e-3)
    avon = _embed_csv(client, f"measure={SHARE}&area={AVON}").set_index(
        ["Area", "Period"]
    )
    q3 = avon.loc[("Avon and Somerset", LABELS[2])]
    assert float(q3["Percentage"]) == pytest.approx(12.5)
    assert (
        float(q3["95% CI lower"]),
        float(q3["95% CI upper"]),
    ) == pytest.approx(_wilson_percent(10, 80), abs=1e-4)
    # a hidden row's band is not drawn either; a shown one's is
    figure = _embed_figure(f"measure={SHARE}&area={SURREY}")
    surrey = [b for b in _bands(figure) if b["name"].startswith("Surrey ")]
    assert surrey and all(LABELS[0] not in band["x"] for band in surrey)
    assert any(LABELS[3] in band["x"] for band in surrey)


VALUES_ONLY = "test_values_only_share"


@pytest.fixture
def values_only_store(store):
    """A public percentage stored without its counts (as workstream returns give
    it): unit "%", no proportion interval."""
    with session_scope() as session:
        source, areas = add_three_forces(session)
        measure = Measure(
            code=VALUES_ONLY,
            name="Share engaged",
            unit="%",
            ci_method="none",
            **measure_fields(source, disclosure_rule="none"),
        )
        session.add(measure)
        session.flush()
        for q, value in enumerate((41.5, 44.0, 39.5, 47.25), start=1):
            start, end = periods.quarter_bounds(2022, q)
            session.add(
                MeasureValue(
                    measure_id=measure.id,
                    area_id=areas[AVON].id,
                    period_start=start,
                    period_end=end,
                    value=value,
                    source_id=source.id,
                )
            )


def test_a_share_without_counts_is_a_line_with_no_band(values_only_store):
    client = _client()
    query = f"measure={VALUES_ONLY}&area={AVON}"
    embed = _embed_csv(client, query)
    assert list(embed.columns)[:3] == ["Area", "Period", "Percentage"]
    assert not {"Rate", "95% CI lower", "95% CI upper"} & set(embed.columns)
    assert embed["Percentage"].astype(float).tolist() == [41.5, 44.0, 39.5, 47.25]
    figure = _embed_figure(query)
    assert not _bands(figure)
    (line,) = [
        t for t in figure["data"] if (t.get("meta") or {}).get("role") == "series"
    ]
    assert line["y"] == [41.5, 44.0, 39.5, 47.25]
    assert not any("95% CI" in text for text in line["hovertext"])
    heads, rows = _embed_table(client, query)
    assert "95% CI lower" not in heads and "Rate" not in heads
    assert rows[0][heads.index("Percentage")] == "41.5%"


def test_the_compare_embed_calls_a_shares_leader_highest_percentage(loaded_store):
    """A share's ranking is of percentages: its title says "the highest
    percentage", never "the highest rate"; a rate's title keeps "rate"."""
    client = _client()

    def title(code: str) -> str:
        html = client.get(f"/embed/compare?measure={code}").get_data(as_text=True)
        return unescape(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1])

    share = title(SHARE_MEASURE)
    assert "had the highest percentage of the force areas" in share, share
    assert "highest rate" not in share
    # its limits are tabulated as percentages, as its value is
    heads, rows = _table(client, f"/embed/compare?measure={SHARE_MEASURE}")
    for row in rows:
        for head in ("Percentage", "95% CI lower", "95% CI upper"):
            assert row[heads.index(head)].endswith("%"), (head, row)
    assert "had the highest rate of the force areas" in title("knife_offences")


def test_the_compare_embed_asks_the_measure_whether_its_value_is_a_rate(
    loaded_store, monkeypatch
):
    """The Rate column is left out for a proportion (statistics.proportion_scale:
    its value is numerator / denominator x its scale, its rate), whatever the
    value's heading says: a share given "per 100 offences" is headed so, and
    still not repeated as a Rate. Catches the decision made by the heading's
    words ("Percentage")."""
    from data_access import measures
    from web import embed_charts

    real = embed_charts._measure

    def per_100(value):
        measure = dict(real(value))
        if measure["code"] == SHARE_MEASURE:
            measure.update(unit="offences", rate_multiplier=100)
        return measure

    monkeypatch.setattr(embed_charts, "_measure", per_100)
    assert measures.disclosure_columns(per_100(SHARE_MEASURE))[0] == ("numerator",)
    client = _client()
    text = client.get(f"/embed/compare/data.csv?measure={SHARE_MEASURE}").get_data(
        as_text=True
    )
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[2] == "Offences"
    assert "Rate" not in header, header
