"""/funding's links (funding_tables.funding_url) write the query exactly as
urllib's urlencode does (issue 19: values that need no quoting are joined as
they are), for codes, years, ids and values that do need quoting."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

from components.funding_tables import funding_url

VALUES = [
    None,
    "E23000036",
    "E92000001",
    2019,
    "2019",
    12,
    0,
    True,
    1.5,
    "",
    "a b",
    "a&b=c",
    "x/y",
    "£x",
    "É",
    "²",  # alphanumeric to str.isalnum, not to urlencode
    "~_.-",
    "2019/20",
]


def _reference(area=None, year=None, lad=None, intervention=None) -> str:
    """The link as urlencode writes the filters that are set, in this order."""
    query = {
        name: value
        for name, value in (
            ("area", area),
            ("year", year),
            ("lad", lad),
            ("intervention", intervention),
        )
        if value is not None
    }
    return "/funding" + ("?" + urlencode(query) if query else "")


def test_funding_url_is_urlencodes_query():
    for values in itertools.product(VALUES, repeat=4):
        assert funding_url(*values) == _reference(*values), values


def test_funding_url_examples():
    assert funding_url() == "/funding"
    assert funding_url("E23000036", 2019) == "/funding?area=E23000036&year=2019"
    assert (
        funding_url("E23000036", 2019, None, 12)
        == "/funding?area=E23000036&year=2019&intervention=12"
    )
    assert funding_url("a b", "£") == "/funding?area=a+b&year=%C2%A3"
