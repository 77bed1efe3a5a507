"""/violence's URLs (pages.violence.view_url, and the drill table's links by
_area_urls) encode the parameters other than the area once for many areas
(issue 19: an urlencode of every parameter per row of the drill table). They
give what urlencode of all the parameters in DEFAULTS' order gave, empty ones
left out: that code is copied below ("as it was") and is the reference."""

from __future__ import annotations

import itertools
import random
from urllib.parse import urlencode

import pytest


@pytest.fixture
def violence(loaded_sqlite_store):
    from app import app  # noqa: F401 - pages register after the app exists
    from pages import violence

    return violence


def _old_view_url(defaults, **params) -> str:  # as it was
    clean = {k: params[k] for k in defaults if params.get(k)}
    return "/violence?" + urlencode(clean)


VALUES = {
    "measure": ["", "knife_offences", "knife offences & more", "é/x?y=z"],
    "area": ["", None, "E23000036", "K04000001", "a b+c&d"],
    "view": ["", "year", "quarter"],
    "age": ["", "all", "under25"],
    "from": ["", "2018-04", "2018 04"],
    "to": ["", "2025-03"],
    "chart": ["", "ci", "spc", "#"],
}


def _cases(seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [{k: rng.choice(v) for k, v in VALUES.items()} for _ in range(50)]


@pytest.mark.parametrize("seed", range(20))
def test_view_url_is_the_urlencode_of_the_parameters(violence, seed):
    for params in _cases(seed):
        expected = _old_view_url(violence.DEFAULTS, **params)
        assert violence.view_url(**params) == expected, params


@pytest.mark.parametrize("seed", range(20))
def test_each_area_link_is_the_view_url_of_that_area(violence, seed):
    """The drill table's links: one encoder per table, one link per area,
    whatever area the parameters held."""
    for params in _cases(seed):
        link = violence._area_urls(params)
        for area in VALUES["area"]:
            expected = _old_view_url(violence.DEFAULTS, **{**params, "area": area})
            assert link(area) == expected, (params, area)


def test_parameters_keep_their_order_around_the_area(violence):
    """The area sits between the measure and the view, as in DEFAULTS."""
    every = dict(zip(violence.DEFAULTS, itertools.repeat("x"), strict=False))
    assert violence.view_url(**every) == (
        "/violence?measure=x&area=x&view=x&age=x&from=x&to=x&chart=x"
    )
