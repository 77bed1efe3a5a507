"""The /areas/<code> page's callback, called as a plain function."""

from __future__ import annotations

import json

import pytest

from data_access.scope import SYSTEM, Scope

VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


@pytest.fixture
def page(loaded_store, monkeypatch):
    from app import app  # noqa: F401 - registers the pages
    from pages import area_profile

    monkeypatch.setattr(area_profile, "current_scope", lambda: SYSTEM)
    return area_profile


def _text(tree) -> str:
    return json.dumps(
        [t.to_plotly_json() if hasattr(t, "to_plotly_json") else t for t in tree],
        default=lambda o: (
            o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o)
        ),
    )


def test_layout_is_cheap_and_has_one_h1(page, monkeypatch):
    from data_access import db

    monkeypatch.setattr(db, "session_scope", None)
    text = _text([page.layout(code="E23000036")])
    assert text.count('"type": "H1"') == 1


def test_profile_has_spine_chart_table_interventions_and_money(page):
    header, content = page.show_profile("E23000036")
    text = _text([header, content])
    assert "Avon and Somerset" in text
    assert "area-spine-graph" in text and "area-spine-table" in text
    assert "area-interventions" in text and "area-money" in text
    for link in ("/violence?area=E23000036", "/funding?area=E23000036", "/compare"):
        assert link in text
    # Its own published admissions figure is older than the South West's, which
    # is beside it.
    from data_access.outcomes import headlines

    own = headlines.measure_headline(
        scope=SYSTEM, measure_code="hospital_admissions_knife", area_code="E23000036"
    )
    assert "Region: South West, a coarser geography than the force area" in text
    assert f"Avon and Somerset's latest published figure is for {own['period']}" in text


def test_viewer_outside_scope_gets_a_plain_note(page, monkeypatch):
    monkeypatch.setattr(page, "current_scope", lambda: VIEWER)
    header, content = page.show_profile("E23000014")
    text = _text([header, content])
    assert "area-spine-graph" in text  # public measures are shown
    assert "Interventions in West Midlands are outside your access" in text
    assert "Money for West Midlands is outside your access" in text
    assert "area-money" not in text


def test_unknown_code_says_so_with_a_link_back(page):
    header, content = page.show_profile("X99")
    text = _text([header, content])
    assert "No area has the code X99" in text
    assert '"href": "/compare"' in text


def test_local_authority_profile_has_fewer_measures(page):
    header, content = page.show_profile("E06000023")  # Bristol
    text = _text([header, content])
    assert "Bristol" in text and "Avon and Somerset" in text  # breadcrumb
    assert "Knife or sharp instrument offences" in text
    assert "Hospital admissions" not in text


def test_spine_names_each_benchmark_exactly_and_tables_its_ends(page):
    """Each measure's centre line is named exactly (England and Wales; England
    for England-only hospital admissions; the force areas pooled only as '<what
    they cover> (the N force areas pooled)', never 'All force areas (pooled)'),
    with its year; the table gives the worst and best areas by the measure's
    direction (lower is better: the worst is the highest)."""
    from data_access.outcomes import profiles

    profile = profiles.area_profile(scope=SYSTEM, area_code="E23000036")
    header, content = page.show_profile("E23000036")
    text = _text([header, content])
    assert "All force areas" not in text and "All areas shown" not in text
    for r in profile.to_dict("records"):
        label = r["benchmark_label"]
        assert label in ("England and Wales", "England") or label.endswith(
            " force areas pooled)"
        ), label
        assert f"{r['measure_name']} ({r['period']})" in text
    admissions = profile[profile["measure_code"] == "hospital_admissions_knife"]
    label, name = admissions[["benchmark_label", "measure_name"]].iloc[0]
    assert label.startswith("England") and not label.startswith("England and Wales")
    assert f"{label} for {name}" in text
    table = page.profile_table(profile)
    knife = profile[profile["measure_code"] == "knife_offences"].iloc[0]
    row = table[table["Measure"] == knife["measure_name"]].iloc[0]
    assert knife["polarity"] == "lower_is_better"
    assert row["Worst area"] == round(knife["max"], 1)
    assert row["Best area"] == round(knife["min"], 1)
    assert row["Year"] == knife["period"]


def test_spine_labels_wrap_so_a_phone_has_room_for_the_chart(page):
    """At 390 px the spine's one-line measure names (up to 70 characters) took the
    whole width and the chart had none: names wrap at 30 characters, the left
    margin is the longest line's, and each row is as tall as its lines."""
    import plotly.graph_objects as go

    header, content = page.show_profile("E23000036")
    found = []

    def walk(node):
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
        elif hasattr(node, "to_plotly_json"):
            if getattr(node, "id", None) == "area-spine-graph":
                found.append(node)
            walk(getattr(node, "children", None))

    walk(content)
    figure = go.Figure(found[0].figure)
    labels = [str(t) for trace in figure.data for t in (trace.y or ())]
    assert labels and all(
        len(line) <= 30 for label in labels for line in label.split("<br>")
    )
    assert figure.layout.margin.l <= 30 * 7.8 + 40


def test_spine_says_which_latest_years_are_illustrative(page):
    """The spine shows each measure's latest year, which in the demo store is
    often illustrative: the title and each measure's label say so in words, and
    it never calls an illustrative year 'published'."""
    from data_access.outcomes.profiles import area_profile

    profile = area_profile(scope=SYSTEM, area_code="E23000036")
    made_up = profile[profile["illustrative"].astype(bool)]
    assert not made_up.empty  # the demo's latest years include illustrative ones
    header, content = page.show_profile("E23000036")
    text = _text([header, content])
    assert "latest published year" not in text
    assert (
        f"{len(made_up)} of the {len(profile)} are illustrative figures, "
        "not official statistics." in text
    )
    for row in made_up.itertuples():
        assert f"{row.period}, illustrative" in text.replace("<br>", " ")


def test_profile_lists_the_table_p1_measures_for_their_rolling_year(page):
    """The ONS Table P1 measures have no financial years, only the year ending
    June 2025: the spine lists them with that year and the published count
    (read from the shipped CSV here), against England and Wales. Catches them
    being dropped from the profile or labelled as a financial year."""
    import csv

    from data_access.areas import get_area
    from data_access.outcomes import profiles
    from data_access.shipped.common import REFERENCE_DIR

    path = REFERENCE_DIR / "vru-era" / "ons_pfa_tables_ye_jun2025_table_p1.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Area Code")
    avon = next(r for r in rows[head:] if r and r[0] == "E23000036")
    published = {
        code: int(avon[rows[head].index(column)].replace(",", ""))
        for code, column in (
            ("possession_of_weapons", "Possession of weapons offences"),
            ("violence_with_injury", "Violence with injury"),
            ("homicide", "Homicide"),
        )
    }
    profile = profiles.area_profile(scope=SYSTEM, area_code="E23000036")
    rolling = profile[profile["measure_code"].isin(published)].set_index("measure_code")
    assert set(rolling.index) == set(published)
    for code, count in published.items():
        assert rolling.loc[code, "period"] == "year ending Jun 2025"
        assert rolling.loc[code, "count"] == count
        assert rolling.loc[code, "benchmark_label"] == "England and Wales"
    # the spine chart and its table, drawn from this profile (not computed again)
    text = _text([page._measures_part(get_area("E23000036"), profile)])
    for name in rolling["measure_name"]:
        assert f"{name} (year ending Jun 2025)" in text


def test_spine_title_counts_judgements_as_the_chart_marks_them(page):
    """The title's "worse on W and better on B" counts the measures the chart
    marks better or worse (a hidden figure is "not compared" there), and says
    how many of those judgements rest on illustrative figures: a made-up figure
    is never counted as a finding unannounced. Counted here independently from
    the profile rows."""
    import pandas as pd

    from data_access.outcomes.profiles import area_profile

    profile = area_profile(scope=SYSTEM, area_code="E23000036")
    marks = [
        "not compared" if r["suppressed"] else r["comparison"]
        for r in profile.to_dict("records")
    ]
    better = [m == "better" for m in marks]
    worse = [m == "worse" for m in marks]
    made_up = sum(
        bool(f) and (b or w)
        for f, b, w in zip(profile["illustrative"], better, worse, strict=True)
    )
    assert made_up >= 1 and sum(better) > made_up  # the demo has both kinds
    title = page.judged_words("Avon and Somerset", profile)
    n_worse = sum(worse) or "none"
    assert title.startswith(
        f"Avon and Somerset was significantly worse than the benchmark on {n_worse} "
        f"and better on {sum(better)} of {len(profile)} measures."
    )
    judged = sum(better) + sum(worse)
    rests = "rests on an illustrative figure" if made_up == 1 else "rest on"
    assert f"{made_up} of those {judged} judgements {rests}" in title
    header, content = page.show_profile("E23000036")
    assert title in _text([header, content])

    # a hidden figure's judgement is not counted, as the chart shows it
    hidden = profile.assign(
        comparison=["better"] * len(profile),
        suppressed=[True] + [False] * (len(profile) - 1),
        illustrative=[False] * len(profile),
    )
    assert page.judged_words("X", hidden) == (
        f"X was significantly worse than the benchmark on none and better on "
        f"{len(profile) - 1} of {len(profile)} measures."
    )
    every = pd.DataFrame(
        {"comparison": ["worse"], "suppressed": [False], "illustrative": [True]}
    )
    assert page.judged_words("X", every) == (
        "X was significantly worse than the benchmark on 1 and better on none of 1 "
        "measure. That judgement rests on an illustrative figure."
    )
