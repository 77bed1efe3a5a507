"""The public compare embed heads and formats a measure's value as the trend
embed does (web.embed_charts._value_column): a count is a "Count" of whole
numbers; a share's value is its percentage, headed "Percentage" and not
repeated as a "Rate" (it was headed "Count" and shown rounded: 4.8% as "5")."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from data_access import public


@pytest.fixture
def client(loaded_store):
    from app import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


def _csv(client, url: str) -> list[dict]:
    text = client.get(url).get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def _table_cells(client, url: str) -> tuple[list[str], dict[str, list[str]]]:
    html = client.get(url).get_data(as_text=True)
    table = html.split('<table id="embed-table">')[1].split("</table>")[0]
    heads = [
        unescape(h) for h in re.findall(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", table)
    ]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [unescape(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        if cells and cells[0] not in heads:
            rows[cells[0]] = cells
    return heads, rows


def _published(code: str) -> dict[str, float]:
    frame = public.force_area_comparison(
        measure_code=code, financial_year=None, age_band="all"
    )
    pfa = frame[frame["area_level"] == "pfa"]
    return dict(zip(pfa["area_name"], pfa["value"], strict=True))


def test_a_share_is_a_percentage_not_a_count(client):
    url = "/embed/compare?measure=knife_offences_share"
    rows = _csv(client, url.replace("/compare?", "/compare/data.csv?"))
    assert list(rows[0]) == [
        "Force area",
        "Year",
        "Percentage",
        "95% CI lower",
        "95% CI upper",
        "Compared with England and Wales",
    ]
    published = _published("knife_offences_share")
    avon = next(r for r in rows if r["Force area"] == "Avon and Somerset")
    assert float(avon["Percentage"]) == pytest.approx(published["Avon and Somerset"])
    assert 0 < float(avon["Percentage"]) < 100 and float(avon["Percentage"]) % 1
    heads, cells = _table_cells(client, url)
    assert "Count" not in heads and "Rate" not in heads
    shown = cells["Avon and Somerset"][heads.index("Percentage")]
    assert shown == f"{published['Avon and Somerset']:.1f}%"


def test_a_count_keeps_its_count_and_rate(client):
    rows = _csv(client, "/embed/compare/data.csv?measure=knife_offences")
    assert list(rows[0])[:6] == [
        "Force area",
        "Year",
        "Count",
        "Rate",
        "95% CI lower",
        "95% CI upper",
    ]
    published = _published("knife_offences")
    avon = next(r for r in rows if r["Force area"] == "Avon and Somerset")
    assert float(avon["Count"]) == published["Avon and Somerset"]
