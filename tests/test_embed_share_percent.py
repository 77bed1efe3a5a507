"""A share is written as a percentage wherever a public embed writes it: the
trend embed's point labels and the compare embed's bars, their labels and its
sentence, as /violence writes them ("4.8%", "11.1%"). They said "4.8" and
"11.1" beside a "%" axis, and the compare embed's sentence "11.1 %".

Catches: a share's figure written as a bare number in an embed's drawing or
sentence, "%" set apart from its number, and a rate given a "%"."""

from __future__ import annotations

import re
from html import unescape

import pytest

SHARE = "knife_offences_share"
RATE = "knife_offences"
# a point's or bar's label ("2018/19: 4.8%", "Gwent: 1.9%") and its interval
LABEL = re.compile(r": (\d[\d,]*\.\d)(%?)")
INTERVAL = re.compile(r"CI: (\d[\d,]*\.\d)(%?) to (\d[\d,]*\.\d)(%?)")


def _visible_text(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200
    text = re.sub(r"<[^>]+>", " ", answer.get_data(as_text=True))
    return " ".join(unescape(text).split())


@pytest.fixture
def client(loaded_store):
    from app import app

    app.server.config["TESTING"] = True
    return app.server.test_client()


@pytest.mark.parametrize("embed", ["trend", "compare"])
def test_a_shares_figures_carry_percent_in_the_embeds(client, embed):
    text = _visible_text(client, f"/embed/{embed}?measure={SHARE}")
    labels = LABEL.findall(text)
    intervals = INTERVAL.findall(text)
    assert len(labels) > 3 and len(intervals) > 3
    assert {sign for _, sign in labels} == {"%"}
    assert {signs for *_, signs in intervals} == {"%"}
    assert {first for _, first, _, _ in intervals} == {"%"}
    if embed == "compare":
        assert re.search(r"highest at \d+\.\d% and \S.* lowest at \d+\.\d%", text)
        assert not re.search(r"at \d[\d.,]* %", text)


@pytest.mark.parametrize("embed", ["trend", "compare"])
def test_a_rate_carries_no_percent_in_the_embeds(client, embed):
    text = _visible_text(client, f"/embed/{embed}?measure={RATE}")
    labels = LABEL.findall(text)
    assert len(labels) > 3
    assert {sign for _, sign in labels} == {""}
